import type { CheckJson, Summary } from '../../shared/api/types.js';
import { relativeTime } from '../../shared/domain/duration.js';
import { isSnoozed, SNOOZE_CHOICES, type SnoozeChoice } from '../../shared/domain/snooze.js';

/** The tray icon: the worst state of all checks, or no connection to the service. */
export type TrayIconState = 'up' | 'late' | 'down' | 'idle' | 'disconnected';

/** What a menu entry does when clicked (the tray turns these into Electron callbacks). */
export type TrayAction =
  | 'open'
  | 'new-check'
  | 'quit'
  | 'toggle-start-at-login'
  | 'reconnect'
  | 'use-local'
  | 'use-remote'
  | 'edit-connection'
  | 'find-lubdubs'
  | 'enter-address'
  | 'stop-watching';

/** One entry of the tray menu, free of Electron types. */
export type TrayMenuItem =
  | { kind: 'check'; uuid: string; label: string }
  | { kind: 'info'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; enabled?: boolean; checkbox?: boolean; radio?: boolean; checked?: boolean }
  | { kind: 'snooze'; choice: SnoozeChoice; label: string; enabled?: boolean }
  /** a Lubdub "Find on this network…" found: choosing it starts pairing */
  | { kind: 'found'; id: string; label: string; enabled?: boolean }
  | { kind: 'submenu'; label: string; enabled?: boolean; items: TrayMenuItem[] };

/** Everything the tray shows. */
export interface TrayModel {
  icon: TrayIconState;
  tooltip: string;
  items: TrayMenuItem[];
}

/** What the model needs beyond the service's data. */
export interface TrayOptions {
  /** IANA zone for times of day ("snoozed until 14:00"); the machine's by default */
  timeZone?: string;
  /** `process.platform`: menus on Windows/Linux treat `&` as a mnemonic marker */
  platform?: string;
  startAtLogin?: boolean;
  /** which service the shell watches */
  connection?: { mode: 'local' | 'remote'; remoteLabel: string | null };
  /** where the shell tries to connect, for the disconnected tooltip */
  serviceLabel?: string;
  /** the paired remote answered with another certificate than the pinned one */
  identityChanged?: boolean;
  /** the Watch menu's search and pairing (Tray → Watch → "Find on this network…") */
  watch?: WatchMenuState;
  /** checks listed by name in the menu before "…and N more" */
  maxAttention?: number;
}

/** What the Watch menu shows of a search for Lubdubs on the LAN and of a pairing under way. */
export interface WatchMenuState {
  searching: boolean;
  /** the last search's results (null: no search yet) */
  found: { id: string; name: string; host: string; shared: boolean }[] | null;
  /** a pairing is under way (its window is open): no second one */
  pairing: boolean;
}

/** The tray's words when a paired remote shows another certificate: refused, never accepted. */
export const IDENTITY_CHANGED = "The office Lubdub's identity changed — pair again";

/** Windows caps a tray tooltip at 127 characters (NOTIFYICONDATA.szTip is 128 wide chars). */
export const TOOLTIP_MAX = 127;
const NAME_MAX_TOOLTIP = 24;
const NAME_MAX_MENU = 48;
const NAMES_IN_TOOLTIP = 3;
const DEFAULT_MAX_ATTENTION = 10;

/** Cuts `s` to `max` characters with an ellipsis (by code points, so emoji are not split). */
export function ellipsize(s: string, max: number): string {
  const chars = Array.from(s.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : chars.slice(0, max - 1).join('') + '…';
}

/** "14:05", or "Tue 09:00" when not on the same local day as `now`. */
export function timeOfDay(at: number, now: number, timeZone?: string): string {
  const hm = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const day = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
  if (day(at) === day(now)) return hm;
  const wd = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short' }).format(at);
  return `${wd} ${hm}`;
}

const byName = (a: CheckJson, b: CheckJson) => a.name.localeCompare(b.name, 'en') || a.uuid.localeCompare(b.uuid);
const time = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

function displayName(c: CheckJson): string {
  return c.name.trim() || c.slug || c.uuid.slice(0, 8);
}

/** Icon for the service's worst state. */
export function iconFor(summary: Summary | null): TrayIconState {
  if (!summary) return 'disconnected';
  switch (summary.worst) {
    case 'down':
      return 'down';
    case 'grace':
      return 'late';
    case 'up':
      return 'up';
    default:
      return 'idle';
  }
}

function namesList(checks: CheckJson[]): string {
  const shown = checks.slice(0, NAMES_IN_TOOLTIP).map((c) => ellipsize(displayName(c), NAME_MAX_TOOLTIP));
  const more = checks.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` +${more} more` : '');
}

