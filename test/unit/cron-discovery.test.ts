import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { discoverySlug, hasRawPercent, jobName, parseCrontab, suggestGrace, uniqueSlug, wrappedArgv } from '../../shared/domain/cron-discovery.js';

describe('suggestGrace', () => {
  it.each([
    ['0-59/15 * * * *', 300],
    ['*/5 * * * *', 300],
    ['0 */6 * * *', 900],
    ['17 * * * *', 900],
    ['30 2 * * *', 3600],
    ['0 0 1 1 *', 3600],
  ])('%s → %i s (several times an hour 5 min, hourly 15 min, else 1 h)', (cron, grace) => {
    expect(suggestGrace(cron)).toBe(grace);
  });
});

describe('jobName', () => {
  it.each([
    ['/usr/local/bin/backup-db.sh --all > /var/log/backup.log 2>&1', 'backup-db'],
    ['cd /srv/app && ./sync.sh', 'sync'],
    ['uname -a', 'uname'],
    ['nice -n 10 /opt/report/generate-report.py', 'generate-report'],
    ['cd / && run-parts --report /etc/cron.hourly', 'cron-hourly'],
    ['test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )', 'cron-daily'],
    // an option's value ends the skipping, as the shell rule always did
    ['FOO=1 sudo -u www env X=2 /usr/bin/python3 /srv/Manage.PY', 'www'],
    ['FOO=1 sudo env X=2 /usr/bin/python3 /srv/Manage.PY', 'manage-py'],
    ['/usr/bin/python3 /srv/manage.py clearsessions', 'manage'],
    ['flock -n /tmp/l timeout 60 chronic bash -c job.pl', 'l'],
    ['sleep 30; echo hi | logger', 'logger'],
    ['[ -f /x ] && : ; true', 'job'],
    ['/srv/dir/', 'job'],
    ['/opt/Ünïcode-Tool/run.sh', 'run'],
    ['/opt/bin/Ünïcode_tool', 'n-code_tool'],
    [`/bin/${'x'.repeat(80)}`, 'x'.repeat(60)],
    ['mysqldump db|gzip>/b.gz', 'mysqldump'],
  ])('%s → %s', (command, name) => {
    expect(jobName(command)).toBe(name);
  });
});

describe('discoverySlug and uniqueSlug', () => {
  it('lowercases ASCII, turns other runs into one dash, trims dashes, keeps 60 characters', () => {
    expect(discoverySlug('--Photo Sync@nas.local--')).toBe('photo-sync-nas-local');
    expect(discoverySlug('İstanbul')).toBe('stanbul');
    expect(discoverySlug('!!!')).toBe('');
  });

  it('adds -2, -3 … to a slug already taken', () => {
    const used = new Set<string>();
    expect(['a', 'a', 'a', 'a-2', 'b'].map((s) => uniqueSlug(s, used))).toEqual(['a', 'a-2', 'a-3', 'a-2-2', 'b']);
  });
});

describe('wrappedArgv', () => {
  it.each([
    ['/usr/bin/certbot renew --quiet', '/usr/bin/certbot renew --quiet'],
    ['restic -r /mnt/nas backup /home user@host:/x,y+z', 'restic -r /mnt/nas backup /home user@host:/x,y+z'],
    ['a && b', "sh -c 'a && b'"],
    ["echo 'it''s' $HOME", `sh -c 'echo '\\''it'\\'''\\''s'\\'' $HOME'`],
    ['tab\there', "sh -c 'tab\there'"],
  ])('%s → %s', (command, argv) => {
    expect(wrappedArgv(command)).toBe(argv);
  });

  it('runs under sh -c as the command itself would', () => {
    for (const command of ["printf '%s|' \"a b\" 'c'\\''d' && echo $((1+2))", 'echo plain words']) {
      const direct = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' }).stdout;
      const wrapped = spawnSync('/bin/sh', ['-c', `set -- ${wrappedArgv(command)}; exec "$@"`], { encoding: 'utf8' }).stdout;
      expect(wrapped).toBe(direct);
    }
  });

  it('hasRawPercent: an unescaped % goes to the job\'s stdin, \\% is a literal', () => {
    expect([hasRawPercent('mail -s x me%hi'), hasRawPercent('date +\\%Y'), hasRawPercent('plain')]).toEqual([true, false, false]);
  });
});

describe('parseCrontab', () => {
  it('reads a user crontab: zones, @shortcuts, comments and environment lines, @reboot skipped', () => {
    const tab = [
      '# comment',
      'MAILTO=me@example.com',
      '  */5 * * * *   uname  -a  ',
      'CRON_TZ=Europe/Riga',
      '@daily /usr/bin/certbot renew',
      "TZ = 'America/New_York'",
      '@reboot /boot.sh',
      '@every 5m /nope',
      'TZ=":Asia/Tokyo"',
      '0 6 * * 1-5 job\r',
      'CRON_TZ=',
      '1 2 3 4',
      '0 7 * * * /x/lubdub-run http://h/ping/k/y -- y',
      '@hourly last-line-without-newline',
    ].join('\n');
    expect(parseCrontab(tab, false, 'UTC')).toEqual([
      { kind: 'job', schedule: '*/5 * * * *', tz: 'UTC', user: null, command: 'uname  -a  ' },
      { kind: 'job', schedule: '0 0 * * *', tz: 'Europe/Riga', user: null, command: '/usr/bin/certbot renew' },
      { kind: 'job', schedule: '0 6 * * 1-5', tz: 'Asia/Tokyo', user: null, command: 'job' },
      { kind: 'wrapped', command: '/x/lubdub-run http://h/ping/k/y -- y' },
      { kind: 'job', schedule: '0 * * * *', tz: 'Asia/Tokyo', user: null, command: 'last-line-without-newline' },
    ]);
  });

  it('reads the user field of a system crontab, and skips a line that has none', () => {
    const tab = '17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n@weekly backup restic backup\n0 1 * * * root\n@monthly root\n';
    expect(parseCrontab(tab, true, 'UTC')).toEqual([
      { kind: 'job', schedule: '17 * * * *', tz: 'UTC', user: 'root', command: 'cd / && run-parts --report /etc/cron.hourly' },
      { kind: 'job', schedule: '0 0 * * 0', tz: 'UTC', user: 'backup', command: 'restic backup' },
    ]);
  });
});
