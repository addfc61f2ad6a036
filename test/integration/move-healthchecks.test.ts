/**
 * Moving checks to and from healthchecks: against a second real Lubdub (in-process, on a real
 * socket) speaking API v3 as the other side, and against a server answering with healthchecks'
 * documented API v3 JSON (test/fixtures/healthchecks). Round trips keep every carried field;
 * a second run changes nothing; dry runs change nothing; a wrong key or an unreachable host
 * fails with one line and writes nothing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportHealthchecks, importHealthchecks, MoveError, rewritePingUrls } from '../../electron/service/integrations/move.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { ROOT, tempDir } from '../helpers/serve.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const clock = new ManualClock(T0);
const FIXTURES = path.join(ROOT, 'test/fixtures/healthchecks');
const fixture = (f: string) => fs.readFileSync(path.join(FIXTURES, f), 'utf8');

/** The fields a move carries, as the API v3 JSON shows them. */
const CARRIED = ['name', 'slug', 'tags', 'desc', 'grace', 'timeout', 'schedule', 'tz', 'manual_resume', 'methods', 'start_kw', 'success_kw', 'failure_kw', 'filter_http_body', 'filter_default_fail'];
const carried = (c: Record<string, unknown>) => Object.fromEntries(CARRIED.filter((k) => k in c).map((k) => [k, c[k]]));

const open: { stop: () => Promise<unknown> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function lubdub(dataDir?: string): Promise<Harness> {
  const h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
  open.push(h);
  if (!dataDir) dirs.push(h.dataDir);
  return h;
}

function dir(): string {
  const d = tempDir('lubdub-move-');
  dirs.push(d);
  return d;
}

/** The checks of a stopped data dir, read through a real service on it (URLs of its API port left out), then stopped again. */
async function checksIn(dataDir: string): Promise<Record<string, any>[]> {
  const h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
  try {
    const list = (await h.api('GET', '/api/v3/checks/')).json.checks as Record<string, unknown>[];
    return list.map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !['update_url', 'pause_url', 'resume_url'].includes(k))));
  } finally {
    await h.stop();
  }
}

