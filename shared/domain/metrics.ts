/**
 * Metrics on pings (SPEC §7): named numbers sent with `?metric=name:value`, extracted
 * from the body by rules, or built in (`bytes`, `duration`). Pure: parsing and formatting.
 */

/** Metric values of one ping, by name. Durations are seconds, sizes bytes. */
export type Metrics = Record<string, number>;

/**
 * An empty Metrics without a prototype. Why: names come from users, and on a plain object
 * `constructor` or `__proto__` would read or write Object.prototype's members.
 */
export function newMetrics(init?: Metrics): Metrics {
  const m = Object.create(null) as Metrics;
  if (init) for (const k of Object.keys(init)) m[k] = init[k];
  return m;
}

/** The value of metric `name`, only when the ping itself has it (never an inherited member). */
export function metricValue(metrics: Metrics, name: string): number | undefined {
  if (!Object.hasOwn(metrics, name)) return undefined;
  const v = metrics[name];
  return typeof v === 'number' ? v : undefined;
}

/** A metric name: lowercase letters, digits and `_`, starting with a letter or `_`. */
export const METRIC_NAME_RE = /^[a-z_][a-z0-9_]{0,63}$/;
/** At most this many metrics per ping (query and extraction together). */
export const MAX_METRICS_PER_PING = 32;

/** The built-in metrics every success/fail ping of a watched check carries. */
export const BUILTIN_METRICS = {
  /** body size in bytes as received (before the body limit cut) */
  bytes: 'bytes',
  /** seconds from the run's start (rid pairing) to this ping */
  duration: 'duration',
} as const;

/** Units a quantity may carry, as multipliers of the base unit (seconds or bytes or 1). */
const UNITS: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  // time → seconds; lowercase `m` is minutes, uppercase `M` is mega
  ms: 0.001,
  s: 1,
  sec: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
  // sizes → bytes; decimal (k, M, G as rsync -h and borg print) and binary (KiB as restic prints)
  B: 1,
  bytes: 1,
  k: 1e3,
  K: 1e3,
  kB: 1e3,
  KB: 1e3,
  M: 1e6,
  MB: 1e6,
  G: 1e9,
  GB: 1e9,
  T: 1e12,
  TB: 1e12,
  Ki: 1024,
  KiB: 1024,
  Mi: 1024 ** 2,
  MiB: 1024 ** 2,
  Gi: 1024 ** 3,
  GiB: 1024 ** 3,
  Ti: 1024 ** 4,
  TiB: 1024 ** 4,
});

const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]{0,5})$/;
const GROUPED_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?/;

/**
 * Parses "5000", "1.5e3", "30m", "1.234 MiB", "1,234,567" into a number in base units
 * (seconds, bytes, or plain). Returns null when it is not a finite quantity.
 */
export function parseQuantity(text: string): number | null {
  let t = text.trim();
  const grouped = GROUPED_RE.exec(t);
  if (grouped) t = grouped[0].replace(/,/g, '') + t.slice(grouped[0].length);
  const m = QUANTITY_RE.exec(t);
  if (!m) return null;
  const unit = m[2] === '' ? 1 : UNITS[m[2]];
  if (unit === undefined) return null;
  const v = Number(m[1]) * unit;
  return Number.isFinite(v) ? v : null;
}

/** One `metric=` query value: `name:value` (Cronitor's form) or `name=value` (lubdub-run's --metric). */
export function parseMetricParam(raw: string): { name: string; value: number } | { error: string } {
  const sep = raw.search(/[:=]/);
  if (sep <= 0) return { error: `invalid metric "${clip(raw)}": expected name:value` };
  const name = raw.slice(0, sep).trim().toLowerCase();
  if (!METRIC_NAME_RE.test(name)) return { error: `invalid metric name "${clip(name)}": use letters, digits and _` };
  const value = parseQuantity(raw.slice(sep + 1));
  if (value === null) return { error: `invalid metric value for ${name}: "${clip(raw.slice(sep + 1))}" is not a number` };
  return { name, value };
}

/**
 * The `metric` query parameter (repeatable, so a string or an array) as `{ metrics }`;
 * null when absent; an error text for a 400 when any value is bad.
 */
export function parseMetricParams(v: string | string[] | undefined): { metrics: Metrics } | { error: string } | null {
  if (v === undefined) return null;
  const list = Array.isArray(v) ? v : [v];
  if (list.length > MAX_METRICS_PER_PING) return { error: `too many metrics (at most ${MAX_METRICS_PER_PING})` };
  const metrics = newMetrics();
  for (const raw of list) {
    const p = parseMetricParam(raw);
    if ('error' in p) return p;
    metrics[p.name] = p.value;
  }
  return { metrics };
}

function clip(s: string, max = 40): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** How a metric's values read: by name, `duration`/`*_seconds` are times, `bytes`/`*_bytes` sizes. */
export function metricKind(name: string): 'duration' | 'bytes' | 'count' {
  if (name === 'duration' || name.endsWith('_seconds') || name.endsWith('_duration')) return 'duration';
  if (name === 'bytes' || name.endsWith('_bytes')) return 'bytes';
  return 'count';
}

/** A number with thousands separators and at most two decimals ("5,000", "0.25"), locale-free. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const neg = v < 0;
  const abs = Math.abs(v);
  const rounded = Math.round(abs * 100) / 100;
  const [int, frac] = String(rounded).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (frac ? '.' + frac : '');
}

/** Bytes for people: "0 B", "512 B", "1.23 MiB" (binary units, as restic prints). */
export function formatBytes(v: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  const digits = i === 0 ? 0 : x < 10 ? 2 : x < 100 ? 1 : 0;
  return `${v < 0 ? '-' : ''}${x.toFixed(digits)} ${units[i]}`;
}

import { formatRunSeconds } from './duration.js';

/** A metric value formatted by its kind (see metricKind). */
export function formatMetric(name: string, v: number): string {
  const kind = metricKind(name);
  if (kind === 'duration') return formatRunSeconds(v);
  if (kind === 'bytes') return formatBytes(v);
  return formatNumber(v);
}
