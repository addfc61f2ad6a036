import { cronError, isValidTimezone, MAX_DURATION_S, MIN_DURATION_S } from '../domain/schedule.js';
import { SLUG_RE } from '../domain/ping-url.js';

/** Fields a client may set on a check (healthchecks v3 names plus Lubdub's). */
export interface CheckInput {
  name?: string;
  slug?: string;
  tags?: string;
  desc?: string;
  timeout?: number;
  grace?: number;
  schedule?: string;
  tz?: string;
  manual_resume?: boolean;
  methods?: '' | 'POST';
  channels?: string;
  success_kw?: string;
  failure_kw?: string;
  start_kw?: string;
  filter_subject?: boolean;
  filter_body?: boolean;
  filter_http_body?: boolean;
  filter_default_fail?: boolean;
  subject?: string;
  subject_fail?: string;
  push_token?: string | null;
  unique?: ('name' | 'slug' | 'tags' | 'timeout' | 'grace')[];
  /** Lubdub extension fields, validated by their owners (e.g. reminders, assertions) */
  [key: string]: unknown;
}

type Rule = (v: unknown, name: string) => string | null;

const str = (max: number): Rule => (v, n) => (typeof v !== 'string' ? `${n} is not a string` : v.length > max ? `${n} is too long` : null);
const bool: Rule = (v, n) => (typeof v !== 'boolean' ? `${n} is not a boolean` : null);
const seconds: Rule = (v, n) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${n} is not a number`;
  if (v < MIN_DURATION_S) return `${n} is too small`;
  if (v > MAX_DURATION_S) return `${n} is too large`;
  return null;
};

const RULES: Record<string, Rule> = {
  name: str(100),
  slug: (v, n) => str(100)(v, n) ?? ((v as string) !== '' && !SLUG_RE.test(v as string) ? `${n} does not match pattern ^[a-z0-9-_]+$` : null),
  tags: str(500),
  desc: str(10000),
  timeout: seconds,
  grace: seconds,
  schedule: (v, n) => str(100)(v, n) ?? (cronError(v as string) ? `${n} is not a valid cron expression` : null),
  tz: (v, n) => str(64)(v, n) ?? (!isValidTimezone(v as string) ? `${n} is not a valid timezone` : null),
  manual_resume: bool,
  methods: (v, n) => (v !== '' && v !== 'POST' ? `${n} has unexpected value` : null),
  channels: str(10000),
  success_kw: str(200),
  failure_kw: str(200),
  start_kw: str(200),
  filter_subject: bool,
  filter_body: bool,
  filter_http_body: bool,
  filter_default_fail: bool,
  subject: str(200),
  subject_fail: str(200),
  push_token: (v, n) =>
    v === null ? null : typeof v !== 'string' ? `${n} is not a string` : !/^[A-Za-z0-9_-]{8,64}$/.test(v) ? `${n} must be 8-64 characters [A-Za-z0-9_-]` : null,
  unique: (v, n) =>
    !Array.isArray(v)
      ? `${n} is not an array`
      : v.some((x) => !['name', 'slug', 'tags', 'timeout', 'grace'].includes(x as string))
        ? `${n} has unexpected value`
        : null,
  api_key: str(200),
};

/**
 * Validates a create/update body the way healthchecks does; returns the error text
 * after "json validation error: ", or null. Unknown fields are ignored (healthchecks
 * clients send extra fields); `extraRules` validate Lubdub's own fields.
 */
export function checkInputError(body: unknown, extraRules: Record<string, Rule> = {}): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'json root is not an object';
  for (const [k, v] of Object.entries(body)) {
    const rule = RULES[k] ?? extraRules[k];
    if (rule) {
      const err = rule(v, k);
      if (err) return err;
    }
  }
  return null;
}

/** Lowercase-dash slug of a name, as healthchecks' slugify. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-')
    .slice(0, 100);
}
