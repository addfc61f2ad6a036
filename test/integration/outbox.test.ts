import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS } from '../../electron/service/alerts/outbox.js';
import { postAlert } from '../../electron/service/alerts/http.js';
import { silentFailures } from '../../electron/service/silent/feature.js';
import type { NotificationJson } from '../../shared/api/types.js';
import { harness, receiver, recordEvents, settle, type Harness, type Receiver } from '../helpers/in-process.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  h = null;
  rx = null;
});

async function setup(kind: 'webhook' | 'ntfy' = 'webhook', config: Record<string, unknown> = {}) {
  rx = await receiver();
  h = await harness({ core: { aliveEveryMs: 0 } });
  const ch = await h.api('POST', '/api/lubdub/channels', { name: kind, kind, config: { url: `${rx.url}/hook`, ...config } });
  expect(ch.status).toBe(201);
  const c = await h.api('POST', '/api/v3/checks/', { name: 'nightly backup', timeout: 60, grace: 60, channels: ch.json.id });
  expect(c.status).toBe(201);
  return { channel: ch.json.id as string, uuid: c.json.uuid as string };
}

async function deliveries(hh: Harness, uuid: string) {
  return (await hh.api('GET', `/api/lubdub/deliveries?check=${uuid}`)).json.deliveries as Record<string, any>[];
}

