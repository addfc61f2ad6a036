/**
 * Assertions on ping metrics (SPEC §7): what a healthy run looks like. A success ping
 * whose metrics break an assertion is turned into a failure with a readable reason.
 *
 * Syntax (one assertion states what must hold):
 *   <metric> <op> <quantity>                 bytes > 0 · count >= 1 · duration < 30m
 *   <metric> <op> <P>% of <agg>(<N>)         count >= 20% of median(10)
 *   <metric> <op> <F>x <agg>(<N>)            duration <= 3x median(10)
 *   <metric> not rising(<N>) | not falling(<N>)   warnings not rising(5)
 * op: < <= > >= == != · agg: median mean min max over the previous N passing runs.
 * Pure: parsing, evaluation against given history, messages.
 */
import { formatMetric, METRIC_NAME_RE, metricValue, parseQuantity, type Metrics } from './metrics.js';

/** A comparison operator. */
export type Cmp = '<' | '<=' | '>' | '>=' | '==' | '!=';
/** How the baseline summarises the previous runs. */
export type Agg = 'median' | 'mean' | 'min' | 'max';

/** A parsed assertion. */
export type Assertion =
  | { kind: 'absolute'; metric: string; cmp: Cmp; value: number }
  | { kind: 'relative'; metric: string; cmp: Cmp; factor: number; agg: Agg; n: number }
  | { kind: 'trend'; metric: string; direction: 'rising' | 'falling'; n: number };

/** An assertion as stored in the check JSON (a bare string is short for `{ expr }`). */
export interface AssertionSpec {
  expr: string;
  /** the words of the reason; `{value}`, `{baseline}`, `{values}`, `{metric}`, `{quote}` are filled in */
  message?: string;
  /** a success ping without this metric: "pass" (default) or "fail" */
  missing?: 'pass' | 'fail';
}

/** One entry of a check's `assertions` list. */
export type AssertionEntry = string | AssertionSpec;

/** The outcome of one assertion on one ping. */
export interface AssertionResult {
  expr: string;
  /** pending: the baseline has too few runs yet (never fails); missing: the ping lacks the metric */
  state: 'pass' | 'fail' | 'pending' | 'missing';
  value?: number;
  /** the aggregate of the previous runs (relative assertions) */
  baseline?: number;
  /** runs in the baseline so far / runs it needs (pending) */
  have?: number;
  need?: number;
}

export const MAX_ASSERTIONS = 20;
export const MAX_EXPR_LENGTH = 200;
export const MAX_BASELINE_RUNS = 100;
const AGGS: Agg[] = ['median', 'mean', 'min', 'max'];

const HEAD_RE = /^([a-z_][a-z0-9_]*)\s*(?:(<=|>=|==|!=|<|>)\s*(\S.*)|not\s+(rising|falling)\s*\(\s*(\d{1,3})\s*\))$/i;
const PCT_RE = /^(\d+(?:\.\d+)?)\s*%\s*of\s+([a-z]+)\s*\(\s*(\d{1,3})\s*\)$/i;
const TIMES_RE = /^(\d+(?:\.\d+)?)\s*[x×*]\s*([a-z]+)\s*\(\s*(\d{1,3})\s*\)$/i;
const AGG_RE = /^([a-z]+)\s*\(\s*(\d{1,3})\s*\)$/i;

function aggOf(name: string, n: string): { agg: Agg; n: number } | { error: string } {
  const agg = name.toLowerCase() as Agg;
  if (!AGGS.includes(agg)) return { error: `unknown baseline "${name}" (use ${AGGS.join(', ')})` };
  const runs = Number(n);
  if (runs < 1 || runs > MAX_BASELINE_RUNS) return { error: `runs must be 1-${MAX_BASELINE_RUNS}` };
  return { agg, n: runs };
}

