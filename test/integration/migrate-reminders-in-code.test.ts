import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../electron/service/db/migrate.js';
import { tempDir } from '../helpers/serve.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('migration 0006: reminders armed in code, a check mute stored once', () => {
  it('an armed reminder keeps its time, the triggers are gone, and the mute copy in extra is dropped', () => {
    const dataDir = tempDir('lubdub-migrate-');
    dirs.push(dataDir);
    const file = path.join(dataDir, 'lubdub.db');
    const db = new Database(file);
    migrate(db, file, loadMigrations().filter((m) => m.version < 6));
    const check = db.prepare('INSERT INTO checks (uuid, name, status, extra, created) VALUES (?, ?, ?, ?, 1)');
    const down = Number(check.run('00000000-0000-4000-8000-000000000001', 'backup', 'up', '{"reminder_every":3600}').lastInsertRowid);
    db.prepare("INSERT INTO flips (check_id, created, old_status, new_status, reason, processed) VALUES (?, 5000, 'up', 'down', 'fail', 1)").run(down);
    // the old trigger arms the reminder: down flip + reminder_every
    db.prepare("UPDATE checks SET status = 'down' WHERE id = ?").run(down);
    const reminder = db.prepare('SELECT next_reminder FROM checks WHERE id = ?').pluck();
    expect(reminder.get(down)).toBe(5000 + 3600_000);
    const muted = Number(check.run('00000000-0000-4000-8000-000000000002', 'sensor', 'up', '{"reminder_every":600}').lastInsertRowid);
    db.prepare(`UPDATE checks SET mute_until = 90000, extra = json_set(extra, '$.muted_until', '1970-01-01T00:01:30+00:00') WHERE id = ?`).run(muted);

    migrate(db, file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(6);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all()).toEqual([]);
    expect(reminder.get(down)).toBe(5000 + 3600_000);
    // status writes no longer touch the reminder: the flip writer does, in code
    db.prepare("UPDATE checks SET status = 'up' WHERE id = ?").run(down);
    expect(reminder.get(down)).toBe(5000 + 3600_000);
    const row = db.prepare('SELECT mute_until, extra FROM checks WHERE id = ?').get(muted) as { mute_until: number; extra: string };
    expect(row.mute_until).toBe(90000);
    expect(JSON.parse(row.extra)).toEqual({ reminder_every: 600 });
    db.close();
  });
});
