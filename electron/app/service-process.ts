import { EventEmitter } from 'node:events';
import type { LocalService } from './boot.js';
import type { TimerApi } from '../service/core/scheduler.js';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from '../service/node-flags.js';
import type { ServiceTarget } from './client.js';
import type { ElectronApi } from './electron-api.js';

/** Shell → service process. */
export type ParentMessage =
  | {
      type: 'start';
      userData: string;
      /** better-sqlite3's addon for this runtime (sqliteNativeBinding) */
      nativeBinding?: string;
      /** on a restart, the ports the first run listened on (the shell's URLs stay valid) */
      uiPort?: number;
      pingPort?: number;
    }
  | { type: 'stop' };

/** Service process → shell. */
export type ChildMessage = { type: 'ready'; uiUrl: string; pingUrl: string; apiKey: string } | { type: 'error'; message: string };

/** What the supervisor needs. */
export interface ServiceProcessOptions {
  utilityProcess: ElectronApi['utilityProcess'];
  /** the service entry (compiled service-child.js) */
  entry: string;
  userData: string;
  nativeBinding?: string;
  /** the service's environment (LUBDUB_* settings); Electron passes `process.env` when unset */
  env?: NodeJS.ProcessEnv;
  /** first delay before a restart; doubles after each crash in a row, up to `maxRestartDelayMs` */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** restarts in a row it makes; one more crash and it stops (the tray stays "cannot reach") */
  maxRestarts?: number;
  /** a process that stayed up this long is healthy again: the crash count starts over */
  stableMs?: number;
  /** how long a stopping service may take before it is killed */
  stopTimeoutMs?: number;
  log?: (line: string) => void;
  timers?: TimerApi;
}

/** Node's timers (the main process stays alive anyway: Electron's event loop). */
const nodeTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the supervisor tells (tests and the shell listen). */
export interface ServiceProcessEvents {
  /** the service answers at this target (first start and every restart) */
  ready: [ServiceTarget];
  /** the process ended; `expected` when the shell stopped it */
  exit: [{ code: number; expected: boolean }];
  /** too many crashes in a row: no more restarts */
  'gave-up': [string];
}

type Child = ReturnType<ElectronApi['utilityProcess']['fork']>;