/** Parses one assertion expression (see the module comment for the syntax). */
export function parseAssertion(expr: string): Assertion | { error: string } {
  const text = expr.trim();
  if (text.length > MAX_EXPR_LENGTH) return { error: `longer than ${MAX_EXPR_LENGTH} characters` };
  const m = HEAD_RE.exec(text);
  if (!m) return { error: `cannot read "${text}": expected "<metric> <op> <value>" or "<metric> not rising(<runs>)"` };
  const metric = m[1].toLowerCase();
  if (!METRIC_NAME_RE.test(metric)) return { error: `metric name "${m[1]}" is too long` };
  if (m[4]) {
    const n = Number(m[5]);
    if (n < 3 || n > MAX_BASELINE_RUNS) return { error: `${m[4]} needs 3-${MAX_BASELINE_RUNS} runs` };
    return { kind: 'trend', metric, direction: m[4].toLowerCase() as 'rising' | 'falling', n };
  }
  const cmp = m[2] as Cmp;
  const rhs = m[3].trim();
  const pct = PCT_RE.exec(rhs);
  const rel = pct ?? TIMES_RE.exec(rhs);
  if (rel) {
    const a = aggOf(rel[2], rel[3]);
    if ('error' in a) return a;
    return { kind: 'relative', metric, cmp, factor: Number(rel[1]) / (pct ? 100 : 1), ...a };
  }
  const bare = AGG_RE.exec(rhs);
  if (bare) {
    const a = aggOf(bare[1], bare[2]);
    if ('error' in a) return a;
    return { kind: 'relative', metric, cmp, factor: 1, ...a };
  }
  const value = parseQuantity(rhs);
  if (value === null) return { error: `"${rhs}" is not a number, a quantity (30m, 1MiB) or a baseline (20% of median(10))` };
  return { kind: 'absolute', metric, cmp, value };
}

/** A stored entry as a spec object (strings are short for `{ expr }`). */
export function toSpec(e: AssertionEntry): AssertionSpec {
  return typeof e === 'string' ? { expr: e } : e;
}

/**
 * Validates a check's `assertions` field: an array of expressions or
 * `{ expr, message?, missing? }` objects. Returns the error text or null.
 */
export function assertionsError(v: unknown, field = 'assertions'): string | null {
  if (!Array.isArray(v)) return `${field} is not an array`;
  if (v.length > MAX_ASSERTIONS) return `${field} has more than ${MAX_ASSERTIONS} entries`;
  for (let i = 0; i < v.length; i++) {
    const at = `${field}[${i}]`;
    const e = v[i];
    let spec: Record<string, unknown>;
    if (typeof e === 'string') spec = { expr: e };
    else if (typeof e === 'object' && e !== null && !Array.isArray(e)) spec = e as Record<string, unknown>;
    else return `${at} is not a string or an object`;
    for (const k of Object.keys(spec)) if (!['expr', 'message', 'missing'].includes(k)) return `${at}: unexpected key "${k}"`;
    if (typeof spec.expr !== 'string') return `${at}: expr is not a string`;
    if (spec.message !== undefined && (typeof spec.message !== 'string' || spec.message.length > 200)) {
      return `${at}: message is not a string of at most 200 characters`;
    }
    if (spec.missing !== undefined && spec.missing !== 'pass' && spec.missing !== 'fail') return `${at}: missing must be "pass" or "fail"`;
    const p = parseAssertion(spec.expr);
    if ('error' in p) return `${at}: ${p.error}`;
  }
  return null;
}

/** How many previous passing values of which metric an assertion reads (0 for absolute ones). */
export function historyNeed(a: Assertion): { metric: string; n: number } {
  if (a.kind === 'absolute') return { metric: a.metric, n: 0 };
  if (a.kind === 'trend') return { metric: a.metric, n: a.n - 1 };
  return { metric: a.metric, n: a.n };
}

