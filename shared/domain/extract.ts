/**
 * Extraction rules: a regular expression applied to a ping body that yields a named
 * metric, and presets for tools whose summaries users already have in their logs.
 * Pure: validation, preset expansion and turning matches into numbers. The regexes
 * themselves run in the service's extraction worker, under a time limit.
 */
import { METRIC_NAME_RE, newMetrics, parseQuantity, type Metrics } from './metrics.js';

/**
 * How a rule turns matches into a number:
 * first/last — the first/last match's capture group 1 ("1.234 MiB" → bytes);
 * sum — the sum of capture group 1 over all matches; count — the number of lines that match.
 */
export type ExtractMode = 'first' | 'last' | 'sum' | 'count';

/** A user rule: `{ "name": "rows", "regex": "^loaded (\\d+) rows", "mode": "last" }`. */
export interface ExtractRule {
  name: string;
  regex: string;
  /** extra flags among i, s, u; the m flag is always on, so ^ and $ match at line ends */
  flags?: string;
  mode?: ExtractMode;
}

/** A reference to a built-in preset: `{ "preset": "restic" }`. */
export interface ExtractPresetRef {
  preset: string;
}

/** One entry of a check's `extract` list. */
export type ExtractEntry = ExtractRule | ExtractPresetRef;

/** A rule ready for the worker: flags complete, mode set. */
export interface CompiledRule {
  name: string;
  source: string;
  flags: string;
  mode: ExtractMode;
}

/** What the worker found for one rule. */
export type MatchOut = { captures: string[] } | { count: number } | { error: string };

/** A built-in set of rules for a common tool. */
export interface ExtractPreset {
  id: string;
  label: string;
  description: string;
  rules: ExtractRule[];
}

/** At most this many entries in a check's `extract` list, and characters per regex. */
export const MAX_EXTRACT_RULES = 20;
export const MAX_REGEX_LENGTH = 500;
const MODES: ExtractMode[] = ['first', 'last', 'sum', 'count'];
const SIZE = String.raw`[0-9.,]+\s*[kKMGTP]?i?B`;

/** The presets (ids are stable: the console and check JSON refer to them). */
export const EXTRACT_PRESETS: ExtractPreset[] = [
  {
    id: 'restic',
    label: 'restic backup',
    description: '`restic backup` summary: written_bytes from "Added to the repository: …", files_new and files_changed from "Files: N new, M changed" (text or --json).',
    rules: [
      { name: 'written_bytes', regex: String.raw`^Added to the repository:\s+(${SIZE})`, mode: 'last' },
      { name: 'written_bytes', regex: String.raw`"data_added":\s*(\d+)`, mode: 'last' },
      { name: 'files_new', regex: String.raw`^Files:\s+(\d+) new`, mode: 'last' },
      { name: 'files_new', regex: String.raw`"files_new":\s*(\d+)`, mode: 'last' },
      { name: 'files_changed', regex: String.raw`^Files:\s+\d+ new,\s+(\d+) changed`, mode: 'last' },
      { name: 'files_changed', regex: String.raw`"files_changed":\s*(\d+)`, mode: 'last' },
    ],
  },
  {
    id: 'borg',
    label: 'BorgBackup',
    description: '`borg create --stats`: written_bytes from the "Deduplicated size" column of "This archive:", files from "Number of files:" (text or --json).',
    rules: [
      { name: 'written_bytes', regex: String.raw`^This archive:\s+${SIZE}\s+${SIZE}\s+(${SIZE})`, mode: 'last' },
      { name: 'written_bytes', regex: String.raw`"deduplicated_size":\s*(\d+)`, mode: 'first' },
      { name: 'files', regex: String.raw`^Number of files:\s+([\d,]+)`, mode: 'last' },
      { name: 'files', regex: String.raw`"nfiles":\s*(\d+)`, mode: 'first' },
    ],
  },
  {
    id: 'rsync',
    label: 'rsync --stats',
    description: '`rsync --stats`: files from "Number of regular files transferred:", written_bytes from "Total transferred file size:".',
    rules: [
      { name: 'files', regex: String.raw`^Number of (?:regular )?files transferred:\s+([\d,]+)`, mode: 'last' },
      { name: 'written_bytes', regex: String.raw`^Total transferred file size:\s+([\d.,]+[KMGT]?)`, mode: 'last' },
    ],
  },
  {
    id: 'warnings',
    label: 'Warning lines',
    description: 'warnings: the number of output lines containing "warn" (any case).',
    rules: [{ name: 'warnings', regex: 'warn', flags: 'i', mode: 'count' }],
  },
  {
    id: 'errors',
    label: 'Error lines',
    description: 'errors: the number of output lines containing "error" (any case).',
    rules: [{ name: 'errors', regex: 'error', flags: 'i', mode: 'count' }],
  },
];

const PRESET_BY_ID = new Map(EXTRACT_PRESETS.map((p) => [p.id, p]));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Capture groups of a source that `new RegExp` has accepted, counted from its syntax.
 * Why not by running it: any match attempt of a user regex (even on "") can backtrack for
 * minutes, and validation runs on the service's main thread. Escapes and character
 * classes hold no groups; `(?` opens none except a named group `(?<name>`.
 */
export function captureGroupCount(source: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') {
      if (source[i + 1] !== '?') n++;
      else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') n++;
    }
  }
  return n;
}

