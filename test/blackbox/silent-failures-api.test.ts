/** The API side of silent-failure detection against the real service: Lubdub fields on checks and pings, routes, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheck, serve, type Served } from '../helpers/serve.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
});

const ping = (path: string, init?: RequestInit) => fetch(s.pingUrl + path, init);
const getCheck = async (uuid: string) => (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;
const pings = async (uuid: string) => ((await (await s.api(`/api/v3/checks/${uuid}/pings/`)).json()) as { pings: any[] }).pings;
const update = (uuid: string, json: unknown) => s.api(`/api/v3/checks/${uuid}`, { method: 'POST', json });

describe('assertions and extraction rules in the check JSON', () => {
  it('are written on create, read back, kept by a healthchecks-style update, and cleared with []', async () => {
    const assertions = ['bytes > 0', { expr: 'count >= 20% of median(10)', message: 'only {value} rows', missing: 'fail' }];
    const extract = [{ preset: 'restic' }, { name: 'rows', regex: '^loaded (\\d+) rows', mode: 'last' }];
    const c = await createCheck(s, { name: 'etl', timeout: 3600, grace: 60, assertions, extract });
    expect(c.assertions).toEqual(assertions);
    expect(c.extract).toEqual(extract);

    const renamed = (await (await update(c.uuid, { name: 'etl v2', tags: 'prod' })).json()) as any;
    expect([renamed.name, renamed.assertions, renamed.extract]).toEqual(['etl v2', assertions, extract]);
    const listed = ((await (await s.api('/api/v3/checks/?tag=prod')).json()) as { checks: any[] }).checks.find((x) => x.name === 'etl v2');
    expect(listed.assertions).toEqual(assertions);

    const cleared = (await (await update(c.uuid, { assertions: [], extract: [] })).json()) as any;
    expect([cleared.assertions, cleared.extract]).toEqual([[], []]);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ assertions: 'bytes > 0' }, 'json validation error: assertions is not an array'],
    [{ assertions: ['bytes >> 0'] }, 'json validation error: assertions[0]: "> 0" is not a number, a quantity (30m, 1MiB) or a baseline (20% of median(10))'],
    [{ assertions: ['count >= 20% of average(10)'] }, 'json validation error: assertions[0]: unknown baseline "average" (use median, mean, min, max)'],
    [{ assertions: [{ expr: 'bytes > 0', missing: 'maybe' }] }, 'json validation error: assertions[0]: missing must be "pass" or "fail"'],
    [{ extract: [{ preset: 'duplicati' }] }, 'json validation error: extract[0]: unknown preset (one of restic, borg, rsync, warnings, errors)'],
    [{ extract: [{ name: 'rows', regex: 'rows' }] }, 'json validation error: extract[0]: regex needs a capture group ( ) around the number'],
    [{ extract: [{ name: 'rows', regex: '(' }] }, 'json validation error: extract[0]: regex is invalid: Invalid regular expression: /(/m: Unterminated group'],
  ])('bad input %j → 400 and nothing changes', async (body, error) => {
    const c = await createCheck(s, { name: 'strict', assertions: ['bytes > 0'] });
    const r = await update(c.uuid, { name: 'changed', ...body });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error });
    const after = await getCheck(c.uuid);
    expect([after.name, after.assertions]).toEqual(['strict', ['bytes > 0']]);
    const created = await s.api('/api/v3/checks/', { method: 'POST', json: { name: 'never', ...body } });
    expect(created.status).toBe(400);
  });

  it('a healthchecks client that never sends them sees the healthchecks check and ping JSON unchanged', async () => {
    const c = await createCheck(s, { name: 'plain', timeout: 3600, grace: 60 });
    expect(c).not.toHaveProperty('assertions');
    expect(c).not.toHaveProperty('extract');
    await ping(`/ping/${c.uuid}`, { method: 'POST', body: 'WARNING: disk 91% full' });
    const [p] = await pings(c.uuid);
    expect(p.type).toBe('success');
    for (const k of ['metrics', 'assertions', 'assertion_failed', 'extract_error']) expect(p).not.toHaveProperty(k);
  });
});

describe('metrics on pings', () => {
  it('?metric= (repeatable, name:value or name=value, units) is stored with the ping beside the built-in bytes and duration', async () => {
    const c = await createCheck(s, { name: 'metrics' });
    const rid = crypto.randomUUID();
    const now = Math.floor(Date.now() / 1000);
    await ping(`/ping/${c.uuid}/start?rid=${rid}&ts=${now - 90}`);
    const r = await ping(`/ping/${c.uuid}?rid=${rid}&ts=${now}&metric=count:5000&metric=Lines=12&metric=dump_bytes:1.5MiB`, { method: 'POST', body: 'done\n' });
    expect([r.status, await r.text()]).toEqual([200, 'OK']);
    const [p, start] = await pings(c.uuid);
    expect(p.metrics).toEqual({ bytes: 5, duration: 90, count: 5000, lines: 12, dump_bytes: 1.5 * 1024 * 1024 });
    expect(start).not.toHaveProperty('metrics');
  });

  it('a sent duration wins over the measured one (Cronitor form metric=duration:<seconds>)', async () => {
    const c = await createCheck(s, { name: 'cronitor style' });
    await ping(`/ping/${c.uuid}/start`);
    await ping(`/ping/${c.uuid}?metric=duration:12.5`);
    expect((await pings(c.uuid))[0].metrics.duration).toBe(12.5);
  });

  it('metrics on a log or start ping are kept as sent', async () => {
    const c = await createCheck(s, { name: 'progress' });
    await ping(`/ping/${c.uuid}/log?metric=progress:40`);
    expect((await pings(c.uuid))[0].metrics).toEqual({ progress: 40 });
  });

  it.each([
    ['metric=count', 'invalid metric "count": expected name:value'],
    ['metric=count:many', 'invalid metric value for count: "many" is not a number'],
    ['metric=no%20spaces:1', 'invalid metric name "no spaces": use letters, digits and _'],
  ])('?%s → 400 and no ping is recorded', async (q, text) => {
    const c = await createCheck(s, { name: 'bad metric' });
    const r = await ping(`/ping/${c.uuid}?${q}`);
    expect([r.status, await r.text()]).toEqual([400, text]);
    expect((await getCheck(c.uuid)).n_pings).toBe(0);
  });

  it('a failed assertion is a Lubdub field on the ping and a flip with reason "assertion"', async () => {
    const c = await createCheck(s, { name: 'zero', assertions: ['count >= 1'] });
    await ping(`/ping/${c.uuid}?metric=count:0`);
    const [p] = await pings(c.uuid);
    expect(p).toMatchObject({ type: 'fail', assertion_failed: 'count was 0 (count >= 1)', assertions: [{ expr: 'count >= 1', state: 'fail', value: 0 }] });
    const flips = (await (await s.api(`/api/v3/checks/${c.uuid}/flips/`)).json()) as any[];
    expect(flips[0]).toMatchObject({ new_status: 'down', reason: 'assertion' });
    expect((await getCheck(c.uuid)).down_reason).toBe('count was 0 (count >= 1)');
  });

  it('an explicit /fail is not second-guessed: assertions only judge success pings', async () => {
    const c = await createCheck(s, { name: 'failing anyway', assertions: ['count >= 1'] });
    await ping(`/ping/${c.uuid}/fail?metric=count:0`);
    const [p] = await pings(c.uuid);
    expect(p.type).toBe('fail');
    expect(p).not.toHaveProperty('assertion_failed');
    expect((await getCheck(c.uuid)).down_reason).toBe('fail signal');
  });
});

describe('Lubdub routes', () => {
  it('GET /api/lubdub/presets lists the extraction and assertion presets', async () => {
    const r = await s.api('/api/lubdub/presets');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { extract: any[]; assertions: any[] };
    expect(body.extract.map((p) => p.id)).toEqual(['restic', 'borg', 'rsync', 'warnings', 'errors']);
    expect(body.assertions.map((p) => p.id)).toEqual(['backup-writes-data', 'pipeline-processes-rows', 'warnings-not-growing', 'runtime-normal', 'no-new-warnings', 'artifact-changes', 'artifact-usual-size']);
  });

  it('GET /api/lubdub/checks/<uuid>/metrics gives runs oldest first and each assertion\'s baseline state', async () => {
    const c = await createCheck(s, { name: 'charted', assertions: ['count >= 20% of median(3)', 'bytes > 0'] });
    for (const n of [10, 20]) await ping(`/ping/${c.uuid}?metric=count:${n}`, { method: 'POST', body: 'ok' });
    let m = (await (await s.api(`/api/lubdub/checks/${c.uuid}/metrics`)).json()) as any;
    expect(m.runs.map((r: any) => [r.type, r.metrics.count])).toEqual([
      ['success', 10],
      ['success', 20],
    ]);
    expect(m.assertions[0]).toMatchObject({ expr: 'count >= 20% of median(3)', valid: true, state: 'pending', have: 2, need: 3, baseline: null });
    expect(m.assertions[1]).toMatchObject({ expr: 'bytes > 0', state: 'ready', need: 0 });

    await ping(`/ping/${c.uuid}?metric=count:30`, { method: 'POST', body: 'ok' });
    await ping(`/ping/${c.uuid}?metric=count:0`, { method: 'POST', body: 'ok' });
    m = (await (await s.api(`/api/lubdub/checks/${c.uuid}/metrics?limit=2`)).json()) as any;
    expect(m.runs.map((r: any) => r.metrics.count)).toEqual([30, 0]);
    expect(m.runs[1]).toMatchObject({ type: 'fail', assertion_failed: 'count was 0, median of the last 3 runs 20 (count >= 20% of median(3))' });
    expect(m.assertions[0]).toMatchObject({ state: 'ready', have: 3, baseline: 20 });
  });

  it('needs credentials and answers 404 for an unknown check, 400 for a bad limit', async () => {
    const u = crypto.randomUUID();
    expect((await fetch(`${s.uiUrl}/api/lubdub/presets`)).status).toBe(401);
    expect((await s.api(`/api/lubdub/checks/${u}/metrics`)).status).toBe(404);
    const c = await createCheck(s, { name: 'limits' });
    expect((await s.api(`/api/lubdub/checks/${c.uuid}/metrics?limit=-1`)).status).toBe(400);
  });
});
