import { useEffect } from 'react';
import { create } from 'zustand';
import { appendBeat, flipBeat, pingBeat, type BeatJson } from '../shared/api/heartbeats.js';
import type { CheckJson, FlipJson, NotificationJson, PingJson, ServiceEvent, Summary } from '../shared/api/types.js';
import { OVERVIEW_MAX_ROWS, toOverviewRow, type OverviewRow } from '../shared/api/overview.js';
import { EVENT_TYPES } from '../shared/api/events.js';
import { API } from '../shared/api/routes.js';
import { NO_FILTER, type ListFilter } from '../shared/console/check-list.js';
import type { Theme } from '../shared/api/settings.js';
import { api, ApiFailure, setUnauthorizedHandler } from './api.js';

/** The console's state: what the service said last, kept current by the event stream. */
/**
 * The overview's rows the console holds: a window of the list the service orders and filters,
 * from `offset`, under the filter `key`; `total` is how many the filter matches.
 */
export interface OverviewWindow {
  key: string;
  offset: number;
  rows: OverviewRow[];
  total: number;
  /** every tag in use */
  tags: string[];
  /** an answer arrived for this filter */
  loaded: boolean;
}

export interface ConsoleState {
  /** checks read whole (the detail and editor pages), kept current by the stream; not the list */
  checks: Record<string, CheckJson>;
  /** checks the service said do not exist (404, or deleted meanwhile) */
  missing: Record<string, true>;
  /** counts by status and the worst state, as the service said last */
  summary: Summary | null;
  overview: OverviewWindow;
  /** bumped on every change of a check: views with their own reads (the tray) read again */
  checksSeq: number;
  beats: Record<string, BeatJson[]>;
  loaded: boolean;
  loadError: string | null;
  /** the session is missing or expired */
  unauthorized: boolean;
  live: 'connecting' | 'live' | 'offline';
  mutedUntil: string | null;
  /** false when the service has no mute endpoint (404) */
  muteAvailable: boolean;
  /** the console's clock for relative times, ticking every few seconds */
  now: number;
  /** the newest ping and flip from the stream, for the open detail page */
  lastPing: { check: string; ping: PingJson; seq: number } | null;
  lastFlip: { check: string; flip: FlipJson; seq: number } | null;
  /** the theme chosen in Settings, and the colours in use (the system's when "system") */
  theme: Theme;
  scheme: 'light' | 'dark';
  /** bumped when settings change (ping URLs may have changed) */
  settingsSeq: number;
  /** bumped when office mode changes (sharing, a desk waiting for its code, keys) */
  officeSeq: number;
  /** desktop notifications the service decided to show, newest last (the console shows them in-page) */
  notices: NotificationJson[];
  dismiss: (id: string) => void;
  filter: ListFilter;
  setFilter: (f: Partial<ListFilter>) => void;
  load: () => Promise<void>;
  /** asks for the overview's rows from `start` to `end` (the rows on screen); a margin around them is read too */
  wantRows: (start: number, end: number) => void;
  /** the overview is shown (true) or left (false): changes re-read its window only while it is shown */
  showOverview: (shown: boolean) => void;
  /** asks for one check's whole JSON (detail and editor pages), once */
  wantCheck: (uuid: string) => void;
  /** asks for the heartbeat bars of these checks (the rows on screen), once each */
  wantBeats: (uuids: readonly string[]) => void;
  upsert: (c: CheckJson) => void;
  apply: (e: ServiceEvent) => void;
  setMuted: (until: string | null) => void;
}

let seq = 0;
/** Bars asked for per request (the uuids travel in the query string). */
const BEATS_PER_REQUEST = 100;
/**
 * Bars on their way, with the events about those checks that arrive meanwhile (applied on
 * top of the answer). Why bars are fetched per visible row: with 10,000 checks, every bar
 * at once takes seconds to read and megabytes to send before the first row shows.
 */
const beatsInFlight = new Map<string, BeatJson[]>();
const beatsWanted = new Set<string>();
/** Rows read above and below the ones on screen, so a short scroll needs no request. */
const ROW_MARGIN = 100;
/** The overview's filter as the query of its request: a window belongs to one filter. */
const filterKey = (f: ListFilter) => JSON.stringify([f.status, f.tag, f.search]);
/** The rows last asked for, and whether the window must be read again. */
let rowsWanted = { start: 0, end: 0 };
let overviewShown = false;
let windowStale = false;
/**
 * The overview request on its way, with the changes announced meanwhile (null: deleted), applied
 * on top of its answer: the stream stays the one source of changes. One request at a time; what
 * is asked for meanwhile is read after it.
 */
