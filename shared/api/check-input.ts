import { cronError, isValidTimezone, MAX_DURATION_S, MIN_DURATION_S } from '../domain/schedule.js';
import { SLUG_RE } from '../domain/ping-url.js';
import { Type, type Static } from 'typebox';
import { schemaError } from './schema-error.js';

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const seconds = Type.Optional(Type.Number({ minimum: MIN_DURATION_S, maximum: MAX_DURATION_S }));
const flag = Type.Optional(Type.Boolean());

/**
 * Fields a client may set on a check (healthchecks v3 names plus Lubdub's): their types,
 * lengths and ranges. Unknown fields are allowed (healthchecks clients send extra ones);
 * Lubdub's extension fields are validated by their owners (`extraRules`).
 */
export const CheckInputSchema = Type.Object({
  name: text(100),
  slug: text(100),
  tags: text(500),
  desc: text(10000),
  timeout: seconds,
  grace: seconds,
  schedule: text(100),
  tz: text(64),
  manual_resume: flag,
  methods: Type.Optional(Type.Enum(['', 'POST'])),
  channels: text(10000),
  success_kw: text(200),
  failure_kw: text(200),
  start_kw: text(200),
  filter_subject: flag,
  filter_body: flag,
  filter_http_body: flag,
  filter_default_fail: flag,
  subject: text(200),
  subject_fail: text(200),
  push_token: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  unique: Type.Optional(Type.Array(Type.Enum(['name', 'slug', 'tags', 'timeout', 'grace']))),
  api_key: text(200),
});

/** Fields a client may set on a check; Lubdub extension fields (reminders, assertions, …) ride along. */
export type CheckInput = Static<typeof CheckInputSchema> & { [key: string]: unknown };

type Rule = (v: unknown, name: string) => string | null;

/** What the schema cannot say: values that must parse (cron, timezone) or carry their own words. */
const RULES: Record<string, Rule> = {
  slug: (v, n) => (v !== '' && !SLUG_RE.test(v as string) ? `${n} does not match pattern ^[a-z0-9-_]+$` : null),
  schedule: (v, n) => (cronError(v as string) ? `${n} is not a valid cron expression` : null),
  tz: (v, n) => (!isValidTimezone(v as string) ? `${n} is not a valid timezone` : null),
  push_token: (v, n) => (v !== null && !/^[A-Za-z0-9_-]{8,64}$/.test(v as string) ? `${n} must be 8-64 characters [A-Za-z0-9_-]` : null),
};

/**
 * Validates a create/update body the way healthchecks does; returns the error text
 * after "json validation error: ", or null. `CheckInputSchema` decides types, lengths
 * and ranges; then the rules above and `extraRules` (Lubdub's own fields) run.
 */
export function checkInputError(body: unknown, extraRules: Record<string, Rule> = {}): string | null {
  const shape = schemaError(CheckInputSchema, body);
  if (shape) return shape;
  for (const [k, v] of Object.entries(body as object)) {
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
