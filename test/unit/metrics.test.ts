import { describe, expect, it } from 'vitest';
import { formatBytes, formatMetric, formatNumber, parseMetricParams, parseQuantity } from '../../shared/domain/metrics.js';

describe('parseQuantity', () => {
  it.each([
    ['0', 0],
    ['5000', 5000],
    ['-3', -3],
    ['1.5e3', 1500],
    ['.5', 0.5],
    ['30m', 1800],
    ['2 min', 120],
    ['1h', 3600],
    ['250ms', 0.25],
    ['1d', 86400],
    ['0 B', 0],
    ['1.234 MiB', 1.234 * 1024 * 1024],
    ['512 KiB', 512 * 1024],
    ['12.34 MB', 12.34e6],
    ['1.23M', 1.23e6],
    ['1,234,567', 1234567],
    ['1,234.5 kB', 1234500],
    ['  42  ', 42],
  ])('%j is %d', (text, want) => {
    expect(parseQuantity(text)).toBeCloseTo(want, 6);
  });

  it.each(['', 'abc', '5 apples', '1e999', '1,2', '--1', '5 mb', 'NaN', 'Infinity', '0x10'])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeNull();
  });
});

describe('parseMetricParams (?metric=, repeatable)', () => {
  it('reads Cronitor form name:value and lubdub-run form name=value, lowercasing names', () => {
    expect(parseMetricParams(['count:0', 'Rows=12', 'duration:1.5', 'size:2MiB'])).toEqual({
      metrics: { count: 0, rows: 12, duration: 1.5, size: 2 * 1024 * 1024 },
    });
  });

  it('a single value (not an array) works, and the last of a repeated name wins', () => {
    expect(parseMetricParams('count:5')).toEqual({ metrics: { count: 5 } });
    expect(parseMetricParams(['count:5', 'count:7'])).toEqual({ metrics: { count: 7 } });
  });

  it('a metric named "error" is a metric, not an error', () => {
    expect(parseMetricParams('error:1')).toEqual({ metrics: { error: 1 } });
  });

  it('is null when absent', () => {
    expect(parseMetricParams(undefined)).toBeNull();
  });

  it.each([
    ['count', /expected name:value/],
    [':5', /expected name:value/],
    ['count:', /not a number/],
    ['count:lots', /not a number/],
    ['9lives:1', /invalid metric name/],
    ['a-b:1', /invalid metric name/],
    ['x'.repeat(65) + ':1', /invalid metric name/],
  ])('rejects %j', (raw, msg) => {
    const r = parseMetricParams(raw);
    expect(r && 'error' in r ? r.error : '').toMatch(msg);
  });

  it('rejects more than 32 metrics', () => {
    const r = parseMetricParams(Array.from({ length: 33 }, (_, i) => `m${i}:1`));
    expect(r).toEqual({ error: 'too many metrics (at most 32)' });
  });
});

describe('formatting for reasons', () => {
  it.each([
    [0, '0'],
    [5000, '5,000'],
    [5007.5, '5,007.5'],
    [0.256, '0.26'],
    [-1234567, '-1,234,567'],
  ])('formatNumber(%d) = %s', (v, want) => expect(formatNumber(v)).toBe(want));

  it.each([
    [0, '0 B'],
    [1000, '1000 B'],
    [1293942, '1.23 MiB'],
    [50 * 1024 ** 3, '50.0 GiB'],
  ])('formatBytes(%d) = %s', (v, want) => expect(formatBytes(v)).toBe(want));

  it.each([
    ['duration', 0.25, '250 ms'],
    ['backup_seconds', 150, '2 min 30 s'],
    ['duration', 2 * 86400 + 4 * 3600, '2 days 4 h'],
    ['written_bytes', 2048, '2.00 KiB'],
    ['files', 5000, '5,000'],
  ])('formatMetric(%s, %d) = %s (durations in the shared words)', (name, v, want) => expect(formatMetric(name, v)).toBe(want));
});
