/**
 * Value axes of the console's charts, pure: where the ticks go for a metric's kind (bytes on
 * powers of two, durations on whole seconds, minutes and hours, counts on 1-2-5 steps) and
 * how their labels read (the metric formatters of shared/domain/metrics.ts).
 */
import { formatMetric, metricKind } from '../domain/metrics.js';

const KIB = 1024;
const nice125 = (scale: number) => [1, 2, 5].map((m) => m * scale);

/** Candidate steps per kind, smallest first. */
function steps(kind: ReturnType<typeof metricKind>, span: number): number[] {
  if (kind === 'bytes') {
    const out: number[] = [];
    for (let unit = 1; unit <= KIB ** 5; unit *= KIB) for (const m of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) out.push(m * unit);
    return out;
  }
  if (kind === 'duration') {
    const sub = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
    const clock = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
    return [...sub, ...clock];
  }
  const out: number[] = [];
  const top = Math.max(1, span);
  for (let scale = 0.01; scale <= top * 10; scale *= 10) out.push(...nice125(scale));
  return out;
}

/**
 * Tick values from 0 (or below, for negative values) to at least `max`, at most `maxTicks`
 * steps apart in the metric's natural units: (0, 3 MiB, bytes) → 0, 1 MiB, 2 MiB, 3 MiB.
 */
export function valueTicks(min: number, max: number, name: string, maxTicks = 5): number[] {
  const lo = Math.min(0, min);
  const hi = Math.max(max, lo);
  const span = hi - lo;
  if (span === 0) return [lo];
  const kind = metricKind(name);
  const list = steps(kind, span);
  const step = list.find((s) => span / s <= maxTicks) ?? list[list.length - 1] * Math.ceil(span / maxTicks / list[list.length - 1]);
  const out: number[] = [];
  const first = Math.floor(lo / step) * step;
  for (let v = first; v < hi + step; v += step) {
    out.push(Number(v.toPrecision(12)));
    if (v >= hi) break;
  }
  return out;
}

/** A tick's label in the metric's unit: "1 MiB", "5 min", "2,000". */
export function valueLabel(name: string, v: number): string {
  return formatMetric(name, v);
}
