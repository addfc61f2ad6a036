import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordProcessGroup } from './run-dir.js';
import { assertResponse } from './contract.js';
import { SERVICE_NODE_FLAGS } from '../../electron/service/node-flags.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const API_KEY = 'test-api-key-0123456789abcdef';

/** A real `npm run serve` process on free ports. */
export interface Served {
  proc: ChildProcess;
  dataDir: string;
  pingUrl: string;
  uiUrl: string;
  loginUrl: string;
  apiKey: string;
  pingKey: string;
  output: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code */
  stop: () => Promise<number | null>;
  /** stop, then remove the data dir (scripts outside the test run's temp folder: the bench) */
  dispose: () => Promise<void>;
  /** SIGKILL the whole process group and wait */
  kill9: () => Promise<void>;
  /** management API call with the key */
  api: (p: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
}

/** A fresh temporary data dir. */
export function tempDir(prefix = 'lubdub-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The command `npm run serve` runs once its build check has passed: the last step of the
 * package.json script (its environment assignments, then node), read from there so the tests
 * start exactly what users start, without npm's own process in between. The test set-up
 * (test/helpers/global-setup.ts) builds first.
 */
const SERVE_STEP: { env: Record<string, string>; cmd: string[] } = (() => {
  const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.serve;
  const words = script.split('&&').at(-1)!.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0])) {
    const [k, ...v] = words.shift()!.split('=');
    env[k] = v.join('=');
  }
  if (words[0] !== 'node') throw new Error(`npm run serve should end in a node command: ${script}`);
  return { env, cmd: [process.execPath, ...words.slice(1)] };
})();
export const SERVE_CMD: string[] = SERVE_STEP.cmd;
/** The environment `npm run serve` gives the service (given to `SERVE_CMD` and commands built from it). */
export const SERVE_ENV: Readonly<Record<string, string>> = SERVE_STEP.env;

/** The service run from its TypeScript sources through tsx's loader (the bench's comparison). */
export const TSX_SERVE_CMD = [process.execPath, ...SERVICE_NODE_FLAGS, '--import', 'tsx', 'electron/service/cli.ts', 'serve'];

/**
 * Starts the service as `npm run serve -- …` does (the same tsx command, minus npm's
 * wrapper so signals and exit codes reach the test unchanged) with port 0, and waits
 * for its printed listeners. Resolves with URLs parsed from its own output.
 */
export async function serve(
  opts: {
    dataDir?: string;
    env?: Record<string, string>;
    args?: string[];
    timeoutMs?: number;
    /** runs the service inside another command (e.g. xvfb-run … dbus-run-session -- …) */
    wrap?: string[];
    /** the command instead of `npm run serve --`'s (e.g. node on a compiled build); args are appended */
    command?: string[];
    /** where the command runs (default: this checkout) */
    cwd?: string;
  } = {},
): Promise<Served> {
  const dataDir = opts.dataDir ?? tempDir();
  // a dir made here goes with the service when it fails to start; a given one is the caller's
  const removeOwnDir = () => {
    if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const cmd = [...(opts.wrap ?? []), ...(opts.command ?? SERVE_CMD), ...(opts.args ?? [])];
  const proc = spawn(cmd[0], cmd.slice(1), {
    cwd: opts.cwd ?? ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...(opts.command ? {} : SERVE_ENV),
      LUBDUB_DATA_DIR: dataDir,
      LUBDUB_PING_HOST: '127.0.0.1',
      LUBDUB_PING_PORT: '0',
      LUBDUB_UI_PORT: '0',
      LUBDUB_API_KEY: API_KEY,
      LUBDUB_BASE_URL: 'http://lubdub.test:8420',
      LUBDUB_DESKTOP_NOTIFIER: 'false',
      // tests never announce on the machine's LAN (the mDNS test runs in its own namespace)
      LUBDUB_MDNS: 'off',
      ...opts.env,
    },
  });
  recordProcessGroup(proc.pid);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (!/log in once:\s+(\S+)/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {}
      await exited;
      removeOwnDir();
      throw new Error(`service did not start (exit ${proc.exitCode}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pingUrl = /ping receiver:\s+(\S+)/.exec(out)![1];
  const uiUrl = /console \+ API:\s+(\S+)/.exec(out)![1];
  const loginUrl = /log in once:\s+(\S+)/.exec(out)![1];
  const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8'));
  const apiKey = opts.env?.LUBDUB_API_KEY ?? API_KEY;
  const stop = async () => {
    try {
      process.kill(proc.pid!, 'SIGTERM');
    } catch {}
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), 10_000)))]);
    clearTimeout(timer);
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {}
    return code;
  };
  return {
    proc,
    dataDir,
    pingUrl,
    uiUrl,
    loginUrl,
    apiKey,
    pingKey: opts.env?.LUBDUB_PING_KEY ?? keys.pingKey,
    output: () => out,
    stop,
    dispose: async () => {
      await stop();
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    kill9: async () => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {}
      await exited;
    },
    api: (p, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('x-api-key')) headers.set('x-api-key', apiKey);
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers.set('content-type', 'application/json');
      }
      // every answer of a declared route is checked against its response schema
      return fetch(uiUrl + p, { ...init, headers, body }).then((r) => assertResponse(init.method ?? 'GET', p, r));
    },
  };
}

/** Creates a check through the API and returns its JSON. */
export async function createCheck(s: Served, json: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await s.api('/api/v3/checks/', { method: 'POST', json });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, any>;
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
