import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { BeatJson } from '../../shared/api/heartbeats.js';
import type { CheckJson } from '../../shared/api/types.js';
import { reasonText, scheduleText } from '../../shared/console/check-list.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import { formatRunSeconds, relativeTime } from '../../shared/domain/duration.js';
import { linkProps } from '../router.js';
import { HeartbeatBar } from './HeartbeatBar.js';
import { RelTime } from './RelTime.js';
import { StatusBadge } from './StatusBadge.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';

/** Fixed row height: rows never change size when live data arrives, and windowing stays exact. */
export const ROW_HEIGHT = 64;
const OVERSCAN = 8;

/** The deadline column: when the next thing is due, in words. */
export function Deadline({ c, now }: { c: CheckJson; now: number }) {
  let at: string | null = null;
  let prefix = '';
  if (c.status === 'up' || c.status === 'new') at = c.next_ping;
  else if (c.status === 'grace' || c.status === 'started') {
    at = c.alert_after;
    prefix = c.status === 'started' ? 'must end ' : 'down ';
  }
  if (c.status === 'paused') return <span className="muted">paused</span>;
  if (!at) return <span className="muted">—</span>;
  const t = Date.parse(at);
  return (
    <time dateTime={at} title={absoluteTime(t, c.tz)}>
      {prefix}
      {relativeTime(t, now)}
    </time>
  );
}

/** One check as a row: status, name, tags and why, last ping, deadline, duration, heartbeat. */
export const CheckRow = memo(function CheckRow({ c, beats, now }: { c: CheckJson; beats: BeatJson[] | undefined; now: number }) {
  const why = reasonText(c, now);
  const tags = c.tags.split(' ').filter(Boolean);
  // The link's name is its visible text (status word, name, reason, times): no aria-label that could differ.
  return (
    <a className={`row row-${c.status}`} {...linkProps(CONSOLE_PATHS.check(c.uuid))} data-uuid={c.uuid}>
      <span className="col-status">
        <StatusBadge status={c.status} offline={c.monitor_offline} compact />
      </span>
      <span className="col-name">
        <span className="name">{c.name || <span className="muted">unnamed</span>}</span>
        <span className="sub">
          {tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
          {why ? <span className="why">{why}</span> : <span className="muted schedule">{scheduleText(c)}</span>}
        </span>
      </span>
      <span className="col-last">
        <RelTime iso={c.last_ping} now={now} empty="never" />
      </span>
      <span className="col-next">
        <Deadline c={c} now={now} />
      </span>
      <span className="col-dur">{c.last_duration !== undefined ? (c.last_duration === 0 ? '< 1 s' : formatRunSeconds(c.last_duration)) : <span className="muted">—</span>}</span>
      <span className="col-beats">
        <HeartbeatBar beats={beats} label={`${c.name} heartbeat`} />
      </span>
    </a>
  );
});

/**
 * Arrow keys move between rows (Home and End to the first and last shown). The overscan keeps
 * rows beyond the viewport in the DOM, and focusing one scrolls it into view, which renders more.
 */
function moveFocus(e: React.KeyboardEvent<HTMLDivElement>) {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(e.key)) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLAnchorElement>('a.row')];
  const i = rows.indexOf(document.activeElement as HTMLAnchorElement);
  if (i < 0) return;
  const next = e.key === 'ArrowDown' ? rows[i + 1] : e.key === 'ArrowUp' ? rows[i - 1] : e.key === 'Home' ? rows[0] : rows[rows.length - 1];
  e.preventDefault();
  next?.focus();
}

/**
 * The check list. Only the rows near the viewport are in the DOM (windowing against the
 * page scroll), so 1,000 checks cost what 30 do; every row has the same height.
 */
export function CheckList({
  checks,
  beats,
  now,
  onRows,
}: {
  checks: readonly CheckJson[];
  beats: Record<string, BeatJson[]>;
  now: number;
  /** the checks whose rows are rendered (their heartbeat bars are wanted) */
  onRows?: (uuids: string[]) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const n = checks.length;
  const [range, setRange] = useState({ start: 0, end: Math.min(n, 30) });

  useLayoutEffect(() => {
    const update = () => {
      const el = ref.current;
      if (!el) return;
      const top = -el.getBoundingClientRect().top;
      const view = window.innerHeight || 800;
      const start = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
      const end = Math.min(n, Math.ceil((top + view) / ROW_HEIGHT) + OVERSCAN);
      setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
    };
    update();
    window.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      window.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [n]);

  const start = Math.min(range.start, n);
  const end = Math.min(Math.max(range.end, start), n);
  const rows = checks.slice(start, end);
  const shownKey = rows.map((c) => c.uuid).join(',');
  useEffect(() => onRows?.(shownKey ? shownKey.split(',') : []), [onRows, shownKey]);
  return (
    <div className="list" role="list" aria-label="Checks" ref={ref} style={{ height: n * ROW_HEIGHT }} onKeyDown={moveFocus}>
      <div style={{ height: start * ROW_HEIGHT }} aria-hidden="true" />
      {rows.map((c, i) => (
        <div role="listitem" key={c.uuid} className="row-wrap" aria-setsize={n} aria-posinset={start + i + 1}>
          <CheckRow c={c} beats={beats[c.uuid]} now={now} />
        </div>
      ))}
    </div>
  );
}

/** The header above the list, aligned with the row columns. */
export function CheckListHeader() {
  return (
    <div className="row row-head" aria-hidden="true">
      <span className="col-status">Status</span>
      <span className="col-name">Check</span>
      <span className="col-last">Last ping</span>
      <span className="col-next">Next due</span>
      <span className="col-dur">Last run</span>
      <span className="col-beats">Last 50 events (newest right)</span>
    </div>
  );
}
