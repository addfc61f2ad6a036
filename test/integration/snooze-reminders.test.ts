import { afterEach, describe, expect, it } from 'vitest';
import { harness, receiver, recordEvents, settle, type Harness, type Receiver } from '../helpers/in-process.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  h = null;
  rx = null;
});

const HOUR = 3600_000;

async function setup() {
  rx = await receiver();
  h = await harness({ core: { aliveEveryMs: 0 } });
  const hook = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/h` } })).json.id;
  const mk = async (name: string, extra: Record<string, unknown> = {}) =>
    (await h!.api('POST', '/api/v3/checks/', { name, timeout: 86400, grace: 60, channels: hook, ...extra })).json.uuid as string;
  return { hook, mk };
}

const posts = () => rx!.requests.map((r) => JSON.parse(r.body) as Record<string, any>);

describe('global snooze', () => {
  it('flips are recorded but not sent while snoozed; at the end one summary lists what is still down', async () => {
    const { mk } = await setup();
    const events = recordEvents(h!);
    const a = await mk('alpha');
    const b = await mk('bravo', { timeout: 600 });
    await h!.ping(a);
    await h!.ping(b);
    const m = await h!.api('POST', '/api/lubdub/mute', { seconds: 3600 });
    const until = new Date(h!.clock.now() + HOUR).toISOString().replace('.000Z', '+00:00');
    expect(m).toEqual({ status: 200, json: { muted_until: until } });
    expect((await h!.api('GET', '/api/lubdub/summary')).json.muted_until).toBe(until);
    expect(events.some((e) => e.type === 'settings' && e.data.muted_until === until)).toBe(true);

    await h!.ping(a, '/fail'); // alpha down…
    h!.timers.advance(700_000); // …bravo down by timeout
    await h!.ping(a); // alpha back up, still muted
    await settle(h!);
    expect(rx!.requests).toHaveLength(0);
    const flips = (await h!.api('GET', `/api/v3/checks/${a}/flips/`)).json;
    expect(flips.map((f: { new_status: string }) => f.new_status)).toEqual(['up', 'down', 'up']);
    expect((await h!.api('GET', `/api/v3/checks/${b}`)).json.status).toBe('down');

    h!.timers.advance(HOUR - 700_000 - 1);
    await settle(h!);
    expect(rx!.requests).toHaveLength(0);
    h!.timers.advance(1);
    await settle(h!);
    expect(posts()).toEqual([
      expect.objectContaining({ kind: 'summary', title: 'Snooze ended: 1 check still down', message: 'still down: bravo', checks: [expect.objectContaining({ uuid: b, reason: 'no ping for 11 min' })] }),
    ]);
    expect((await h!.api('GET', '/api/lubdub/mute')).json).toEqual({ muted_until: null });
  });

  it('ending the snooze early sends the summary at once; nothing down means no summary', async () => {
    const { mk } = await setup();
    const a = await mk('alpha');
    await h!.api('POST', '/api/lubdub/mute', { until: new Date(h!.clock.now() + HOUR).toISOString() });
    await h!.api('POST', '/api/lubdub/mute', { until: null });
    await settle(h!);
    expect(rx!.requests).toHaveLength(0);
    await h!.api('POST', '/api/lubdub/mute', { seconds: 600 });
    await h!.ping(a, '/fail');
    await h!.api('POST', '/api/lubdub/mute', { until: null });
    await settle(h!);
    expect(posts().map((p) => [p.kind, p.message])).toEqual([['summary', 'still down: alpha']]);
  });

  it.each([
    [{ until: 'tomorrow' }, 'until must be an RFC 3339 time or null'],
    [{ seconds: -5 }, 'seconds must be an integer 0-31622400'],
    [{}, 'until is required (an RFC 3339 time or null)'],
    [{ until: '2099-01-01T00:00:00Z' }, 'until is more than a year ahead'],
  ])('refuses %j', async (body, error) => {
    h = await harness();
    expect(await h.api('POST', '/api/lubdub/mute', body)).toEqual({ status: 400, json: { error: `json validation error: ${error}` } });
  });
});

describe('per-check mute', () => {
  it('mutes one check only; when its mute ends and it is still down, one summary for it', async () => {
    const { mk } = await setup();
    const a = await mk('alpha');
    const b = await mk('bravo');
    const muted = await h!.api('POST', `/api/lubdub/checks/${a}/mute`, { seconds: 1800 });
    expect(muted.json.muted_until).toBe(new Date(h!.clock.now() + 1800_000).toISOString().replace('.000Z', '+00:00'));
    await h!.ping(a, '/fail');
    await h!.ping(b, '/fail');
    await settle(h!);
    expect(posts().map((p) => [p.kind, p.name])).toEqual([['down', 'bravo']]);
    h!.timers.advance(1800_000);
    await settle(h!);
    expect(posts().map((p) => [p.kind, p.message])).toEqual([
      ['down', 'fail signal'],
      ['summary', 'still down: alpha'],
    ]);
    expect((await h!.api('GET', `/api/v3/checks/${a}`)).json.muted_until).toBeUndefined();
  });
});

describe('repeat reminders', () => {
  it('reminder_every is validated: at least 60 s, or 0 for off', async () => {
    h = await harness();
    const r = await h.api('POST', '/api/v3/checks/', { name: 'x', reminder_every: 30 });
    expect(r).toEqual({ status: 400, json: { error: 'json validation error: reminder_every is too small (minimum 60 seconds, or 0 for off)' } });
    const ok = await h.api('POST', '/api/v3/checks/', { name: 'x', reminder_every: 7200 });
    expect(ok.json.reminder_every).toBe(7200);
  });

  it('a down check reminds every N seconds until it recovers; a snooze skips reminders', async () => {
    const { mk } = await setup();
    const a = await mk('alpha', { reminder_every: 3600 });
    await h!.ping(a, '/fail');
    await settle(h!);
    h!.timers.advance(HOUR);
    await settle(h!);
    h!.timers.advance(HOUR);
    await settle(h!);
    expect(posts().map((p) => [p.kind, p.title, p.message])).toEqual([
      ['down', 'alpha is down', 'fail signal'],
      ['reminder', 'alpha is still down', 'down for 1 h: fail signal'],
      ['reminder', 'alpha is still down', 'down for 2 h: fail signal'],
    ]);
    await h!.api('POST', '/api/lubdub/mute', { seconds: 5400 });
    h!.timers.advance(HOUR);
    await settle(h!);
    expect(rx!.requests).toHaveLength(3);
    await h!.api('POST', '/api/lubdub/mute', { until: null }); // summary
    await h!.ping(a); // recovery
    h!.timers.advance(5 * HOUR);
    await settle(h!);
    expect(posts().slice(3).map((p) => p.kind)).toEqual(['summary', 'up']);
  });

  it('turning reminders on while a check is down starts them; a long sleep sends one reminder, not a burst', async () => {
    const { mk } = await setup();
    const a = await mk('alpha');
    await h!.ping(a, '/fail');
    h!.timers.advance(30 * 60_000);
    await h!.api('POST', `/api/v3/checks/${a}`, { reminder_every: 3600 });
    h!.timers.advance(30 * 60_000);
    await settle(h!);
    expect(posts().map((p) => p.kind)).toEqual(['down', 'reminder']);
    h!.timers.sleep(5 * HOUR); // the machine sleeps through five periods
    h!.timers.advance(HOUR); // the timer fires once, late
    await settle(h!);
    expect(posts().map((p) => p.kind)).toEqual(['down', 'reminder', 'reminder']);
    await h!.api('POST', `/api/v3/checks/${a}`, { reminder_every: 0 });
    h!.timers.advance(5 * HOUR);
    await settle(h!);
    expect(rx!.requests).toHaveLength(3);
  });
});
