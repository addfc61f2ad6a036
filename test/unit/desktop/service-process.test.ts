/**
 * The supervisor's decisions with a scripted utility process and fake timers: when it
 * restarts, after how long, on which ports, when it gives up, how it stops. (The same
 * supervisor against real forked processes: test/integration/desktop-service-process.test.ts.)
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ElectronApi } from '../../../electron/app/electron-api.js';
import { ServiceProcess, type ChildMessage, type ParentMessage } from '../../../electron/app/service-process.js';
import { ManualClock } from '../../../shared/domain/clock.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

class ScriptedChild extends EventEmitter {
  static pids = 1000;
  pid: number | undefined = ScriptedChild.pids++;
  posted: ParentMessage[] = [];
  kills = 0;
  postMessage(m: ParentMessage): void {
    this.posted.push(m);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  say(m: ChildMessage | unknown): void {
    this.emit('message', m);
  }
  ready(ui = 5001, ping = 5002): void {
    this.say({ type: 'ready', uiUrl: `http://127.0.0.1:${ui}`, pingUrl: `http://127.0.0.1:${ping}`, apiKey: 'k'.repeat(32) });
  }
  die(code: number): void {
    this.pid = undefined;
    this.emit('exit', code);
  }
}

function setup(opts: { maxRestarts?: number } = {}) {
  const children: ScriptedChild[] = [];
  const utilityProcess = {
    fork: (entry: string) => {
      expect(entry).toBe('/app/service-child.js');
      const c = new ScriptedChild();
      children.push(c);
      return c;
    },
  } as unknown as ElectronApi['utilityProcess'];
  const timers = new FakeTimers(new ManualClock(0));
  const log: string[] = [];
  const sp = new ServiceProcess({
    utilityProcess,
    entry: '/app/service-child.js',
    userData: '/data',
    nativeBinding: '/app/native/electron-45.5.0-linux-x64/better_sqlite3.node',
    restartDelayMs: 100,
    maxRestartDelayMs: 500,
    maxRestarts: opts.maxRestarts ?? 5,
    stableMs: 60_000,
    stopTimeoutMs: 5_000,
    timers,
    log: (l) => log.push(l),
  });
  const events: string[] = [];
  sp.on('ready', () => events.push('ready'));
  sp.on('exit', (e) => events.push(`exit ${e.code}${e.expected ? ' expected' : ''}`));
  sp.on('gave-up', () => events.push('gave-up'));
  return { sp, children, timers, log, events, last: () => children.at(-1)! };
}

/** Lets pending promise callbacks run (no time passes on the fake timers). */
const settled = () => new Promise<void>((r) => setImmediate(r));

async function started(s: ReturnType<typeof setup>) {
  const p = s.sp.start();
  s.last().ready();
  return p;
}

describe('ServiceProcess', () => {
  it('starts the service with the data dir and the SQLite build, and resolves with its target', async () => {
    const s = setup();
    const target = await started(s);
    expect(s.children[0].posted).toEqual([{ type: 'start', userData: '/data', nativeBinding: '/app/native/electron-45.5.0-linux-x64/better_sqlite3.node' }]);
    expect(target).toEqual({ baseUrl: 'http://127.0.0.1:5001', apiKey: 'k'.repeat(32) });
    expect(s.sp.pingUrl).toBe('http://127.0.0.1:5002');
    expect(s.sp.pid).toBe(s.children[0].pid);
  });

  it('restarts a crashed service on the same ports, waiting longer after each crash in a row, and gives up after maxRestarts', async () => {
    const s = setup({ maxRestarts: 4 });
    await started(s);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      s.last().die(137);
      expect(s.sp.pid).toBeUndefined();
      delays.push(s.timers.delays.at(-1)!);
      const before = s.children.length;
      s.timers.advance(delays[i] - 1);
      expect(s.children.length).toBe(before); // not a moment early
      s.timers.advance(1);
      expect(s.children.length).toBe(before + 1);
      // the restarted one gets the first run's ports: the shell's URL stays valid
      expect(s.last().posted[0]).toMatchObject({ type: 'start', uiPort: 5001, pingPort: 5002 });
    }
    expect(delays).toEqual([100, 200, 400, 500]);
    s.last().die(1);
    expect(s.events.at(-1)).toBe('gave-up');
    expect(s.timers.count).toBe(0);
    expect(s.children).toHaveLength(5);
    expect(s.log.at(-1)).toMatch(/ended 5 times in a row \(last exit code 1\); not restarting/);
  });

  it('a service that stayed up a while is healthy again: the next crash waits the shortest delay', async () => {
    const s = setup();
    await started(s);
    s.last().die(137);
    s.timers.advance(100);
    s.last().die(137);
    expect(s.timers.delays.at(-1)).toBe(200);
    s.timers.advance(200);
    s.last().ready();
    s.timers.advance(60_000);
    s.last().die(137);
    expect(s.timers.delays.at(-1)).toBe(100);
    expect(s.events.filter((e) => e === 'ready')).toHaveLength(2);
  });

  it('stop asks the service to stop, waits for it, and restarts nothing', async () => {
    const s = setup();
    await started(s);
    const child = s.last();
    const stopped = s.sp.stop();
    expect(child.posted.at(-1)).toEqual({ type: 'stop' });
    child.die(0);
    await stopped;
    expect(child.kills).toBe(0);
    expect(s.events).toEqual(['ready', 'exit 0 expected']);
    expect(s.timers.count).toBe(0);
    expect(s.children).toHaveLength(1);
  });

  it('a service that does not stop in time is killed', async () => {
    const s = setup();
    await started(s);
    const child = s.last();
    let done = false;
    const stopped = s.sp.stop().then(() => (done = true));
    await settled();
    s.timers.advance(4_999);
    await settled();
    expect(child.kills).toBe(0);
    s.timers.advance(1);
    await settled();
    expect(child.kills).toBe(1);
    expect(done).toBe(false);
    child.die(143);
    await stopped;
    expect(s.log).toContain('lubdub: the service did not stop in time; ending it');
  });

  it('stopping during the restart delay cancels the restart', async () => {
    const s = setup();
    await started(s);
    s.last().die(137);
    expect(s.timers.count).toBe(1);
    await s.sp.stop();
    s.timers.advance(10_000);
    expect(s.children).toHaveLength(1);
  });

  it('the first start fails with the service\'s own error and is not retried', async () => {
    const s = setup();
    const start = s.sp.start();
    s.last().say({ type: 'error', message: 'console port 8421 on 127.0.0.1 is already in use (set --ui-port / LUBDUB_UI_PORT)' });
    expect(s.last().kills).toBe(1);
    s.last().die(143);
    await expect(start).rejects.toThrow('console port 8421 on 127.0.0.1 is already in use');
    s.timers.advance(60_000);
    expect(s.children).toHaveLength(1);
  });

  it('a process that dies before saying anything fails the start with its exit code', async () => {
    const s = setup();
    const start = s.sp.start();
    s.last().die(9);
    await expect(start).rejects.toThrow('the service process exited (code 9) before it started');
  });

  it('ignores malformed messages and messages from a process it already replaced', async () => {
    const s = setup();
    await started(s);
    const old = s.last();
    old.die(137);
    s.timers.advance(100);
    old.ready(6001, 6002); // a late word from the dead one
    s.last().say({ type: 'ready', uiUrl: 42 });
    s.last().say(null);
    s.last().say('ready');
    expect(s.events).toEqual(['ready', 'exit 137']);
    s.last().ready();
    expect(s.sp.target?.baseUrl).toBe('http://127.0.0.1:5001');
  });
});
