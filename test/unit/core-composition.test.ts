import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PingStep } from '../../electron/service/core/pipeline.js';
import { openDb, type Db } from '../../electron/service/db/open.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { buildCore, pingTo } from '../helpers/core.js';
import { tempDir } from '../helpers/serve.js';

let dir: string;
let db: Db;
const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));

beforeEach(() => {
  dir = tempDir('lubdub-core-');
  db = openDb(dir);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A step as a feature would supply it: fails every success whose body says "0 files". */
const emptyRunFails: PingStep = (_check, req, draft) =>
  draft.event.kind === 'success' && req.body.toString() === '0 files'
    ? { event: { ...draft.event, kind: 'fail', failReason: 'assertion', failText: 'copied 0 files' }, extra: { ...draft.extra, seen: true } }
    : draft;

describe('the core parts, built with their collaborators', () => {
  it('a pipeline step given at construction turns a success into a failure: stored, flipped and announced', async () => {
    const core = buildCore(db, clock, { steps: [emptyRunFails] });
    const events: string[] = [];
    core.bus.on('public', (e) => events.push(e.type === 'flip' ? `flip:${e.data.flip.new_status}` : e.type));
    const { check } = core.checks.create({ name: 'backup', timeout: 3600 });
    expect((await core.ingest.submit(pingTo(clock, check.uuid, { body: Buffer.from('12 files'), bodySize: 8 }))).status).toBe(200);
    expect(core.checks.get(check.uuid).status).toBe('up');

    clock.advance(60_000);
    expect((await core.ingest.submit(pingTo(clock, check.uuid, { body: Buffer.from('0 files'), bodySize: 7 }))).status).toBe(200);
    const after = core.checks.get(check.uuid);
    expect(after.status).toBe('down');
    expect(after.downReason).toContain('copied 0 files');
    // the ping log, newest first, stores what counted and the step's data
    expect(core.repos.pings.list(check.id, 10).map((p) => [p.kind, p.extra])).toEqual([
      ['fail', { seen: true }],
      ['success', null],
    ]);
    expect(core.repos.flips.list(check.id).map((f) => [f.newStatus, f.reason])).toEqual([
      ['down', 'assertion'],
      ['up', ''],
    ]);
    expect(events).toContain('flip:down');
  });

  it('without the step the same ping is a success', async () => {
    const core = buildCore(db, clock);
    const { check } = core.checks.create({ name: 'backup', timeout: 3600 });
    await core.ingest.submit(pingTo(clock, check.uuid, { body: Buffer.from('0 files'), bodySize: 7 }));
    expect(core.checks.get(check.uuid).status).toBe('up');
  });

  it('field rules and the channel resolver given at construction decide what the check service accepts', async () => {
    const core = buildCore(db, clock, {
      fields: {
        rules: { owner: (v, name) => (typeof v === 'string' ? null : `${name} is not a string`) },
        asyncRules: { owner: async (v, name) => (v === 'nobody' ? `${name} is unknown` : null) },
      },
      channels: { resolve: (spec) => (spec === 'pager' ? 'c-1' : spec), defaults: () => 'c-default' },
    });
    expect(() => core.checks.create({ name: 'a', owner: 7 })).toThrow('json validation error: owner is not a string');
    await expect(core.checks.validateAsync({ owner: 'nobody' })).rejects.toThrow('json validation error: owner is unknown');
    expect(core.checks.list()).toEqual([]);

    const { check } = core.checks.create({ name: 'b', owner: 'ops' });
    expect(check.extra.owner).toBe('ops');
    expect(check.channels).toBe('c-default');
    expect(core.checks.update(check.uuid, { channels: 'pager' }).channels).toBe('c-1');
  });
});
