import { afterEach, describe, expect, it } from 'vitest';
import { receiver, type Receiver } from '../helpers/in-process.js';
import { createCheck, serve, waitFor, type Served } from '../helpers/serve.js';
import { openEvents, type EventStream } from '../helpers/sse.js';

let s: Served | null = null;
let rx: Receiver | null = null;
let es: EventStream | null = null;
afterEach(async () => {
  es?.close();
  await s?.stop();
  await rx?.close();
  s = rx = es = null;
});

async function webhook(sv: Served, url: string): Promise<string> {
  const r = await sv.api('/api/lubdub/channels', { method: 'POST', json: { name: 'hook', kind: 'webhook', config: { url } } });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: string }).id;
}

describe('alerts through the real service (npm run serve) to a local webhook receiver', () => {
  // The exact deadline (nothing 1 ms before it, one POST at it) is proven on a fake clock in
  // test/integration/alerts-deadline.test.ts; here the real CLI gets there on its own.
  it('a missed deadline sends exactly one down POST; a ping brings exactly one recovery POST', async () => {
    rx = await receiver();
    s = await serve();
    const hook = await webhook(s, `${rx.url}/hook`);
    const check = await createCheck(s, { name: 'nightly backup', timeout: 2, grace: 1, channels: hook });
    // Its alerts, sent after each step, show that nothing else was sent before them.
    const marker = await createCheck(s, { name: 'marker', timeout: 3600, grace: 3600, channels: hook });
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200); // new → up: no alert
    const posts = () => rx!.requests.map((r) => `${JSON.parse(r.body).kind} ${JSON.parse(r.body).name}`);
    expect((await fetch(`${s.pingUrl}/ping/${check.uuid}`, { method: 'POST', body: 'backup ok' })).status).toBe(200);

    await waitFor(() => posts().includes('down nightly backup'), 20_000);
    const down = JSON.parse(rx.requests[0].body);
    expect(down).toMatchObject({
      kind: 'down',
      name: 'nightly backup',
      uuid: check.uuid,
      status: 'down',
      reason: 'no ping for 3 s',
      last_body: 'backup ok',
      console_url: `${s.uiUrl}/?check=${check.uuid}`,
    });
    // a long timeout now, so that the recovery below is not followed by another down
    expect((await s.api(`/api/v3/checks/${check.uuid}`, { method: 'POST', json: { timeout: 3600 } })).status).toBe(200);
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}/fail`)).status).toBe(200);
    await waitFor(() => posts().includes('down marker'), 20_000);
    expect(posts()).toEqual(['down nightly backup', 'down marker']);

    expect((await fetch(`${s.pingUrl}/ping/${check.uuid}`)).status).toBe(200);
    await waitFor(() => posts().includes('up nightly backup'), 20_000);
    const up = JSON.parse(rx.requests[2].body);
    expect(up).toMatchObject({ kind: 'up', title: 'nightly backup is back up', status: 'up' });
    expect(up.message).toMatch(/^back up after \d+ s$/);
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200);
    await waitFor(() => posts().includes('up marker'), 20_000);
    expect(posts()).toEqual(['down nightly backup', 'down marker', 'up nightly backup', 'up marker']);

    const ds = (await (await s.api(`/api/lubdub/deliveries?check=${check.uuid}`)).json()) as { deliveries: any[] };
    expect(ds.deliveries.map((d) => [d.kind, d.status, d.attempts, d.channel])).toEqual([
      ['up', 'sent', 1, hook],
      ['down', 'sent', 1, hook],
    ]);
  }, 60_000);

  it('GET /api/events streams check, ping, flip, delivery and notification events (API key or console session)', async () => {
    rx = await receiver();
    s = await serve();
    const hook = await webhook(s, `${rx.url}/hook`);
    const desktop = ((await (await s.api('/api/v3/channels/')).json()) as { channels: { id: string; kind: string }[] }).channels.find((c) => c.kind === 'desktop')!.id;
    const unauth = await fetch(`${s.uiUrl}/api/events`);
    expect(unauth.status).toBe(401);

    // The console: the one-time login URL sets the session cookie.
    const login = await fetch(s.loginUrl, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    es = await openEvents(`${s.uiUrl}/api/events`, { cookie });
    expect(es.status).toBe(200);
    const byKey = await openEvents(`${s.uiUrl}/api/events`, { 'x-api-key': s.apiKey });
    expect(byKey.status).toBe(200);
    await waitFor(() => es!.events.some((e) => e.type === 'hello'));

    const check = await createCheck(s, { name: 'sensor', timeout: 60, grace: 60, channels: `${hook},${desktop}` });
    expect((await fetch(`${s.pingUrl}/ping/${check.uuid}/fail`, { method: 'POST', body: 'sensor offline' })).status).toBe(200);
    await waitFor(() => es!.events.filter((e) => e.type === 'delivery').length >= 2, 10_000);
    const types = es.events.map((e) => e.type);
    expect(types).toContain('check');
    expect(es.events.find((e) => e.type === 'ping')!.data).toMatchObject({ check: check.uuid, ping: { type: 'fail', body_preview: 'sensor offline' } });
    expect(es.events.find((e) => e.type === 'flip')!.data).toMatchObject({ check: check.uuid, name: 'sensor', flip: { new_status: 'down', reason: 'fail' } });
    const deliveries = es.events.filter((e) => e.type === 'delivery').map((e) => e.data);
    expect(deliveries.map((d) => [d.channel, d.ok, d.status, d.kind, d.check]).sort()).toEqual(
      [
        [hook, true, 'sent', 'down', check.uuid],
        [desktop, true, 'sent', 'down', check.uuid],
      ].sort(),
    );
    // With desktopNotifier off (the Electron shell's setting) the notification is an event only.
    expect(es.events.filter((e) => e.type === 'notification').map((e) => e.data)).toEqual([
      { id: expect.any(String), kind: 'down', title: 'sensor is down', body: 'fail signal; last output: sensor offline', check: check.uuid },
    ]);
    await waitFor(() => byKey.events.some((e) => e.type === 'delivery'));
    byKey.close();
  });
});
