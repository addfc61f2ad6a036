import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, serve, tempDir, type Served } from '../helpers/serve.js';
import { COMBOS, runWrapper, WRAPPER, type Combo } from '../helpers/wrapper.js';
import { run as runCommand } from '../helpers/run.js';

const FIX = path.join(ROOT, 'test/fixtures/cron');

/** A fake `crontab` that lists the fixture as the user's crontab, put first on PATH. */
function withFakeCrontab(combo: Combo): Combo {
  const dir = tempDir('lubdub-crontab-');
  fs.writeFileSync(path.join(dir, 'crontab'), `#!/bin/sh\n[ "$1" = -l ] && exec cat '${FIX}/user.crontab'\nexit 1\n`, { mode: 0o755 });
  return { ...combo, path: () => `${dir}:${combo.path()}` };
}

const discoverEnv = {
  LUBDUB_CRONTAB_FILES: `${FIX}/crontab ${FIX}/cron.d/*`,
  LUBDUB_SYSTEM_TZ: 'Asia/Tokyo',
};

/** The checks the fixtures should yield: slug, schedule, timezone, grace. */
const EXPECTED = [
  ['backup-db', '30 2 * * *', 'Europe/Riga', 3600],
  ['sync', '*/15 * * * *', 'Europe/Riga', 300],
  ['uname', '*/5 * * * *', 'Europe/Riga', 300],
  ['generate-report', '0 */6 * * 1-5', 'America/New_York', 900],
  ['certbot', '0 0 * * *', 'America/New_York', 3600],
  ['mail', '0 6 * * *', 'America/New_York', 3600],
  ['cron-hourly', '17 * * * *', 'Asia/Tokyo', 900],
  ['cron-daily', '25 6 * * *', 'Asia/Tokyo', 3600],
  ['restic', '0 3 * * 0', 'Europe/Berlin', 3600],
  ['rotate', '0 5 * * *', 'UTC', 3600], // a file with CRLF line ends
] as const;

function parseBlocks(out: string): { check: string; schedule: string; timezone: string; grace: string; from: string; command: string }[] {
  return out
    .split(/\n\n+/)
    .filter((b) => b.startsWith('check: '))
    .map((b) => {
      const f: Record<string, string> = {};
      for (const line of b.split('\n')) {
        const m = /^\s*(check|schedule|timezone|grace|from|command):\s+(.*)$/.exec(line);
        if (m) f[m[1]] = m[2];
      }
      return f as never;
    });
}

let s: Served;
beforeAll(async () => {
  s = await serve({ env: { LUBDUB_PING_KEY: 'discoverykey' } });
});
afterAll(async () => {
  await s?.stop();
});

