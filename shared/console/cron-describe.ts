/**
 * Plain-English descriptions of 5-field cron expressions, and warnings for schedules
 * that are valid but probably not what was meant (e.g. `* 9 * * *`). Pure and small:
 * the common shapes get a sentence, anything else a field-by-field fallback.
 */

const DOW_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DOW_ALIASES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MONTH_ALIASES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

interface FieldSpec {
  min: number;
  max: number;
  aliases?: Record<string, number>;
}
const SPECS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, aliases: MONTH_ALIASES },
  { min: 0, max: 7, aliases: DOW_ALIASES },
];

/** One parsed field: every value, a step over the whole range, or an explicit set. */
interface Field {
  text: string;
  any: boolean;
  /** n of a whole-range step, else null */
  step: number | null;
  values: number[];
}

function num(s: string, spec: FieldSpec): number {
  const a = spec.aliases?.[s.toLowerCase()];
  if (a !== undefined) return a;
  if (!/^\d+$/.test(s)) throw new Error(`bad value ${s}`);
  const n = Number(s);
  if (n < spec.min || n > spec.max) throw new Error(`out of range ${s}`);
  return n;
}

function parseField(text: string, spec: FieldSpec, isDow: boolean): Field {
  if (text === '*' || text === '?') return { text, any: true, step: null, values: range(spec.min, isDow ? 6 : spec.max) };
  const stepAll = /^\*\/(\d+)$/.exec(text);
  const set = new Set<number>();
  for (const part of text.split(',')) {
    const [base, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step ${part}`);
    let lo: number;
    let hi: number;
    if (base === '*') [lo, hi] = [spec.min, spec.max];
    else if (base.includes('-')) {
      const [a, b] = base.split('-');
      [lo, hi] = [num(a, spec), num(b, spec)];
    } else {
      lo = num(base, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    if (hi < lo) throw new Error(`bad range ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(isDow && v === 7 ? 0 : v);
  }
  const values = [...set].sort((a, b) => a - b);
  const full = values.length === (isDow ? 7 : spec.max - spec.min + 1);
  return { text, any: full && !stepAll, step: stepAll ? Number(stepAll[1]) : null, values };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

function parse(expr: string): Field[] | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  try {
    return parts.map((p, i) => parseField(p, SPECS[i], i === 4));
  } catch {
    return null;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (h: number, m: number) => `${pad(h)}:${pad(m)}`;

/** "a", "a and b", "a, b and c" */
function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Contiguous run a..b of at least 3 values, or null. */
function asRange(values: number[]): [number, number] | null {
  if (values.length < 3) return null;
  for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1] + 1) return null;
  return [values[0], values[values.length - 1]];
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

function timePart(min: Field, hour: Field): string {
  if (min.any && hour.any) return 'Every minute';
  if (min.step !== null && hour.any) return min.step === 1 ? 'Every minute' : `Every ${min.step} minutes`;
  if (hour.any) {
    if (min.values.length === 1) return min.values[0] === 0 ? 'Every hour, on the hour' : `Every hour at :${pad(min.values[0])}`;
    return `Every hour at ${list(min.values.map((m) => ':' + pad(m)))}`;
  }
  const hr = asRange(hour.values);
  if (min.any || min.step !== null) {
    const every = min.any || min.step === 1 ? 'Every minute' : `Every ${min.step} minutes`;
    if (hour.values.length === 1) return `${every} from ${hhmm(hour.values[0], 0)} to ${hhmm(hour.values[0], 59)}`;
    if (hr) return `${every} from ${hhmm(hr[0], 0)} to ${hhmm(hr[1], 59)}`;
    return `${every} during hours ${list(hour.values.map(pad))}`;
  }
  if (hour.step !== null && min.values.length === 1) {
    return min.values[0] === 0 ? `Every ${hour.step} hours, on the hour` : `Every ${hour.step} hours at :${pad(min.values[0])}`;
  }
  if (hr && min.values.length === 1 && hour.values.length > 3) {
    return `Every hour from ${hhmm(hr[0], min.values[0])} to ${hhmm(hr[1], min.values[0])}`;
  }
  const times: string[] = [];
  for (const h of hour.values) for (const m of min.values) times.push(hhmm(h, m));
  if (times.length <= 6) return `At ${list(times)}`;
  return `At minutes ${list(min.values.map(pad))} past hours ${list(hour.values.map(pad))}`;
}

function dowText(dow: Field): string {
  const v = dow.values.join(',');
  if (v === '1,2,3,4,5') return 'on weekdays (Monday to Friday)';
  if (v === '0,6') return 'on weekends';
  if (dow.values.length === 1) return `every ${DOW_NAMES[dow.values[0]]}`;
  const r = asRange(dow.values);
  if (r) return `${DOW_NAMES[r[0]]} to ${DOW_NAMES[r[1]]}`;
  return `on ${list(dow.values.map((d) => DOW_NAMES[d]))}`;
}

function monthText(month: Field): string {
  const r = asRange(month.values);
  if (r) return `${MONTH_NAMES[r[0] - 1]} to ${MONTH_NAMES[r[1] - 1]}`;
  return list(month.values.map((m) => MONTH_NAMES[m - 1]));
}

function dayPart(dom: Field, month: Field, dow: Field): string {
  const domText = dom.values.length === 1 ? `the ${ordinal(dom.values[0])}` : `the ${list(dom.values.map(ordinal))}`;
  let days: string;
  if (dom.any && dow.any) days = month.any ? 'every day' : `every day in ${monthText(month)}`;
  else if (dom.any) days = month.any ? dowText(dow) : `${dowText(dow)} in ${monthText(month)}`;
  else if (dow.any) {
    if (dom.step !== null) days = `every ${dom.step} days of the month`;
    else if (month.any) days = `on ${domText} of every month`;
    else days = `on ${domText} of ${monthText(month)}`;
  } else {
    // cron's OR rule: both fields restricted means either may match.
    days = `on ${domText} of ${month.any ? 'every month' : monthText(month)} and ${dowText(dow)}`;
  }
  return days;
}

/**
 * A sentence for a cron expression: "At 03:00 every day", "Every 15 minutes on weekdays
 * (Monday to Friday)". Returns null when the expression cannot be read.
 */
export function describeCron(expr: string): string | null {
  const f = parse(expr);
  if (!f) return null;
  const [min, hour, dom, month, dow] = f;
  const time = timePart(min, hour);
  const days = dayPart(dom, month, dow);
  // "Every 15 minutes" already says every day; "At 03:00" does not.
  if (days === 'every day' && !time.startsWith('At ')) return time;
  return `${time} ${days}`;
}

/**
 * Warnings for valid schedules that are probably mistakes, each a full sentence.
 * `* 9 * * *` runs 60 times between 09:00 and 09:59, not once at 9 am.
 */
export function cronWarnings(expr: string): string[] {
  const f = parse(expr);
  if (!f) return [];
  const [min, hour, dom, , dow] = f;
  const out: string[] = [];
  if ((min.any || min.step === 1) && !hour.any) {
    const h = hour.values[0];
    out.push(
      `This runs every minute while the hour is ${list(hour.values.map(pad))} (${60 * hour.values.length} runs a day). ` +
        `For once a day at ${hhmm(h, 0)}, write "0 ${hour.text} ${f.slice(2).map((x) => x.text).join(' ')}".`,
    );
  }
  if (!dom.any && !dow.any) {
    out.push('Both day of month and weekday are set: cron runs when EITHER matches, not only when both do.');
  }
  if (min.step !== null && 60 % min.step !== 0) {
    out.push(`"*/${min.step}" restarts every hour, so the gap before :00 is shorter than ${min.step} minutes.`);
  }
  if (!dom.any && dom.values.every((d) => d > 28)) {
    out.push(`Day ${list(dom.values.map(String))} does not exist in every month: those months are skipped.`);
  }
  return out;
}
