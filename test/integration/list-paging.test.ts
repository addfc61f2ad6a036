import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../electron/service/api/api.js';
import { Overview } from '../../electron/service/api/overview.js';
import { Sessions } from '../../electron/service/api/auth.js';
import { openDb } from '../../electron/service/db/open.js';
import { newCheckRow } from '../../electron/service/db/repos.js';
import fs from 'node:fs';
import { buildCore } from '../helpers/core.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { tempDir } from '../helpers/serve.js';

describe('listing checks a page at a time', () => {
  it('returns every check once, in order, across page boundaries, with tag and slug filters', async () => {
    const dir = tempDir();
    const db = openDb(dir);
    const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
    const { repos, bus, log, runtime, readContext, checks } = buildCore(db, clock);
    db.transaction(() => {
      for (let i = 0; i < 1203; i++) {
        repos.checks.insert(
          newCheckRow(crypto.randomUUID(), clock.now(), { name: `job ${i}`, slug: `job-${i}`, tags: i % 3 === 0 ? 'nas backup' : 'pi' }),
        );
      }
    })();
    const overview = new Overview(repos.db, () => repos.checks.listingWrites(), () => checks.listingPages(), (uuid) => checks.get(uuid));
    const app = buildApi({ checks, overview, repos, bus, runtime, readContext, clock, log, sessions: new Sessions(), apiKey: () => 'key-0123456789abcdef', guardPort: () => null });
    const get = async (q: string) => {
      const r = await app.inject({ url: `/api/v3/checks/${q}`, headers: { 'x-api-key': 'key-0123456789abcdef' } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      return (JSON.parse(r.body) as { checks: { name: string }[] }).checks.map((c) => c.name);
    };
    expect(await get('')).toEqual(Array.from({ length: 1203 }, (_, i) => `job ${i}`));
    expect(await get('?tag=nas&tag=backup')).toEqual(Array.from({ length: 401 }, (_, i) => `job ${i * 3}`));
    expect(await get('?slug=job-1202')).toEqual(['job 1202']);
    expect(await get('?tag=none')).toEqual([]);
    expect(checks.list({ tags: ['pi'] })).toHaveLength(802);
    const summary = await app.inject({ url: '/api/lubdub/summary', headers: { 'x-api-key': 'key-0123456789abcdef' } });
    expect(JSON.parse(summary.body)).toMatchObject({ total: 1203, counts: { new: 1203 }, worst: 'idle' });
    await app.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
