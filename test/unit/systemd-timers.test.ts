import { describe, expect, it } from 'vitest';
import { onCalendarToCron, parseListTimers, unitValues } from '../../shared/domain/systemd-timers.js';

describe('onCalendarToCron', () => {
  it.each([
    ['daily', '0 0 * * *', null],
    ['weekly', '0 0 * * 1', null],
    ['quarterly', '0 0 1 1,4,7,10 *', null],
    ['*-*-* 02:30:00', '30 2 * * *', null],
    ['Mon..Fri 08:00', '0 8 * * 1-5', null],
    ['Sat,Sun 10:00', '0 10 * * 6,0', null],
    ['Fri..Mon 10:00', '0 10 * * 5-6,0-1', null],
    ['*:0/15', '0-59/15 * * * *', null],
    ['*-*-* *:00:00', '0 * * * *', null],
    ['*-*-01 04:00:00 Europe/Berlin', '0 4 1 * *', 'Europe/Berlin'],
    ['Mon *-*-* 04:17:00', '17 4 * * 1', null],
  ])('%s → %s', (spec, cron, tz) => {
    expect(onCalendarToCron(spec)).toEqual({ cron, tz });
  });

  it.each([
    ['*-*-* 02:30:15', 'runs at second 15: cron has whole minutes only'],
    ['2025-01-01 00:00', 'names a year, which cron cannot'],
    ['*-*~03', 'counts days from the end of the month'],
    ['Someday 10:00', 'cannot read the weekdays'],
    ['', 'empty calendar spec'],
  ])('%s has no cron form: says why', (spec, why) => {
    const r = onCalendarToCron(spec);
    expect('error' in r && r.error).toContain(why);
  });
});

describe('listings', () => {
  it('parseListTimers takes the unit and what it activates from each row, whatever the dates look like', () => {
    const text = [
      'NEXT                        LEFT       LAST                        PASSED    UNIT             ACTIVATES',
      'Wed 2026-12-02 11:00:00 UTC 30min left Wed 2026-12-02 10:00:00 UTC 29min ago sync.timer       sync.service',
      'n/a                         n/a        n/a                         n/a       x@1.timer        x@1.service',
      '',
      '2 timers listed.',
    ].join('\n');
    expect(parseListTimers(text)).toEqual([
      { unit: 'sync.timer', activates: 'sync.service' },
      { unit: 'x@1.timer', activates: 'x@1.service' },
    ]);
  });

  it('unitValues reads a key, skips comments, and an empty value resets the list (as systemd does)', () => {
    const unit = '# /etc/x.timer\n[Timer]\nOnCalendar=daily\n;OnCalendar=hourly\n# drop-in\nOnCalendar=\nOnCalendar=Mon 04:00\n';
    expect(unitValues(unit, 'OnCalendar')).toEqual(['Mon 04:00']);
  });
});
