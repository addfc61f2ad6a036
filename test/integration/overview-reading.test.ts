/**
 * The overview's reading of every check, on a real SQLite file and a manual clock: it is read
 * once for the summary and every window, a status that changes by the clock alone is decided
 * again from what is held (no second reading, the order follows), and a write reads again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Overview } from '../../electron/service/api/overview.js';
import { openDb, type Db } from '../../electron/service/db/open.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { buildCore, pingTo } from '../helpers/core.js';
import { tempDir } from '../helpers/serve.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

function setup() {
  const dir = tempDir('lubdub-overview-');
  const db: Db = openDb(dir);
  cleanup = () => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  expect(fs.existsSync(path.join(dir, 'lubdub.db'))).toBe(true);
  const clock = new ManualClock(T0);
  const core = buildCore(db, clock);
  let reads = 0;
  const overview = new Overview(
    db,
    () => core.repos.checks.listingWrites(),
    function* () {
      reads++;
      yield* core.checks.listingPages(2);
    },
    (uuid) => core.checks.get(uuid),
    // a reading ahead lets other work in after every page
    0,
  );
  const window = () => overview.window(core.readContext(), {}, null);
  return { ...core, clock, overview, window, reads: () => reads };
}

const names = (w: { rows: { name: string }[] }) => w.rows.map((r) => r.name);

describe('the overview reading of every check', () => {
  it('is read again after every write of a listed column, and not after writes of anything else', async () => {
    const o = setup();
    const uuid = o.checks.create({ name: 'one', timeout: 60, grace: 60 }).check.uuid;
    const c = () => o.checks.get(uuid);
    await o.window();
    let reads = o.reads();
    const rereads = (what: string, write: () => void) => async () => {
      write();
      await o.window();
      expect([what, o.reads()]).toEqual([what, reads + 1]);
      reads = o.reads();
    };
    const keeps = (what: string, write: () => void) => async () => {
      write();
      await o.window();
      expect([what, o.reads()]).toEqual([what, reads]);
    };
    // everything of the check rows that the listing reads
    const steps = [
      rereads('insert', () => o.checks.create({ name: 'two' })),
      rereads('update', () => o.repos.checks.update({ ...c(), name: 'uno' })),
      rereads('ping state', () => o.repos.checks.updatePingState({ ...c(), status: 'up', lastPing: T0 })),
      rereads('deadline', () => o.repos.checks.setAlertAfter(c().id, T0 + 120_000)),
      rereads('hold', () => expect(o.repos.checks.holdDue(7, T0 + 200_000, T0 + 800_000, T0 + 200_000)).toBe(1)),
      rereads('end of hold', () => o.repos.checks.clearHold(c().id)),
      rereads('down by the clock', () => expect(o.repos.checks.casDown(c(), { text: 'missed', code: 'timeout' }, null)).toBe(true)),
      rereads('delete', () => o.repos.checks.delete(o.checks.get(o.checks.create({ name: 'three' }).check.uuid).id)),
      // what it does not read: announcements, channels, mutes, reminders, settings, the ping log
      keeps('status_at', () => o.repos.checks.setStatusAt(c().id, T0 + 1)),
      keeps('channels', () => o.repos.checks.setChannels(c().id, 'x')),
      keeps('mute and reminder', () => o.repos.db.prepare('UPDATE checks SET mute_until = 1, next_reminder = 2').run()),
      keeps('settings', () => o.repos.settings.set('alerts.alive_at', String(T0))),
    ];
    for (const step of steps) await step();
    expect(names(await o.window())).toEqual(['uno', 'two']);
  });


  it('is read once for the summary and every window, decided again by the clock without reading, and read again after a write', async () => {
    const o = setup();
    const soon = o.checks.create({ name: 'zeta soon', timeout: 60, grace: 60 }).check.uuid;
    const later = o.checks.create({ name: 'alpha later', timeout: 3600, grace: 60 }).check.uuid;
    o.checks.create({ name: 'mid new', timeout: 60, grace: 60, tags: 'nas' });
    await o.ingest.submit(pingTo(o.clock, soon));
    await o.ingest.submit(pingTo(o.clock, later));

    expect(names(await o.window())).toEqual(['alpha later', 'zeta soon', 'mid new']);
    expect((await o.overview.summary(o.clock.now(), null)).counts).toMatchObject({ up: 2, new: 1 });
    expect((await o.window()).tags).toEqual(['nas']);
    expect(o.reads()).toBe(1);

    // past the short period: late by the clock alone, and first in the order
    o.clock.set(T0 + 61_000);
    const late = await o.window();
    expect(names(late)).toEqual(['zeta soon', 'alpha later', 'mid new']);
    expect(late.rows.map((r) => r.status)).toEqual(['grace', 'up', 'new']);
    expect(late.summary.counts).toMatchObject({ grace: 1, up: 1, new: 1 });
    // past its grace too: down, still without reading the database again
    o.clock.set(T0 + 121_000);
    expect((await o.window()).summary.counts).toMatchObject({ down: 1, up: 1, new: 1 });
    expect(o.reads()).toBe(1);

    // a write is read again
    o.checks.pause(later);
    const paused = await o.window();
    expect(o.reads()).toBe(2);
    expect(paused.summary.counts).toMatchObject({ down: 1, paused: 1, new: 1 });
    expect(names(paused)).toEqual(['zeta soon', 'mid new', 'alpha later']);
  });

  it('is read ahead by prepare a page at a time, and the window asked meanwhile waits for it instead of reading again', async () => {
    const o = setup();
    for (const name of ['one', 'two', 'three', 'four', 'five']) o.checks.create({ name, timeout: 60, grace: 60 });
    o.overview.prepare(o.clock.now());
    o.overview.prepare(o.clock.now());
    expect(o.reads()).toBe(1);
    expect(names(await o.window())).toEqual(['five', 'four', 'one', 'three', 'two']);
    expect(o.reads()).toBe(1);
    // held and current: nothing to read ahead
    o.overview.prepare(o.clock.now());
    expect(o.reads()).toBe(1);
  });

  it('never trusts a reading ahead that a write overtook: the check written between its pages is read again', async () => {
    const o = setup();
    const uuids = ['one', 'two', 'three', 'four', 'five'].map((name) => o.checks.create({ name, timeout: 60, grace: 60 }).check.uuid);
    o.overview.prepare(o.clock.now());
    // the first page (two checks) is read; the rest waits for the next turn of the event loop
    expect(o.reads()).toBe(1);
    o.checks.pause(uuids[0]);
    o.checks.update(uuids[4], { name: 'zz five' });
    const w = await o.window();
    expect(o.reads()).toBe(2);
    expect(names(w)).toEqual(['four', 'three', 'two', 'zz five', 'one']);
    expect(w.summary.counts).toMatchObject({ new: 4, paused: 1 });
  });
});
