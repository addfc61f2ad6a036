import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MetricsReply, PingSilentFields } from '../../shared/api/silent.js';
import type { CheckJson, FlipJson, PingJson } from '../../shared/api/types.js';
import { reasonText, scheduleText, STATUS_WORDS } from '../../shared/console/check-list.js';
import { reasonWords } from '../../shared/domain/reasons.js';
import { formatRunSeconds, formatSeconds } from '../../shared/domain/duration.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import type { Status } from '../../shared/domain/types.js';
import { api, pingBodyPath } from '../api.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { MetricCharts } from '../components/MetricCharts.js';
import { OutputDiff } from '../components/OutputDiff.js';
import { RelTime } from '../components/RelTime.js';
import { ScheduleSuggestion } from '../components/ScheduleSuggestion.js';
import { Snippets } from '../components/Snippets.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { linkProps, navigate } from '../router.js';
import { useConsole } from '../store.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';

const RANGES = [
  { id: '1h', label: '1 hour', ms: 3600_000 },
  { id: '24h', label: '24 hours', ms: 86400_000 },
  { id: '7d', label: '7 days', ms: 7 * 86400_000 },
  { id: '30d', label: '30 days', ms: 30 * 86400_000 },
] as const;

const KIND_WORDS: Record<PingJson['type'], string> = { success: 'Success', fail: 'Failure', start: 'Started', log: 'Log', ign: 'Ignored' };

/** Pings and status bands over the chosen range (SVG, hover for details). */
function Timeline({ pings, flips, from, to, status, created }: { pings: PingJson[]; flips: FlipJson[]; from: number; to: number; status: Status; created: number }) {
  const W = 1000;
  const x = (t: number) => ((t - from) / (to - from)) * W;
  const asc = [...flips].filter((f) => Date.parse(f.timestamp) <= to).sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  const bands: { a: number; b: number; s: string }[] = [];
  const inRange = asc.filter((f) => Date.parse(f.timestamp) > from);
  const before = asc.filter((f) => Date.parse(f.timestamp) <= from).pop();
  let cur = before ? before.new_status : (inRange[0]?.old_status ?? status);
  // Nothing is drawn before the check existed.
  let start = Math.max(from, created);
  for (const f of inRange) {
    const t = Date.parse(f.timestamp);
    bands.push({ a: start, b: t, s: cur });
    cur = f.new_status;
    start = t;
  }
  bands.push({ a: start, b: to, s: inRange.length || before ? cur : status });
  const shown = pings.filter((p) => {
    const t = Date.parse(p.date);
    return t >= from && t <= to;
  });
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${W} 48`} preserveAspectRatio="none" role="img" aria-label={`Timeline: ${shown.length} pings and ${inRange.length} status changes`}>
        {bands.map((b, i) => (
          <rect key={i} x={x(b.a)} y={36} width={Math.max(0, x(b.b) - x(b.a))} height={10} className={`band band-${b.s}`}>
            <title>{`${STATUS_WORDS[b.s as Status] ?? b.s} from ${absoluteTime(b.a)}`}</title>
          </rect>
        ))}
        {shown.map((p) => (
          <rect key={p.n} x={x(Date.parse(p.date)) - 1.5} y={p.type === 'start' ? 10 : 4} width={3} height={p.type === 'start' ? 22 : 28} className={`tick tick-${p.type}`}>
            <title>{`#${p.n} ${KIND_WORDS[p.type]} · ${absoluteTime(Date.parse(p.date))}${p.exitstatus !== undefined ? ` · exit ${p.exitstatus}` : ''}${p.body_preview ? `\n${p.body_preview}` : ''}`}</title>
          </rect>
        ))}
      </svg>
      <figcaption className="axis">
        <span>{absoluteTime(from)}</span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}

