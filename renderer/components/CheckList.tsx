import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { BeatJson } from '../../shared/api/heartbeats.js';
import type { OverviewRow } from '../../shared/api/overview.js';
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
export function Deadline({ c, now }: { c: Pick<OverviewRow, 'status' | 'next_ping' | 'alert_after' | 'tz'>; now: number }) {
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
export const CheckRow = memo(function CheckRow({ c, beats, now }: { c: OverviewRow; beats: BeatJson[] | undefined; now: number }) {
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

/** Where a key moves the focus from row `i` of `n`, or null for other keys. */
function target(key: string, i: number, n: number): number | null {
  if (key === 'ArrowDown') return Math.min(i + 1, n - 1);
  if (key === 'ArrowUp') return Math.max(i - 1, 0);
  if (key === 'Home') return 0;
  if (key === 'End') return n - 1;
  return null;
}

/**
 * The check list, one window of rows at a time. Only the rows near the viewport are in the DOM
 * (windowing against the page scroll), whatever the number of checks; every row has the same
 * height, so the list keeps the height of all of them. `checks` are the rows held, from
 * `offset` on; a row on screen that is not held yet is a placeholder until `onRange` brings it.
 * Arrow keys, Home and End move over every row of the list, held or not.
 */
export function CheckList({
  checks,
  offset = 0,
  total = checks.length,
  beats,
  now,
  onRange,
  onRows,
}: {
  checks: readonly OverviewRow[];
  /** the position of `checks[0]` in the whole list */
  offset?: number;
  /** rows in the whole list */
  total?: number;
  beats: Record<string, BeatJson[]>;
  now: number;
  /** the rows on screen, from `start` to `end` (exclusive), whenever they change */
  onRange?: (start: number, end: number) => void;
  /** the checks whose rows are rendered (their heartbeat bars are wanted) */
  onRows?: (uuids: string[]) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const n = total;
  const [range, setRange] = useState({ start: 0, end: Math.min(n, 30) });
  /** the row the keyboard moved to, focused as soon as it is rendered and held */
  const focusTo = useRef<number | null>(null);

  useLayoutEffect(() => {
    const update = () => {
      const el = ref.current;
      if (!el) return;
      const top = -el.getBoundingClientRect().top;
      const view = window.innerHeight || 800;
      const start = Math.min(n, Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN));
      const end = Math.min(n, Math.max(start, Math.ceil((top + view) / ROW_HEIGHT) + OVERSCAN));
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
  useEffect(() => onRange?.(start, end), [onRange, start, end]);
  const slots = Array.from({ length: end - start }, (_, k) => start + k);
  const held = (i: number) => (i >= offset && i < offset + checks.length ? checks[i - offset] : undefined);
  const shownKey = slots
    .map(held)
    .filter((c) => c !== undefined)
    .map((c) => c.uuid)
    .join(',');
  useEffect(() => onRows?.(shownKey ? shownKey.split(',') : []), [onRows, shownKey]);

  useEffect(() => {
    const i = focusTo.current;
    if (i === null || !ref.current) return;
    const slot = ref.current.querySelector<HTMLElement>(`[aria-posinset="${i + 1}"] > .row`);
    if (!slot) return;
    slot.focus();
    if (slot.tagName === 'A') focusTo.current = null;
  });

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const item = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[aria-posinset]');
    if (!item || !e.currentTarget.contains(item)) return;
    const to = target(e.key, Number(item.getAttribute('aria-posinset')) - 1, n);
    if (to === null) return;
    e.preventDefault();
    const row = e.currentTarget.querySelector<HTMLElement>(`[aria-posinset="${to + 1}"] > a.row`);
    if (row) {
      focusTo.current = null;
      row.focus();
      return;
    }
    // not rendered or not held yet: scroll it into view; it is focused once it is there
    focusTo.current = to;
    const listTop = e.currentTarget.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, Math.max(0, listTop + to * ROW_HEIGHT - (window.innerHeight || 800) / 2));
  };

  return (
    <div className="list" role="list" aria-label="Checks" ref={ref} style={{ height: n * ROW_HEIGHT }} onKeyDown={onKeyDown}>
      <div style={{ height: start * ROW_HEIGHT }} aria-hidden="true" />
      {slots.map((i) => {
        const c = held(i);
        return (
          <div role="listitem" key={c?.uuid ?? `slot-${i}`} className="row-wrap" aria-setsize={n} aria-posinset={i + 1}>
            {c ? (
              <CheckRow c={c} beats={beats[c.uuid]} now={now} />
            ) : (
              <div className="row row-loading" tabIndex={-1} aria-busy="true">
                <span className="muted">Loading…</span>
              </div>
            )}
          </div>
        );
      })}
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
