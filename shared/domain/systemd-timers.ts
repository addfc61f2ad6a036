/**
 * systemd timers for discovery: `systemctl list-timers --all` and the units' `OnCalendar=`,
 * turned into cron schedules where they map (5 fields, whole minutes) and saying why where
 * they do not. Pure.
 */
import { cronError, isValidTimezone } from './schedule.js';

/** A calendar spec as cron, or why it has none. */
export type CalendarCron = { cron: string; tz: string | null } | { error: string };

const SHORTHANDS: Record<string, string> = {
  minutely: '* * * * *',
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  weekly: '0 0 * * 1', // systemd's weeks start on Monday
  monthly: '0 0 1 * *',
  yearly: '0 0 1 1 *',
  annually: '0 0 1 1 *',
  quarterly: '0 0 1 1,4,7,10 *',
  semiannually: '0 0 1 1,7 *',
};
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One component (`*`, `5`, `1,15`, `1..5`, `0/15`, `*\/2`) as a cron field; null when it has no cron form. */
function field(v: string): string | null {
  if (v === '*') return '*';
  const parts = v.split(',').map((p) => {
    const m = /^(\*|\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(p);
    if (!m) return null;
    const [, a, b, step] = m;
    const start = a === '*' ? '*' : String(Number(a));
    if (step && a === '*') return `*/${Number(step)}`;
    const range = b !== undefined ? `${start}-${Number(b)}` : start;
    // "0/15" starts at 0 and repeats: cron writes it as 0-59/15 (the caller knows the top)
    return step ? `${range}${b === undefined ? '-TOP' : ''}/${Number(step)}` : range;
  });
  if (parts.some((p) => p === null)) return null;
  return parts.join(',');
}

function dowField(v: string): string | null {
  const out: string[] = [];
  for (const p of v.toLowerCase().split(',')) {
    const [a, b] = p.split('..');
    const ia = DAYS.indexOf(a.slice(0, 3));
    if (ia < 0) return null;
    if (b === undefined) out.push(String(ia));
    else {
      const ib = DAYS.indexOf(b.slice(0, 3));
      if (ib < 0) return null;
      out.push(ib >= ia ? `${ia}-${ib}` : `${ia}-6,0-${ib}`);
    }
  }
  return out.join(',');
}

/**
 * An `OnCalendar=` value as a 5-field cron expression and its zone (null: the system's):
 * the shorthands, and `[weekdays] [*-]MM-DD HH:MM[:00] [zone]` with `*`, lists, `..` ranges
 * and `/` repetitions. Seconds other than 0, fixed years and `~` (days from the month's end)
 * have no cron form.
 */
export function onCalendarToCron(spec: string): CalendarCron {
  const words = spec.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { error: 'empty calendar spec' };
  let tz: string | null = null;
  const last = words[words.length - 1];
  if (words.length > 1 && (last === 'UTC' || last.includes('/')) && isValidTimezone(last)) {
    tz = last;
    words.pop();
  }
  if (words.length === 1 && SHORTHANDS[words[0].toLowerCase()]) return { cron: SHORTHANDS[words[0].toLowerCase()], tz };
  let dow = '*';
  if (words.length && /^[a-z]/i.test(words[0])) {
    const d = dowField(words.shift()!);
    if (d === null) return { error: `cannot read the weekdays of "${spec}"` };
    dow = d;
  }
  let date = '*-*-*';
  let time = '00:00:00';
  for (const w of words) {
    if (w.includes('~')) return { error: `"${spec}" counts days from the end of the month, which cron cannot` };
    if (w.includes('-')) date = w;
    else if (w.includes(':')) time = w;
    else return { error: `cannot read "${w}" in "${spec}"` };
  }
  const d = date.split('-');
  if (d.length === 2) d.unshift('*');
  if (d.length !== 3) return { error: `cannot read the date of "${spec}"` };
  if (d[0] !== '*') return { error: `"${spec}" names a year, which cron cannot` };
  const t = time.split(':');
  if (t.length === 2) t.push('00');
  if (t.length !== 3) return { error: `cannot read the time of "${spec}"` };
  if (!/^0+$/.test(t[2])) return { error: `"${spec}" runs at second ${t[2]}: cron has whole minutes only` };
  const month = field(d[1]);
  const day = field(d[2]);
  const hour = field(t[0]);
  const minute = field(t[1]);
  if ([month, day, hour, minute].some((x) => x === null)) return { error: `cannot read "${spec}"` };
  const tops: [string, number][] = [
    [minute!, 59],
    [hour!, 23],
    [day!, 31],
    [month!, 12],
  ];
  const cron = [...tops.map(([f, top]) => f.replace('TOP', String(top))), dow].join(' ');
  const err = cronError(cron);
  return err ? { error: `"${spec}" gives ${cron}: ${err}` } : { cron, tz };
}

/** A timer as `systemctl list-timers --all` lists it. */
export interface ListedTimer {
  unit: string;
  activates: string;
}

/** The timer and service names of `systemctl list-timers --all` (the last two columns of each row). */
export function parseListTimers(text: string): ListedTimer[] {
  const out: ListedTimer[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /\s(\S+\.timer)\s+(\S+\.\S+)\s*$/.exec(' ' + line);
    if (m) out.push({ unit: m[1], activates: m[2] });
  }
  return out;
}

/** The values of a key (e.g. `OnCalendar`, `ExecStart`) in a unit as `systemctl cat` prints it; an empty value resets the list. */
export function unitValues(text: string, key: string): string[] {
  let out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (!m || m[1] !== key) continue;
    out = m[2] === '' ? [] : [...out, m[2]];
  }
  return out;
}