/** Why one rule is invalid, or null. */
function ruleError(r: Record<string, unknown>): string | null {
  for (const k of Object.keys(r)) if (!['name', 'regex', 'flags', 'mode'].includes(k)) return `unexpected key "${k}"`;
  if (typeof r.name !== 'string' || !METRIC_NAME_RE.test(r.name)) return 'name must match ^[a-z_][a-z0-9_]*$ (at most 64 characters)';
  if (typeof r.regex !== 'string' || r.regex === '') return 'regex is not a non-empty string';
  if (r.regex.length > MAX_REGEX_LENGTH) return `regex is longer than ${MAX_REGEX_LENGTH} characters`;
  if (r.flags !== undefined) {
    const f = r.flags;
    if (typeof f !== 'string' || f.length > 3 || !/^[isu]*$/.test(f) || new Set(f).size !== f.length) return 'flags may only contain i, s, u';
  }
  if (r.mode !== undefined && !MODES.includes(r.mode as ExtractMode)) return `mode must be one of ${MODES.join(', ')}`;
  const flags = 'm' + ((r.flags as string | undefined) ?? '');
  try {
    // Parses only: V8 compiles and runs a pattern on its first match, never here.
    new RegExp(r.regex, flags);
  } catch (e) {
    return `regex is invalid: ${(e as Error).message}`;
  }
  if ((r.mode ?? 'first') !== 'count' && captureGroupCount(r.regex) < 1) return 'regex needs a capture group ( ) around the number';
  return null;
}

/**
 * Validates a check's `extract` field: an array of `{ preset }` or rule objects.
 * Returns the error text (after "json validation error: ") or null.
 */
export function extractRulesError(v: unknown, field = 'extract'): string | null {
  if (!Array.isArray(v)) return `${field} is not an array`;
  if (v.length > MAX_EXTRACT_RULES) return `${field} has more than ${MAX_EXTRACT_RULES} entries`;
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    const at = `${field}[${i}]`;
    if (!isObject(e)) return `${at} is not an object`;
    if ('preset' in e) {
      if (Object.keys(e).length !== 1) return `${at}: a preset entry has only the "preset" key`;
      if (typeof e.preset !== 'string' || !PRESET_BY_ID.has(e.preset)) {
        return `${at}: unknown preset (one of ${EXTRACT_PRESETS.map((p) => p.id).join(', ')})`;
      }
      continue;
    }
    const err = ruleError(e);
    if (err) return `${at}: ${err}`;
  }
  return null;
}

/**
 * A text every user rule is tried on, in the worker and under its time bound, before it is
 * saved: "" and runs of one character class ending in a mismatch, the inputs on which
 * nested quantifiers backtrack exponentially. A rule that overruns here would stall every
 * ping's extraction; one that passes may still overrun on some body (the per-ping bound).
 */
export const RULE_PROBE_TEXT = ['', 'a'.repeat(30) + '!', '0'.repeat(30) + '!', ' '.repeat(30) + '!', 'a0 '.repeat(10) + '!', ''].join('\n');

/** The user-written rules of an `extract` list (presets are trusted), worker-ready, with their index. */
export function userRules(entries: unknown): { at: number; rule: CompiledRule }[] {
  if (!Array.isArray(entries)) return [];
  const out: { at: number; rule: CompiledRule }[] = [];
  entries.forEach((e, at) => {
    if (!isObject(e) || 'preset' in e || ruleError(e) !== null) return;
    const r = e as unknown as ExtractRule;
    out.push({ at, rule: { name: r.name, source: r.regex, flags: 'm' + (r.flags ?? ''), mode: r.mode ?? 'first' } });
  });
  return out;
}

/** A valid `extract` list as worker-ready rules, presets expanded in place. Invalid entries are skipped. */
export function compileRules(entries: unknown): CompiledRule[] {
  if (!Array.isArray(entries)) return [];
  const out: CompiledRule[] = [];
  const add = (r: ExtractRule) => out.push({ name: r.name, source: r.regex, flags: 'm' + (r.flags ?? ''), mode: r.mode ?? 'first' });
  for (const e of entries) {
    if (!isObject(e)) continue;
    if ('preset' in e) {
      PRESET_BY_ID.get(String(e.preset))?.rules.forEach(add);
    } else if (ruleError(e) === null) {
      add(e as unknown as ExtractRule);
    }
  }
  return out;
}

/**
 * Turns the worker's matches into metrics. A rule that found nothing (or a capture that
 * is not a number) yields no value; of several rules with one name, the last that found a
 * value wins (presets list text and --json forms under one name).
 */
export function metricsFromMatches(rules: CompiledRule[], outs: MatchOut[]): { metrics: Metrics; errors: string[] } {
  const metrics = newMetrics();
  const errors: string[] = [];
  rules.forEach((r, i) => {
    const o = outs[i];
    if (!o) return;
    if ('error' in o) {
      errors.push(`${r.name}: ${o.error}`);
      return;
    }
    let v: number | null = null;
    if ('count' in o) v = o.count;
    else if (r.mode === 'sum') {
      const nums = o.captures.map(parseQuantity).filter((x): x is number => x !== null);
      v = nums.length ? nums.reduce((a, b) => a + b, 0) : null;
    } else if (o.captures.length) v = parseQuantity(o.captures[o.captures.length - 1]);
    if (v !== null) metrics[r.name] = r.name.endsWith('bytes') ? Math.round(v) : v;
  });
  return { metrics, errors };
}