/** A server answering as healthchecks' API v3 does in its documentation, recording what it is sent. */
async function documented(): Promise<{ url: string; posts: Record<string, unknown>[]; stop: () => Promise<void> }> {
  const posts: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const key = req.headers['x-api-key'];
      const send = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      if (key !== 'rw-key' && key !== 'ro-key') return send(401, '{"error": "wrong api key"}');
      if (req.method === 'GET' && req.url === '/api/v3/checks/') return send(200, fixture(key === 'rw-key' ? 'list-checks.json' : 'list-checks-readonly.json'));
      if (req.method === 'GET' && req.url === '/api/v3/channels/') return key === 'rw-key' ? send(200, fixture('list-channels.json')) : send(401, '{"error": "wrong api key"}');
      if (req.method === 'POST' && req.url === '/api/v3/checks/' && key === 'rw-key') {
        posts.push(JSON.parse(body));
        return send(201, JSON.stringify({ ...JSON.parse(body), ping_url: `https://hc-ping.com/00000000-0000-4000-8000-${String(posts.length).padStart(12, '0')}` }));
      }
      send(404, '{"error": "not found"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const s = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, stop: () => new Promise<void>((r) => server.close(() => r())) };
  open.push(s);
  return s;
}

describe('import from healthchecks', () => {
  it('from a second real Lubdub: every carried field and the uuid arrive; a second run and a dry run change nothing', async () => {
    const hc = await lubdub();
    const made = [
      { name: 'db backup', slug: 'db-backup', tags: 'prod db', desc: 'nightly dump', timeout: 3600, grace: 600, manual_resume: true, methods: 'POST', start_kw: 'starting', success_kw: 'done', failure_kw: 'ERROR', filter_http_body: true, filter_default_fail: true },
      { name: 'report', slug: 'report', schedule: '15 5 * * 1-5', tz: 'Europe/Riga', grace: 1200 },
    ];
    for (const m of made) expect((await hc.api('POST', '/api/v3/checks/', m)).status).toBe(201);
    const there = (await hc.api('GET', '/api/v3/checks/')).json.checks as Record<string, any>[];
    const remote = { url: hc.svc.uiUrl, apiKey: KEY };
    const local = dir();

    const dry = await importHealthchecks({ remote, dataDir: local, dryRun: true, clock });
    expect(dry.lines.map((l) => l.action)).toEqual(['create', 'create']);
    expect(fs.readdirSync(local)).toEqual([]);

    const first = await importHealthchecks({ remote, dataDir: local, dryRun: false, clock });
    expect(first.lines.map((l) => [l.action, l.detail])).toEqual(there.map((c) => ['create', `same uuid ${c.uuid}`]));
    const here = await checksIn(local);
    expect(here.map((c) => [c.uuid, carried(c)])).toEqual(there.map((c) => [c.uuid, carried(c)]));

    const second = await importHealthchecks({ remote, dataDir: local, dryRun: false, clock });
    expect(second.lines.map((l) => l.action)).toEqual(['same', 'same']);
    expect(await checksIn(local)).toEqual(here);

    // a change over there is an update here, of that field only; a dry run of it writes nothing
    expect((await hc.api('POST', `/api/v3/checks/${there[0].uuid}`, { grace: 900 })).status).toBe(200);
    const planned = await importHealthchecks({ remote, dataDir: local, dryRun: true, clock });
    expect(planned.lines.map((l) => [l.action, l.detail])).toEqual([['update', 'grace'], ['same', '']]);
    expect(await checksIn(local)).toEqual(here);
    await importHealthchecks({ remote, dataDir: local, dryRun: false, clock });
    expect((await checksIn(local))[0].grace).toBe(900);
  });

  it("from healthchecks' documented JSON: fields, uuids from update_url, OnCalendar skipped, channels listed; a read-only key imports without uuids", async () => {
    const hc = await documented();
    const local = dir();
    const r = await importHealthchecks({ remote: { url: hc.url, apiKey: 'rw-key' }, dataDir: local, dryRun: false, clock });
    expect(r.lines.map((l) => [l.action, l.name])).toEqual([
      ['create', 'Filesystem Backup'],
      ['create', 'Database Backup'],
      ['skip', 'Weekly Report'],
    ]);
    expect(r.lines[2].detail).toMatch(/OnCalendar/);
    expect(r.channels).toEqual([
      { name: 'My Work Email', kind: 'email' },
      { name: 'My Phone', kind: 'pushover' },
    ]);
    const here = await checksIn(local);
    expect(here.map((c) => c.uuid)).toEqual(['31365bce-8da9-4729-8ff3-aaa71d56b712', '803f680d-e89b-492b-82ef-2be7b774a92d']);
    expect(carried(here[1])).toEqual({
      name: 'Database Backup',
      slug: 'database-backup',
      tags: 'production db',
      desc: 'Runs ~/db-backup.sh',
      grace: 1200,
      schedule: '15 5 * * *',
      tz: 'Europe/Riga',
      manual_resume: true,
      methods: 'POST',
      start_kw: 'starting',
      success_kw: 'SUCCESS',
      failure_kw: 'ERROR,FATAL',
      filter_http_body: true,
      filter_default_fail: false,
    });
    expect(carried(here[0])).toMatchObject({ name: 'Filesystem Backup', timeout: 3600, grace: 600, tags: 'backup fs' });

    const ro = dir();
    const r2 = await importHealthchecks({ remote: { url: hc.url, apiKey: 'ro-key' }, dataDir: ro, dryRun: false, clock });
    expect(r2.lines.map((l) => [l.action, l.detail])).toEqual([['create', 'new uuid']]);
    expect(r2.channels).toBeNull();
    // the same check matched by slug afterwards: nothing changes
    const again = await importHealthchecks({ remote: { url: hc.url, apiKey: 'ro-key' }, dataDir: ro, dryRun: false, clock });
    expect(again.lines.map((l) => l.action)).toEqual(['same']);
  });

  it('a wrong key or an unreachable host: one clear line, nothing written', async () => {
    const hc = await documented();
    const local = path.join(dir(), 'data');
    await expect(importHealthchecks({ remote: { url: hc.url, apiKey: 'wrong' }, dataDir: local, dryRun: false, clock })).rejects.toThrow(
      new MoveError(`${hc.url} refused the API key (HTTP 401)`),
    );
    const closed = await new Promise<number>((r) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => r(port));
      });
    });
    await expect(importHealthchecks({ remote: { url: `http://127.0.0.1:${closed}`, apiKey: 'rw-key' }, dataDir: local, dryRun: false, clock })).rejects.toThrow(
      new MoveError(`cannot reach http://127.0.0.1:${closed}: ECONNREFUSED`),
    );
    expect(fs.existsSync(local)).toBe(false);

    // the command itself: one line on stderr, exit 1, no data dir made
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { lubdub: string } };
    // (not spawnSync: the other side answers from this process)
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const args = [path.join(ROOT, pkg.bin.lubdub), 'import', 'healthchecks', '--url', hc.url, '--api-key', 'wrong', '--data-dir', local];
      execFile(process.execPath, args, { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }));
    });
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `lubdub: ${hc.url} refused the API key (HTTP 401)\n`]);
    expect(fs.existsSync(local)).toBe(false);
  });
});

