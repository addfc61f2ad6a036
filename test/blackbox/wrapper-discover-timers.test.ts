import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, serve, tempDir, type Served } from '../helpers/serve.js';
import { COMBOS, runWrapper, WRAPPER, type Combo } from '../helpers/wrapper.js';

const FIX = path.join(ROOT, 'test/fixtures/systemd');
const LIST = fs.readFileSync(path.join(FIX, 'list-timers.txt'), 'utf8');
const UNITS = fs.readFileSync(path.join(FIX, 'units.txt'), 'utf8');

/** A fake `systemctl` that answers list-timers and cat from the fixtures, first on PATH; no crontab. */
function withFakeSystemctl(combo: Combo): Combo {
  const dir = tempDir('lubdub-systemctl-');
  const units = path.join(dir, 'units');
  fs.mkdirSync(units);
  for (const part of UNITS.split(/^#section unit /m).filter(Boolean)) {
    const nl = part.indexOf('\n');
    fs.writeFileSync(path.join(units, part.slice(0, nl).trim()), part.slice(nl + 1));
  }
  fs.writeFileSync(
    path.join(dir, 'systemctl'),
    `#!/bin/sh\ncase $1 in\n  list-timers) exec cat '${FIX}/list-timers.txt' ;;\n  cat) exec cat '${units}'/"$3" ;;\nesac\nexit 1\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, 'crontab'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return { ...combo, path: () => `${dir}:${combo.path()}` };
}

const env = { LUBDUB_CRONTAB_FILES: '', LUBDUB_SYSTEM_TZ: 'Asia/Tokyo' };

let s: Served;
beforeAll(async () => {
  s = await serve({ env: { LUBDUB_PING_KEY: 'timerskey', LUBDUB_BASE_URL: 'http://nas.test:8420' } });
});
afterAll(async () => {
  await s?.stop();
});

const post = (key: string, body: string) => fetch(`${s.pingUrl}/discover/${key}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
const listing = `#lubdub-discover tz=Asia/Tokyo wrapper=/usr/local/bin/lubdub-run\n#section list-timers\n${LIST}${UNITS}`;

describe('POST /discover/<ping-key> on the ping port', () => {
  it('reads fixture timer listings: cron where OnCalendar= maps, why not where it does not', async () => {
    const r = await post('timerskey', listing);
    expect(r.status).toBe(200);
    const text = await r.text();
    const blocks = text.split('\n\n').filter((b) => b.startsWith('timer: '));
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(['timer: sync-photos.timer', 'timer: backup-db.timer', 'timer: fstrim.timer', 'timer: precise.timer', 'timer: boot-check.timer']);
    expect(blocks[1]).toContain('  schedule: 30 2 * * *\n  timezone: Europe/Berlin\n  grace:    3600 s');
    expect(blocks[1]).toContain('  create:   http://nas.test:8420/ping/timerskey/backup-db?create=1&schedule=30%202%20*%20*%20*&tz=Europe%2FBerlin&grace=3600');
    expect(blocks[1]).toContain('  wrap:     ExecStart=-/usr/local/bin/lubdub-run http://nas.test:8420/ping/timerskey/backup-db -- /usr/local/bin/backup-db.sh --all');
    expect(blocks[0]).toContain("  or add:   ExecStopPost=/bin/sh -c 'curl -fsS -m 10 --retry 3 http://nas.test:8420/ping/timerskey/sync-photos/$${EXIT_STATUS:-0}'");
    expect(blocks[2]).toContain('  schedule: 0 0 * * 1\n  timezone: Asia/Tokyo');
    expect(blocks[3]).toContain('schedule: none (OnCalendar=*-*-* 03:00:15: "*-*-* 03:00:15" runs at second 15: cron has whole minutes only)');
    expect(blocks[4]).toContain('schedule: none (no OnCalendar=');
  });

  it('a wrong ping key is 401 and a body that is not a listing 400; neither creates anything', async () => {
    expect((await post('wrongkey', listing)).status).toBe(401);
    expect((await post('timerskey', 'hello')).status).toBe(400);
    const list = (await (await s.api('/api/v3/checks/')).json()) as { checks: unknown[] };
    expect(list.checks).toHaveLength(0);
  });
});

describe.each([COMBOS[0], COMBOS[3]])('lubdub-run --discover with systemd timers under $name', (base) => {
  const combo = withFakeSystemctl(base);

  it('sends the raw listings with --apply and prints Lubdub\'s answer', async () => {
    const r = await runWrapper(combo, ['--discover', '--apply', `${s.pingUrl}/ping/timerskey`], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('timer: backup-db.timer\n  schedule: 30 2 * * *\n  timezone: Europe/Berlin');
    expect(r.stdout).toContain(`  wrap:     ExecStart=/usr/local/bin/lubdub-run http://nas.test:8420/ping/timerskey/fstrim -- /sbin/fstrim`.replace('/usr/local/bin/lubdub-run', WRAPPER));
    expect(r.stdout.match(/^timer: /gm)).toHaveLength(5);
  });

  it('without --apply previews the timers as Lubdub reads them', async () => {
    const r = await runWrapper(combo, ['--discover', `${s.pingUrl}/ping/timerskey`], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/^timer: /gm)).toHaveLength(5);
    expect(r.stdout).toContain('timer: backup-db.timer\n  schedule: 30 2 * * *\n  timezone: Europe/Berlin');
    expect(r.stdout).toMatch(/To create these checks and get the wrapped lines: lubdub-run --discover --apply .*\/ping\/timerskey\n$/);
  });

  it('a wrong key is reported and exits 1', async () => {
    const r = await runWrapper(combo, ['--discover', '--apply', `${s.pingUrl}/ping/nottheky`], { env });
    expect(r.code).toBe(1);
    // BusyBox wget keeps no body of a 4xx reply: the status alone is printed
    expect(r.stdout).toMatch(/^FAILED: HTTP 401( wrong ping key)?\n$/);
  });
});
