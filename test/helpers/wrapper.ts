import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, tempDir } from './serve.js';

/** The job wrapper as it sits in the repo. */
export const WRAPPER = path.join(ROOT, 'electron/service/wrapper/lubdub-run.sh');

/**
 * The BusyBox applets lubdub-run may rely on: what a NAS firmware has. A PATH made of only
 * these has no curl, no coreutils, no bash.
 */
export const BUSYBOX_APPLETS = [
  'sh', 'wget', 'cat', 'cp', 'cut', 'date', 'grep', 'head', 'id', 'ls', 'mkdir', 'mkfifo',
  'mktemp', 'mv', 'od', 'readlink', 'rm', 'sed', 'sleep', 'tail', 'tee', 'tr', 'wc',
];

let bbDir: string | null = null;
/** A bin directory of symlinks to BusyBox applets only (made once per test process). */
export function busyboxOnlyPath(): string {
  if (bbDir) return bbDir;
  const dir = tempDir('lubdub-bb-');
  for (const a of BUSYBOX_APPLETS) fs.symlinkSync('/usr/bin/busybox', path.join(dir, a));
  bbDir = dir;
  return dir;
}

/** How the wrapper is run: which shell, and which PATH (hence curl or BusyBox wget). */
export interface Combo {
  name: string;
  shell: string[];
  client: 'curl' | 'bbwget';
  path: () => string;
}

const systemPath = () => process.env.PATH ?? '/usr/bin:/bin';

/** The shells × HTTP clients the issue asks for (plus bash). */
export const COMBOS: Combo[] = [
  { name: 'dash + curl', shell: ['/usr/bin/dash'], client: 'curl', path: systemPath },
  { name: 'busybox sh + curl', shell: ['/usr/bin/busybox', 'sh'], client: 'curl', path: systemPath },
  { name: 'dash + BusyBox wget only', shell: ['/usr/bin/dash'], client: 'bbwget', path: busyboxOnlyPath },
  { name: 'busybox sh + BusyBox wget only', shell: ['/usr/bin/busybox', 'sh'], client: 'bbwget', path: busyboxOnlyPath },
  { name: 'bash + curl', shell: ['/usr/bin/bash'], client: 'curl', path: systemPath },
  { name: 'bash + BusyBox wget only', shell: ['/usr/bin/bash'], client: 'bbwget', path: busyboxOnlyPath },
];

/** What a wrapper run did. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  startedAt: number;
  endedAt: number;
}

/**
 * Runs lubdub-run under `combo` with a clean environment (only PATH, HOME, the state dir
 * and `env`), the way cron would start it.
 */
export function runWrapper(
  combo: Combo,
  args: string[],
  opts: {
    env?: Record<string, string>;
    stateDir?: string;
    input?: string;
    script?: string;
    timeoutMs?: number;
    /**
     * once stdout shows `text` (and `delayMs` later), send `signal` to the wrapper's whole
     * process group (Ctrl-C, systemd stop)
     */
    signalGroup?: { text: string; signal: NodeJS.Signals; delayMs?: number };
  } = {},
): Promise<RunResult> {
  const stateDir = opts.stateDir ?? tempDir('lubdub-state-');
  const env: Record<string, string> = {
    PATH: combo.path(),
    HOME: stateDir,
    XDG_STATE_HOME: stateDir,
    TMPDIR: stateDir,
    ...opts.env,
  };
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(combo.shell[0], [...combo.shell.slice(1), opts.script ?? WRAPPER, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: opts.signalGroup !== undefined,
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    p.stdout.on('data', (d) => {
      stdout += d;
      if (opts.signalGroup && !signalled && stdout.includes(opts.signalGroup.text)) {
        signalled = true;
        const { signal, delayMs } = opts.signalGroup;
        setTimeout(() => {
          try {
            process.kill(-p.pid!, signal);
          } catch {
            /* the group is already gone */
          }
        }, delayMs ?? 0);
      }
    });
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`wrapper did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const endedAt = Date.now();
      resolve({ code, signal, stdout, stderr, ms: endedAt - startedAt, startedAt, endedAt });
    });
    // A run that exits before reading its input (a usage error) closes the pipe: EPIPE is not a failure.
    p.stdin.on('error', () => {});
    p.stdin.end(opts.input ?? '');
  });
}

/** A TCP port that was free a moment ago (for restarting the service on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A server that accepts connections and never answers: Lubdub behind a dead route. */
export async function blackHole(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  // The request line of every connection, so a test can count tries without timing them.
  const requests: string[] = [];
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      const eol = head.indexOf('\r\n');
      if (eol < 0) return;
      requests.push(head.slice(0, eol));
      s.off('data', onData);
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        srv.close(() => r());
      }),
  };
}

/** The spool directory the wrapper uses for a given XDG_STATE_HOME. */
export function spoolDir(stateDir: string): string {
  return path.join(stateDir, 'lubdub', 'spool');
}

/** Spool entries in replay order: name, URL (first line) and body. */
export function spoolEntries(stateDir: string): { name: string; url: string; body: Buffer }[] {
  const dir = spoolDir(stateDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((name) => {
      const raw = fs.readFileSync(path.join(dir, name));
      const nl = raw.indexOf(10);
      return { name, url: raw.subarray(0, nl).toString('utf8'), body: raw.subarray(nl + 1) };
    });
}

/** A stand-in ping receiver that records every request and answers 200 OK. */
export async function captureServer(): Promise<{
  url: string;
  requests: { method: string; url: string; body: string; ua: string }[];
  close: () => Promise<void>;
}> {
  const http = await import('node:http');
  const requests: { method: string; url: string; body: string; ua: string }[] = [];
  const srv = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body: b, ua: String(req.headers['user-agent'] ?? '') });
      res.writeHead(200, { 'content-type': 'text/plain', 'ping-body-limit': '100000' }).end('OK');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => srv.close(() => r())) };
}
