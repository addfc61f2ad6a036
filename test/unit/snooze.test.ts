import { describe, expect, it } from 'vitest';
import { isSnoozed, SNOOZE_CHOICES, snoozeUntil } from '../../shared/domain/snooze.js';

const t = (iso: string) => Date.parse(iso);
const H = 3_600_000;

describe('snoozeUntil', () => {
  it.each([
    ['1h', 1 * H],
    ['4h', 4 * H],
  ] as const)('"%s" is an exact duration', (choice, ms) => {
    const now = t('2025-03-10T12:34:56.789Z');
    expect(snoozeUntil(choice, now, 'Europe/Berlin')).toBe(now + ms);
  });

  it('"off" ends the snooze', () => {
    expect(snoozeUntil('off', t('2025-03-10T12:00:00Z'), 'UTC')).toBeNull();
  });

  it.each([
    ['midday: the next day at 09:00', 'Europe/Berlin', '2025-03-10T11:00:00Z', '2025-03-11T08:00:00Z'],
    ['late evening: the next day at 09:00', 'Europe/Berlin', '2025-03-10T22:30:00Z', '2025-03-11T08:00:00Z'],
    ['01:30 at night: this coming morning', 'Europe/Berlin', '2025-03-10T00:30:00Z', '2025-03-10T08:00:00Z'],
    ['04:59: still this coming morning', 'Europe/Berlin', '2025-03-10T03:59:00Z', '2025-03-10T08:00:00Z'],
    ['05:00: the day has started, so the next day', 'Europe/Berlin', '2025-03-10T04:00:00Z', '2025-03-11T08:00:00Z'],
    ['08:59: the next day, not a minute later', 'Europe/Berlin', '2025-03-10T07:59:00Z', '2025-03-11T08:00:00Z'],
    ['exactly 09:00: the next day', 'Europe/Berlin', '2025-03-10T08:00:00Z', '2025-03-11T08:00:00Z'],
    ['Europe/Berlin spring-forward night 2025-03-30: 09:00 CEST, 23 h later', 'Europe/Berlin', '2025-03-29T21:00:00Z', '2025-03-30T07:00:00Z'],
    ['Europe/Berlin fall-back night 2025-10-26: 09:00 CET, 25 h later', 'Europe/Berlin', '2025-10-25T20:00:00Z', '2025-10-26T08:00:00Z'],
    ['Europe/Berlin spring-forward night 2026-03-29, asked at 22:00 CET: 09:00 CEST', 'Europe/Berlin', '2026-03-28T21:00:00Z', '2026-03-29T07:00:00Z'],
    ['Europe/Berlin spring-forward night 2026-03-29, asked at 01:30 CET (before the jump): 09:00 CEST that morning', 'Europe/Berlin', '2026-03-29T00:30:00Z', '2026-03-29T07:00:00Z'],
    ['Europe/Berlin spring-forward night 2026-03-29, asked at 03:30 CEST (after the jump): 09:00 CEST that morning', 'Europe/Berlin', '2026-03-29T01:30:00Z', '2026-03-29T07:00:00Z'],
    ['Europe/Berlin fall-back night 2026-10-25, asked at 22:00 CEST: 09:00 CET', 'Europe/Berlin', '2026-10-24T20:00:00Z', '2026-10-25T08:00:00Z'],
    ['Europe/Berlin fall-back night 2026-10-25, asked at the second 02:30 (CET): 09:00 CET that morning', 'Europe/Berlin', '2026-10-25T01:30:00Z', '2026-10-25T08:00:00Z'],
    ['Europe/Berlin 2026-10-25 at 12:00 CET: 09:00 CET the next day, 21 h later', 'Europe/Berlin', '2026-10-25T11:00:00Z', '2026-10-26T08:00:00Z'],
    ['America/New_York on New Year\'s Eve', 'America/New_York', '2025-01-01T04:30:00Z', '2025-01-01T14:00:00Z'],
    ['Australia/Sydney (ahead of UTC)', 'Australia/Sydney', '2025-06-10T03:00:00Z', '2025-06-10T23:00:00Z'],
    ['UTC', 'UTC', '2025-06-10T18:00:00Z', '2025-06-11T09:00:00Z'],
  ])('until tomorrow, %s', (_name, tz, now, want) => {
    expect(new Date(snoozeUntil('tomorrow', t(now), tz)!).toISOString()).toBe(new Date(t(want)).toISOString());
  });
});

describe('SNOOZE_CHOICES: what the tray and the console offer', () => {
  it('1 hour, 4 hours, until tomorrow 09:00; each gives an instant after now', () => {
    expect(SNOOZE_CHOICES.map((c) => c.label)).toEqual(['For 1 hour', 'For 4 hours', 'Until tomorrow 09:00']);
    const now = t('2026-03-29T00:30:00Z');
    for (const c of SNOOZE_CHOICES) expect(snoozeUntil(c.choice, now, 'Europe/Berlin')!).toBeGreaterThan(now);
  });
});

describe('isSnoozed', () => {
  const now = t('2025-03-10T12:00:00Z');
  it.each([
    [null, false],
    ['2025-03-10T13:00:00+00:00', true],
    ['2025-03-10T12:00:00+00:00', false],
    ['2025-03-10T11:00:00+00:00', false],
    ['not a date', false],
  ])('%s → %s', (until, want) => {
    expect(isSnoozed(until, now)).toBe(want);
  });
});
