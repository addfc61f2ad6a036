import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveCommandObeyingFileModes, smallDisk, type SmallDisk } from '../helpers/faults.js';
import { logEntries, logged } from '../helpers/log-entries.js';
import { createCheck, ROOT, serve, tempDir, waitFor, type Served } from '../helpers/serve.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(opts: Parameters<typeof serve>[0]): Promise<Served> {
  const s = await serve(opts);
  cleanups.push(() => s.stop());
  return s;
}

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function nPings(s: Served, uuid: string): Promise<number> {
  return ((await (await s.api(`/api/v3/checks/${uuid}`)).json()) as { n_pings: number }).n_pings;
}

/** Runs `npm run serve` on a data dir expected to be refused; resolves with its exit code and output. */
function serveExpectingRefusal(dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn('npm', ['run', '--silent', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, LUBDUB_DATA_DIR: dataDir, LUBDUB_PING_HOST: '127.0.0.1', LUBDUB_PING_PORT: '0', LUBDUB_UI_PORT: '0', LUBDUB_DESKTOP_NOTIFIER: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a service that did start is killed whole
    });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => process.kill(-p.pid!, 'SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A data dir holding a real Lubdub database with one check and a few pings; the service stopped. */
async function populatedDataDir(): Promise<{ dataDir: string; uuid: string }> {
  const s = await serve();
  const c = await createCheck(s, { name: 'precious' });
  for (let i = 0; i < 5; i++) await fetch(`${s.pingUrl}/ping/${c.uuid}`);
  await s.stop();
  // Everything into the main file (the WAL would otherwise mask a corrupted page).
  const db = new Database(path.join(s.dataDir, 'lubdub.db'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  expect(fs.existsSync(path.join(s.dataDir, 'lubdub.db-wal'))).toBe(false);
  return { dataDir: s.dataDir, uuid: c.uuid as string };
}

describe('storage faults (disk full, database unwritable)', () => {
  it('answers 503 with a clear log line while the disk is full, keeps serving reads, and stores again once space is back', async () => {
    const disk: SmallDisk = smallDisk(2 * 1024 * 1024);
    cleanups.push(() => disk.dispose());
    const s = await started({ dataDir: disk.dir });
    const c = await createCheck(s, { name: 'on a full disk' });
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`)).status).toBe(200);

    disk.fill();
    // A body larger than the WAL's free room must grow the file: the kernel says ENOSPC.
    const body = crypto.randomBytes(60_000);
    const replies = [];
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body });
      replies.push(`${r.status} ${await r.text()}`);
    }
    expect(replies).toEqual(Array(5).fill('503 storage error'));
    await waitFor(() => logged(s.output(), 'error', /^storage error, \d+ ping\(s\) not stored, answered 503: disk full/).length > 0);
    // an API change is refused the same way, never a 500
    const created = await s.api('/api/v3/checks/', { method: 'POST', json: { name: 'no room' } });
    expect(created.status).toBe(503);
    await waitFor(() => logged(s.output(), 'error', /^storage error, API change not saved, answered 503: disk full/).length > 0);
    // reads still work, and nothing was half-stored
    expect(await nPings(s, c.uuid)).toBe(1);
    expect(s.proc.exitCode).toBeNull();

    disk.free();
    const again = await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body });
    expect(again.status).toBe(200);
    expect(await nPings(s, c.uuid)).toBe(2);
    const stored = await s.api(`/api/v3/checks/${c.uuid}/pings/2/body`);
    expect(Buffer.from(await stored.arrayBuffer()).equals(body)).toBe(true);
  });

  it('answers 503 with a clear log line when the database file is read-only, and never crashes', async () => {
    // root ignores file modes: the service runs without that privilege, so the fault is real
    const command = serveCommandObeyingFileModes();
    const first = await serve({ command });
    const c = await createCheck(first, { name: 'read-only' });
    expect((await fetch(`${first.pingUrl}/ping/${c.uuid}`)).status).toBe(200);
    await first.stop();

    fs.chmodSync(path.join(first.dataDir, 'lubdub.db'), 0o444);
    const s = await started({ dataDir: first.dataDir, command });
    for (const suffix of ['', '/fail', '/start']) {
      const r = await fetch(`${s.pingUrl}/ping/${c.uuid}${suffix}`);
      expect(`${r.status} ${await r.text()}`).toBe('503 storage error');
    }
    await waitFor(() => logged(s.output(), 'error', /^storage error, \d+ ping\(s\) not stored, answered 503: database not writable/).length > 0);
    expect(await nPings(s, c.uuid)).toBe(1);
    expect((await s.api(`/api/v3/checks/${c.uuid}/pause`, { method: 'POST' })).status).toBe(503);
    await waitFor(() => logged(s.output(), 'error', /^storage error, API change not saved, answered 503: database not writable/).length > 0);
    expect(s.proc.exitCode).toBeNull();
  });

  it('--log-level warn silences info lines and still logs storage errors', async () => {
    const command = serveCommandObeyingFileModes();
    const first = await serve({ command });
    const c = await createCheck(first, { name: 'read-only, quietly' });
    await first.stop();
    // at the default level the same service logs info lines (where it listens)
    expect(logged(first.output(), 'info', /^ping port listening at /)).toHaveLength(1);

    fs.chmodSync(path.join(first.dataDir, 'lubdub.db'), 0o444);
    const s = await started({ dataDir: first.dataDir, command, args: ['--log-level', 'warn'] });
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`)).status).toBe(503);
    await waitFor(() => logged(s.output(), 'error', /answered 503: database not writable/).length > 0);
    const entries = logEntries(s.output());
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.level !== 'error' && e.level !== 'warn' && e.level !== 'fatal')).toEqual([]);
  });
});

describe('a database that cannot be trusted is refused, and left as it was', () => {
  it('refuses to start on a corrupt database with a clear message and does not touch the file', async () => {
    const { dataDir } = await populatedDataDir();
    const file = path.join(dataDir, 'lubdub.db');
    const db = new Database(file, { readonly: true });
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'pings'").pluck().get() as number;
    db.close();
    // overwrite the ping table's root page: a torn write or a bad sector
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xaa), 0, 4096, (root - 1) * 4096);
    fs.closeSync(fd);
    const before = sha256(file);

    const r = await serveExpectingRefusal(dataDir);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/lubdub: database .*lubdub\.db is unreadable or corrupt \(integrity check failed: .*\); it was left as it is/s);
    expect(sha256(file)).toBe(before);
  });

  it('refuses a file that is not a database at all, leaving it as it was', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'lubdub.db');
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const before = sha256(file);
    const r = await serveExpectingRefusal(dataDir);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/lubdub: cannot open database .*: file is not a database; it was left as it is/);
    expect(sha256(file)).toBe(before);
  });

  it("refuses someone else's SQLite database instead of migrating it, leaving it as it was", async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'lubdub.db');
    const other = new Database(file);
    other.exec("CREATE TABLE checks (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO checks (what) VALUES ('not ours')");
    other.close();
    const before = sha256(file);
    const r = await serveExpectingRefusal(dataDir);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/is not a Lubdub database \(it has tables but no Lubdub schema version\); it was left as it is/);
    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('lubdub.db'))).toEqual(['lubdub.db']);
  });
});
