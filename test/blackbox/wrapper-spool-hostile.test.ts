/**
 * lubdub-run's /tmp spool against another local user: with no writable state dir the
 * spool falls back to /tmp/lubdub-spool-$USER, where anyone may plant a symlink or a
 * directory first. The wrapper must never delete, write or replay files there, and the
 * job must still run. Each run uses a USER of its own so runs never share a /tmp name.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/serve.js';
import { captureServer, COMBOS, freePort, runWrapper, spoolDir, spoolEntries } from '../helpers/wrapper.js';

/** The shells the issue names (dash, BusyBox sh) with either client, and bash with curl. */
const SHELLS = COMBOS.filter((c) => !c.shell[0].endsWith('bash') || c.client === 'curl');
const cleanup: string[] = [];
afterAll(() => {
  for (const p of cleanup) fs.rmSync(p, { recursive: true, force: true });
});

/** Every file under `dir` (symlinks not followed) with its content, for "untouched" checks. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = e.isFile() ? fs.readFileSync(p, 'utf8') : e.isDirectory() ? '<dir>' : '<other>';
  }
  return out;
}

/** A victim's directory the attacker points the spool at: many entries, a subdirectory, one spool-like file. */
function victimDir(replayTo: string): string {
  const d = tempDir('lubdub-victim-');
  cleanup.push(d);
  for (let i = 0; i < 1001; i++) fs.writeFileSync(path.join(d, `photo-${String(i).padStart(4, '0')}.jpg`), `photo ${i}`);
  fs.mkdirSync(path.join(d, 'a-subdir'));
  fs.writeFileSync(path.join(d, 'a-subdir', 'thesis.txt'), 'years of work');
  fs.writeFileSync(path.join(d, '000000000001-0000000001-0001'), `${replayTo}/ping/stolen\nthe victim's private file\n`);
  return d;
}

/** A temp dir for the wrapper's own scratch files (TMPDIR), removed after the tests. */
function scratch(): string {
  const d = tempDir('lubdub-state-');
  cleanup.push(d);
  return d;
}

/** A USER whose /tmp spool name is fresh, and that name. */
function freshUser(): { user: string; tmpSpool: string } {
  const user = `lubdub-t-${crypto.randomBytes(6).toString('hex')}`;
  const tmpSpool = `/tmp/lubdub-spool-${user}`;
  cleanup.push(tmpSpool);
  return { user, tmpSpool };
}

// HOME and XDG_STATE_HOME under a regular file: no state dir can be made, even by root.
const noState = { HOME: '/dev/null/home', XDG_STATE_HOME: '' };

describe.concurrent('a symlink planted at /tmp/lubdub-spool-$USER', () => {
  it.each(SHELLS.map((c) => [c.name, c] as const))('%s: the job runs, the target is untouched, --flush sends nothing from it', async (_n, combo) => {
    const capture = await captureServer();
    try {
      const victim = victimDir(capture.url);
      const before = snapshot(victim);
      const { user, tmpSpool } = freshUser();
      fs.symlinkSync(victim, tmpSpool);
      const down = `http://127.0.0.1:${await freePort()}`;

      const stateDir = scratch();
      const r = await runWrapper(combo, [`${down}/ping/${crypto.randomUUID()}`, '--', 'sh', '-c', 'echo job ran; exit 3'], {
        stateDir,
        env: { ...noState, USER: user },
      });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toBe('job ran\n');
      expect(r.stderr).toMatch(/not used as the spool/);
      expect(r.stderr).toMatch(/no writable spool directory: ping to .* lost/);

      const f = await runWrapper(combo, ['--flush'], { stateDir, env: { ...noState, USER: user } });
      expect(f.stdout).toMatch(/Nothing spooled/);
      expect(capture.requests).toEqual([]);
      expect(fs.lstatSync(tmpSpool).isSymbolicLink()).toBe(true);
      expect(snapshot(victim)).toEqual(before);
    } finally {
      await capture.close();
    }
  });
});

describe.concurrent('a directory at /tmp/lubdub-spool-$USER that others may write', () => {
  it.each(SHELLS.map((c) => [c.name, c] as const))('%s: is not used, and what is in it stays', async (_n, combo) => {
    const { user, tmpSpool } = freshUser();
    fs.mkdirSync(tmpSpool);
    fs.chmodSync(tmpSpool, 0o777);
    fs.writeFileSync(path.join(tmpSpool, '000000000001-0000000001-0001'), 'http://127.0.0.1:1/ping/x\n');
    const before = snapshot(tmpSpool);
    const down = `http://127.0.0.1:${await freePort()}`;
    const r = await runWrapper(combo, [`${down}/ping/${crypto.randomUUID()}`, '--', 'sh', '-c', 'exit 0'], { stateDir: scratch(), env: { ...noState, USER: user } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not used as the spool/);
    expect(snapshot(tmpSpool)).toEqual(before);
  });
});

describe.concurrent('a spool of our own', () => {
  it.each(SHELLS.map((c) => [c.name, c] as const))('%s: is made mode 700, and only entries the wrapper wrote are sent or dropped', async (_n, combo) => {
    const state = scratch();
    const { user } = freshUser();
    const down = `http://127.0.0.1:${await freePort()}`;
    const r = await runWrapper(combo, [`${down}/ping/${crypto.randomUUID()}`, '--', 'sh', '-c', 'exit 0'], { stateDir: state, env: { USER: user } });
    expect(r.code, r.stderr).toBe(0);
    const dir = spoolDir(state);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const spooled = spoolEntries(state);
    expect(spooled).toHaveLength(2);
    fs.mkdirSync(path.join(dir, 'keep'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'http://127.0.0.1:1/x\nmine\n');

    const capture = await captureServer();
    try {
      // re-point the spooled pings at the capture server
      for (const e of spooled) {
        fs.writeFileSync(path.join(dir, e.name), Buffer.concat([Buffer.from(e.url.replace(down, capture.url) + '\n'), e.body]));
      }
      const f = await runWrapper(combo, ['--flush'], { stateDir: state, env: { USER: user } });
      expect(f.stdout).toMatch(/Delivered 2 spooled pings; 0 left/);
      expect(capture.requests.map((q) => q.url.replace(/\?.*/, '').replace(/^\/ping\/[^/]+/, ''))).toEqual(['/start', '/0']);
      expect(fs.readdirSync(dir).sort()).toEqual(['keep', 'notes.txt']);
    } finally {
      await capture.close();
    }
  });
});
