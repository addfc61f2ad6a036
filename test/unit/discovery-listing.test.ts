import { describe, expect, it } from 'vitest';
import { describeDiscovery, describeTimers, findJobs, readListing, type Listing } from '../../electron/service/wrapper/discovery.js';

const URL = 'http://lubdub.test:8420/ping/k3y';
const read = (text: string): Listing => {
  const l = readListing(text);
  if ('error' in l) throw new Error(l.error);
  return l;
};
const answer = (l: Listing, apply = false) => {
  const used = new Set<string>();
  const items = findJobs(l, used);
  const timers = describeTimers(l, URL, used);
  const outcomes = apply ? new Map(items.flatMap((it) => ('job' in it ? [[it.job.slug, { status: 201, text: 'Created' }] as const] : []))) : null;
  return describeDiscovery(l, items, timers, { jobs: URL, timers: URL }, outcomes);
};

describe('readListing', () => {
  it('reads the header fields and the sections, crontab sources with spaces included', () => {
    const l = read(
      [
        `#lubdub-discover tz=Europe/Riga wrapper=/opt/bin/lubdub-run url=${URL} apply=1 grace=90 future=field`,
        '#section crontab user crontab -l',
        '0 1 * * * a',
        '#section crontab system /etc/cron.d/my job',
        '0 2 * * * root b',
        '#section list-timers',
        'x.timer x.service',
        '#section unit x.timer',
        '[Timer]',
      ].join('\n'),
    );
    expect(l).toMatchObject({ tz: 'Europe/Riga', wrapper: '/opt/bin/lubdub-run', url: URL, apply: true, grace: 90, listTimers: 'x.timer x.service' });
    expect(l.crontabs).toEqual([
      { system: false, source: 'crontab -l', text: '0 1 * * * a' },
      { system: true, source: '/etc/cron.d/my job', text: '0 2 * * * root b' },
    ]);
    expect([...l.units.keys()]).toEqual(['x.timer']);
  });

  it('falls back to UTC and the usual path for an unknown zone or an odd path; refuses malformed fields', () => {
    expect(read('#lubdub-discover tz=Mars/Base wrapper=relative/path')).toMatchObject({ tz: 'UTC', wrapper: '/usr/local/bin/lubdub-run', url: null, apply: false, grace: null });
    expect(readListing('#lubdub-discover grace=-1')).toEqual({ error: 'grace must be whole seconds' });
    expect(readListing('#lubdub-discover url=http://h/ping/k?x=1')).toHaveProperty('error');
    expect(readListing('#lubdub-discover url=ftp://h/ping/k')).toHaveProperty('error');
    expect(readListing('hello')).toEqual({ error: 'not a lubdub-run discovery listing' });
  });
});

describe('describeDiscovery', () => {
  it('says no cron jobs were found when there are only wrapped jobs and no timers', () => {
    const l = read('#lubdub-discover tz=UTC\n#section crontab user crontab -l\n0 1 * * * /usr/local/bin/lubdub-run x -- y\n');
    expect(answer(l).text).toBe('# already wrapped (crontab -l): /usr/local/bin/lubdub-run x -- y\n\nNo cron jobs found.\n');
    expect(answer(read('#lubdub-discover tz=UTC')).text).toBe('No cron jobs found.\n');
  });

  it('a timer named like a cron job gets the next free slug; --grace holds for timers too', () => {
    const l = read(
      [
        '#lubdub-discover tz=UTC grace=90',
        '#section crontab user crontab -l',
        '0 1 * * * /usr/local/bin/backup-db.sh',
        '#section list-timers',
        'n/a n/a n/a n/a backup-db.timer backup-db.service',
        '#section unit backup-db.timer',
        '[Timer]',
        'OnCalendar=*-*-* 02:30:00',
      ].join('\n'),
    );
    const text = answer(l, true).text;
    expect(text).toContain('check: backup-db\n');
    expect(text).toContain('timer: backup-db.timer\n  schedule: 30 2 * * *\n  timezone: UTC\n  grace:    90 s\n');
    expect(text).toContain(`  create:   ${URL}/backup-db-2?create=1`);
    expect(text).toContain(`# Wrapped lines: replace the jobs above with these (crontab -e, or the file named).\n# crontab -l\n0 1 * * * /usr/local/bin/lubdub-run ${URL}/backup-db -- /usr/local/bin/backup-db.sh\n`);
  });
});
