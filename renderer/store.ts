import { create } from 'zustand';
import { appendBeat, flipBeat, pingBeat, type BeatJson } from '../shared/api/heartbeats.js';
import type { CheckJson, FlipJson, NotificationJson, PingJson, ServiceEvent } from '../shared/api/types.js';
import { EVENT_TYPES } from '../shared/api/events.js';
import { API } from '../shared/api/routes.js';
import { NO_FILTER, type ListFilter } from '../shared/console/check-list.js';
import type { Theme } from '../shared/api/settings.js';
import { api, ApiFailure, setUnauthorizedHandler } from './api.js';

/** The console's state: what the service said last, kept current by the event stream. */
export interface ConsoleState {
  checks: Record<string, CheckJson>;
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
/** Notices on screen at once; older ones give way. */
const MAX_NOTICES = 4;

/** The one store of the console (zustand). */
export const useConsole = create<ConsoleState>()((set, get) => ({
  checks: {},
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
  setFilter: (f) => set({ filter: { ...get().filter, ...f } }),

  async load() {
    try {
      const [checks, summary, settings] = await Promise.all([api.checks(), api.summary().catch(() => null), api.settings().catch(() => null)]);
      // bars are read again for the rows on screen: events may have been missed meanwhile
      beatsInFlight.clear();
      set({
        checks: Object.fromEntries(checks.map((c) => [c.uuid, c])),
        beats: {},
        loaded: true,
        loadError: null,
        now: Date.now(),
        mutedUntil: summary?.muted_until ?? null,
        ...(settings?.theme ? { theme: settings.theme } : {}),
      });
      // The mute endpoint belongs to the alerts module; without it the control says so.
      api.muteState().then(
        (m) => set({ muteAvailable: true, mutedUntil: m.muted_until ?? null }),
        (e) => e instanceof ApiFailure && e.status === 404 && set({ muteAvailable: false }),
      );
    } catch (e) {
      set({ loaded: true, loadError: e instanceof ApiFailure && e.status === 401 ? null : (e as Error).message });
    }
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
        set({ checks: { ...s.checks, [e.data.uuid]: e.data } });
        break;
      case 'check-deleted': {
        const { [e.data.uuid]: _gone, ...rest } = s.checks;
        const { [e.data.uuid]: _b, ...beats } = s.beats;
        set({ checks: rest, beats });
        break;
      }
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
}));

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
