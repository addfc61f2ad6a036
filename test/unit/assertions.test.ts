import { describe, expect, it } from 'vitest';
import {
  aggregate,
  ASSERTION_PRESETS,
  assertionsError,
  evaluateAll,
  evaluateAssertion,
  parseAssertion,
  type Assertion,
} from '../../shared/domain/assertions.js';
import { EXTRACT_PRESETS } from '../../shared/domain/extract.js';

const parsed = (expr: string) => parseAssertion(expr) as Assertion;

describe('parseAssertion', () => {
  it.each<[string, Assertion]>([
    ['bytes > 0', { kind: 'absolute', metric: 'bytes', cmp: '>', value: 0 }],
    ['count >= 1', { kind: 'absolute', metric: 'count', cmp: '>=', value: 1 }],
    ['warnings < 10', { kind: 'absolute', metric: 'warnings', cmp: '<', value: 10 }],
    ['duration < 30m', { kind: 'absolute', metric: 'duration', cmp: '<', value: 1800 }],
    ['duration > 2m', { kind: 'absolute', metric: 'duration', cmp: '>', value: 120 }],
    ['written_bytes>=1MiB', { kind: 'absolute', metric: 'written_bytes', cmp: '>=', value: 1024 * 1024 }],
    ['Errors == 0', { kind: 'absolute', metric: 'errors', cmp: '==', value: 0 }],
    ['count >= 20% of median(10)', { kind: 'relative', metric: 'count', cmp: '>=', factor: 0.2, agg: 'median', n: 10 }],
    ['count >= 20 % of median( 10 )', { kind: 'relative', metric: 'count', cmp: '>=', factor: 0.2, agg: 'median', n: 10 }],
    ['duration <= 3x median(10)', { kind: 'relative', metric: 'duration', cmp: '<=', factor: 3, agg: 'median', n: 10 }],
    ['duration <= 3 × mean(5)', { kind: 'relative', metric: 'duration', cmp: '<=', factor: 3, agg: 'mean', n: 5 }],
    ['rows != max(1)', { kind: 'relative', metric: 'rows', cmp: '!=', factor: 1, agg: 'max', n: 1 }],
    ['warnings not rising(5)', { kind: 'trend', metric: 'warnings', direction: 'rising', n: 5 }],
    ['free_bytes not falling (7)', { kind: 'trend', metric: 'free_bytes', direction: 'falling', n: 7 }],
  ])('%j', (expr, want) => {
    expect(parseAssertion(expr)).toEqual(want);
  });

  it.each([
    ['bytes', /cannot read/],
    ['bytes >> 0', /not a number/],
    ['bytes > lots', /not a number/],
    ['> 0', /cannot read/],
    ['count >= 20% of average(10)', /unknown baseline "average"/],
    ['count >= 20% of median(0)', /runs must be 1-100/],
    ['count >= 20% of median(101)', /runs must be 1-100/],
    ['warnings rising(5)', /cannot read/],
    ['warnings not rising(2)', /needs 3-100 runs/],
    ['duration < 30 parsecs', /not a number/],
    ['x'.repeat(201), /longer than 200/],
  ])('rejects %j', (expr, msg) => {
    const r = parseAssertion(expr);
    expect('error' in r ? r.error : '').toMatch(msg);
  });
});

describe('assertionsError (the check field)', () => {
  it('accepts strings and { expr, message, missing } objects, and an empty list', () => {
    expect(assertionsError(['bytes > 0', { expr: 'count >= 1', message: 'no rows', missing: 'fail' }])).toBeNull();
    expect(assertionsError([])).toBeNull();
  });

  it.each<[unknown, string]>([
    ['bytes > 0', 'assertions is not an array'],
    [[5], 'assertions[0] is not a string or an object'],
    [[{ expr: 'bytes > 0', when: 'always' }], 'assertions[0]: unexpected key "when"'],
    [[{ message: 'x' }], 'assertions[0]: expr is not a string'],
    [[{ expr: 'bytes > 0', missing: 'ignore' }], 'assertions[0]: missing must be "pass" or "fail"'],
    [[{ expr: 'bytes > 0', message: 'm'.repeat(201) }], 'assertions[0]: message is not a string of at most 200 characters'],
    [['bytes > 0', 'bytes >'], 'assertions[1]: cannot read "bytes >": expected "<metric> <op> <value>" or "<metric> not rising(<runs>)"'],
    [Array(21).fill('bytes > 0'), 'assertions has more than 20 entries'],
  ])('%j → %s', (v, msg) => {
    expect(assertionsError(v)).toBe(msg);
  });
});

