/**
 * Property tests of the parsers that take input straight from the network or from users:
 * the ping URL parser (path, ?rid=, ?ts=, ?metric=), the assertion parser and the
 * extraction-rule validator. Fed random and adversarial input (regex metacharacters,
 * catastrophic patterns, path tricks, huge and odd strings, any JSON value), each must
 * answer through its API (a result or an error value, never an exception) and within a
 * bound: none of them may run anything user-supplied without one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertionsError, parseAssertion } from '../../shared/domain/assertions.js';
import { captureGroupCount, compileRules, extractRulesError, userRules } from '../../shared/domain/extract.js';
import { parseMetricParams } from '../../shared/domain/metrics.js';
import { parsePingPath, parseRid, parseTs } from '../../shared/domain/ping-url.js';

/** Far above what any of these takes on 10,000 characters, far below a backtracking regex's minutes. */
const BOUND_MS = 500;
const NOW = Date.parse('2026-01-01T00:00:00Z');

/** Runs `fn`, failing when it throws or takes longer than the bound. */
function answers<T>(fn: () => T): T {
  const t = performance.now();
  const out = fn();
  expect(performance.now() - t).toBeLessThan(BOUND_MS);
  return out;
}

/** Strings made of pieces an attacker would pick: metacharacters, escapes, lookarounds, big quantifiers. */
const REGEX_PIECES = [
  '(', ')', '(?:', '(?=', '(?!', '(?<=', '(?<!', '(?<n>', '[', ']', '[^', '\\', '\\1', '\\d', '\\w', '\\s', '\\b', '\\k<n>', '\\u{1F600}',
  '|', '*', '+', '?', '*?', '+?', '{', '}', '{2,}', '{26}', '{1000}', '^', '$', '.', '-', 'a', 'x', '0', ' ', '\n', '%', '%ff', '\u0000', '\u2028',
];
const regexish = fc.array(fc.constantFrom(...REGEX_PIECES), { maxLength: 60 }).map((a) => a.join(''));
const CATASTROPHIC = ['(a+)+$', '(?:\\1|()){26}x', '(.*a){25}', '((a|a)*)*b', '(x+x+)+y', '(\\w+\\s?)+$', '^(([a-z])+.)+[A-Z]([a-z])+$', '(a|aa)+$'];
const anyText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  regexish,
  fc.constantFrom(...CATASTROPHIC),
  fc.nat({ max: 20_000 }).map((n) => 'a'.repeat(n) + '!'),
  fc.nat({ max: 20_000 }).map((n) => ' '.repeat(n) + 'x'),
);

describe('the ping URL parser', () => {
  const SEGMENTS = ['ping', 'api', 'push', '..', '.', '%2e%2e', '%2F', '', 'start', 'fail', 'log', '0', '255', '256', '999999999', '-1',
    '12345678-1234-4234-8234-123456789abc', '12345678-1234-4234-8234-123456789ABC', 'key_-', 'my-slug', 'UPPER', 'a'.repeat(600), '\u0000', '%00', 'é'];
  const path = fc.oneof(
    fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({ maxLength: 20 })), { maxLength: 8 }).map((a) => '/' + a.join('/')),
    fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 6 }).map((a) => a.join('/')),
    anyText,
  );

  it('answers every path with a target or a 400/404, in bounded time', () => {
    fc.assert(
      fc.property(path, (p) => {
        const r = answers(() => parsePingPath(p));
        if ('target' in r) {
          expect(['uuid', 'slug', 'push']).toContain(r.target.by);
          expect(r.exitStatus === null || (r.exitStatus >= 0 && r.exitStatus <= 255)).toBe(true);
        } else {
          expect([400, 404]).toContain(r.status);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('answers every ?rid= and ?ts= with a value, null or an error', () => {
    const ts = fc.oneof(anyText, fc.double().map(String), fc.integer().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
    fc.assert(
      fc.property(anyText, ts, (rid, t) => {
        const r = answers(() => parseRid(rid));
        expect(r === null || typeof r === 'string' || r.error === 'invalid uuid format').toBe(true);
        if (typeof r === 'string') expect(r).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const v = answers(() => parseTs(t, NOW));
        expect(v === null || (typeof v === 'number' && Number.isFinite(v)) || typeof (v as { error: string }).error === 'string').toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers every ?metric= list with metrics or an error, kept on a prototype-free object', () => {
    const metric = fc.oneof(anyText, fc.tuple(fc.constantFrom('constructor', '__proto__', 'toString', 'rows', 'x'), fc.constantFrom(':', '='), anyText).map((a) => a.join('')));
    fc.assert(
      fc.property(fc.oneof(metric, fc.array(metric, { maxLength: 40 })), (m) => {
        const r = answers(() => parseMetricParams(m));
        if (r && 'metrics' in r) {
          expect(Object.getPrototypeOf(r.metrics)).toBeNull();
          for (const v of Object.values(r.metrics)) expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the assertion parser', () => {
  const PIECES = ['bytes', 'duration', 'rows', 'constructor', '__proto__', ' ', '<', '>', '<=', '>=', '==', '!=', '%', 'of', 'median', 'mean', 'max', 'min',
    'avg', '(', ')', '10', '0', '1e308', '-5', '3x', '×', 'not', 'rising', 'falling', '1.5', 'MiB', '30m', '\n', '\u0000'];
  const expr = fc.oneof(anyText, fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((a) => a.join('')));

  it('answers every expression with an assertion or an error', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const r = answers(() => parseAssertion(e));
        if ('error' in r) expect(typeof r.error).toBe('string');
        else expect(['absolute', 'relative', 'trend']).toContain(r.kind);
      }),
      { numRuns: 1500 },
    );
  });

  it('answers any JSON value as the assertions field with null or an error text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.oneof(expr, fc.record({ expr, message: anyText, missing: fc.constantFrom('pass', 'fail', 'x') }, { requiredKeys: [] })))), (v) => {
        const r = answers(() => assertionsError(v));
        expect(r === null || typeof r === 'string').toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the extraction-rule validator', () => {
  const rule = fc.record(
    {
      name: fc.oneof(fc.constantFrom('rows', 'x', 'constructor', '__proto__', 'Bad', ''), anyText),
      regex: anyText,
      flags: fc.oneof(fc.constantFrom('', 'i', 's', 'u', 'isu', 'g', 'ii', 'v'), fc.string({ maxLength: 5 })),
      mode: fc.constantFrom('first', 'last', 'sum', 'count', 'avg', undefined),
      preset: fc.constantFrom('restic', 'borg', 'nope'),
    },
    { requiredKeys: ['regex'] },
  );

  it('answers any extract field with null or an error text, never running a pattern (catastrophic ones included)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(rule, { maxLength: 25 }), fc.jsonValue()), (v) => {
        const r = answers(() => extractRulesError(v));
        expect(r === null || typeof r === 'string').toBe(true);
        const compiled = answers(() => compileRules(v));
        const users = answers(() => userRules(v));
        if (r === null && Array.isArray(v)) {
          expect(users.length).toBeLessThanOrEqual(v.length);
          for (const c of compiled) expect(c.flags.startsWith('m')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('counts capture groups of any source in linear time, never more than its parentheses', () => {
    fc.assert(
      fc.property(anyText, (src) => {
        const n = answers(() => captureGroupCount(src));
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual((src.match(/\(/g) ?? []).length);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes every catastrophic pattern as a rule without running it', () => {
    for (const regex of CATASTROPHIC) expect(answers(() => extractRulesError([{ name: 'x', regex, mode: 'count' }]))).toBeNull();
  });
});
