import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { receiver, type Receiver } from '../helpers/in-process.js';
import { createCheck, serve, waitFor, type Served } from '../helpers/serve.js';

let s: Served | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await s?.stop();
  await rx?.close();
  s = rx = null;
});

function outboxState(dataDir: string) {
  const db = new Database(path.join(dataDir, 'lubdub.db'), { readonly: true });
  try {
    return {
      downFlips: db.prepare("SELECT processed FROM flips WHERE new_status = 'down'").all() as { processed: number | null }[],
      deliveries: db.prepare('SELECT status FROM deliveries').all() as { status: string }[],
    };
  } finally {
    db.close();
  }
}

describe('exactly once across a crash (kill -9 injected right after the flip)', () => {
  it.each([
    ['exit-before-delivery', { flipProcessed: false, deliveries: [] as string[] }],
    ['exit-after-claim', { flipProcessed: true, deliveries: ['pending'] }],
  ])('%s: nothing is sent before the crash, exactly one POST after restart, none after a second restart', async (fault, before) => {
    rx = await receiver();
    s = await serve({ env: { LUBDUB_FAULT: fault } });
    const dataDir = s.dataDir;
    const hook = ((await (await s.api('/api/lubdub/channels', { method: 'POST', json: { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/h` } } })).json()) as { id: string }).id;
    const check = await createCheck(s, { name: 'db dump', timeout: 1, grace: 1, channels: hook });
    expect((await fetch(`${s.pingUrl}/ping/${check.uuid}`)).status).toBe(200);

    // The deadline passes, the flip commits, and the fault kills the process with SIGKILL.
    const proc = s.proc;
    await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, 15_000);
    expect(s.output()).toContain(`fault injection (${fault}`);
    await s.kill9();
    s = null;
    expect(rx.requests).toHaveLength(0);
    const state = outboxState(dataDir);
    expect(state.downFlips).toHaveLength(1);
    expect(state.downFlips[0].processed !== null).toBe(before.flipProcessed);
    expect(state.deliveries.map((d) => d.status)).toEqual(before.deliveries);

    s = await serve({ dataDir });
    await waitFor(() => rx!.requests.length >= 1, 10_000);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ kind: 'down', uuid: check.uuid, name: 'db dump' });
    // A marker check's alerts, made after each restart, show that nothing was sent again
    // before them (a resend of the interrupted alert is queued at start).
    const posts = () => rx!.requests.map((r) => `${JSON.parse(r.body).kind} ${JSON.parse(r.body).name}`);
    const marker = await createCheck(s, { name: 'marker', timeout: 3600, grace: 3600, channels: hook });
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200); // new → up: no alert
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}/fail`)).status).toBe(200);
    await waitFor(() => posts().includes('down marker'), 10_000);
    expect(posts()).toEqual(['down db dump', 'down marker']);
    const ds = (await (await s.api(`/api/lubdub/deliveries?check=${check.uuid}`)).json()) as { deliveries: { status: string }[] };
    expect(ds.deliveries.map((d) => d.status)).toEqual(['sent']);
    await s.stop();

    s = await serve({ dataDir });
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200);
    await waitFor(() => posts().includes('up marker'), 10_000);
    expect(posts()).toEqual(['down db dump', 'down marker', 'up marker']);
  });
});
