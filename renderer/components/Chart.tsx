import { useEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { valueLabel, valueTicks } from '../../shared/console/chart-scale.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import { timeTicks } from '../../shared/console/timeline.js';
import { useConsole } from '../store.js';

/** One run on a chart: when, its value, and why it failed (when it did). */
export interface ChartPoint {
  t: number;
  v: number;
  failed?: string | null;
}

/** A horizontal line on the chart: an assertion's limit or a baseline. */
export interface ChartLine {
  value: number;
  label: string;
}

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const HEIGHT = 150;

/** A CSS colour of the page (the theme's), for the canvas. */
const cssColour = (el: Element, name: string) => getComputedStyle(el).getPropertyValue(name).trim() || '#888';

/** uPlot needs a canvas, a layout and matchMedia (read as it loads): the component tests' jsdom has none. */
const canDraw = () => typeof ResizeObserver !== 'undefined' && typeof matchMedia === 'function' && !navigator.userAgent.includes('jsdom');
/** uPlot, loaded with the first chart (its styles come with the console's, in main.tsx). */
const loadUPlot = () => import('uplot').then((m) => m.default);

/**
 * A run chart (uPlot): bars over a time axis, a value axis in the metric's unit, failing runs
 * in red with a cross above them, the assertion's limit and the baseline as labelled lines,
 * and the values of the run under the pointer in the legend. The same points are in a table
 * for screen readers.
 */
export function Chart(props: { name: string; label: string; points: ChartPoint[]; from?: number; to?: number; lines?: ChartLine[]; testId?: string }) {
  const { name, label, points, lines = [] } = props;
  const theme = useConsole((s) => s.scheme);
  const box = useRef<HTMLDivElement>(null);
  const from = props.from ?? (points.length ? points[0].t - 60_000 : 0);
  const to = props.to ?? (points.length ? points[points.length - 1].t + 60_000 : 1);
  const yTicks = useMemo(() => {
    const vs = [...points.map((p) => p.v), ...lines.map((l) => l.value)];
    return valueTicks(Math.min(0, ...vs), Math.max(0, ...vs), name, 4);
  }, [points, lines, name]);
  const xTicks = useMemo(() => timeTicks(from, to, viewerZone(), 6), [from, to]);

  useEffect(() => {
    const el = box.current;
    if (!el || !canDraw() || points.length === 0) return;
    let alive = true;
    let cleanup = () => {};
    void loadUPlot().then((UPlot) => {
      if (alive) cleanup = draw(UPlot, el);
    });
    return () => {
      alive = false;
      cleanup();
    };
  }, [points, lines, from, to, name, label, yTicks, xTicks, theme]);

  function draw(UPlot: typeof uPlot, el: HTMLDivElement): () => void {
    const c = (n: string) => cssColour(el, n);
    const [up, down, text, grid, muted] = [c('--up'), c('--down'), c('--text'), c('--border'), c('--muted')];
    const failedAt = points.map((p) => Boolean(p.failed));
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      ms: 1,
      scales: { x: { time: true, range: [from, to] }, y: { range: [yTicks[0], yTicks[yTicks.length - 1]] } },
      axes: [
        { ...axis, splits: () => xTicks.map((t) => t.t), values: () => xTicks.map((t) => t.label) },
        { ...axis, size: 72, splits: () => yTicks, values: (_u, splits) => splits.map((v) => valueLabel(name, v)) },
      ],
      cursor: { points: { size: 8 }, drag: { x: false, y: false } },
      legend: { live: true },
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : absoluteTime(v)) },
        {
          label,
          stroke: up,
          fill: up,
          paths: UPlot.paths.bars!({ size: [0.6, 28], align: 0 }),
          // A dot on each run too: runs close together in a long range make bars a pixel wide.
          points: { show: true, size: 6, fill: up, stroke: up },
          value: (_u, v, _s, i) => (v == null ? '—' : `${valueLabel(name, v)}${i !== null && i !== undefined && points[i]?.failed ? ` · failed: ${points[i].failed}` : ''}`),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const { left, top, width } = u.bbox;
            const px = devicePixelRatio || 1;
            ctx.save();
            ctx.font = `${11 * px}px system-ui, sans-serif`;
            for (const l of lines) {
              const y = u.valToPos(l.value, 'y', true);
              ctx.strokeStyle = muted;
              ctx.fillStyle = text;
              ctx.lineWidth = 1.5 * px;
              ctx.setLineDash([6 * px, 4 * px]);
              ctx.beginPath();
              ctx.moveTo(left, y);
              ctx.lineTo(left + width, y);
              ctx.stroke();
              ctx.setLineDash([]);
              ctx.textAlign = 'right';
              ctx.fillText(l.label, left + width - 4 * px, y - 4 * px);
            }
            // Failing runs: red bars (drawn over the green ones) and a cross above, so colour is not the only sign.
            ctx.strokeStyle = down;
            ctx.fillStyle = down;
            ctx.lineWidth = 2 * px;
            points.forEach((p, i) => {
              if (!failedAt[i]) return;
              const x = u.valToPos(p.t, 'x', true);
              const y0 = u.valToPos(Math.max(0, yTicks[0]), 'y', true);
              const y = u.valToPos(p.v, 'y', true);
              const w = Math.max(3 * px, Math.min(28 * px, (width / Math.max(points.length, 1)) * 0.6));
              ctx.fillRect(x, Math.min(y, y0), w, Math.max(2 * px, Math.abs(y0 - y)));
              const cx = x + w / 2;
              const cy = Math.min(y, y0) - 8 * px;
              const r = 4 * px;
              ctx.beginPath();
              ctx.moveTo(cx - r, cy - r);
              ctx.lineTo(cx + r, cy + r);
              ctx.moveTo(cx + r, cy - r);
              ctx.lineTo(cx - r, cy + r);
              ctx.stroke();
            });
            ctx.restore();
          },
        ],
      },
    };
    const plot = new UPlot(opts, [points.map((p) => p.t), points.map((p) => p.v)], el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }

  const last = points[points.length - 1];
  const failed = points.filter((p) => p.failed).length;
  return (
    <figure
      className="chart"
      data-testid={props.testId}
      data-metric={name}
      data-y-ticks={yTicks.map((v) => valueLabel(name, v)).join(' | ')}
      data-x-ticks={xTicks.map((t) => t.label).join(' | ')}
      data-lines={lines.map((l) => l.label).join(' | ')}
      aria-label={`${label}: ${points.length} runs${last ? `, last ${valueLabel(name, last.v)}` : ''}${failed ? `, ${failed} failed` : ''}`}
    >
      <div ref={box} className="chart-plot" aria-hidden="true" />
      <table className="sr-only">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Value</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {points.slice(-100).map((p, i) => (
            <tr key={`${p.t}-${i}`} data-failed={p.failed ? 'true' : undefined}>
              <td>{absoluteTime(p.t)}</td>
              <td>{valueLabel(name, p.v)}</td>
              <td>{p.failed ? `failed: ${p.failed}` : 'passed'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
