import { describe, expect, it } from 'vitest';
import { formatMs, formatRunSeconds, formatSeconds, formatSecondsExact, parseDuration, relativeTime } from '../../shared/domain/duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['15 min', 900],
    ['1 day', 86400],
    ['2h 30m', 9000],
    ['1 h, 30 min', 5400],
    ['90s', 90],
    ['3600', 3600],
    ['1.5 hours', 5400],
    ['2 weeks', 1209600],
    [' 10 MIN ', 600],
  ])('"%s" is %i s', (text, s) => expect(parseDuration(text)).toBe(s));

  it.each(['', 'soon', '15 parsecs', '5 min later', '-5 min'])('"%s" is not a duration', (text) => expect(parseDuration(text)).toBeNull());
});

describe('formatSeconds: the two largest adjacent units', () => {
  it.each([
    [0, '0 s'],
    [0.4, '0 s'],
    [45, '45 s'],
    [90, '1 min 30 s'],
    [900, '15 min'],
    [5400, '1 h 30 min'],
    [3605, '1 h'],
    [86400, '1 day'],
    [2 * 86400 + 4 * 3600 + 1800, '2 days 4 h'],
    [604800, '1 week'],
    [864000, '10 days'],
    [1209600, '2 weeks'],
  ])('%d s is "%s"', (s, want) => expect(formatSeconds(s)).toBe(want));
});

describe('formatMs: elapsed times from the clock, in the same words', () => {
  it.each([
    [499, '0 s'],
    [5 * M + 10 * S, '5 min 10 s'],
    [3 * H + 12 * M + 59 * S, '3 h 12 min'],
    [40 * D, '40 days'],
  ])('%d ms is "%s"', (ms, want) => expect(formatMs(ms)).toBe(want));
});

describe('formatSecondsExact: words that parse back to the same number', () => {
  it.each([3605, 90061, 900, 86400, 604800, 864000, 1209600 + 1, 0])('%d s survives a round trip', (s) => {
    expect(parseDuration(formatSecondsExact(s))).toBe(s);
  });
  it('names every unit', () => expect(formatSecondsExact(90061)).toBe('1 day 1 h 1 min 1 s'));
});

describe('formatRunSeconds: measured run times keep what a short run needs', () => {
  it.each([
    [0, '0 s'],
    [0.0001, '1 ms'],
    [0.25, '250 ms'],
    [2.345, '2.3 s'],
    [45, '45 s'],
    [75, '1 min 15 s'],
    [3599.9, '1 h'],
    [3900, '1 h 5 min'],
    [-3, '-3 s'],
  ])('%d s is "%s"', (s, want) => expect(formatRunSeconds(s)).toBe(want));
});

describe('relativeTime', () => {
  const now = Date.parse('2024-03-05T03:00:00Z');
  it.each([
    [now - 2000, 'just now'],
    [now + 2000, 'now'],
    [now - 42 * S, '42 s ago'],
    [now - 3 * M, '3 min ago'],
    [now + 14 * M, 'in 14 min'],
    [now + 59 * M + 40 * S, 'in 1 h'],
    [now - 2 * H - 5 * M, '2 h 5 min ago'],
    [now + 23 * H + 57 * M, 'in 1 day'],
    [now + 24 * H, 'in 1 day'],
    [now + 14 * H + 20 * M, 'in 14 h'],
    [now - 3 * D, '3 days ago'],
    [now + 7 * D, 'in 1 week'],
  ])('%i is "%s"', (t, want) => expect(relativeTime(t, now)).toBe(want));
});
