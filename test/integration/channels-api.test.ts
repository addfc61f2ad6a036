import { afterEach, describe, expect, it } from 'vitest';
import { harness, receiver, settle, type Harness, type Receiver } from '../helpers/in-process.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  h = null;
  rx = null;
});

describe('channels API', () => {
  it('a fresh service has one desktop channel, listed by GET /api/v3/channels/ as healthchecks does', async () => {
    h = await harness();
    const r = await h.api('GET', '/api/v3/channels/');
    expect(r.status).toBe(200);
    expect(r.json.channels).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Desktop', kind: 'desktop' }]);
  });

  it('creates, reads, edits and deletes a webhook channel', async () => {
    h = await harness();
    const made = await h.api('POST', '/api/lubdub/channels', { name: 'ops hook', kind: 'webhook', config: { url: 'https://hooks.example/x' }, new_checks: false });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ name: 'ops hook', kind: 'webhook', config: { url: 'https://hooks.example/x' }, new_checks: false });
    const id = made.json.id;
    expect((await h.api('GET', `/api/lubdub/channels/${id}`)).json.name).toBe('ops hook');
    const edited = await h.api('POST', `/api/lubdub/channels/${id}`, { name: 'ops', config: { url: 'http://10.0.0.5:9000/h' } });
    expect(edited.json).toMatchObject({ name: 'ops', config: { url: 'http://10.0.0.5:9000/h' } });
    expect((await h.api('GET', '/api/v3/channels/')).json.channels.map((c: { name: string }) => c.name)).toEqual(['Desktop', 'ops']);
    expect((await h.api('DELETE', `/api/lubdub/channels/${id}`)).status).toBe(200);
    expect((await h.api('GET', `/api/lubdub/channels/${id}`)).status).toBe(404);
  });

  it.each([
    [{ kind: 'webhook', config: { url: 'file:///etc/passwd' } }, 'config.url scheme file is not allowed (http or https only)'],
    [{ kind: 'webhook', config: { url: 'javascript:alert(1)' } }, 'config.url scheme javascript is not allowed (http or https only)'],
    [{ kind: 'webhook', config: { url: 'http://user:pw@example.com/' } }, 'config.url must not contain a user name or password'],
    [{ kind: 'webhook', config: {} }, 'config.url is required'],
    [{ kind: 'webhook' }, 'config is required'],
    [{ kind: 'email', config: {} }, 'kind must be one of desktop, webhook, ntfy'],
    [{ kind: 'ntfy', config: { url: 'https://ntfy.sh/x', priority: 9 } }, 'config.priority must be an integer 1-5'],
    [{ kind: 'desktop', name: 'a,b' }, 'name must not contain a comma'],
    [{ kind: 'desktop', config: { url: 'http://x/' } }, 'config.url is not a desktop setting'],
  ])('refuses %j with 400', async (body, error) => {
    h ??= await harness();
    const r = await h.api('POST', '/api/lubdub/channels', body);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: `json validation error: ${error}` });
    expect((await h.api('GET', '/api/lubdub/channels')).json.channels).toHaveLength(1);
  });

  it('the kind of a channel cannot change', async () => {
    h = await harness();
    const [desktop] = (await h.api('GET', '/api/lubdub/channels')).json.channels;
    const r = await h.api('POST', `/api/lubdub/channels/${desktop.id}`, { kind: 'webhook' });
    expect(r).toEqual({ status: 400, json: { error: 'json validation error: kind of a channel cannot change' } });
  });

  it('an ntfy token is write-only: reported as has_token, kept when omitted, removed with null', async () => {
    h = await harness();
    const made = await h.api('POST', '/api/lubdub/channels', { kind: 'ntfy', config: { url: 'https://ntfy.sh/lubdub-x', token: 'tk_abc' } });
    expect(made.json.config).toEqual({ url: 'https://ntfy.sh/lubdub-x', has_token: true });
    expect(JSON.stringify(made.json)).not.toContain('tk_abc');
    const kept = await h.api('POST', `/api/lubdub/channels/${made.json.id}`, { config: { url: 'https://ntfy.sh/lubdub-y' } });
    expect(kept.json.config).toEqual({ url: 'https://ntfy.sh/lubdub-y', has_token: true });
    const removed = await h.api('POST', `/api/lubdub/channels/${made.json.id}`, { config: { url: 'https://ntfy.sh/lubdub-y', token: null } });
    expect(removed.json.config).toEqual({ url: 'https://ntfy.sh/lubdub-y', has_token: false });
  });
});