function compare(a: number, cmp: Cmp, b: number): boolean {
  switch (cmp) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** The aggregate of values (non-empty). */
export function aggregate(agg: Agg, values: number[]): number {
  if (agg === 'min') return Math.min(...values);
  if (agg === 'max') return Math.max(...values);
  if (agg === 'mean') return values.reduce((s, v) => s + v, 0) / values.length;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Evaluates one assertion. `history` holds the metric's values of previous passing runs,
 * newest first (at least historyNeed(a).n of them, or the baseline is pending).
 */
/**
 * The value a run is compared with: the constant of an absolute assertion, the factor times
 * the baseline of a relative one (null until the baseline is known), null for a trend.
 */
export function assertionLimit(a: Assertion, baseline: number | null): number | null {
  if (a.kind === 'absolute') return a.value;
  if (a.kind === 'relative' && baseline !== null) return a.factor * baseline;
  return null;
}

export function evaluateAssertion(a: Assertion, expr: string, value: number | undefined, history: number[]): AssertionResult {
  if (value === undefined) return { expr, state: 'missing' };
  if (a.kind === 'absolute') return { expr, state: compare(value, a.cmp, a.value) ? 'pass' : 'fail', value };
  const need = historyNeed(a).n;
  if (history.length < need) return { expr, state: 'pending', value, have: history.length, need };
  if (a.kind === 'trend') {
    const series = [...history.slice(0, need)].reverse().concat(value);
    const moving = series.every((v, i) => i === 0 || (a.direction === 'rising' ? v > series[i - 1] : v < series[i - 1]));
    return { expr, state: moving ? 'fail' : 'pass', value };
  }
  const baseline = aggregate(a.agg, history.slice(0, need));
  return { expr, state: compare(value, a.cmp, assertionLimit(a, baseline)!) ? 'pass' : 'fail', value, baseline };
}

function defaultMessage(a: Assertion): string {
  if (a.kind === 'absolute') return '{metric} was {value}';
  if (a.kind === 'relative') return `{metric} was {value}, ${a.agg} of the last ${a.n} runs {baseline}`;
  return `{metric} ${a.direction === 'rising' ? 'rose' : 'fell'} ${a.n} runs in a row: {values}`;
}

/**
 * The words of a failed assertion: "backup wrote 0 B (written_bytes > 0)". `quote` (e.g. the
 * never-seen warning line behind `new_warnings`) fills `{quote}`, or follows the words.
 */
export function failureText(spec: AssertionSpec, a: Assertion, r: AssertionResult, history: number[], quote = ''): string {
  const fmt = (v: number) => formatMetric(a.metric, v);
  if (r.state === 'missing') return `${a.metric} was not reported (${spec.expr.trim()})`;
  const series = a.kind === 'trend' ? [...history.slice(0, a.n - 1)].reverse().concat(r.value as number) : [];
  const words = (spec.message || defaultMessage(a))
    .replace(/\{metric\}/g, a.metric)
    .replace(/\{value\}/g, r.value === undefined ? '?' : fmt(r.value))
    .replace(/\{baseline\}/g, r.baseline === undefined ? '?' : fmt(r.baseline))
    .replace(/\{values\}/g, series.map(fmt).join(' → '));
  const msg = words.includes('{quote}') ? words.replace(/\{quote\}/g, quote) : quote ? `${words}: ${quote}` : words;
  return `${msg} (${spec.expr.trim()})`;
}

/** What all assertions of a check said about one success ping. */
export interface Verdict {
  results: AssertionResult[];
  /** the reason shown on the check and ping, or null when the run passed */
  failText: string | null;
}

/**
 * Evaluates a check's assertions on one success ping. `history(metric, n)` returns up to
 * n previous passing values, newest first. `quotes` gives a metric's words to quote in its
 * failure (the line behind `new_warnings`). Unparseable stored entries are skipped.
 */
export function evaluateAll(
  entries: AssertionEntry[],
  metrics: Metrics,
  history: (metric: string, n: number) => number[],
  quotes: Readonly<Record<string, string>> = {},
): Verdict {
  const results: AssertionResult[] = [];
  const reasons: string[] = [];
  for (const entry of entries) {
    const spec = toSpec(entry);
    const a = parseAssertion(spec.expr);
    if ('error' in a) continue;
    const need = historyNeed(a);
    const value = metricValue(metrics, a.metric);
    const past = need.n > 0 && value !== undefined ? history(a.metric, need.n) : [];
    const r = evaluateAssertion(a, spec.expr.trim(), value, past);
    results.push(r);
    if (r.state === 'fail' || (r.state === 'missing' && spec.missing === 'fail')) reasons.push(failureText(spec, a, r, past, quotes[a.metric] ?? ''));
  }
  const text = reasons.join('; ');
  return { results, failText: reasons.length ? (text.length > 500 ? text.slice(0, 499) + '…' : text) : null };
}

/** A console preset: a named set of assertions (and the extraction it relies on). */
export interface AssertionPreset {
  id: string;
  label: string;
  description: string;
  assertions: AssertionSpec[];
  extract: { preset: string }[];
}

/** The console's assertion presets (ids are stable). */
export const ASSERTION_PRESETS: AssertionPreset[] = [
  {
    id: 'backup-writes-data',
    label: 'Backup must write data',
    description: 'Fails a run that wrote 0 bytes. written_bytes comes from the restic, borg or rsync extraction preset, or from ?metric=written_bytes:<n>.',
    assertions: [{ expr: 'written_bytes > 0', message: 'backup wrote {value}' }],
    extract: [],
  },
  {
    id: 'pipeline-processes-rows',
    label: 'Pipeline must process rows',
    description: 'Send ?metric=count:<rows>. Fails a run with no rows, or far fewer than the median of its last 10 runs.',
    assertions: [
      { expr: 'count >= 1', message: 'pipeline processed {value} rows' },
      { expr: 'count >= 20% of median(10)', message: 'pipeline processed {value} rows, usually {baseline}' },
    ],
    extract: [],
  },
  {
    id: 'warnings-not-growing',
    label: 'Warnings must not grow',
    description: 'Counts lines containing "warn" in the output; fails when the count rose 5 runs in a row.',
    assertions: [{ expr: 'warnings not rising(5)', message: 'warnings grew run after run: {values}' }],
    extract: [{ preset: 'warnings' }],
  },
  {
    id: 'runtime-normal',
    label: 'Run time must stay normal',
    description: 'Needs /start and success pings (or ?rid= pairs). Fails a run 3× longer or 5× shorter than the median of its last 10 runs.',
    assertions: [
      { expr: 'duration <= 3x median(10)', message: 'run took {value}, usually {baseline}' },
      { expr: 'duration >= 20% of median(10)', message: 'run took only {value}, usually {baseline}' },
    ],
    extract: [],
  },
  {
    id: 'no-new-warnings',
    label: 'No never-seen warnings',
    description: 'Fails a run whose output has a warning or error line unlike any in the passing runs before (numbers, hex, paths, dates and sizes do not count as different).',
    assertions: [{ expr: 'new_warnings == 0', message: 'never-seen warning: {quote}' }],
    extract: [],
  },
  {
    id: 'artifact-changes',
    label: 'Artifact must change',
    description: 'Run the job with lubdub-run --artifact <file>. Fails a run after which the file is missing or the same as after the previous run.',
    assertions: [{ expr: 'artifact_changed == 1', message: 'the artifact did not change since the last run', missing: 'fail' }],
    extract: [],
  },
  {
    id: 'artifact-usual-size',
    label: 'Artifact must keep its usual size',
    description: 'Run the job with lubdub-run --artifact <file>. Fails a run whose file is less than half the median size of its last 5 runs.',
    assertions: [{ expr: 'artifact_bytes >= 50% of median(5)', message: 'the artifact is {value}, usually {baseline}' }],
    extract: [],
  },
];
