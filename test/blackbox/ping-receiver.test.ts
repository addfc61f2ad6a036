import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheck, serve, type Served } from '../helpers/serve.js';

let s: Served;
let uuid: string;

beforeAll(async () => {
  s = await serve({ env: { LUBDUB_PING_BODY_LIMIT: '1000' } });
  uuid = (await createCheck(s, { name: 'Nightly backup', timeout: 3600, grace: 60 })).uuid;
});
afterAll(async () => {
  await s?.stop();
});

const ping = (path: string, init?: RequestInit) => fetch(s.pingUrl + path, init);
const pings = async (u = uuid) => ((await (await s.api(`/api/v3/checks/${u}/pings/`)).json()) as { pings: any[] }).pings;
const check = async (u = uuid) => (await (await s.api(`/api/v3/checks/${u}`)).json()) as Record<string, any>;

describe('ping URL forms (healthchecks-compatible)', () => {
  it.each([
    ['/ping/{uuid}', 'success'],
    ['/{uuid}', 'success'],
    ['/ping/{uuid}/', 'success'],
    ['/{uuid}/', 'success'],
    ['/ping/{uuid}/start', 'start'],
    ['/ping/{uuid}/fail', 'fail'],
    ['/ping/{uuid}/log', 'log'],
    ['/ping/{uuid}/0', 'success'],
    ['/{uuid}/7', 'fail'],
    ['/ping/{uuid}/255', 'fail'],
  ])('%s records a %s ping and answers 200 OK', async (form, kind) => {
    const r = await ping(form.replace('{uuid}', uuid));
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('OK');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('ping-body-limit')).toBe('1000');
    expect((await pings())[0].type).toBe(kind);
  });

  it('records the exit status of /<n> pings', async () => {
    await ping(`/ping/${uuid}/42`);
    const p = (await pings())[0];
    expect(p.exitstatus).toBe(42);
    expect(p.type).toBe('fail');
  });

  it.each(['HEAD', 'PUT', 'POST', 'GET'])('%s counts as a ping', async (method) => {
    const before = (await check()).n_pings;
    const r = await ping(`/ping/${uuid}`, { method });
    expect(r.status).toBe(200);
    expect((await check()).n_pings).toBe(before + 1);
    expect((await pings())[0].method).toBe(method);
  });

  it('rejects exit status over 255 with 400 invalid url format and records nothing', async () => {
    const before = (await check()).n_pings;
    const r = await ping(`/ping/${uuid}/256`);
    expect(r.status).toBe(400);
    expect(await r.text()).toBe('invalid url format');
    expect((await check()).n_pings).toBe(before);
  });

  it('rejects a rid that is not a UUID with 400 invalid uuid format and records nothing', async () => {
    const before = (await check()).n_pings;
    const r = await ping(`/ping/${uuid}/start?rid=not-a-uuid`);
    expect(r.status).toBe(400);
    expect(await r.text()).toBe('invalid uuid format');
    expect((await check()).n_pings).toBe(before);
  });

  it.each(['/ping/00000000-0000-4000-8000-000000000000', '/nope', '/ping/', '/', '/ping/{uuid}/bogus', '/ping/{uuid}/start/extra'])(
    '%s answers 404 not found',
    async (p) => {
      const r = await ping(p.replace('{uuid}', uuid));
      expect(r.status).toBe(404);
      expect(await r.text()).toBe('not found');
    },
  );

  it('serves no management route on the ping port', async () => {
    const r = await ping('/api/v3/checks/', { headers: { 'x-api-key': s.apiKey } });
    expect(r.status).toBe(404);
    expect(await r.text()).toBe('not found');
  });

  it('records method, source address, user agent (200 chars), scheme and rid', async () => {
    const rid = '0b8d2f6e-5f0a-4a7e-9d3c-1f2e3d4c5b6a';
    await ping(`/ping/${uuid}/start?rid=${rid.toUpperCase()}`, { headers: { 'user-agent': 'x'.repeat(300) } });
    const p = (await pings())[0];
    expect(p).toMatchObject({ type: 'start', method: 'GET', remote_addr: '127.0.0.1', scheme: 'http', rid });
    expect(p.ua).toBe('x'.repeat(200));
  });

  it('ignores X-Forwarded-For without a trusted proxy', async () => {
    await ping(`/ping/${uuid}/log`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect((await pings())[0].remote_addr).toBe('127.0.0.1');
  });
});