describe('outbox delivery', () => {
  it('a down alert carries the check fields as plain text; the recovery says how long it was down', async () => {
    const { uuid } = await setup();
    await h!.ping(uuid);
    await settle(h!);
    expect(rx!.requests).toHaveLength(0); // new → up is not an alert
    await h!.ping(uuid, '/3', { body: 'backup failed: <b>disk</b> full\u202e\nsecond line' });
    await settle(h!);
    expect(rx!.requests).toHaveLength(1);
    const down = JSON.parse(rx!.requests[0].body);
    expect(rx!.requests[0].headers['content-type']).toMatch(/^application\/json/);
    expect(down).toMatchObject({
      kind: 'down',
      title: 'nightly backup is down',
      name: 'nightly backup',
      uuid,
      status: 'down',
      reason: 'exit status 3',
      last_body: 'backup failed: <b>disk</b> full',
      console_url: `${h!.svc.uiUrl}/?check=${uuid}`,
    });
    expect(down.last_ping).toBe(new Date(h!.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'));
    expect(rx!.requests[0].headers['idempotency-key']).toBe(down.delivery_id);

    h!.timers.advance((3 * 3600 + 12 * 60) * 1000);
    await h!.ping(uuid);
    await settle(h!);
    expect(rx!.requests).toHaveLength(2);
    const up = JSON.parse(rx!.requests[1].body);
    expect(up).toMatchObject({ kind: 'up', title: 'nightly backup is back up', message: 'back up after 3 h 12 min', status: 'up' });
    const ds = await deliveries(h!, uuid);
    expect(ds.map((d) => [d.kind, d.status, d.attempts])).toEqual([
      ['up', 'sent', 1],
      ['down', 'sent', 1],
    ]);
  });

  it('a run that fails an assertion alerts with what the assertion found (down_reason), in the webhook and the desktop notification', async () => {
    rx = await receiver();
    const shown: NotificationJson[] = [];
    h = await harness({ core: { aliveEveryMs: 0 }, alerts: { hasSession: () => true, show: async (n) => void shown.push(n) }, config: { desktopNotifier: true }, features: [silentFailures()] });
    const hook = await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/hook` } });
    const desk = (await h.api('GET', '/api/lubdub/channels')).json.channels.find((c: { kind: string }) => c.kind === 'desktop');
    const c = await h.api('POST', '/api/v3/checks/', {
      name: 'restic home',
      timeout: 86400,
      grace: 3600,
      channels: `${hook.json.id},${desk.id}`,
      assertions: [{ expr: 'written_bytes > 0', message: 'backup wrote {value}' }],
    });
    const uuid = c.json.uuid as string;
    expect(await h.ping(uuid, '/0', { query: 'metric=written_bytes:1048576', body: 'snapshot saved' })).toBe(200);
    expect(await h.ping(uuid, '/0', { query: 'metric=written_bytes:0', body: 'snapshot saved' })).toBe(200);
    await settle(h);
    const reason = 'backup wrote 0 B (written_bytes > 0)';
    expect((await h.api('GET', `/api/v3/checks/${uuid}`)).json.down_reason).toBe(reason);
    expect(rx.requests).toHaveLength(1);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ kind: 'down', reason, message: `${reason}; last output: snapshot saved` });
    expect(shown).toEqual([expect.objectContaining({ title: 'restic home is down', body: `${reason}; last output: snapshot saved` })]);
  });

  it('failed sends retry with backoff, then give up; every attempt is visible in the API and the event stream', async () => {
    const { uuid } = await setup();
    const events = recordEvents(h!);
    rx!.respond = () => ({ status: 503 });
    await h!.ping(uuid);
    h!.timers.advance(120_000);
    await settle(h!);
    let [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ kind: 'down', status: 'pending', attempts: 1, last_error: 'HTTP 503' });
    expect(Date.parse(d.next_attempt)).toBe(h!.clock.now() + RETRY_DELAYS_MS[0]);

    for (const delay of RETRY_DELAYS_MS) {
      h!.timers.advance(delay - 1);
      await settle(h!);
      const before = rx!.requests.length;
      h!.timers.advance(1);
      await settle(h!);
      expect(rx!.requests.length).toBe(before + 1);
    }
    [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ status: 'failed', attempts: RETRY_DELAYS_MS.length + 1, next_attempt: null, last_error: 'HTTP 503' });
    h!.timers.advance(24 * 3600_000);
    await settle(h!);
    expect(rx!.requests).toHaveLength(RETRY_DELAYS_MS.length + 1);
    const evs = events.filter((e) => e.type === 'delivery');
    expect(evs).toHaveLength(RETRY_DELAYS_MS.length + 1);
    expect(evs.every((e) => e.type === 'delivery' && e.data.ok === false && e.data.check === uuid)).toBe(true);
    expect(evs.at(-1)!.data).toMatchObject({ status: 'failed', attempts: 9 });
  });

  it('a 4xx answer gives up at once (retrying the same request cannot help)', async () => {
    const { uuid } = await setup();
    rx!.respond = () => ({ status: 404 });
    await h!.ping(uuid, '/fail');
    await settle(h!);
    h!.timers.advance(3600_000);
    await settle(h!);
    const [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 404' });
    expect(rx!.requests).toHaveLength(1);
  });

  it('a deleted channel ends its pending deliveries as failed', async () => {
    const { uuid, channel } = await setup();
    rx!.respond = () => ({ status: 500 });
    await h!.ping(uuid, '/fail');
    await settle(h!);
    await h!.api('DELETE', `/api/lubdub/channels/${channel}`);
    h!.timers.advance(RETRY_DELAYS_MS[0]);
    await settle(h!);
    const [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ status: 'failed', attempts: 2, last_error: 'channel was deleted' });
  });

  it('ntfy gets Title, Priority and Tags headers, UTF-8 titles as RFC 2047 words, and the token', async () => {
    const { uuid } = await setup('ntfy', { priority: 5, tags: 'backup,nas', token: 'tk_secret123' });
    await h!.api('POST', `/api/v3/checks/${uuid}`, { name: 'Sicherung Müller' });
    await h!.ping(uuid, '/fail', { body: 'no space left' });
    await settle(h!);
    const r = rx!.requests[0];
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/hook');
    expect(r.headers.title).toBe(`=?UTF-8?B?${Buffer.from('Sicherung Müller is down').toString('base64')}?=`);
    expect(r.headers.priority).toBe('5');
    expect(r.headers.tags).toBe('rotating_light,backup,nas');
    expect(r.headers.authorization).toBe('Bearer tk_secret123');
    expect(r.headers.markdown).toBeUndefined();
    expect(r.body).toBe('fail signal; last output: no space left');
    await h!.ping(uuid);
    await settle(h!);
    expect(rx!.requests[1].headers.priority).toBe('3');
    expect(rx!.requests[1].headers.title).toBe(`=?UTF-8?B?${Buffer.from('Sicherung Müller is back up').toString('base64')}?=`);
  });
});

describe('outgoing HTTP', () => {
  it('follows up to 3 redirects, keeping the POST on 307/308', async () => {
    rx = await receiver();
    rx.respond = (req) => {
      const m = /^\/r(\d)$/.exec(req.url ?? '');
      if (m && Number(m[1]) < 3) return { status: 307, headers: { location: `/r${Number(m[1]) + 1}` } };
      if (m) return { status: 308, headers: { location: '/final' } };
      return { status: 200 };
    };
    const r = await postAlert({ url: `${rx.url}/r1`, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(r).toEqual({ ok: true, error: null });
    expect(rx.requests.map((x) => [x.method, x.url, x.body])).toEqual([
      ['POST', '/r1', '{"a":1}'],
      ['POST', '/r2', '{"a":1}'],
      ['POST', '/r3', '{"a":1}'],
      ['POST', '/final', '{"a":1}'],
    ]);
  });

  it('refuses a fourth redirect', async () => {
    rx = await receiver();
    rx.respond = () => ({ status: 302, headers: { location: '/again' } });
    const r = await postAlert({ url: `${rx.url}/start`, headers: {}, body: 'x' });
    expect(r).toMatchObject({ ok: false, error: 'more than 3 redirects', permanent: true });
    expect(rx.requests).toHaveLength(4);
  });

  it('refuses a redirect to another scheme', async () => {
    rx = await receiver();
    rx.respond = () => ({ status: 302, headers: { location: 'file:///etc/passwd' } });
    const r = await postAlert({ url: `${rx.url}/x`, headers: {}, body: 'x' });
    expect(r).toMatchObject({ ok: false, error: 'redirect refused: url scheme file is not allowed (http or https only)', permanent: true });
  });

  it('a 303 continues as GET without the body', async () => {
    rx = await receiver();
    rx.respond = (req) => (req.url === '/see' ? { status: 303, headers: { location: '/other' } } : { status: 200 });
    expect((await postAlert({ url: `${rx.url}/see`, headers: {}, body: 'payload' })).ok).toBe(true);
    expect(rx.requests.map((x) => [x.method, x.url, x.body])).toEqual([
      ['POST', '/see', 'payload'],
      ['GET', '/other', ''],
    ]);
  });

  it('gives up on a receiver that never answers after the timeout', async () => {
    rx = await receiver();
    rx.respond = () => ({ status: 200, hang: true });
    const r = await postAlert({ url: `${rx.url}/slow`, headers: {}, body: 'x', timeoutMs: 300 });
    expect(r).toEqual({ ok: false, error: 'timed out after 300 ms' });
  });

  it('reports a refused connection as retryable', async () => {
    rx = await receiver();
    const url = rx.url;
    await rx.close();
    rx = null;
    const r = await postAlert({ url, headers: {}, body: 'x', timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.permanent).toBeUndefined();
    expect(r.error).toMatch(/ECONNREFUSED/);
  });
});

describe('desktop channel', () => {
  async function desktopSetup(native: boolean) {
    const shown: NotificationJson[] = [];
    let fail = native; // the first native attempt fails
    h = await harness({
      core: { aliveEveryMs: 0 },
      alerts: {
        hasSession: () => true,
        show: async (n) => {
          if (fail) {
            fail = false;
            throw new Error('org.freedesktop.Notifications was not provided');
          }
          shown.push(n);
        },
      },
      config: { desktopNotifier: native },
    });
    const list = await h.api('GET', '/api/lubdub/channels');
    const desktop = list.json.channels.find((c: { kind: string }) => c.kind === 'desktop');
    const c = await h.api('POST', '/api/v3/checks/', { name: 'certs', timeout: 60, grace: 60 });
    expect(c.json.channels).toBe(desktop.id); // new checks get the seeded desktop channel
    return { shown, uuid: c.json.uuid as string };
  }

  it('headless: node-notifier shows it; a retry shows it once more but emits the event only once', async () => {
    const { shown, uuid } = await desktopSetup(true);
    const events = recordEvents(h!);
    await h!.ping(uuid, '/fail', { body: '<i>expired</i>' });
    await settle(h!);
    expect(shown).toHaveLength(0);
    h!.timers.advance(RETRY_DELAYS_MS[0]);
    await settle(h!);
    expect(shown).toEqual([{ id: expect.any(String), kind: 'down', title: 'certs is down', body: 'fail signal; last output: <i>expired</i>', check: uuid }]);
    const notes = events.filter((e) => e.type === 'notification');
    expect(notes.map((e) => e.data)).toEqual(shown);
    const [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('in the desktop app (desktopNotifier off) only the notification event is emitted, and it needs a connected client', async () => {
    const { shown, uuid } = await desktopSetup(false);
    await h!.ping(uuid, '/fail');
    await settle(h!);
    let [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_error: 'no desktop app or console connected to show it' });
    const events = recordEvents(h!); // the shell connects
    h!.timers.advance(RETRY_DELAYS_MS[0]);
    await settle(h!);
    [d] = await deliveries(h!, uuid);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(shown).toHaveLength(0); // never both: the shell shows it
    expect(events.filter((e) => e.type === 'notification').map((e) => e.data)).toEqual([
      { id: d.message, kind: 'down', title: 'certs is down', body: 'fail signal', check: uuid },
    ]);
  });
});
