import { describe, expect, it } from 'vitest';
import { captureGroupCount, compileRules, EXTRACT_PRESETS, extractRulesError, metricsFromMatches } from '../../shared/domain/extract.js';

describe('extractRulesError (the check field)', () => {
  it('accepts presets and rules with a capture group', () => {
    expect(
      extractRulesError([
        { preset: 'restic' },
        { name: 'rows', regex: '^loaded (\\d+) rows', mode: 'last' },
        { name: 'slow', regex: 'took (\\d+)ms', flags: 'i', mode: 'sum' },
        { name: 'fatal', regex: 'FATAL', mode: 'count' },
      ]),
    ).toBeNull();
    expect(extractRulesError([])).toBeNull();
  });

  it.each<[unknown, string]>([
    [{ preset: 'restic' }, 'extract is not an array'],
    [['restic'], 'extract[0] is not an object'],
    [[{ preset: 'duplicati' }], 'extract[0]: unknown preset (one of restic, borg, rsync, warnings, errors)'],
    [[{ preset: 'restic', name: 'x' }], 'extract[0]: a preset entry has only the "preset" key'],
    [[{ name: 'Rows', regex: '(\\d+)' }], 'extract[0]: name must match ^[a-z_][a-z0-9_]*$ (at most 64 characters)'],
    [[{ name: 'rows', regex: '' }], 'extract[0]: regex is not a non-empty string'],
    [[{ name: 'rows', regex: '(\\d+' }], 'extract[0]: regex is invalid: Invalid regular expression: /(\\d+/m: Unterminated group'],
    [[{ name: 'rows', regex: 'rows' }], 'extract[0]: regex needs a capture group ( ) around the number'],
    [[{ name: 'rows', regex: '(\\d+)', flags: 'g' }], 'extract[0]: flags may only contain i, s, u'],
    [[{ name: 'rows', regex: '(\\d+)', flags: 'ii' }], 'extract[0]: flags may only contain i, s, u'],
    [[{ name: 'rows', regex: '(\\d+)', flags: 'i'.repeat(100_000) }], 'extract[0]: flags may only contain i, s, u'],
    [[{ name: 'rows', regex: '(\\d+)', mode: 'avg' }], 'extract[0]: mode must be one of first, last, sum, count'],
    [[{ name: 'rows', regex: '(\\d+)', regexp: 'x' }], 'extract[0]: unexpected key "regexp"'],
    [[{ name: 'rows', regex: '('.repeat(251) + ')'.repeat(251) }], 'extract[0]: regex is longer than 500 characters'],
    [Array(21).fill({ preset: 'errors' }), 'extract has more than 20 entries'],
  ])('%j → %s', (v, msg) => {
    expect(extractRulesError(v)).toBe(msg);
  });
});

describe('captureGroupCount (read from the syntax, never by running the regex)', () => {
  it.each<[string, number]>([
    ['rows', 0],
    ['(\\d+)', 1],
    ['(a)(b(c))', 3],
    ['(?:a)(?=b)(?!c)(?<=d)(?<!e)', 0],
    ['(?<n>\\d+)', 1],
    ['\\(\\d+\\)', 0],
    ['\\\\(x)', 1],
    ['[(](x)', 1],
    ['[\\](](x)', 1],
  ])('%s → %i, as many as a match reports', (src, n) => {
    const viaExec = (new RegExp(`${src}|`).exec('') as RegExpExecArray).length - 1;
    expect([captureGroupCount(src), viaExec]).toEqual([n, n]);
  });

  it('validates a catastrophic pattern without running it', () => {
    expect(captureGroupCount('(?:\\1|()){26}x')).toBe(1);
    expect(extractRulesError([{ name: 'x', regex: '(?:\\1|()){26}x', mode: 'count' }])).toBeNull();
  });
});

describe('compileRules', () => {
  it('expands presets in place and always adds the m flag', () => {
    const rules = compileRules([{ name: 'rows', regex: 'rows=(\\d+)', flags: 'i' }, { preset: 'warnings' }]);
    expect(rules).toEqual([
      { name: 'rows', source: 'rows=(\\d+)', flags: 'mi', mode: 'first' },
      { name: 'warnings', source: 'warn', flags: 'mi', mode: 'count' },
    ]);
  });

  it('every preset rule is itself valid', () => {
    for (const p of EXTRACT_PRESETS) expect(extractRulesError(p.rules), p.id).toBeNull();
  });
});

describe('metricsFromMatches', () => {
  it('parses captures with units, sums, counts; the last rule that found a value wins', () => {
    const rules = compileRules([
      { name: 'written_bytes', regex: 'a (x)' },
      { name: 'written_bytes', regex: 'b (x)' },
      { name: 'slow', regex: 'took (x)', mode: 'sum' },
      { name: 'warnings', regex: 'warn', mode: 'count' },
      { name: 'rows', regex: 'rows (x)' },
      { name: 'odd', regex: 'odd (x)' },
    ]);
    const { metrics, errors } = metricsFromMatches(rules, [
      { captures: ['1.5 KiB'] },
      { captures: [] },
      { captures: ['1.5s', '250ms', 'junk'] },
      { count: 3 },
      { captures: ['1,234'] },
      { error: 'boom' },
    ]);
    expect(metrics).toEqual({ written_bytes: 1536, slow: 1.75, warnings: 3, rows: 1234 });
    expect(errors).toEqual(['odd: boom']);
  });
});