let rowsInFlight: Map<string, OverviewRow | null> | null = null;
/** The filter of the overview request on its way. */
let rowsInFlightKey = '';
let summaryInFlight = false;
let summaryAgain = false;
/** Whole checks on their way, with the newest announcement about each meanwhile (null: deleted). */
const checksInFlight = new Map<string, CheckJson | null | undefined>();
const EMPTY_WINDOW: OverviewWindow = { key: filterKey(NO_FILTER), offset: 0, rows: [], total: 0, tags: [], loaded: false };

/** Notices on screen at once; older ones give way. */
const MAX_NOTICES = 4;

/** The one store of the console (zustand). */
export const useConsole = create<ConsoleState>()((set, get) => {
  /** Reads the window around the rows last asked for, unless one read is already on its way. */
  function readRows(): void {
    if (rowsInFlight) {
      windowStale = true;
      return;
    }
    const { filter } = get();
    const key = filterKey(filter);
    const { start, end } = rowsWanted;
    const offset = Math.max(0, start - ROW_MARGIN);
    const limit = Math.min(OVERVIEW_MAX_ROWS, end - offset + ROW_MARGIN);
    const early = new Map<string, OverviewRow | null>();
    rowsInFlight = early;
    rowsInFlightKey = key;
    windowStale = false;
    api.overview({ ...filter, offset, limit }).then(
      (r) => {
        rowsInFlight = null;
        if (filterKey(get().filter) === key) {
          const rows: OverviewRow[] = [];
          for (const row of r.rows) {
            const newer = early.get(row.uuid);
            if (newer !== null) rows.push(newer ?? row);
          }
          set({ overview: { key, offset: r.offset, rows, total: r.total, tags: r.tags, loaded: true }, summary: r.summary, loadError: null });
        } else windowStale = true;
        if (windowStale || !covers(get().overview, rowsWanted)) readRows();
      },
      (e) => {
        rowsInFlight = null;
        // the window's answer is where the overview's counts come from: its failure is the page's
        if (!(e instanceof ApiFailure && e.status === 401)) set({ loadError: (e as Error).message });
      },
    );
  }

  /** Reads the counts again (the overview's answers carry them while it is shown). */
  function readSummary(): void {
    if (summaryInFlight) {
      summaryAgain = true;
      return;
    }
    summaryInFlight = true;
    summaryAgain = false;
    api.summary().then(
      (summary) => {
        summaryInFlight = false;
        set({ summary, mutedUntil: summary.muted_until ?? null });
        if (summaryAgain) readSummary();
      },
      () => {
        summaryInFlight = false;
      },
    );
  }

  /** A check changed or went away: what is held of it follows, and the list and counts are read again. */
  function changed(uuid: string, c: CheckJson | null): void {
    const s = get();
    const next: Partial<ConsoleState> = { checksSeq: s.checksSeq + 1 };
    if (checksInFlight.has(uuid)) checksInFlight.set(uuid, c);
    if (c && uuid in s.checks) next.checks = { ...s.checks, [uuid]: c };
    if (!c) {
      const { [uuid]: _gone, ...rest } = s.checks;
      const { [uuid]: _b, ...beats } = s.beats;
      Object.assign(next, { checks: rest, beats, missing: { ...s.missing, [uuid]: true } });
    }
    const row = c ? toOverviewRow(c) : null;
    rowsInFlight?.set(uuid, row);
    // shown at once where its row is; its place in the order comes with the next window
    const w = s.overview;
    const i = w.rows.findIndex((r) => r.uuid === uuid);
    if (i >= 0) next.overview = { ...w, rows: row ? w.rows.map((r, k) => (k === i ? row : r)) : w.rows.filter((_, k) => k !== i) };
    set(next);
    windowStale = true;
    if (overviewShown) readRows();
    else readSummary();
  }

  /** Reads one check whole; what the stream announces meanwhile wins over the answer. */
  function readCheck(uuid: string): void {
    checksInFlight.set(uuid, undefined);
    api.check(uuid).then(
      (c) => {
        const newer = checksInFlight.get(uuid);
        checksInFlight.delete(uuid);
        if (newer === null) return;
        set({ checks: { ...get().checks, [uuid]: newer ?? c } });
      },
      (e) => {
        checksInFlight.delete(uuid);
        if (e instanceof ApiFailure && e.status === 404) set({ missing: { ...get().missing, [uuid]: true } });
      },
    );
  }

  return {
  checks: {},
  missing: {},
  summary: null,
  overview: EMPTY_WINDOW,
  checksSeq: 0,
  beats: {},
  loaded: false,
  loadError: null,
  unauthorized: false,
  live: 'connecting',
  mutedUntil: null,
  muteAvailable: true,
  now: Date.now(),
  lastPing: null,
  lastFlip: null,
  theme: 'system',
  scheme: 'light',
  settingsSeq: 0,
  officeSeq: 0,
  notices: [],
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
  filter: NO_FILTER,
  setFilter(f) {
    const filter = { ...get().filter, ...f };
    // another filter is another list: its rows are read, the old ones are not shown meanwhile
    set({ filter, overview: { ...get().overview, key: filterKey(filter), rows: [], loaded: false } });
    rowsWanted = { start: 0, end: rowsWanted.end - rowsWanted.start };
    if (overviewShown) readRows();
  },

  async load() {
    // a window read before this load began may have missed events: read it again (not one read since)
    const held = get().overview.loaded;
    // The mute endpoint belongs to the alerts module; without it the control says so.
    api.muteState().then(
      (m) => set({ muteAvailable: true, mutedUntil: m.muted_until ?? null }),
      (e) => e instanceof ApiFailure && e.status === 404 && set({ muteAvailable: false }),
    );
    try {
      // While the overview is shown its window's answer carries the counts: no second read of
      // them competes with the first rows.
      const [summary, settings] = await Promise.all([overviewShown ? null : api.summary(), api.settings().catch(() => null)]);
      // what is held is read again (events may have been missed): bars for the rows on screen,
      // the window, and the checks open in a page
      beatsInFlight.clear();
      for (const uuid of Object.keys(get().checks)) readCheck(uuid);
      if (held) {
        windowStale = true;
        if (overviewShown) readRows();
      }
      set({
        ...(summary ? { summary, mutedUntil: summary.muted_until ?? null, loadError: null } : {}),
        beats: {},
        loaded: true,
        now: Date.now(),
        ...(settings?.theme ? { theme: settings.theme } : {}),
      });
    } catch (e) {
      set({ loaded: true, loadError: e instanceof ApiFailure && e.status === 401 ? null : (e as Error).message });
    }
  },

  wantRows(start, end) {
    rowsWanted = { start, end };
    if (windowStale || !covers(get().overview, rowsWanted) || get().overview.key !== filterKey(get().filter)) readRows();
  },

  showOverview(shown) {
    overviewShown = shown;
    const w = get().overview;
    const key = filterKey(get().filter);
    // the window on its way is the one wanted: no second request for it
    if (rowsInFlight && !windowStale && rowsInFlightKey === key) return;
    if (shown && (windowStale || !w.loaded || w.key !== key)) readRows();
  },

  wantCheck(uuid) {
    if (uuid in get().checks || checksInFlight.has(uuid)) return;
    readCheck(uuid);
  },

  wantBeats(uuids) {
    const had = beatsWanted.size;
    const { beats } = get();
    for (const u of uuids) if (!(u in beats) && !beatsInFlight.has(u)) beatsWanted.add(u);
    if (had > 0 || beatsWanted.size === 0) return;
    // one request for the rows a render asked for together
    queueMicrotask(() => {
      const list = [...beatsWanted];
      beatsWanted.clear();
      for (let i = 0; i < list.length; i += BEATS_PER_REQUEST) {
        const part = list.slice(i, i + BEATS_PER_REQUEST);
        for (const u of part) beatsInFlight.set(u, []);
        api.heartbeats(part).then(
          (got) => {
            const next = { ...get().beats };
            for (const u of part) {
              const early = beatsInFlight.get(u);
              if (!early) continue; // reloaded meanwhile
              beatsInFlight.delete(u);
              next[u] = early.reduce((bar, b) => appendBeat(bar, b), got[u] ?? []);
            }
            set({ beats: next });
          },
          () => part.forEach((u) => beatsInFlight.delete(u)),
        );
      }
    });
  },

  upsert: (c) => set({ checks: { ...get().checks, [c.uuid]: c } }),

  apply(e) {
    const s = get();
    switch (e.type) {
      case 'check':
        changed(e.data.uuid, e.data);
        break;
      case 'check-deleted':
        changed(e.data.uuid, null);
        break;
      case 'ping':
        set({
          beats: withBeat(s.beats, e.data.check, pingBeat(e.data.ping)),
          lastPing: { check: e.data.check, ping: e.data.ping, seq: ++seq },
        });
        break;
      case 'flip': {
        const b = flipBeat(e.data.flip.timestamp, e.data.flip.new_status, e.data.flip.reason);
        set({
          beats: b ? withBeat(s.beats, e.data.check, b) : s.beats,
          lastFlip: { check: e.data.check, flip: e.data.flip, seq: ++seq },
        });
        break;
      }
      case 'settings':
        set({ settingsSeq: s.settingsSeq + 1 });
        void s.load();
        break;
      case 'office':
        set({ officeSeq: s.officeSeq + 1 });
        break;
      case 'notification':
        // The desktop channel counts an alert as shown when a console is connected: show it.
        if (!s.notices.some((n) => n.id === e.data.id)) set({ notices: [...s.notices, e.data].slice(-MAX_NOTICES) });
        break;
      default:
        break;
    }
  },

  setMuted: (until) => set({ mutedUntil: until }),
  };
});