/** Run durations (pings that closed a run), oldest left. */
function DurationChart({ pings, from }: { pings: PingJson[]; from: number }) {
  const runs = pings.filter((p) => p.duration !== undefined && Date.parse(p.date) >= from).reverse();
  if (runs.length === 0) return <p className="muted">No timed runs in this range. Send /start before the job to measure durations.</p>;
  const max = Math.max(...runs.map((r) => r.duration!));
  const W = 1000;
  const bw = W / Math.max(runs.length, 20);
  return (
    <figure className="durations">
      <svg viewBox={`0 0 ${W} 80`} preserveAspectRatio="none" role="img" aria-label={`Run durations: ${runs.length} runs, longest ${formatRunSeconds(max)}`}>
        {runs.map((r, i) => {
          const h = max > 0 ? (r.duration! / max) * 76 : 1;
          return (
            <rect key={r.n} x={i * bw + 1} y={80 - h} width={Math.max(1, bw - 2)} height={Math.max(1, h)} className={`bar bar-${r.type}`}>
              <title>{`${absoluteTime(Date.parse(r.date))}: ${formatRunSeconds(r.duration!)} (${KIND_WORDS[r.type]})`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="axis">
        <span>{runs.length} runs</span>
        <span>longest {formatRunSeconds(max)}</span>
      </figcaption>
    </figure>
  );
}

/** One ping in the log; the full body is fetched on demand and shown as plain text. */
function PingRow({ uuid, p, now }: { uuid: string; p: PingJson & PingSilentFields; now: number }) {
  const [body, setBody] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    if (!open && body === null) setBody(await api.pingBody(uuid, p.n).catch((e) => `(could not load the body: ${(e as Error).message})`));
    setOpen(!open);
  };
  return (
    <>
      <tr className={`ping ping-${p.type}`} data-n={p.n}>
        <td>
          <RelTime iso={p.date} now={now} />
          {p.received !== p.date && (
            <span className="muted" title={`received ${absoluteTime(Date.parse(p.received))}`}>
              {' '}
              (late)
            </span>
          )}
        </td>
        <td className="kind-cell">
          <span className={`kind kind-${p.type}`}>{KIND_WORDS[p.type]}</span>
          {p.assertion_failed && (
            <span className="ping-reason" data-testid="ping-reason" title="A success turned into a failure by an assertion">
              {p.assertion_failed}
            </span>
          )}
        </td>
        <td className="num">{p.exitstatus ?? ''}</td>
        <td className="mono">{p.remote_addr}</td>
        <td>{p.method}</td>
        <td className="ua" title={p.ua}>
          {p.ua}
        </td>
        <td className="mono" title={p.rid ?? ''}>
          {p.rid ? p.rid.slice(0, 8) : ''}
        </td>
        <td className="num">{p.duration !== undefined ? formatRunSeconds(p.duration) : ''}</td>
        <td className="body-cell">
          {p.body_size > 0 ? (
            <>
              <span className="body-preview" data-testid="body-preview">
                {p.body_preview}
              </span>
              <span className="body-actions">
                <button type="button" className="link" onClick={toggle} aria-expanded={open}>
                  {open ? 'Hide' : 'Show'} ({p.body_size} B)
                </button>
                <a href={pingBodyPath(uuid, p.n)} download={`ping-${p.n}.txt`}>
                  Download
                </a>
              </span>
            </>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
      </tr>
      {open && (
        <tr className="body-row">
          <td colSpan={9}>
            <pre className="code body-full" data-testid="body-full">
              {body}
            </pre>
          </td>
        </tr>
      )}
    </>
  );
}

/**
 * A check in depth: what it is and why it is in its state, timeline and
 * run durations over a range, the ping log with bodies as text, flips, actions, snippets.
 */
export function CheckDetail({ uuid }: { uuid: string }) {
  const check = useConsole((s) => s.checks[uuid]) as CheckJson | undefined;
  const loaded = useConsole((s) => s.loaded);
  const now = useConsole((s) => s.now);
  const lastPing = useConsole((s) => s.lastPing);
  const lastFlip = useConsole((s) => s.lastFlip);
  const [pings, setPings] = useState<PingJson[]>([]);
  const [flips, setFlips] = useState<FlipJson[]>([]);
  const [range, setRange] = useState<(typeof RANGES)[number]['id']>('24h');
  const [confirm, setConfirm] = useState<'delete' | 'pause' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [logLimit, setLogLimit] = useState(100);
  const [metrics, setMetrics] = useState<MetricsReply | null>(null);
  const metricsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Metrics and baselines: read on open, and again shortly after this check's pings
  // (at most every half second, however fast they come).
  useEffect(() => {
    let alive = true;
    setMetrics(null);
    api.metrics(uuid).then((m) => alive && setMetrics(m), () => alive && setMetrics({ runs: [], assertions: [] }));
    return () => {
      alive = false;
      if (metricsTimer.current) clearTimeout(metricsTimer.current);
      metricsTimer.current = null;
    };
  }, [uuid]);
  useEffect(() => {
    if (lastPing?.check !== uuid || metricsTimer.current) return;
    metricsTimer.current = setTimeout(() => {
      metricsTimer.current = null;
      api.metrics(uuid).then(setMetrics, () => {});
    }, 500);
  }, [lastPing, uuid]);

  useEffect(() => {
    let alive = true;
    Promise.all([api.pings(uuid), api.flips(uuid)]).then(
      ([p, f]) => {
        if (!alive) return;
        setPings(p);
        setFlips(f);
      },
      (e) => alive && setError((e as Error).message),
    );
    return () => {
      alive = false;
    };
  }, [uuid]);

  // Live: a ping or flip of this check from the event stream lands at the top.
  useEffect(() => {
    if (lastPing?.check === uuid) setPings((ps) => (ps.some((p) => p.n === lastPing.ping.n) ? ps : [lastPing.ping, ...ps].sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || b.n - a.n)));
  }, [lastPing, uuid]);
  useEffect(() => {
    if (lastFlip?.check === uuid) setFlips((fs) => [lastFlip.flip, ...fs]);
  }, [lastFlip, uuid]);

  const act = useCallback(
    async (what: 'pause' | 'resume' | 'delete') => {
      setError(null);
      setConfirm(null);
      try {
        if (what === 'delete') {
          await api.remove(uuid);
          navigate(CONSOLE_PATHS.overview);
          return;
        }
        const c = what === 'pause' ? await api.pause(uuid) : await api.resume(uuid);
        useConsole.getState().upsert(c);
        setFlips(await api.flips(uuid));
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [uuid],
  );

  const r = RANGES.find((x) => x.id === range)!;
  // The console's clock ticks every few seconds: a ping that just arrived is not in the future.
  const to = Math.max(now, pings.length ? Date.parse(pings[0].date) : 0);
  const from = to - r.ms;
  const snippetCheck = useMemo(
    () => check && { name: check.name, pingUrl: check.ping_url, kind: check.kind, schedule: check.schedule, tz: check.tz, timeout: check.timeout, slug: check.slug },
    [check],
  );

  if (!check) {
    return loaded ? (
      <div className="empty">
        <h1>Check not found</h1>
        <p>It may have been deleted.</p>
        <a {...linkProps(CONSOLE_PATHS.overview)}>Back to the overview</a>
      </div>
    ) : (
      <p className="muted">Loading…</p>
    );
  }
  const why = reasonText(check, now);

  return (
    <article className="detail" aria-labelledby="check-title">
      <header className="detail-head">
        <div>
          <p className="crumbs">
            <a {...linkProps(CONSOLE_PATHS.overview)}>Overview</a> /
          </p>
          <h1 id="check-title">
            {check.name || 'unnamed'} <StatusBadge status={check.status} offline={check.monitor_offline} />
          </h1>
          {why && (
            <p className={`why big${check.status === 'down' ? ' reason-down' : ''}`} data-testid="down-reason">
              {why}
            </p>
          )}
          <p className="schedule-line">
            {scheduleText(check)}, grace {formatSeconds(check.grace)}
          </p>
          {check.desc && <p className="desc">{check.desc}</p>}
          {check.tags && (
            <p>
              {check.tags.split(' ').map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </p>
          )}
        </div>
        <div className="actions">
          <a className="button" {...linkProps(CONSOLE_PATHS.editCheck(uuid))}>
            Edit
          </a>
          {check.status === 'paused' ? (
            <button type="button" onClick={() => act('resume')}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => setConfirm('pause')}>
              Pause
            </button>
          )}
          <button type="button" className="danger" onClick={() => setConfirm('delete')}>
            Delete
          </button>
        </div>
      </header>
      {error && (
        <p className="banner error" role="alert">
          {error}
        </p>
      )}

      <dl className="facts">
        <div>
          <dt>Last ping</dt>
          <dd>
            <RelTime iso={check.last_ping} now={now} empty="never" />
          </dd>
        </div>
        <div>
          <dt>Next expected</dt>
          <dd>
            <RelTime iso={check.next_ping} now={now} tz={check.tz} />
          </dd>
        </div>
        <div>
          <dt>Alert after</dt>
          <dd>
            <RelTime iso={check.alert_after} now={now} tz={check.tz} />
          </dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd>{check.last_duration !== undefined ? (check.last_duration === 0 ? '< 1 s' : formatRunSeconds(check.last_duration)) : '—'}</dd>
        </div>
        <div>
          <dt>Pings</dt>
          <dd>{check.n_pings}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <RelTime iso={check.created} now={now} />
          </dd>
        </div>
      </dl>

      <ScheduleSuggestion check={check} />
      <section aria-labelledby="urls-h">
        <h2 id="urls-h">Ping URL</h2>
        <div className="url-row">
          <code className="url" data-testid="ping-url">
            {check.ping_url}
          </code>
          <CopyButton text={check.ping_url} label="Copy URL" />
        </div>
        {check.slug_url && (
          <div className="url-row">
            <code className="url">{check.slug_url}</code>
            <CopyButton text={check.slug_url} label="Copy slug URL" />
          </div>
        )}
        {snippetCheck && <Snippets check={snippetCheck} />}
      </section>

      <section aria-labelledby="timeline-h">
        <div className="section-head">
          <h2 id="timeline-h">Timeline</h2>
          <div role="radiogroup" aria-label="Range" className="seg">
            {RANGES.map((x) => (
              <button key={x.id} type="button" role="radio" aria-checked={range === x.id} onClick={() => setRange(x.id)}>
                {x.label}
              </button>
            ))}
          </div>
        </div>
        <Timeline pings={pings} flips={flips} from={from} to={to} status={check.status} created={Date.parse(check.created)} />
        <h3>Run durations</h3>
        <DurationChart pings={pings} from={from} />
      </section>

      <section aria-labelledby="metrics-h">
        <h2 id="metrics-h">Metrics and assertions</h2>
        <MetricCharts reply={metrics} />
      </section>

      <OutputDiff uuid={uuid} pings={pings} />
      <section aria-labelledby="log-h">
        <h2 id="log-h">Ping log</h2>
        {pings.length === 0 ? (
          <p className="muted">No pings yet. Copy a snippet above and run it.</p>
        ) : (
          <div className="table-wrap">
            <table className="log">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Exit</th>
                  <th scope="col">Source</th>
                  <th scope="col">Method</th>
                  <th scope="col">User agent</th>
                  <th scope="col">Run id</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Body</th>
                </tr>
              </thead>
              <tbody>
                {pings.slice(0, logLimit).map((p) => (
                  <PingRow key={p.n} uuid={uuid} p={p} now={now} />
                ))}
              </tbody>
            </table>
            {pings.length > logLimit && (
              <button type="button" onClick={() => setLogLimit(logLimit + 200)}>
                Show more ({pings.length - logLimit} older)
              </button>
            )}
          </div>
        )}
      </section>

      <section aria-labelledby="flips-h">
        <h2 id="flips-h">Status changes</h2>
        {flips.length === 0 ? (
          <p className="muted">No status changes yet.</p>
        ) : (
          <ol className="flips">
            {flips.slice(0, 100).map((f, i) => (
              <li key={`${f.timestamp}${i}`}>
                <RelTime iso={f.timestamp} now={now} />: {STATUS_WORDS[f.old_status as Status] ?? f.old_status} →{' '}
                <StatusBadge status={f.new_status as Status} compact /> {f.reason && <span className="muted">({reasonWords(f.reason)})</span>}
              </li>
            ))}
          </ol>
        )}
      </section>

      {confirm === 'delete' && (
        <ConfirmDialog title={`Delete “${check.name}”?`} confirmLabel="Delete check" danger onConfirm={() => act('delete')} onCancel={() => setConfirm(null)}>
          <p>Its ping log and history go too. Jobs that still ping its URL will get “404 not found”.</p>
        </ConfirmDialog>
      )}
      {confirm === 'pause' && (
        <ConfirmDialog title={`Pause “${check.name}”?`} confirmLabel="Pause" onConfirm={() => act('pause')} onCancel={() => setConfirm(null)}>
          <p>No alerts while paused. {check.manual_resume ? 'It stays paused until you resume it.' : 'The next ping resumes it.'}</p>
        </ConfirmDialog>
      )}
    </article>
  );
}
