/**
 * Never-seen warnings: lines of job output that look like warnings or errors, reduced to a
 * fingerprint that ignores what changes from run to run (numbers, hex, paths, dates, times,
 * sizes), so "disk /mnt/a 81% full" and "disk /mnt/b 83% full" are the same warning and
 * "checksum mismatch" is a new one. Pure.
 */

/** The metric a run's never-seen warnings are counted in. */
export const NEW_WARNINGS_METRIC = 'new_warnings';
/** Lines quoted at most per run, and their length. */
export const MAX_QUOTED = 5;
export const MAX_QUOTE_CHARS = 200;
/** Lines of one output looked at at most (its tail is what the wrapper sends). */
const MAX_LINES = 5000;

// The words the wrapper counts (warn, error), and their louder kin.
const WARNING_RE = /warn|error|fatal|critical|fail/i;
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';

const RULES: [RegExp, string][] = [
  // ANSI colours
  [/\x1b\[[0-9;]*m/g, ''],
  // dates and times: 2024-05-01T10:00:00.123Z, 2024/05/01, Dec  2 10:02:19, 10:02:19.5
  [/\d{4}[-/]\d{2}[-/]\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<date>'],
  [new RegExp(`\\b(?:${MONTHS})[a-z]*\\.?\\s+\\d{1,2}\\b`, 'gi'), '<date>'],
  [/\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\b/g, '<time>'],
  // uuids, 0x…, and long hex words with a digit (hashes, ids)
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<hex>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, '<hex>'],
  // paths: /x/y, ~/x, ./x, C:\x (after a space, quote, bracket, = or at the start)
  [/(^|[\s'"(=<[])(?:[A-Za-z]:\\|~\/|\.{1,2}\/|\/)[^\s'"),;\]>]*/g, '$1<path>'],
  // sizes: 12 KB, 1.5GiB, 300 bytes
  [/\b\d+(?:[.,]\d+)?\s?(?:[kmgtpe]i?b|b|bytes?)\b/gi, '<size>'],
  // any other number
  [/\d+(?:[.,]\d+)?/g, '#'],
];

/** Does this output line look like a warning or an error? */
export function isWarningLine(line: string): boolean {
  return WARNING_RE.test(line);
}

/** The fingerprint of one line: what stays the same when only numbers, hex, paths, dates and sizes change. */
export function fingerprintLine(line: string): string {
  let s = line;
  for (const [re, to] of RULES) s = s.replace(re, to);
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The warning/error lines of an output, newest last (at most the last few thousand lines). */
export function warningLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  return lines.slice(-MAX_LINES).filter((l) => l.trim() !== '' && isWarningLine(l));
}

/** The fingerprints of all warning/error lines of an output. */
export function warningPrints(text: string): Set<string> {
  return new Set(warningLines(text).map(fingerprintLine));
}

/** What was new in one run's output: how many distinct never-seen warnings, and the first lines quoted. */
export interface NewWarnings {
  count: number;
  lines: string[];
}

/**
 * The warning/error lines of `text` whose fingerprint is in none of `known` (the passing
 * runs before), counted once per fingerprint, quoted in the order they appeared.
 */
export function newWarnings(text: string, known: readonly ReadonlySet<string>[]): NewWarnings {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const line of warningLines(text)) {
    const fp = fingerprintLine(line);
    if (seen.has(fp) || known.some((k) => k.has(fp))) continue;
    seen.add(fp);
    if (lines.length < MAX_QUOTED) {
      const t = line.trim();
      lines.push(t.length > MAX_QUOTE_CHARS ? t.slice(0, MAX_QUOTE_CHARS - 1) + '…' : t);
    }
  }
  return { count: seen.size, lines };
}

/** The quote of a run's new warnings in a reason: the first line, and how many more. */
export function quoteNewWarnings(w: NewWarnings): string {
  if (w.count === 0) return '';
  return `"${w.lines[0]}"${w.count > 1 ? ` (+${w.count - 1} more)` : ''}`;
}
