/**
 * The desktop app's service process: the shell forks this module as an Electron utility
 * process (service-process.ts), so SQLite and HTTP work never run on the UI thread. It
 * starts the service when told, reports where it listens over `process.parentPort`, and
 * stops cleanly when told. It uses no `electron` import: only the parent port.
 */
import fs from 'node:fs';
import { systemClock } from '../service/clock.js';
import { defaultFeatures } from '../service/features.js';
import { startService, type RunningService } from '../service/service.js';
import { desktopServiceConfig } from './local-service.js';
import type { ChildMessage, ParentMessage } from './service-process.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPort | null }).parentPort;
if (!port) {
  console.error('lubdub: service-child runs as an Electron utility process (no process.parentPort here)');
  process.exit(2);
}
const send = (m: ChildMessage) => port.postMessage(m);

let svc: RunningService | null = null;
let starting: Promise<void> | null = null;

async function start(m: Extract<ParentMessage, { type: 'start' }>): Promise<void> {
  try {
    if (m.nativeBinding && !fs.existsSync(m.nativeBinding)) {
      throw new Error(`the Electron build of better-sqlite3 is missing (${m.nativeBinding}); npm start makes it (node build/electron-sqlite.mjs)`);
    }
    const config = desktopServiceConfig(process.env, m.userData);
    config.nativeBinding = m.nativeBinding;
    if (m.uiPort !== undefined) config.uiPort = m.uiPort;
    if (m.pingPort !== undefined) config.pingPort = m.pingPort;
    svc = await startService(config, systemClock, defaultFeatures());
    send({ type: 'ready', uiUrl: svc.uiUrl, pingUrl: svc.pingListenUrl, apiKey: svc.runtime.apiKey });
  } catch (e) {
    // The shell ends this process when it reads the error; the timer only covers a shell
    // that is gone already (a message may not outlive process.exit, so no exit right here).
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    setTimeout(() => process.exit(1), 5_000);
  }
}

async function stop(): Promise<void> {
  await starting;
  try {
    await svc?.stop();
  } finally {
    process.exit(0);
  }
}

port.on('message', ({ data }) => {
  const m = data as ParentMessage | null;
  if (m?.type === 'start' && !starting) starting = start(m);
  else if (m?.type === 'stop') void stop();
});