describe('export to healthchecks', () => {
  it('to a second real Lubdub: every carried field arrives, the mapping and rewritten crontab name the new URLs; second run and dry run change nothing', async () => {
    const mine = await lubdub();
    const a = (await mine.api('POST', '/api/v3/checks/', { name: 'db backup', tags: 'prod', timeout: 3600, grace: 600, methods: 'POST', success_kw: 'done', push_token: 'tok-12345678', channels: '' })).json;
    const b = (await mine.api('POST', '/api/v3/checks/', { name: 'report', schedule: '0 6 * * *', tz: 'Europe/Berlin', grace: 300, manual_resume: true, channels: '' })).json;
    const pingKey = JSON.parse(fs.readFileSync(path.join(mine.dataDir, 'keys.json'), 'utf8')).pingKey as string;
    await mine.stop();
    const crontab = path.join(dir(), 'crontab');
    fs.writeFileSync(
      crontab,
      [
        `0 3 * * * /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null http://nas.local:8420/ping/${a.uuid}`,
        `0 6 * * * lubdub-run http://nas.local:8420/ping/${pingKey}/report -- /usr/local/bin/report.sh`,
        `*/5 * * * * curl -fsS http://nas.local:8420/ping/${b.uuid}/start`,
        '# untouched line',
      ].join('\n') + '\n',
    );

    const hc = await lubdub();
    const remote = { url: hc.svc.uiUrl, apiKey: KEY };
    const dry = await exportHealthchecks({ remote, dataDir: mine.dataDir, dryRun: true, clock, unique: 'name', files: [crontab] });
    expect(dry.lines.map((l) => l.action)).toEqual(['create', 'create']);
    expect((await hc.api('GET', '/api/v3/checks/')).json.checks).toEqual([]);

    const r = await exportHealthchecks({ remote, dataDir: mine.dataDir, dryRun: false, clock, unique: 'name', files: [crontab] });
    expect(r.lines.map((l) => l.action)).toEqual(['create', 'create']);
    const there = (await hc.api('GET', '/api/v3/checks/')).json.checks as Record<string, any>[];
    expect(there.map(carried)).toEqual([a, b].map(carried));
    expect(r.notCarried).toEqual({ 'db backup': ['push token (/api/push/…)'] });
    expect(r.mapping.map((m) => [m.old_uuid, m.new_ping_url])).toEqual([
      [a.uuid, there[0].ping_url],
      [b.uuid, there[1].ping_url],
    ]);
    const lines = r.rewritten[0].text.split('\n');
    expect(lines[0]).toBe(`0 3 * * * /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null ${there[0].ping_url}`);
    expect(lines[1]).toBe(`0 6 * * * lubdub-run ${there[1].ping_url} -- /usr/local/bin/report.sh`);
    expect(lines[2]).toBe(`*/5 * * * * curl -fsS ${there[1].ping_url}/start`);
    expect(lines[3]).toBe('# untouched line');
    expect(r.rewritten[0].changed).toHaveLength(3);
    // the file itself is not edited
    expect(fs.readFileSync(crontab, 'utf8')).toContain(`/ping/${a.uuid}`);

    const again = await exportHealthchecks({ remote, dataDir: mine.dataDir, dryRun: false, clock, unique: 'name' });
    expect(again.lines.map((l) => l.action)).toEqual(['same', 'same']);
    expect((await hc.api('GET', '/api/v3/checks/')).json.checks).toEqual(there);
  });

  it("to healthchecks' documented API: each check is one POST with unique [\"name\"] and healthchecks' field names", async () => {
    const mine = await lubdub();
    expect((await mine.api('POST', '/api/v3/checks/', { name: 'nightly', slug: 'nightly', tags: 'x y', timeout: 86400, grace: 3600, channels: '' })).status).toBe(201);
    await mine.stop();
    const hc = await documented();
    const r = await exportHealthchecks({ remote: { url: hc.url, apiKey: 'rw-key' }, dataDir: mine.dataDir, dryRun: false, clock, unique: 'name' });
    expect(r.lines.map((l) => l.action)).toEqual(['create']);
    expect(hc.posts).toEqual([
      {
        name: 'nightly',
        slug: 'nightly',
        tags: 'x y',
        desc: '',
        grace: 3600,
        timeout: 86400,
        manual_resume: false,
        methods: '',
        start_kw: '',
        success_kw: '',
        failure_kw: '',
        filter_http_body: false,
        filter_default_fail: false,
        unique: ['name'],
      },
    ]);
    expect(r.mapping[0].new_ping_url).toBe('https://hc-ping.com/00000000-0000-4000-8000-000000000001');
  });

  it('a wrong key: one line, nothing sent', async () => {
    const mine = await lubdub();
    expect((await mine.api('POST', '/api/v3/checks/', { name: 'nightly', channels: '' })).status).toBe(201);
    await mine.stop();
    const hc = await documented();
    await expect(exportHealthchecks({ remote: { url: hc.url, apiKey: 'nope' }, dataDir: mine.dataDir, dryRun: false, clock, unique: 'name' })).rejects.toThrow(
      `${hc.url} refused the API key (HTTP 401)`,
    );
    expect(hc.posts).toEqual([]);
  });
});

describe('rewritePingUrls', () => {
  it('leaves URLs of other checks, other ping keys and other paths alone', () => {
    const m = [{ name: 'a', slug: 'a', old_uuid: '11111111-1111-4111-8111-111111111111', old_ping_url: '', new_ping_url: 'https://hc-ping.com/x' }];
    const text = [
      'http://h:1/ping/22222222-2222-4222-8222-222222222222',
      'http://h:1/ping/otherkey/a',
      'http://h:1/api/v3/checks/11111111-1111-4111-8111-111111111111',
      'http://h:1/ping/11111111-1111-4111-8111-111111111111/3',
    ].join('\n');
    const r = rewritePingUrls(text, m, 'mykey');
    expect(r.text.split('\n')).toEqual([
      'http://h:1/ping/22222222-2222-4222-8222-222222222222',
      'http://h:1/ping/otherkey/a',
      'http://h:1/api/v3/checks/11111111-1111-4111-8111-111111111111',
      'https://hc-ping.com/x/3',
    ]);
  });
});
