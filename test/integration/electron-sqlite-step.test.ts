/**
 * build/electron-sqlite.mjs, the step `npm start` and `npm run dist` run first: it puts
 * better-sqlite3's Electron-ABI build beside the Node build, which it never touches. Run for
 * real: offline (a proxy on a closed port, so the result does not depend on this machine's
 * network) and against a local mirror that serves a prebuilt archive.
 */
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBindingFile } from '../../electron/service/db/native-binding.mjs';
import { ROOT, tempDir } from '../helpers/serve.js';

const NODE_BUILD = path.join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const electronVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version as string;
const sqliteVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')).version as string;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function dir(prefix: string): string {
  const d = tempDir(prefix);
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** This environment without anything that would point prebuild-install elsewhere. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/proxy|binary_host|local_prebuilds|^npm_/i.test(k)));
  return { ...env, ...extra };
}

/** Runs the step; resolves with its exit code and output. */
function runStep(base: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['build/electron-sqlite.mjs', '--base', base], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('the Electron build of better-sqlite3', () => {
  it('offline: exits 1 with one line saying what it needs, leaves the Node build and the temp dir as they were', async () => {
    const base = dir('lubdub-native-');
    const tmp = dir('lubdub-step-tmp-');
    const before = sha256(NODE_BUILD);
    const proxy = `http://127.0.0.1:${await closedPort()}`;
    const r = await runStep(base, cleanEnv({ https_proxy: proxy, HTTPS_PROXY: proxy, npm_config_cache: dir('lubdub-npm-cache-'), TMPDIR: tmp, npm_lifecycle_event: 'start' }));

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^lubdub: the Electron build of better-sqlite3 ${sqliteVersion} \\(electron ${electronVersion}, ${process.platform}-${process.arch}\\) needs a download from better-sqlite3's GitHub releases, which failed \\(.*ECONNREFUSED.*\\); connect to the internet and run npm start again$`,
      ),
    );
    expect(sha256(NODE_BUILD)).toBe(before);
    expect(fs.existsSync(path.join(base, 'native'))).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('downloads the prebuilt Electron binary into native/, never over the Node build, and skips once it is there', async () => {
    // A mirror of better-sqlite3's releases serving an archive laid out as the real ones.
    const archiveDir = dir('lubdub-prebuilt-');
    const binary = crypto.randomBytes(4096);
    fs.mkdirSync(path.join(archiveDir, 'build/Release'), { recursive: true });
    fs.writeFileSync(path.join(archiveDir, 'build/Release/better_sqlite3.node'), binary);
    const archive = path.join(archiveDir, 'prebuilt.tar.gz');
    execFileSync('tar', ['czf', archive, '-C', archiveDir, 'build']);
    const requests: string[] = [];
    const mirror = http.createServer((req, res) => {
      requests.push(req.url!);
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(fs.readFileSync(archive));
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => mirror.close(() => r())));

    const base = dir('lubdub-native-');
    const tmp = dir('lubdub-step-tmp-');
    const before = sha256(NODE_BUILD);
    const env = cleanEnv({
      npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`,
      npm_config_cache: dir('lubdub-npm-cache-'),
      TMPDIR: tmp,
    });
    const first = await runStep(base, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(new RegExp(`^/v${sqliteVersion}/better-sqlite3-v${sqliteVersion}-electron-v\\d+-${process.platform}-${process.arch}\\.tar\\.gz$`));
    const target = electronBindingFile(base, electronVersion, process.platform, process.arch);
    expect(fs.readFileSync(target).equals(binary)).toBe(true);
    expect(sha256(NODE_BUILD)).toBe(before);
    expect(fs.readdirSync(tmp)).toEqual([]);

    const second = await runStep(base, env);
    expect(second).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(requests).toHaveLength(1);
    expect(fs.readFileSync(target).equals(binary)).toBe(true);
    expect(sha256(NODE_BUILD)).toBe(before);
  });
});
