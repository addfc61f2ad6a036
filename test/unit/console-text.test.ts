import { describe, expect, it } from 'vitest';
import { appendBeat, flipBeat, type BeatJson } from '../../shared/api/heartbeats.js';
import { settingsInputError } from '../../shared/api/settings.js';
import { cronWarnings, describeCron } from '../../shared/console/cron-describe.js';
import { crontabSchedule, pingBase, snippets } from '../../shared/console/snippets.js';
import { absoluteTime, scheduleTime } from '../../shared/console/time-format.js';

describe('describeCron', () => {
  it.each([
    ['* * * * *', 'Every minute'],
    ['*/15 * * * *', 'Every 15 minutes'],
    ['0 * * * *', 'Every hour, on the hour'],
    ['5 * * * *', 'Every hour at :05'],
    ['0,30 * * * *', 'Every hour at :00 and :30'],
    ['0 3 * * *', 'At 03:00 every day'],
    ['30 2 * * 1-5', 'At 02:30 on weekdays (Monday to Friday)'],
    ['0 0 * * MON-FRI', 'At 00:00 on weekdays (Monday to Friday)'],
    ['15 3 * * 6,0', 'At 03:15 on weekends'],
    ['0 0 * * 7', 'At 00:00 every Sunday'],
    ['0 4 * * 1,3,5', 'At 04:00 on Monday, Wednesday and Friday'],
    ['0 9,17 * * *', 'At 09:00 and 17:00 every day'],
    ['0 */6 * * *', 'Every 6 hours, on the hour'],
    ['0 8-18 * * *', 'Every hour from 08:00 to 18:00'],
    ['*/5 9-17 * * 1-5', 'Every 5 minutes from 09:00 to 17:59 on weekdays (Monday to Friday)'],
    ['* 9 * * *', 'Every minute from 09:00 to 09:59'],
    ['0 0 1 * *', 'At 00:00 on the 1st of every month'],
    ['0 0 1,15 * *', 'At 00:00 on the 1st and 15th of every month'],
    ['0 0 1 1 *', 'At 00:00 on the 1st of January'],
    ['0 0 * 6-8 *', 'At 00:00 every day in June to August'],
    ['0 0 1 * 1', 'At 00:00 on the 1st of every month and every Monday'],
  ])('"%s" reads "%s"', (expr, want) => {
    expect(describeCron(expr)).toBe(want);
  });

  it.each(['', '* * * *', '61 * * * *', 'a b c d e', '5-1 * * * *'])('cannot read "%s"', (expr) => {
    expect(describeCron(expr)).toBeNull();
  });
});

describe('cronWarnings', () => {
  it('"* 9 * * *" is every minute of the 9 o\'clock hour, not once at 9', () => {
    const w = cronWarnings('* 9 * * *');
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('60 runs a day');
    expect(w[0]).toContain('"0 9 * * *"');
  });
  it('day of month and weekday together use cron\'s OR rule', () => {
    expect(cronWarnings('0 0 13 * 5')[0]).toContain('EITHER');
  });
  it('"*/7" restarts every hour', () => {
    expect(cronWarnings('*/7 * * * *')[0]).toContain('restarts every hour');
  });
  it('day 31 skips months', () => {
    expect(cronWarnings('0 0 31 * *')[0]).toContain('skipped');
  });
  it.each(['0 3 * * *', '*/15 * * * *', '0 9 * * 1-5', '* * * * *'])('"%s" has no warning', (expr) => {
    expect(cronWarnings(expr)).toEqual([]);
  });
});

describe('times for people', () => {
  const now = Date.parse('2024-03-05T03:00:00Z');
  it('absolute times name their zone', () => {
    expect(absoluteTime(now, 'Europe/Berlin')).toBe('2024-03-05 04:00:00 Europe/Berlin');
    expect(absoluteTime(now, 'UTC')).toBe('2024-03-05 03:00:00 UTC');
  });
  it('schedule previews are in the schedule\'s zone (Europe/Riga spring-forward night 2024)', () => {
    expect(scheduleTime(Date.parse('2024-03-31T00:30:00Z'), 'Europe/Riga')).toBe('Sun, 31 Mar 2024, 02:30');
    expect(scheduleTime(Date.parse('2024-03-31T01:30:00Z'), 'Europe/Riga')).toBe('Sun, 31 Mar 2024, 04:30');
  });
});