describe('bodies', () => {
  it('keeps invalid UTF-8 bytes verbatim', async () => {
    const bytes = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a]);
    await ping(`/ping/${uuid}/log`, { method: 'POST', body: bytes });
    const p = (await pings())[0];
    expect(p.body_size).toBe(bytes.length);
    const body = Buffer.from(await (await s.api(`/api/v3/checks/${uuid}/pings/${p.n}/body`)).arrayBuffer());
    expect(body.equals(bytes)).toBe(true);
  });

  it('cuts a body at the body limit and keeps its original size', async () => {
    const big = Buffer.alloc(5000, 0x61);
    const r = await ping(`/ping/${uuid}/log`, { method: 'POST', body: big });
    expect(r.status).toBe(200);
    const p = (await pings())[0];
    expect(p.body_size).toBe(5000);
    const body = Buffer.from(await (await s.api(`/api/v3/checks/${uuid}/pings/${p.n}/body`)).arrayBuffer());
    expect(body.length).toBe(1000);
  });

  it('accepts a body whatever its content type', async () => {
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream']) {
      const r = await ping(`/ping/${uuid}/log`, { method: 'POST', body: '{not json', headers: { 'content-type': type } });
      expect(r.status).toBe(200);
      expect((await pings())[0].body_preview).toBe('{not json');
    }
  });
});

describe('slug URLs', () => {
  it('pings by slug, creates with ?create=1 (201), refuses uppercase (400) and answers 409 for two checks', async () => {
    const base = `/ping/${s.pingKey}`;
    expect((await ping(`${base}/nightly-backup`)).status).toBe(200);
    const missing = await ping(`${base}/db-dump`);
    expect([missing.status, await missing.text()]).toEqual([404, 'not found']);
    const created = await ping(`${base}/db-dump?create=1`);
    expect([created.status, await created.text()]).toEqual([201, 'Created']);
    const again = await ping(`${base}/db-dump?create=1`);
    expect([again.status, await again.text()]).toEqual([200, 'OK']);
    const list = (await (await s.api('/api/v3/checks/?slug=db-dump')).json()) as { checks: any[] };
    expect(list.checks).toHaveLength(1);
    expect(list.checks[0]).toMatchObject({ name: 'db-dump', slug: 'db-dump', status: 'up', n_pings: 2 });

    const upper = await ping(`${base}/DB-Dump`);
    expect([upper.status, await upper.text()]).toEqual([400, 'invalid url format']);

    await createCheck(s, { name: 'dup one', slug: 'dup' });
    await createCheck(s, { name: 'dup two', slug: 'dup' });
    const amb = await ping(`${base}/dup`);
    expect([amb.status, await amb.text()]).toEqual([409, 'ambiguous slug']);

    const wrongKey = await ping(`/ping/wrongkeywrongkey1234567/nightly-backup`);
    expect(wrongKey.status).toBe(404);
  });

  it('auto-create carries a schedule (Lubdub extension)', async () => {
    const r = await ping(`/ping/${s.pingKey}/cert-renew/start?create=1&schedule=${encodeURIComponent('30 3 * * 1')}&tz=Europe/Riga&grace=600`);
    expect(r.status).toBe(201);
    const c = ((await (await s.api('/api/v3/checks/?slug=cert-renew')).json()) as { checks: any[] }).checks[0];
    expect(c).toMatchObject({ schedule: '30 3 * * 1', tz: 'Europe/Riga', grace: 600, kind: 'cron', status: 'started' });
    const bad = await ping(`/ping/${s.pingKey}/other?create=1&schedule=nonsense`);
    expect(bad.status).toBe(400);
  });
});

describe('Uptime Kuma push form', () => {
  it('maps status=up/down to success/fail with msg as the body', async () => {
    const c = await createCheck(s, { name: 'kuma', push_token: 'kumaToken123' });
    const up = await ping('/api/push/kumaToken123?status=up&msg=OK&ping=12');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true });
    expect((await check(c.uuid)).status).toBe('up');
    const down = await ping('/api/push/kumaToken123?status=down&msg=disk%20full');
    expect(await down.json()).toEqual({ ok: true });
    const after = await check(c.uuid);
    expect(after.status).toBe('down');
    expect((await pings(c.uuid))[0]).toMatchObject({ type: 'fail', body_preview: 'disk full' });
    const unknown = await ping('/api/push/nosuchtoken');
    expect(unknown.status).toBe(404);
  });
});

describe('state through pings', () => {
  it('methods=POST ignores GET pings (kind ign)', async () => {
    const c = await createCheck(s, { name: 'post only', methods: 'POST' });
    await ping(`/ping/${c.uuid}`);
    expect((await check(c.uuid)).status).toBe('new');
    expect((await pings(c.uuid))[0].type).toBe('ign');
    await ping(`/ping/${c.uuid}`, { method: 'POST' });
    expect((await check(c.uuid)).status).toBe('up');
  });

  it('keyword filters classify a plain ping by its body', async () => {
    const c = await createCheck(s, { name: 'kw', filter_http_body: true, success_kw: 'SUCCESS', failure_kw: 'ERROR, FATAL' });
    await ping(`/ping/${c.uuid}`, { method: 'POST', body: 'run: SUCCESS' });
    expect((await check(c.uuid)).status).toBe('up');
    await ping(`/ping/${c.uuid}`, { method: 'POST', body: 'SUCCESS but FATAL later' });
    expect((await check(c.uuid)).status).toBe('down');
    await ping(`/ping/${c.uuid}`, { method: 'POST', body: 'nothing to see' });
    expect((await pings(c.uuid))[0].type).toBe('ign');
  });
});