/** The soonest expected ping among checks that are fine now: what the tooltip calls "next". */
function nextDue(checks: CheckJson[], now: number): { check: CheckJson; at: number } | null {
  let best: { check: CheckJson; at: number } | null = null;
  for (const c of checks) {
    if (c.status !== 'up' && c.status !== 'started') continue;
    const at = time(c.next_ping);
    if (!Number.isFinite(at)) continue;
    if (!best || at < best.at || (at === best.at && byName(c, best.check) < 0)) best = { check: c, at };
  }
  return best;
}

function escapeLabel(label: string, platform: string | undefined): string {
  // Windows and Linux menus read "&x" as a keyboard mnemonic; "&&" shows one "&".
  return platform === 'darwin' ? label : label.replace(/&/g, '&&');
}

/**
 * The tray as a pure function of the service's summary and checks at `now`
 * (summary null = no connection to the service). Problems lead: the icon is the worst
 * state, the tooltip names what is down or late before anything else, and the menu lists
 * those checks first (down, then late, soonest to fail first); when all is well it is
 * one calm line. The tooltip never exceeds Windows' 127 characters.
 */
export function trayModel(summary: Summary | null, checks: CheckJson[], now: number, opts: TrayOptions = {}): TrayModel {
  const icon = iconFor(summary);
  const tz = opts.timeZone;
  const maxAttention = opts.maxAttention ?? DEFAULT_MAX_ATTENTION;
  const down = checks.filter((c) => c.status === 'down').sort(byName);
  const late = checks
    .filter((c) => c.status === 'grace')
    .sort((a, b) => {
      const ta = time(a.alert_after);
      const tb = time(b.alert_after);
      if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
      return byName(a, b);
    });
  const snoozed = summary !== null && isSnoozed(summary.muted_until, now);

  // ---- tooltip ----
  const parts: string[] = [];
  if (!summary && opts.identityChanged) {
    parts.push(IDENTITY_CHANGED);
  } else if (!summary) {
    parts.push(`Not connected to Lubdub${opts.serviceLabel ? ` at ${opts.serviceLabel}` : ''}`, 'retrying');
  } else if (checks.length === 0) {
    parts.push('No checks yet');
  } else {
    if (down.length) parts.push(`${down.length} down: ${namesList(down)}`);
    if (late.length) parts.push(`${late.length} late: ${namesList(late)}`);
    if (!down.length && !late.length) {
      const running = summary.counts.up + summary.counts.started;
      const paused = summary.counts.paused;
      const fresh = summary.counts.new;
      const rest = [paused ? `${paused} paused` : '', fresh ? `${fresh} new` : ''].filter(Boolean).join(', ');
      if (running > 0) parts.push(`All ${running} up${rest ? ` (${rest})` : ''}`);
      else parts.push(rest || 'No active checks');
    }
    const next = nextDue(checks, now);
    if (next) parts.push(`next: ${ellipsize(displayName(next.check), NAME_MAX_TOOLTIP)} ${relativeTime(next.at, now)}`);
    if (snoozed) parts.push(`snoozed until ${timeOfDay(Date.parse(summary.muted_until!), now, tz)}`);
  }
  const tooltip = ellipsize(parts.join(' · '), TOOLTIP_MAX);

  // ---- menu ----
  const items: TrayMenuItem[] = [];
  const attention = [...down, ...late];
  if (!summary && opts.identityChanged) {
    items.push({ kind: 'info', label: IDENTITY_CHANGED });
  } else if (!summary) {
    items.push({ kind: 'info', label: `Cannot reach Lubdub${opts.serviceLabel ? ` at ${opts.serviceLabel}` : ''}` });
    items.push({ kind: 'action', action: 'reconnect', label: 'Reconnect now' });
  } else if (attention.length === 0) {
    items.push({ kind: 'info', label: checks.length === 0 ? 'No checks yet' : tooltip.split(' · ')[0] });
  } else {
    for (const c of attention.slice(0, maxAttention)) {
      const name = ellipsize(displayName(c), NAME_MAX_MENU);
      let label: string;
      if (c.status === 'down') {
        label = `Down: ${name}${c.down_reason ? ` — ${c.down_reason}` : ''}`;
      } else if (c.monitor_offline) {
        label = `Late: ${name} — Lubdub was offline`;
      } else {
        const at = time(c.alert_after);
        label = `Late: ${name}${Number.isFinite(at) ? ` — down ${relativeTime(at, now)}` : ''}`;
      }
      items.push({ kind: 'check', uuid: c.uuid, label });
    }
    if (attention.length > maxAttention) {
      items.push({ kind: 'action', action: 'open', label: `…and ${attention.length - maxAttention} more` });
    }
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', action: 'open', label: 'Open Lubdub' });
  items.push({ kind: 'action', action: 'new-check', label: 'New check…', enabled: summary !== null });
  items.push({ kind: 'separator' });
  const snoozeItems: TrayMenuItem[] = [];
  if (snoozed) snoozeItems.push({ kind: 'info', label: `Snoozed until ${timeOfDay(Date.parse(summary!.muted_until!), now, tz)}` });
  snoozeItems.push(
    ...SNOOZE_CHOICES.map((c): TrayMenuItem => ({ kind: 'snooze', choice: c.choice, label: c.label })),
    { kind: 'separator' },
    { kind: 'snooze', choice: 'off', label: 'Off', enabled: snoozed },
  );
  items.push({ kind: 'submenu', label: snoozed ? 'Notifications snoozed' : 'Snooze notifications', enabled: summary !== null, items: snoozeItems });
  const conn = opts.connection ?? { mode: 'local', remoteLabel: null };
  const connItems: TrayMenuItem[] = [{ kind: 'action', action: 'use-local', label: 'This computer', radio: true, checked: conn.mode === 'local' }];
  if (conn.remoteLabel) {
    connItems.push({ kind: 'action', action: 'use-remote', label: `Remote: ${ellipsize(conn.remoteLabel, NAME_MAX_MENU)}`, radio: true, checked: conn.mode === 'remote' });
  }
  const w = opts.watch ?? { searching: false, found: null, pairing: false };
  const busy = w.searching || w.pairing;
  connItems.push({ kind: 'separator' }, { kind: 'action', action: 'find-lubdubs', label: 'Find on this network…', enabled: !busy });
  if (w.searching) connItems.push({ kind: 'info', label: 'Searching this network…' });
  else if (w.found?.length === 0) connItems.push({ kind: 'info', label: 'No Lubdub found on this network' });
  for (const f of w.searching ? [] : (w.found ?? [])) {
    // Only a Lubdub that shares can be paired with; the others are listed so the user knows why.
    const label = `${ellipsize(f.name, NAME_MAX_MENU)} — ${f.host}${f.shared ? '' : ' (not shared)'}`;
    connItems.push({ kind: 'found', id: f.id, label, enabled: f.shared && !busy });
  }
  connItems.push({ kind: 'action', action: 'enter-address', label: 'Enter an address…', enabled: !busy });
  if (conn.mode === 'remote') connItems.push({ kind: 'action', action: 'stop-watching', label: 'Stop watching (back to this computer)' });
  connItems.push({ kind: 'separator' }, { kind: 'action', action: 'edit-connection', label: 'Edit connection settings…' });
  items.push({ kind: 'submenu', label: 'Watch', items: connItems });
  items.push({ kind: 'action', action: 'toggle-start-at-login', label: 'Start at login', checkbox: true, checked: opts.startAtLogin ?? false });
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', action: 'quit', label: 'Quit Lubdub' });

  return { icon, tooltip, items: items.map((i) => escapeItem(i, opts.platform)) };
}

function escapeItem(i: TrayMenuItem, platform: string | undefined): TrayMenuItem {
  if (i.kind === 'separator') return i;
  if (i.kind === 'submenu') return { ...i, label: escapeLabel(i.label, platform), items: i.items.map((x) => escapeItem(x, platform)) };
  return { ...i, label: escapeLabel(i.label, platform) };
}
