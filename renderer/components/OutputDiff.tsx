import { useEffect, useState } from 'react';
import type { PingJson } from '../../shared/api/types.js';
import { diffHunks, lineDiff, type DiffLine } from '../../shared/console/line-diff.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import { api } from '../api.js';

const isEnd = (p: PingJson) => p.type === 'success' || p.type === 'fail';
// Inline: the stylesheet belongs to the detail view; a mark (+/−) says it without colour too.
const ADD = { background: 'color-mix(in srgb, var(--up) 18%, transparent)' };
const DEL = { background: 'color-mix(in srgb, var(--down) 18%, transparent)' };

/**
 * When the newest run failed: its output against the last good run's, changed lines only
 * (with a little context), and the never-seen warning lines the service quoted.
 */
export function OutputDiff({ uuid, pings }: { uuid: string; pings: PingJson[] }) {
  const latest = pings.find(isEnd);
  const good = latest?.type === 'fail' ? pings.find((p) => p.type === 'success' && Date.parse(p.date) <= Date.parse(latest.date)) : undefined;
  const [diff, setDiff] = useState<(DiffLine | null)[] | null>(null);
  const latestN = latest?.n;
  const goodN = good?.n;

  useEffect(() => {
    setDiff(null);
    if (latestN === undefined || goodN === undefined) return;
    let alive = true;
    const body = (n: number, size: number) => (size > 0 ? api.pingBody(uuid, n) : Promise.resolve(''));
    Promise.all([body(goodN, good!.body_size), body(latestN, latest!.body_size)]).then(
      ([a, b]) => alive && setDiff(diffHunks(lineDiff(a, b))),
      () => alive && setDiff(null),
    );
    return () => {
      alive = false;
    };
    // the bodies of two pings never change: their numbers say everything
  }, [uuid, latestN, goodN]);

  if (!latest || !good) return null;
  const quoted = (latest as PingJson & { new_warning_lines?: string[] }).new_warning_lines ?? [];
  return (
    <section aria-labelledby="diff-h" data-testid="output-diff">
      <h2 id="diff-h">Output against the last good run</h2>
      <p className="muted">
        This run ({absoluteTime(Date.parse(latest.date))}) against the last good one ({absoluteTime(Date.parse(good.date))}): lines marked − are gone, + are new.
      </p>
      {quoted.length > 0 && (
        <ul className="new-warnings">
          {quoted.map((l) => (
            <li key={l}>
              never seen before: <code>{l}</code>
            </li>
          ))}
        </ul>
      )}
      {diff === null ? null : diff.length === 0 ? (
        <p className="muted">The output is the same.</p>
      ) : (
        <pre className="diff" style={{ overflowX: 'auto' }}>
          {diff.map((l, k) =>
            l === null ? (
              <span key={k} className="muted">
                {'…\n'}
              </span>
            ) : (
              <span key={k} style={l.op === '+' ? ADD : l.op === '-' ? DEL : undefined}>
                {`${l.op === ' ' ? ' ' : l.op === '+' ? '+' : '−'} ${l.text}\n`}
              </span>
            ),
          )}
        </pre>
      )}
    </section>
  );
}
