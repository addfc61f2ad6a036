import { useMemo, useState } from 'react';
import type { CheckJson, FlipJson, PingJson } from '../../shared/api/types.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import { BAND_WORDS, timelineBands, timeTicks, type Band, type BandStatus } from '../../shared/console/timeline.js';
import { formatMs, formatRunSeconds } from '../../shared/domain/duration.js';

export const KIND_WORDS: Record<PingJson['type'], string> = { success: 'Success', fail: 'Failure', start: 'Started', log: 'Log', ign: 'Ignored' };

/** The viewer's IANA zone: ticks fall on its whole hours. */
const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
/** More marks than this and the oldest give way (they stay in the log). */
const MAX_MARKS = 400;
const pct = (t: number, from: number, to: number) => `${(((t - from) / (to - from)) * 100).toFixed(3)}%`;

/** One band: colour, pattern and, when wide enough, its word, so status never rests on colour alone. */
function BandView({ b, from, to }: { b: Band; from: number; to: number }) {
  const share = (b.to - b.from) / (to - from);
  const words = `${BAND_WORDS[b.status]} from ${absoluteTime(b.from)} for ${formatMs(b.to - b.from)}`;
  return (
    <div className={`band band-${b.status}`} style={{ left: pct(b.from, from, to), width: pct(from + (b.to - b.from), from, to) }} title={words} data-status={b.status}>
      {share > 0.12 && <span className="band-word">{BAND_WORDS[b.status]}</span>}
    </div>
  );
}

/** The card shown while a mark is hovered or focused: kind, time, duration, first line of the body. */
function PingCard({ p, left }: { p: PingJson; left: string }) {
  return (
    <div className="ping-card" role="tooltip" id="ping-card" data-testid="ping-card" style={{ left }}>
      <strong className={`kind kind-${p.type}`}>{KIND_WORDS[p.type]}</strong> <span className="muted">#{p.n}</span>
      <div>{absoluteTime(Date.parse(p.date))}</div>
      {p.exitstatus !== undefined && <div>exit status {p.exitstatus}</div>}
      {p.duration !== undefined && <div>ran {formatRunSeconds(p.duration)}</div>}
      {p.body_preview && <div className="mono card-body">{p.body_preview}</div>}
    </div>
  );
}

/**
 * Status bands and pings over [from, to]: each band in its colour, pattern and word, each
 * ping a mark (its shape says its kind) with a card on hover or focus; a click or Enter
 * picks the ping (the detail shows it in the log).
 */
export function Timeline(props: { check: CheckJson; pings: PingJson[]; flips: FlipJson[]; from: number; to: number; onPick: (n: number) => void }) {
  const { check, pings, flips, from, to, onPick } = props;
  const [hover, setHover] = useState<number | null>(null);
  const bands = useMemo(() => timelineBands(check, flips, pings, from, to), [check, flips, pings, from, to]);
  const ticks = useMemo(() => timeTicks(from, to, viewerZone()), [from, to]);
  // Oldest first, so the newest mark is drawn on top where marks crowd.
  const shown = useMemo(() => pings.filter((p) => Date.parse(p.date) >= from && Date.parse(p.date) <= to).slice(0, MAX_MARKS).reverse(), [pings, from, to]);
  const changes = flips.filter((f) => Date.parse(f.timestamp) > from && Date.parse(f.timestamp) <= to).length;
  const legend = [...new Set(bands.map((b) => b.status))] as BandStatus[];
  const hovered = shown.find((p) => p.n === hover);
  const created = Date.parse(check.created);
  return (
    <figure className="timeline">
      <div className="tl-track" role="group" aria-label={`Timeline: ${shown.length} pings and ${changes} status changes`} onMouseLeave={() => setHover(null)}>
        {created > from && (
          <div className="band band-before" style={{ left: 0, width: pct(Math.min(created, to), from, to) }} title={`Created ${absoluteTime(created)}`}>
            {(Math.min(created, to) - from) / (to - from) > 0.2 && <span className="band-word">Before the check existed</span>}
          </div>
        )}
        {bands.map((b) => (
          <BandView key={`${b.from}-${b.status}`} b={b} from={from} to={to} />
        ))}
        {ticks.map((t) => (
          <span key={t.t} className="tl-grid" style={{ left: pct(t.t, from, to) }} aria-hidden="true" />
        ))}
        {shown.map((p) => (
          <button
            key={p.n}
            type="button"
            className={`mark mark-${p.type}`}
            style={{ left: pct(Date.parse(p.date), from, to) }}
            aria-label={`${KIND_WORDS[p.type]} ${absoluteTime(Date.parse(p.date))}`}
            aria-describedby={hover === p.n ? 'ping-card' : undefined}
            data-n={p.n}
            onMouseEnter={() => setHover(p.n)}
            onFocus={() => setHover(p.n)}
            onBlur={() => setHover(null)}
            onKeyDown={(e) => e.key === 'Escape' && setHover(null)}
            onClick={() => onPick(p.n)}
          />
        ))}
        {hovered && <PingCard p={hovered} left={pct(Date.parse(hovered.date), from, to)} />}
      </div>
      <div className="tl-axis" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t.t} style={{ left: pct(t.t, from, to) }}>
            {t.label}
          </span>
        ))}
      </div>
      <figcaption className="tl-legend">
        {legend.map((s) => (
          <span key={s} className="legend-item">
            <span className={`swatch band-${s}`} aria-hidden="true" /> {BAND_WORDS[s]}
          </span>
        ))}
        <span className="muted">
          {shown.length === 0 ? 'No pings in this range' : `${shown.length} ${shown.length === 1 ? 'ping' : 'pings'}`}
          {changes > 0 && `, ${changes} status ${changes === 1 ? 'change' : 'changes'}`}
        </span>
      </figcaption>
    </figure>
  );
}