describe('snippets', () => {
  const url = 'http://192.168.1.20:8420/ping/6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
  it('the wrapper installs from the ping port, with the wrapper module\'s own lines (curl and BusyBox wget)', () => {
    expect(pingBase(url)).toBe('http://192.168.1.20:8420');
    const code = snippets({ name: 'x', pingUrl: url, kind: 'simple', timeout: 3600 }).find((s) => s.id === 'wrapper')!.code;
    expect(code).toContain('curl -fsS http://192.168.1.20:8420/wrap.sh -o /usr/local/bin/lubdub-run && chmod +x /usr/local/bin/lubdub-run');
    expect(code).toContain('wget -q -O /usr/local/bin/lubdub-run http://192.168.1.20:8420/wrap.sh && chmod +x /usr/local/bin/lubdub-run');
    expect(code).toContain(`0 * * * * /usr/local/bin/lubdub-run ${url} -- /path/to/job.sh`);
  });
  it.each([
    [60, '* * * * *'],
    [300, '*/5 * * * *'],
    [3600, '0 * * * *'],
    [21600, '0 */6 * * *'],
    [86400, '0 3 * * *'],
    [604800, '0 3 * * 0'],
    [5000, '0 3 * * *'],
  ])('a simple check with period %i s gets the crontab schedule "%s"', (timeout, want) => {
    expect(crontabSchedule({ name: 'x', pingUrl: url, kind: 'simple', timeout })).toBe(want);
  });
  it('every snippet uses the check URL and BusyBox never retries', () => {
    const all = snippets({ name: 'x', pingUrl: url, kind: 'cron', schedule: '0 3 * * *', tz: 'UTC' });
    expect(all.map((s) => s.id)).toEqual(['crontab', 'wget', 'wrapper', 'shell', 'powershell', 'python', 'systemd']);
    for (const s of all) expect(s.code).toContain(url);
    expect(all.find((s) => s.id === 'wget')!.code).not.toMatch(/--retry|-t \d/);
  });
});

describe('heartbeat bars', () => {
  const b = (t: string, kind: BeatJson['kind'] = 'success'): BeatJson => ({ t, kind });
  it('keeps the last 50, oldest first', () => {
    let bar: BeatJson[] = [];
    for (let i = 0; i < 60; i++) bar = appendBeat(bar, b(`2024-03-05T03:${String(i).padStart(2, '0')}:00Z`));
    expect(bar).toHaveLength(50);
    expect(bar[0].t).toBe('2024-03-05T03:10:00Z');
    expect(bar[49].t).toBe('2024-03-05T03:59:00Z');
  });
  it('puts a late ping where it happened', () => {
    const bar = appendBeat([b('2024-03-05T03:00:00Z'), b('2024-03-05T03:10:00Z')], b('2024-03-05T03:05:00Z', 'fail'));
    expect(bar.map((x) => x.kind)).toEqual(['success', 'fail', 'success']);
  });
  it('a timeout flip is a missed pill with the reason\'s words; a fail flip has its ping already', () => {
    expect(flipBeat('t', 'down', 'timeout')).toEqual({ t: 't', kind: 'missed', text: 'no ping in time', reason: 'timeout' });
    expect(flipBeat('t', 'down', 'missed while Lubdub was offline')?.kind).toBe('missed');
    expect(flipBeat('t', 'down', 'run exceeded grace')).toEqual({ t: 't', kind: 'down', text: 'run did not finish in time', reason: 'run exceeded grace' });
    expect(flipBeat('t', 'down', 'fail')).toBeNull();
    expect(flipBeat('t', 'down', 'assertion')).toBeNull();
    expect(flipBeat('t', 'up', '')).toBeNull();
  });
});

describe('settingsInputError (hostile input)', () => {
  it.each([
    [{ base_url: 'javascript:alert(1)' }, 'base_url must be http(s)://host[:port][/path] with letters, digits and . _ ~ - only (no credentials, query, fragment, spaces or quotes)'],
    [{ base_url: 'http://user:pw@nas.local:8420' }, 'base_url must be http(s)://host[:port][/path] with letters, digits and . _ ~ - only (no credentials, query, fragment, spaces or quotes)'],
    [{ base_url: 'not a url' }, 'base_url must be http(s)://host[:port][/path] with letters, digits and . _ ~ - only (no credentials, query, fragment, spaces or quotes)'],
    [{ base_url: 'http://nas.local:8420/;reboot' }, 'base_url must be http(s)://host[:port][/path] with letters, digits and . _ ~ - only (no credentials, query, fragment, spaces or quotes)'],
    [{ base_url: 42 }, 'base_url is not a string'],
    [{ ping_body_limit: -1 }, 'ping_body_limit must be 0-10000000'],
    [{ ping_body_limit: 1.5 }, 'ping_body_limit is not an integer'],
    [{ catchup_window: 8 * 86400 }, 'catchup_window must be 0-604800'],
    [{ api_port: 1 }, 'api_port is not a setting'],
    [[], 'json root is not an object'],
  ])('%j is refused: %s', (body, msg) => {
    expect(settingsInputError(body)).toBe(msg);
  });
  it.each([[{ base_url: '' }], [{ base_url: 'https://lubdub.example.org' }], [{ ping_body_limit: 0, catchup_window: 600 }]])('%j is fine', (body) => {
    expect(settingsInputError(body)).toBeNull();
  });
});