/** Does the window hold the rows from `start` to `end` (those past the end of the list count as held)? */
function covers(w: OverviewWindow, want: { start: number; end: number }): boolean {
  if (!w.loaded) return false;
  const end = Math.min(want.end, w.total);
  return want.start >= w.offset && end <= w.offset + w.rows.length;
}

/** One check whole, read on demand; `missing` when the service has no such check. */
export function useCheck(uuid: string | undefined): { check: CheckJson | undefined; missing: boolean } {
  const check = useConsole((s) => (uuid ? s.checks[uuid] : undefined));
  const missing = useConsole((s) => (uuid ? uuid in s.missing : false));
  const want = useConsole((s) => s.wantCheck);
  useEffect(() => {
    if (uuid && !check && !missing) want(uuid);
  }, [uuid, check, missing, want]);
  return { check, missing };
}

/** A new event on a check's bar: shown if its bar is loaded, kept for the answer if it is on its way. */
function withBeat(beats: Record<string, BeatJson[]>, uuid: string, b: BeatJson): Record<string, BeatJson[]> {
  const early = beatsInFlight.get(uuid);
  if (early) early.push(b);
  if (!(uuid in beats)) return beats;
  return { ...beats, [uuid]: appendBeat(beats[uuid], b) };
}

setUnauthorizedHandler(() => useConsole.setState({ unauthorized: true, live: 'offline' }));

/**
 * Opens the event stream and keeps the store current. EventSource reconnects by itself;
 * after a reconnect everything is reloaded, since events may have been missed.
 * Statuses come from the service, which announces every change, also those that happen by
 * the clock alone (a check turning late or down): the console keeps no timer of its own for
 * them and recomputes nothing (no business rule in the console).
 */
export function connect(): () => void {
  const st = useConsole.getState();
  let first = true;
  const es = new EventSource(API.events.path);
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (m) => {
      const data = JSON.parse((m as MessageEvent<string>).data);
      if (type === 'hello') {
        useConsole.setState({ live: 'live' });
        if (!first) void useConsole.getState().load();
        first = false;
        return;
      }
      useConsole.getState().apply({ type, data } as ServiceEvent);
    });
  }
  es.onerror = () => {
    useConsole.setState({ live: 'offline' });
    // A closed stream after a 401 does not come back: check the session.
    if (es.readyState === EventSource.CLOSED) void api.summary().catch(() => {});
  };
  void st.load();

  // Relative times on screen ("3 min ago") move on; statuses do not come from this clock.
  const tick = setInterval(() => useConsole.setState({ now: Date.now() }), 5000);
  return () => {
    es.close();
    clearInterval(tick);
  };
}
