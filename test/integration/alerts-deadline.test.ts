/**
 * The down alert of a missed deadline, from the real service in-process on a fake clock with
 * a webhook receiver on a real socket: the deadline is exact, and a loaded machine cannot move it.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, receiver, settle, type Harness, type Receiver } from '../helpers/in-process.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
  h = rx = null;
});

const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');

describe('alerts at the deadline', () => {
  it('timeout 2 s + grace 1 s: nothing 1 ms before the deadline, exactly one down POST at it; a ping brings exactly one recovery POST', async () => {
    rx = await receiver();
    h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    const hook = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/hook` } })).json.id as string;
    const uuid = (await h.api('POST', '/api/v3/checks/', { name: 'nightly backup', timeout: 2, grace: 1, channels: hook })).json.uuid as string;
    const status = async () => (await h!.api('GET', `/api/v3/checks/${uuid}`)).json as Record<string, any>;
    expect(await h.ping(uuid, '', { body: 'backup ok' })).toBe(200);

    h.timers.advance(3_000 - 1);
    await settle(h);
    expect(await status()).toMatchObject({ status: 'grace' });
    expect(rx.requests).toHaveLength(0);

    h.timers.advance(1);
    await settle(h);
    expect(rx.requests).toHaveLength(1);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({
      kind: 'down',
      name: 'nightly backup',
      uuid,
      status: 'down',
      reason: 'no ping for 3 s',
      last_ping: iso(T0),
      last_body: 'backup ok',
      console_url: `${h.svc.uiUrl}/?check=${uuid}`,
    });
    expect((await h.api('GET', `/api/v3/checks/${uuid}/flips/`)).json.at(0)).toMatchObject({ timestamp: iso(T0 + 3_000), new_status: 'down' });

    h.timers.advance(7_000);
    expect(await h.ping(uuid)).toBe(200);
    await settle(h);
    expect(rx.requests).toHaveLength(2);
    expect(JSON.parse(rx.requests[1].body)).toMatchObject({ kind: 'up', title: 'nightly backup is back up', message: 'back up after 7 s', status: 'up' });
    // up until its next deadline, 1 ms before which nothing more is sent
    h.timers.advance(3_000 - 1);
    await settle(h);
    expect(rx.requests).toHaveLength(2);

    const ds = (await h.api('GET', `/api/lubdub/deliveries?check=${uuid}`)).json.deliveries as Record<string, any>[];
    expect(ds.map((d) => [d.kind, d.status, d.attempts, d.channel])).toEqual([
      ['up', 'sent', 1, hook],
      ['down', 'sent', 1, hook],
    ]);
  });
});