describe('evaluateAssertion', () => {
  it.each<[string, number | undefined, number[], string]>([
    ['bytes > 0', 0, [], 'fail'],
    ['bytes > 0', 1, [], 'pass'],
    ['duration < 30m', 1800, [], 'fail'],
    ['duration < 30m', 1799, [], 'pass'],
    ['bytes > 0', undefined, [], 'missing'],
    // relative: history is newest first; too few runs is pending, never a failure
    ['count >= 20% of median(3)', 0, [5000, 5000], 'pending'],
    ['count >= 20% of median(3)', 0, [5000, 4000, 6000], 'fail'],
    ['count >= 20% of median(3)', 1000, [5000, 4000, 6000], 'pass'],
    ['duration <= 3x median(3)', 10, [3, 3, 100], 'fail'],
    ['duration <= 3x median(3)', 9, [3, 3, 100], 'pass'],
    // trend over the previous n-1 runs plus this one, strictly each step
    ['warnings not rising(5)', 16, [8, 4, 2, 1], 'fail'],
    ['warnings not rising(5)', 16, [8, 4, 2], 'pending'],
    ['warnings not rising(5)', 8, [8, 4, 2, 1], 'pass'],
    ['warnings not rising(5)', 16, [8, 4, 2, 2], 'pass'],
    ['warnings not rising(3)', 3, [2, 1, 9, 9], 'fail'],
    ['free_bytes not falling(3)', 1, [2, 3], 'fail'],
  ])('%s with value %s after %j → %s', (expr, value, history, want) => {
    expect(evaluateAssertion(parsed(expr), expr, value, history).state).toBe(want);
  });

  it('medians of even and odd counts, mean, min, max', () => {
    expect(aggregate('median', [1, 3, 2])).toBe(2);
    expect(aggregate('median', [4, 1, 3, 2])).toBe(2.5);
    expect(aggregate('mean', [1, 2, 6])).toBe(3);
    expect(aggregate('min', [4, 1, 3])).toBe(1);
    expect(aggregate('max', [4, 1, 3])).toBe(4);
  });
});

describe('evaluateAll: verdict and reason', () => {
  const hist = (values: Record<string, number[]>) => (m: string, n: number) => (values[m] ?? []).slice(0, n);

  it('absolute with a custom message: "backup wrote 0 B (written_bytes > 0)"', () => {
    const v = evaluateAll([{ expr: 'written_bytes > 0', message: 'backup wrote {value}' }], { written_bytes: 0 }, hist({}));
    expect(v.failText).toBe('backup wrote 0 B (written_bytes > 0)');
  });

  it('default words name the metric, value and baseline, formatted by kind', () => {
    expect(evaluateAll(['bytes > 0'], { bytes: 0 }, hist({})).failText).toBe('bytes was 0 B (bytes > 0)');
    expect(evaluateAll(['count >= 20% of median(3)'], { count: 0 }, hist({ count: [5000, 5000, 4000] })).failText).toBe(
      'count was 0, median of the last 3 runs 5,000 (count >= 20% of median(3))',
    );
    expect(evaluateAll(['duration >= 20% of median(3)'], { duration: 120 }, hist({ duration: [3000, 3000, 2900] })).failText).toBe(
      'duration was 2 min, median of the last 3 runs 50 min (duration >= 20% of median(3))',
    );
    expect(evaluateAll(['warnings not rising(5)'], { warnings: 16 }, hist({ warnings: [8, 4, 2, 1] })).failText).toBe(
      'warnings rose 5 runs in a row: 1 → 2 → 4 → 8 → 16 (warnings not rising(5))',
    );
  });

  it('several failures are joined; passing and pending ones add nothing', () => {
    const v = evaluateAll(['bytes > 0', 'count >= 1', 'count >= 20% of median(10)', 'errors == 0'], { bytes: 0, count: 0, errors: 0 }, hist({ count: [1, 2] }));
    expect(v.failText).toBe('bytes was 0 B (bytes > 0); count was 0 (count >= 1)');
    expect(v.results.map((r) => r.state)).toEqual(['fail', 'fail', 'pending', 'pass']);
  });

  it('a missing metric passes unless the assertion says missing: "fail"', () => {
    expect(evaluateAll(['written_bytes > 0'], { bytes: 10 }, hist({})).failText).toBeNull();
    expect(evaluateAll([{ expr: 'written_bytes > 0', missing: 'fail' }], { bytes: 10 }, hist({})).failText).toBe(
      'written_bytes was not reported (written_bytes > 0)',
    );
  });

  it('reads history only for relative and trend assertions, as many runs as they need', () => {
    const asked: [string, number][] = [];
    evaluateAll(['bytes > 0', 'count >= median(10)', 'warnings not rising(5)'], { bytes: 1, count: 1, warnings: 1 }, (m, n) => {
      asked.push([m, n]);
      return [];
    });
    expect(asked).toEqual([
      ['count', 10],
      ['warnings', 4],
    ]);
  });
});

describe('presets', () => {
  it('every assertion preset parses and refers to existing extraction presets', () => {
    const ids = new Set(EXTRACT_PRESETS.map((p) => p.id));
    for (const p of ASSERTION_PRESETS) {
      expect(assertionsError(p.assertions), p.id).toBeNull();
      for (const e of p.extract) expect(ids.has(e.preset), p.id).toBe(true);
    }
    expect(ASSERTION_PRESETS.map((p) => p.label)).toEqual([
      'Backup must write data',
      'Pipeline must process rows',
      'Warnings must not grow',
      'Run time must stay normal',
      'No never-seen warnings',
      'Artifact must change',
      'Artifact must keep its usual size',
    ]);
  });
});
