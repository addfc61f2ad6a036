import { memo } from 'react';
import { BEATS_PER_CHECK, type BeatJson } from '../../shared/api/heartbeats.js';
import { formatRunSeconds } from '../../shared/domain/duration.js';
import { absoluteTime } from '../../shared/console/time-format.js';

const KIND_WORDS: Record<BeatJson['kind'], string> = {
  success: 'success',
  fail: 'failure',
  start: 'started',
  log: 'log',
  ign: 'ignored',
  missed: 'missed deadline',
  down: 'went down',
};

/** The hover text of one pill: time, kind, exit status, duration and the first line of the body. */
export function beatTitle(b: BeatJson): string {
  const parts = [absoluteTime(Date.parse(b.t)), KIND_WORDS[b.kind]];
  if (b.exitstatus !== undefined) parts.push(`exit ${b.exitstatus}`);
  if (b.duration !== undefined) parts.push(`ran ${formatRunSeconds(b.duration)}`);
  let s = parts.join(' · ');
  if (b.text) s += `\n${b.text}`;
  return s;
}

function pillClass(b: BeatJson): string {
  // Lubdub itself was not watching: hatched grey, not the red of a missed run.
  if (b.reason === 'missed while Lubdub was offline') return 'pill pill-offline';
  return `pill pill-${b.kind}`;
}

/**
 * The last 50 events, newest on the right, one pill each (Uptime Kuma's bar). Always 50
 * slots wide, so a new ping never moves the layout; missed deadlines are outlined gaps.
 */
export const HeartbeatBar = memo(function HeartbeatBar({ beats, label }: { beats: readonly BeatJson[] | undefined; label: string }) {
  const list = beats ?? [];
  const empty = BEATS_PER_CHECK - Math.min(list.length, BEATS_PER_CHECK);
  const shown = list.slice(-BEATS_PER_CHECK);
  const fails = shown.filter((b) => b.kind === 'fail' || b.kind === 'missed' || b.kind === 'down').length;
  return (
    <span className="beats" role="img" aria-label={`${label}: last ${shown.length} events, ${fails} failed or missed`}>
      {Array.from({ length: empty }, (_, i) => (
        <span key={`e${i}`} className="pill pill-empty" />
      ))}
      {shown.map((b, i) => (
        <span key={`${b.t}${b.n ?? b.kind}${i}`} className={pillClass(b)} title={beatTitle(b)} data-kind={b.kind} />
      ))}
    </span>
  );
});