describe.each([COMBOS[0], COMBOS[3]])('lubdub-run --discover under $name', (base) => {
  const combo = withFakeCrontab(base);

  it('prints a suggested check per cron job with its schedule and timezone, creating nothing', async () => {
    const keyUrl = `${s.pingUrl}/ping/${s.pingKey}`;
    const r = await runWrapper(combo, ['--discover', keyUrl], { env: discoverEnv });
    expect(r.code, r.stderr).toBe(0);
    const blocks = parseBlocks(r.stdout);
    expect(blocks.map((b) => [b.check, b.schedule, b.timezone, Number(b.grace.replace(' s', ''))])).toEqual(EXPECTED.map((e) => [...e]));
    expect(blocks.find((b) => b.check === 'restic')!.from).toBe(`${FIX}/cron.d/restic (user backup)`);
    expect(blocks.find((b) => b.check === 'backup-db')!.command).toBe('/usr/local/bin/backup-db.sh --all > /var/log/backup.log 2>&1');
    // skipped: @reboot jobs, environment lines, package leftovers, jobs already wrapped
    expect(r.stdout).not.toMatch(/on-boot|mount-nas|should-be-ignored|MAILTO/);
    expect(r.stdout).toMatch(/# already wrapped .*restic forget --prune/);
    expect(r.stdout).toContain(`To create these checks and get the wrapped lines: lubdub-run --discover --apply ${keyUrl}\n`);
    const list = (await (await s.api('/api/v3/checks/')).json()) as { checks: { slug: string }[] };
    expect(list.checks.filter((c) => EXPECTED.some(([slug]) => slug === c.slug))).toEqual([]);
  });

  it('--grace overrides the suggested grace', async () => {
    const r = await runWrapper(combo, ['--discover', '--grace', '120', `${s.pingUrl}/ping/${s.pingKey}`], { env: discoverEnv });
    expect(r.code).toBe(0);
    expect(new Set(parseBlocks(r.stdout).map((b) => b.grace))).toEqual(new Set(['120 s']));
  });
});

describe('lubdub-run --discover --apply', () => {
  const combo = withFakeCrontab(COMBOS[3]); // busybox sh with BusyBox wget only

  // one wrapper run per cron job, each creating a check: slow on a busy machine
  it('creates the checks with their schedules through slug URLs and prints the wrapped lines', async () => {
    const keyUrl = `${s.pingUrl}/ping/${s.pingKey}`;
    const r = await runWrapper(combo, ['--discover', '--apply', keyUrl], { env: discoverEnv });
    expect(r.code, r.stderr).toBe(0);
    const list = ((await (await s.api('/api/v3/checks/')).json()) as { checks: Record<string, any>[] }).checks;
    const got = EXPECTED.map(([slug]) => list.find((c) => c.slug === slug));
    expect(got.map((c) => c && [c.slug, c.schedule, c.tz, c.grace, c.status])).toEqual(EXPECTED.map(([a, b, c, d]) => [a, b, c, d, 'new']));
    for (const c of got) expect(c!.n_pings).toBe(1); // a log ping: created, not yet "up"

    const wrapped = r.stdout.slice(r.stdout.indexOf('# Wrapped lines'));
    const lines = wrapped.split('\n');
    expect(lines).toContain('CRON_TZ=Europe/Riga');
    expect(lines).toContain(`30 2 * * * ${WRAPPER} ${keyUrl}/backup-db -- sh -c '/usr/local/bin/backup-db.sh --all > /var/log/backup.log 2>&1'`);
    expect(lines).toContain(`0 0 * * * ${WRAPPER} ${keyUrl}/certbot -- /usr/bin/certbot renew --quiet`);
    expect(lines).toContain(`17 * * * * root ${WRAPPER} ${keyUrl}/cron-hourly -- sh -c 'cd / && run-parts --report /etc/cron.hourly'`);
    expect(lines).toContain(`0 3 * * 0 backup ${WRAPPER} ${keyUrl}/restic -- restic -r /mnt/nas backup /home`);
    // cron turns \% into %, inside sh -c as well; an unescaped % (stdin) is left to the user
    expect(lines).toContain(`0 5 * * * root ${WRAPPER} ${keyUrl}/rotate -- sh -c '/usr/local/bin/rotate.sh \\%Y-\\%m'`);
    expect(lines).toContain('# mail: wrap by hand, its % lines go to stdin: mail -s report me%hello from cron');
    // CRON_TZ lines keep each wrapped job in its zone: New York follows the Riga jobs
    expect(lines.indexOf('CRON_TZ=America/New_York')).toBeGreaterThan(lines.indexOf('CRON_TZ=Europe/Riga'));

    // A second --apply leaves existing checks alone.
    const again = await runWrapper(combo, ['--discover', '--apply', keyUrl, '--grace', '60'], { env: discoverEnv });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/exists: .*\/restic \(its schedule was left as it is\)/);
    const after = ((await (await s.api('/api/v3/checks/')).json()) as { checks: Record<string, any>[] }).checks;
    expect(after.find((c) => c.slug === 'restic')!.grace).toBe(3600);

    // A wrapped line runs as cron would run it (sh -c with the command part) and reports.
    const unameLine = lines.find((l) => l.includes(`${keyUrl}/uname `))!;
    const command = unameLine.split(' ').slice(5).join(' ');
    const run = await runCommand('/bin/sh', ['-c', command], { env: { PATH: '/usr/bin:/bin', HOME: tempDir() } });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Linux/);
    const uname = ((await (await s.api('/api/v3/checks/?slug=uname')).json()) as { checks: Record<string, any>[] }).checks[0];
    expect(uname.status).toBe('up');
  }, 120_000);

  it.each([COMBOS[0], COMBOS[3]])('exits 1 when a job\'s check could not be created, under $name', async (c) => {
    const dir = tempDir('lubdub-crontab-');
    fs.writeFileSync(path.join(dir, 'crontab'), `#!/bin/sh\n[ "$1" = -l ] && printf '61 * * * * /opt/bad-e2e.sh\\n'\n`, { mode: 0o755 });
    const r = await runWrapper({ ...c, path: () => `${dir}:${c.path()}` }, ['--discover', '--apply', `${s.pingUrl}/ping/${s.pingKey}`], {
      env: { LUBDUB_CRONTAB_FILES: '', LUBDUB_SYSTEM_TZ: 'UTC' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('check: bad-e2e\n  schedule: 61 * * * *\n');
    expect(r.stdout).toContain('  FAILED:   invalid schedule is not a valid cron expression\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports a failed creation and exits 1 when Lubdub cannot be reached', async () => {
    const r = await runWrapper(combo, ['--discover', '--apply', 'http://127.0.0.1:9/ping/nokey'], { env: discoverEnv });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED: .*(can't connect|refused)/);
    expect(r.stderr).toMatch(/cannot reach Lubdub at http:\/\/127.0.0.1:9\/ping\/nokey/);
    expect(r.stdout.match(/FAILED/g)).toHaveLength(1); // stops at the first unreachable try
  });
});

describe('POST /discover/<ping-key> with crontabs', () => {
  const post = (key: string, body: string) => fetch(`${s.pingUrl}/discover/${key}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  const head = (extra = '') => `#lubdub-discover tz=Asia/Tokyo wrapper=/usr/local/bin/lubdub-run url=${s.pingUrl}/ping/discoverykey${extra}\n`;
  const slugs = async () => ((await (await s.api('/api/v3/checks/')).json()) as { checks: { slug: string }[] }).checks.map((c) => c.slug).sort();
  const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

  it('reads fixture crontabs: a block per job, in order, and creates nothing without apply', async () => {
    const before = await slugs();
    const r = await post('discoverykey', `${head()}#section crontab user crontab -l\n${fixture('user.crontab')}#section crontab system /etc/cron.d/restic\n${fixture('cron.d/restic')}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('lubdub-discover-failed')).toBe('0');
    const text = await r.text();
    expect(parseBlocks(text).map((b) => b.check)).toEqual(['backup-db', 'sync', 'uname', 'generate-report', 'certbot', 'mail', 'restic']);
    expect(text).toContain(
      'check: restic\n  schedule: 0 3 * * 0\n  timezone: Europe/Berlin\n  grace:    3600 s\n  from:     /etc/cron.d/restic (user backup)\n  command:  restic -r /mnt/nas backup /home\n\n',
    );
    expect(text).toContain('# already wrapped (/etc/cron.d/restic): /usr/local/bin/lubdub-run http://nas.local:8420/ping/key/prune -- restic forget --prune\n');
    expect(await slugs()).toEqual(before);
  });

  it('with apply, a schedule croner refuses and an unknown zone are FAILED and counted; the other job is created', async () => {
    const tab = '61 * * * * /opt/bad-minute.sh\nCRON_TZ=Mars/Olympus\n0 1 * * * /opt/bad-zone.sh\nCRON_TZ=UTC\n0 2 * * * /opt/good-one.sh\n';
    const r = await post('discoverykey', `${head(' apply=1')}#section crontab user crontab -l\n${tab}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('lubdub-discover-failed')).toBe('2');
    const text = await r.text();
    const url = `${s.pingUrl}/ping/discoverykey`;
    expect(text).toContain('  command:  /opt/bad-minute.sh\n  FAILED:   invalid schedule is not a valid cron expression\n\n');
    expect(text).toContain('  command:  /opt/bad-zone.sh\n  FAILED:   invalid tz is not a valid timezone\n\n');
    expect(text).toContain(`  created:  ${url}/good-one\n`);
    expect(text.slice(text.indexOf('# Wrapped lines'))).toBe(
      `# Wrapped lines: replace the jobs above with these (crontab -e, or the file named).\n# crontab -l\nCRON_TZ=UTC\n0 2 * * * /usr/local/bin/lubdub-run ${url}/good-one -- /opt/good-one.sh\n`,
    );
    const list = await slugs();
    expect(list).toContain('good-one');
    expect(list.filter((x) => x.startsWith('bad-'))).toEqual([]);
  });

  it('a wrong key is 401, a malformed header 400, a listing over the ping body limit 413: none creates anything', async () => {
    const before = await slugs();
    const tab = '#section crontab user crontab -l\n0 3 * * * /opt/never.sh\n';
    expect((await post('wrongkey', head(' apply=1') + tab)).status).toBe(401);
    for (const bad of [head(' apply=1 grace=soon'), '#lubdub-discover url=http://x/ping/otherkey apply=1\n', '#lubdub-discover url=not-a-url apply=1\n', 'apply=1\n']) {
      const r = await post('discoverykey', bad + tab);
      expect(r.status, bad).toBe(400);
      expect(await r.text()).toMatch(/grace must be whole seconds|another ping key|url must be the ping key URL|not a lubdub-run discovery listing/);
    }
    expect((await post('discoverykey', `${head(' apply=1')}${tab}#${'x'.repeat(200_000)}\n`)).status).toBe(413);
    expect(await slugs()).toEqual(before);
  });
});

describe('lubdub-run --discover without a ping key URL', () => {
  it('says in one line how to run it and exits 2, sending nothing', async () => {
    const r = await runWrapper(COMBOS[0], ['--discover'], { env: discoverEnv });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'lubdub-run: --discover needs Lubdub\'s ping key URL, which reads the jobs: lubdub-run --discover http://<lubdub-host>:8420/ping/<ping-key> previews, with --apply creates the checks\n',
    );
  });
});

describe('lubdub-run usage', () => {
  it('prints help and refuses unknown options with exit 2', () => {
    const help = spawnSync('/usr/bin/dash', [WRAPPER, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: lubdub-run <ping-url>/);
    const bad = spawnSync('/usr/bin/dash', [WRAPPER, '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option: --bogus/);
  });
});
