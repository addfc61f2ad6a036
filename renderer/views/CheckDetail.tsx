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
import { Chart } from '../components/Chart.js';
import { MetricCharts } from '../components/MetricCharts.js';
import { OutputDiff } from '../components/OutputDiff.js';
import { KIND_WORDS, Timeline } from '../components/Timeline.js';
import { RelTime } from '../components/RelTime.js';
import { ScheduleSuggestion } from '../components/ScheduleSuggestion.js';
import { Snippets } from '../components/Snippets.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { linkProps, navigate } from '../router.js';
import { useCheck, useConsole } from '../store.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';

const RANGES = [
  { id: '1h', label: '1 hour', ms: 3600_000 },
  { id: '24h', label: '24 hours', ms: 86400_000 },
  { id: '7d', label: '7 days', ms: 7 * 86400_000 },
  { id: '30d', label: '30 days', ms: 30 * 86400_000 },
] as const;

/** Run durations (pings that closed a run) over the range, failing runs marked. */
function DurationChart({ pings, from, to }: { pings: PingJson[]; from: number; to: number }) {
  const points = useMemo(
    () =>
      pings
        .filter((p) => p.duration !== undefined && Date.parse(p.date) >= from)
        .reverse()
        .map((p) => ({ t: Date.parse(p.date), v: p.duration!, failed: p.type === 'fail' ? `exit status ${p.exitstatus ?? '?'}` : null })),
    [pings, from],
  );
  if (points.length === 0) return <p className="muted">No timed runs in this range. Send /start before the job to measure durations.</p>;
  return <Chart name="duration" label="Run durations" points={points} from={from} to={to} testId="durations" />;
}

/** One ping in the log; the full body is fetched on demand and shown as plain text. */
function PingRow({ uuid, p, now, picked }: { uuid: string; p: PingJson & PingSilentFields; now: number; picked: boolean }) {
  const [body, setBody] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    if (!open && body === null) setBody(await api.pingBody(uuid, p.n).catch((e) => `(could not load the body: ${(e as Error).message})`));
    setOpen(!open);
  };
  return (
    <>
      <tr className={`ping ping-${p.type}${picked ? ' picked' : ''}`} data-n={p.n} tabIndex={picked ? -1 : undefined}>
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

/** The log with `more` added: one entry per ping number, newest first (by event time, then number). */
function withPings(log: PingJson[], more: PingJson[]): PingJson[] {
  const fresh = more.filter((m) => !log.some((p) => p.n === m.n));
  if (fresh.length === 0) return log;
  return [...fresh, ...log].sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || b.n - a.n);
}

/**
 * A check in depth: what it is and why it is in its state, timeline and
 * run durations over a range, the ping log with bodies as text, flips, actions, snippets.
 */
export function CheckDetail({ uuid }: { uuid: string }) {
  const { check, missing } = useCheck(uuid);
  const now = useConsole((s) => s.now);
  const lastPing = useConsole((s) => s.lastPing);
  const lastFlip = useConsole((s) => s.lastFlip);
  const [pings, setPings] = useState<PingJson[]>([]);
  const [flips, setFlips] = useState<FlipJson[]>([]);
  const [range, setRange] = useState<(typeof RANGES)[number]['id']>('24h');
  const [confirm, setConfirm] = useState<'delete' | 'pause' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [logLimit, setLogLimit] = useState(100);
  const [picked, setPicked] = useState<number | null>(null);
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
    setPings([]);
    Promise.all([api.pings(uuid), api.flips(uuid)]).then(
      ([p, f]) => {
        if (!alive) return;
        // pings that arrived on the event stream while this was read are kept
        setPings((live) => withPings(p, live));
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
    if (lastPing?.check === uuid) setPings((ps) => withPings(ps, [lastPing.ping]));
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

  // A mark picked on the timeline: its row in the log, shown (older ones loaded), scrolled to and focused.
  const pick = useCallback(
    (n: number) => {
      const i = pings.findIndex((p) => p.n === n);
      if (i >= logLimit) setLogLimit(i + 1);
      setPicked(n);
    },
    [pings, logLimit],
  );
  useEffect(() => {
    if (picked === null) return;
    const row = document.querySelector<HTMLElement>(`table.log tr.ping[data-n="${picked}"]`);
    row?.scrollIntoView({ block: 'center' });
    row?.focus({ preventScroll: true });
  }, [picked, logLimit]);

  const r = RANGES.find((x) => x.id === range)!;
  // The console's clock ticks every few seconds: a ping that just arrived is not in the future.
  const to = Math.max(now, pings.length ? Date.parse(pings[0].date) : 0);
  const from = to - r.ms;
  const snippetCheck = useMemo(
    () => check && { name: check.name, pingUrl: check.ping_url, kind: check.kind, schedule: check.schedule, tz: check.tz, timeout: check.timeout, slug: check.slug },
    [check],
  );

  if (!check) {
    return missing ? (
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
      {check.upstream && check.relay && (
        <p className="hint relay-state" data-testid="relay-state">
          Relayed to <code className="mono">{check.upstream}</code>:{' '}
          {check.relay.forwarded_n === null ? 'nothing forwarded yet' : `forwarded up to ping #${check.relay.forwarded_n}`}
          {check.relay.pending > 0 && `, ${check.relay.pending} waiting`}
          {check.relay.retry_at && (
            <>
              , retrying <RelTime iso={check.relay.retry_at} now={now} />
            </>
          )}
          {check.relay.last_error && <>, last error: {check.relay.last_error}</>}.
        </p>
      )}

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
        <Timeline check={check} pings={pings} flips={flips} from={from} to={to} onPick={pick} />
        <h3>Run durations</h3>
        <DurationChart pings={pings} from={from} to={to} />
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
                  <PingRow key={p.n} uuid={uuid} p={p} now={now} picked={picked === p.n} />
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