describe('the channels field of checks (healthchecks semantics)', () => {
  async function twoChannels(hh: Harness) {
    const a = (await hh.api('POST', '/api/lubdub/channels', { name: 'A', kind: 'webhook', config: { url: 'http://127.0.0.1:1/a' }, new_checks: false })).json.id;
    const b = (await hh.api('POST', '/api/lubdub/channels', { name: 'B', kind: 'webhook', config: { url: 'http://127.0.0.1:1/b' }, new_checks: false })).json.id;
    const desktop = (await hh.api('GET', '/api/v3/channels/')).json.channels[0].id;
    return { a, b, desktop };
  }

  it('"*" assigns all channels, "" none, names and uuids resolve, unknown ones are refused', async () => {
    h = await harness();
    const { a, b, desktop } = await twoChannels(h);
    const c = (await h.api('POST', '/api/v3/checks/', { name: 'x', channels: '*' })).json;
    expect(c.channels).toBe([desktop, a, b].join(','));
    expect((await h.api('POST', `/api/v3/checks/${c.uuid}`, { channels: 'B,' + a })).json.channels).toBe(`${b},${a}`);
    expect((await h.api('POST', `/api/v3/checks/${c.uuid}`, { channels: b.toUpperCase() })).json.channels).toBe(b);
    expect((await h.api('POST', `/api/v3/checks/${c.uuid}`, { channels: '' })).json.channels).toBe('');
    const bad = await h.api('POST', `/api/v3/checks/${c.uuid}`, { channels: `${a},nope` });
    expect(bad).toEqual({ status: 400, json: { error: 'invalid channel identifier: nope' } });
    const unknownUuid = await h.api('POST', '/api/v3/checks/', { name: 'y', channels: '00000000-0000-4000-8000-000000000000' });
    expect(unknownUuid.json).toEqual({ error: 'invalid channel identifier: 00000000-0000-4000-8000-000000000000' });
    expect((await h.api('GET', `/api/v3/checks/${c.uuid}`)).json.channels).toBe('');
    expect((await h.api('GET', '/api/v3/checks/')).json.checks).toHaveLength(1);
  });

  it('two channels with one name are ambiguous', async () => {
    h = await harness();
    await h.api('POST', '/api/lubdub/channels', { name: 'dup', kind: 'desktop' });
    await h.api('POST', '/api/lubdub/channels', { name: 'dup', kind: 'desktop' });
    const r = await h.api('POST', '/api/v3/checks/', { name: 'z', channels: 'dup' });
    expect(r).toEqual({ status: 400, json: { error: 'non-unique channel identifier: dup' } });
  });

  it('new checks get the channels marked new_checks; assign_existing adds a channel to every check; delete takes it off', async () => {
    h = await harness();
    const old = (await h.api('POST', '/api/v3/checks/', { name: 'old' })).json;
    const desktop = old.channels;
    const hook = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: 'http://127.0.0.1:1/' }, assign_existing: true })).json.id;
    expect((await h.api('GET', `/api/v3/checks/${old.uuid}`)).json.channels).toBe(`${desktop},${hook}`);
    const fresh = (await h.api('POST', '/api/v3/checks/', { name: 'fresh' })).json;
    expect(fresh.channels).toBe(`${desktop},${hook}`);
    await h.api('DELETE', `/api/lubdub/channels/${hook}`);
    expect((await h.api('GET', `/api/v3/checks/${old.uuid}`)).json.channels).toBe(desktop);
    expect((await h.api('GET', `/api/v3/checks/${fresh.uuid}`)).json.channels).toBe(desktop);
  });

  it('POST …/test sends a test notification and reports the result', async () => {
    rx = await receiver();
    h = await harness();
    const id = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/t` } })).json.id;
    expect((await h.api('POST', `/api/lubdub/channels/${id}/test`)).json).toEqual({ ok: true, error: null });
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ kind: 'test', title: 'Lubdub test notification', name: null });
    rx.respond = () => ({ status: 500 });
    expect((await h.api('POST', `/api/lubdub/channels/${id}/test`)).json).toEqual({ ok: false, error: 'HTTP 500' });
    await settle(h);
  });
});
