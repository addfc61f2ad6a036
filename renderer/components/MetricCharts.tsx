import type { AssertionStatusJson, MetricRunJson, MetricsReply } from '../../shared/api/silent.js';
import { assertionMetric } from '../../shared/console/silent.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import { formatMetric } from '../../shared/domain/metrics.js';

/** At most this many metric charts: the ones assertions read come first. */
const MAX_CHARTS = 8;

/** What an assertion's baseline looks like now: "pending: 3 of 10 runs", "median 5,000". */
function AssertionState({ a }: { a: AssertionStatusJson }) {
  const metric = assertionMetric(a.expr);
  let state: React.ReactNode;
  if (!a.valid) state = <span className="muted">no longer readable: it never fails a run</span>;
  else if (a.state === 'pending') {
    state = (
      <span className="pending" title="A pending assertion never fails a run">
        pending: {a.have} of {a.need} passing runs
      </span>
    );
  } else if (a.baseline !== null && metric) state = <span>baseline {formatMetric(metric, a.baseline)}</span>;
  else state = <span>active</span>;
  return (
    <li data-expr={a.expr}>
      <code>{a.expr}</code> <span className="assertion-state">{state}</span>
    </li>
  );
}

/** One metric over the last runs: a bar per run (red when the run failed), the baseline dashed. */
function MetricChart({ name, runs, baseline }: { name: string; runs: MetricRunJson[]; baseline: number | null }) {
  const shown = runs.filter((r) => typeof r.metrics[name] === 'number');
  const values = shown.map((r) => r.metrics[name]);
  const max = Math.max(...values, baseline ?? 0, 0);
  const min = Math.min(...values, 0);
  const W = 1000;
  const H = 70;
  const bw = W / Math.max(shown.length, 20);
  const y = (v: number) => (max === min ? H : H - ((v - min) / (max - min)) * (H - 4));
  const last = values[values.length - 1];
  return (
    <figure className="metric-chart" data-metric={name}>
      <figcaption>
        <code>{name}</code> <span className="muted">last {formatMetric(name, last)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${name}: ${shown.length} runs, last ${formatMetric(name, last)}`}>
        {shown.map((r, i) => {
          const v = r.metrics[name];
          const top = Math.min(y(v), H - 1);
          return (
            <rect key={r.n} x={i * bw + 1} y={top} width={Math.max(1, bw - 2)} height={Math.max(1, H - top)} className={`bar bar-${r.type}`}>
              <title>{`${absoluteTime(Date.parse(r.date))}: ${formatMetric(name, v)}${r.assertion_failed ? `\n${r.assertion_failed}` : ''}`}</title>
            </rect>
          );
        })}
        {baseline !== null && <line x1={0} x2={W} y1={y(baseline)} y2={y(baseline)} className="baseline" />}
      </svg>
    </figure>
  );
}

/**
 * The check's metrics over its last runs (`GET /api/lubdub/checks/<uuid>/metrics`), and
 * where each assertion stands: pending (too few runs: it never fails) or its baseline.
 */
export function MetricCharts({ reply }: { reply: MetricsReply | null }) {
  if (!reply) return <p className="muted">Loading metrics…</p>;
  const { runs, assertions } = reply;
  const asserted = assertions.map((a) => assertionMetric(a.expr)).filter((m): m is string => m !== null);
  const names = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) names.add(k);
  const order = [...new Set([...asserted.filter((m) => names.has(m)), ...[...names].sort()])].slice(0, MAX_CHARTS);
  const baselineOf = (m: string) => assertions.find((a) => a.baseline !== null && assertionMetric(a.expr) === m)?.baseline ?? null;
  return (
    <>
      {assertions.length > 0 ? (
        <ul className="assertion-states" aria-label="Assertions">
          {assertions.map((a, i) => (
            <AssertionState key={i} a={a} />
          ))}
        </ul>
      ) : (
        <p className="muted">No assertions: edit the check to add some (“Backup must write data”, “Warnings must not grow”, …).</p>
      )}
      {order.length === 0 ? (
        <p className="muted">No metrics yet. Pings carry them with ?metric=name:value, lubdub-run sends output counts, and extraction rules read them from the output.</p>
      ) : (
        <div className="metric-charts">
          {order.map((m) => (
            <MetricChart key={m} name={m} runs={runs} baseline={baselineOf(m)} />
          ))}
        </div>
      )}
    </>
  );
}
