import type { AssertionStatusJson, MetricRunJson, MetricsReply } from '../../shared/api/silent.js';
import { assertionMetric } from '../../shared/console/silent.js';
import { assertionLimit, parseAssertion } from '../../shared/domain/assertions.js';
import { formatMetric } from '../../shared/domain/metrics.js';
import { Chart, type ChartLine } from './Chart.js';

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

/** The lines an assertion draws on its metric's chart: its limit and, for a relative one, the baseline. */
export function assertionLines(assertions: AssertionStatusJson[], metric: string): ChartLine[] {
  const out: ChartLine[] = [];
  for (const s of assertions) {
    const a = parseAssertion(s.expr);
    if ('error' in a || a.metric !== metric || !s.valid) continue;
    const limit = assertionLimit(a, s.baseline);
    if (limit !== null && a.kind !== 'trend') out.push({ value: limit, label: `limit ${a.cmp} ${formatMetric(metric, limit)}` });
    if (a.kind === 'relative' && s.baseline !== null) out.push({ value: s.baseline, label: `baseline ${formatMetric(metric, s.baseline)}` });
  }
  return out;
}

/** One metric over the last runs: a bar per run (failing runs marked), the assertion's limit and baseline drawn. */
function MetricChart({ name, runs, lines }: { name: string; runs: MetricRunJson[]; lines: ChartLine[] }) {
  const points = runs
    .filter((r) => typeof r.metrics[name] === 'number')
    .map((r) => ({ t: Date.parse(r.date), v: r.metrics[name], failed: r.type === 'fail' ? (r.assertion_failed ?? 'failure') : null }));
  return (
    <div className="metric-chart" data-metric={name}>
      <h3 className="chart-title">
        <code>{name}</code>
      </h3>
      <Chart name={name} label={name} points={points} lines={lines} />
    </div>
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
            <MetricChart key={m} name={m} runs={runs} lines={assertionLines(assertions, m)} />
          ))}
        </div>
      )}
    </>
  );
}