function isChildMessage(m: unknown): m is ChildMessage {
  const o = m as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return false;
  if (o.type === 'ready') return typeof o.uiUrl === 'string' && typeof o.pingUrl === 'string' && typeof o.apiKey === 'string';
  return o.type === 'error' && typeof o.message === 'string';
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * Runs the service in an Electron utility process, so SQLite and HTTP work never block the
 * tray and the windows, and keeps it running: a process that dies is forked again after a
 * short backoff, on the same ports, so the shell's target and the ping URLs in people's
 * crontabs stay valid. Meanwhile the shell's connection sees the stream close and shows
 * "cannot reach". The first start is different: its error is the shell's start error.
 */
export class ServiceProcess extends EventEmitter<ServiceProcessEvents> {
  private child: Child | null = null;
  private ports: { uiPort: number; pingPort: number } | null = null;
  private current: ServiceTarget | null = null;
  private pingUrlValue: string | null = null;
  private crashes = 0;
  private restartTimer: unknown = null;
  private stableTimer: unknown = null;
  private stopping: Promise<void> | null = null;
  private readonly opts: Required<Omit<ServiceProcessOptions, 'nativeBinding' | 'env'>> & Pick<ServiceProcessOptions, 'nativeBinding' | 'env'>;

  constructor(opts: ServiceProcessOptions) {
    super();
    this.opts = {
      restartDelayMs: 500,
      maxRestartDelayMs: 10_000,
      maxRestarts: 5,
      stableMs: 60_000,
      stopTimeoutMs: 5_000,
      log: (line) => console.error(line),
      timers: nodeTimers,
      ...opts,
    };
  }

  /** The running process's id, undefined while it is down. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Where the service answers (set once it first started). */
  get target(): ServiceTarget | null {
    return this.current;
  }

  /** The ping receiver's URL (set once it first started). */
  get pingUrl(): string | null {
    return this.pingUrlValue;
  }

  /** Forks the service and resolves once it listens; rejects with its start error. */
  start(): Promise<ServiceTarget> {
    return new Promise((resolve, reject) => {
      const child = this.fork();
      const onReady = (t: ServiceTarget) => {
        child.off('exit', onExit);
        resolve(t);
      };
      let error: string | null = null;
      child.on('message', (m: unknown) => {
        if (isChildMessage(m) && m.type === 'error') error = m.message;
      });
      const onExit = (code: number) => {
        this.off('ready', onReady);
        reject(new Error(error ?? `the service process exited (code ${code}) before it started`));
      };
      this.once('ready', onReady);
      child.once('exit', onExit);
    });
  }

  /** Stops the service (and every restart); kills it if it does not end in time. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.clearTimer('restartTimer');
      this.clearTimer('stableTimer');
      const child = this.child;
      if (!child) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.postMessage({ type: 'stop' } satisfies ParentMessage);
      let timer: unknown;
      const late = new Promise<'late'>((r) => (timer = this.opts.timers.setTimeout(() => r('late'), this.opts.stopTimeoutMs)));
      if ((await Promise.race([exited, late])) === 'late') {
        this.opts.log('lubdub: the service did not stop in time; ending it');
        child.kill();
        await exited;
      }
      this.opts.timers.clearTimeout(timer);
    })());
  }

  private fork(): Child {
    const child = this.opts.utilityProcess.fork(this.opts.entry, [], {
      serviceName: 'Lubdub service',
      env: { ...(this.opts.env ?? process.env), ...SERVICE_ENV },
      execArgv: [...SERVICE_NODE_FLAGS],
    });
    this.child = child;
    child.on('message', (m: unknown) => this.onMessage(child, m));
    child.once('exit', (code: number) => this.onExit(child, code));
    const start: ParentMessage = { type: 'start', userData: this.opts.userData, nativeBinding: this.opts.nativeBinding, ...this.ports };
    child.postMessage(start);
    return child;
  }

  private onMessage(child: Child, m: unknown): void {
    if (!isChildMessage(m) || child !== this.child) return;
    if (m.type === 'error') {
      this.opts.log(`lubdub: the service could not start: ${m.message}`);
      child.kill();
      return;
    }
    this.ports = { uiPort: portOf(m.uiUrl), pingPort: portOf(m.pingUrl) };
    this.current = { baseUrl: m.uiUrl, apiKey: m.apiKey };
    this.pingUrlValue = m.pingUrl;
    this.clearTimer('stableTimer');
    this.stableTimer = this.opts.timers.setTimeout(() => {
      this.stableTimer = null;
      this.crashes = 0;
    }, this.opts.stableMs);
    this.emit('ready', this.current);
  }

  private onExit(child: Child, code: number): void {
    if (child !== this.child) return;
    this.child = null;
    this.clearTimer('stableTimer');
    const expected = this.stopping !== null;
    this.emit('exit', { code, expected });
    // Before the first start there is nothing to keep running: start() reports it.
    if (expected || !this.current) return;
    this.crashes++;
    if (this.crashes > this.opts.maxRestarts) {
      const why = `the service process ended ${this.crashes} times in a row (last exit code ${code}); not restarting it`;
      this.opts.log(`lubdub: ${why}`);
      this.emit('gave-up', why);
      return;
    }
    const delay = Math.min(this.opts.maxRestartDelayMs, this.opts.restartDelayMs * 2 ** (this.crashes - 1));
    this.opts.log(`lubdub: the service process ended (exit code ${code}); restarting it in ${delay} ms`);
    this.restartTimer = this.opts.timers.setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.fork();
    }, delay);
  }

  private clearTimer(which: 'restartTimer' | 'stableTimer'): void {
    if (this[which] !== null) this.opts.timers.clearTimeout(this[which]);
    this[which] = null;
  }
}

/** Starts the service process and hands it to boot() as the local service. */
export async function startServiceProcess(sp: ServiceProcess): Promise<LocalService> {
  const target = await sp.start();
  return { target, stop: () => sp.stop(), restarted: (listener) => void sp.on('ready', () => listener()) };
}
