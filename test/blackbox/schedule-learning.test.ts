import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../helpers/serve.js';

let s: Served;
beforeAll(async () => {
  // the host's zone is one of the zones tried: pin it so the proposal is the same everywhere
  s = await serve({ env: { TZ: 'UTC' } });
});
afterAll(async () => {
  await s?.stop();
});

const DAY = 86400_000;
const get = async (uuid: string) => (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;

describe('schedules learned from the pings (real service)', () => {
  it('an auto-created check gets a daily proposal from late pings, and accepting it is a normal update', async () => {
    // six nightly runs at ~02:02 UTC, ending yesterday; sent late with ?ts= (within the 7-day limit)
    const midnight = Math.floor(Date.now() / DAY) * DAY;
    const jitterS = [0, 40, -30, 200, 10, 60];
    const runs = jitterS.map((j, i) => midnight - (6 - i) * DAY + (2 * 3600 + 2 * 60 + j) * 1000);
    let uuid = '';
    for (const [i, at] of runs.entries()) {
      const r = await fetch(`${s.pingUrl}/ping/${s.pingKey}/nightly-dump?create=1&ts=${(at / 1000).toFixed(3)}`);
      expect(r.status).toBe(i === 0 ? 201 : 200);
      if (i === 1) {
        const list = (await (await s.api('/api/v3/checks/?slug=nightly-dump')).json()) as { checks: Record<string, any>[] };
        uuid = list.checks[0].uuid;
        // two runs are not enough evidence
        expect(list.checks[0].learn_schedule).toBe(true);
        expect(list.checks[0].schedule_suggestion).toBeUndefined();
      }
    }
    const learning = await get(uuid);
    expect(learning.schedule_suggestion).toEqual({
      kind: 'cron',
      schedule: '1 2 * * *',
      tz: 'UTC',
      grace: 420,
      text: 'daily at ~02:02 (UTC), ± 2 min',
      runs: 6,
    });
    // proposed, never applied by itself
    expect(learning).toMatchObject({ kind: 'simple', timeout: 86400 });

    const { kind: _kind, text: _text, runs: _runs, ...fields } = learning.schedule_suggestion;
    const accepted = await s.api(`/api/v3/checks/${uuid}`, { method: 'POST', json: { ...fields, learn_schedule: false } });
    expect(accepted.status).toBe(200);
    const after = await get(uuid);
    expect(after).toMatchObject({ kind: 'cron', schedule: '1 2 * * *', tz: 'UTC', grace: 420, learn_schedule: false });
    expect(after.schedule_suggestion).toBeUndefined();
  });

  it('a check created with a schedule does not learn, and a bad learn_schedule is refused with 400', async () => {
    const r = await fetch(`${s.pingUrl}/ping/${s.pingKey}/hourly-sync?create=1&timeout=3600`);
    expect(r.status).toBe(201);
    const list = (await (await s.api('/api/v3/checks/?slug=hourly-sync')).json()) as { checks: Record<string, any>[] };
    expect(list.checks[0].learn_schedule).toBeUndefined();
    const bad = await s.api(`/api/v3/checks/${list.checks[0].uuid}`, { method: 'POST', json: { learn_schedule: 'yes' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('learn_schedule must be true or false');
    expect((await get(list.checks[0].uuid)).learn_schedule).toBeUndefined();
  });
});
