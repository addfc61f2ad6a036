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

describe('migration 0005: a down check gets the code of its reason', () => {
  it('a database from before the codes: down checks take the code of their newest flip to down, others ""', () => {
    const dataDir = tempDir('lubdub-migrate-');
    dirs.push(dataDir);
    const file = path.join(dataDir, 'lubdub.db');
    const db = new Database(file);
    const before = loadMigrations().filter((m) => m.version < 5);
    migrate(db, file, before);
    const check = db.prepare("INSERT INTO checks (uuid, name, status, down_reason, created) VALUES (?, ?, ?, ?, 1)");
    const flip = db.prepare('INSERT INTO flips (check_id, created, old_status, new_status, reason, processed) VALUES (?, ?, ?, ?, ?, 1)');
    const down = Number(check.run('00000000-0000-4000-8000-000000000001', 'backup', 'down', 'missed 03:00 run (UTC)').lastInsertRowid);
    flip.run(down, 10, 'up', 'down', 'fail');
    flip.run(down, 20, 'down', 'up', '');
    flip.run(down, 30, 'up', 'down', 'timeout');
    const up = Number(check.run('00000000-0000-4000-8000-000000000002', 'sensor', 'up', '').lastInsertRowid);
    flip.run(up, 10, 'up', 'down', 'run exceeded grace');
    flip.run(up, 20, 'down', 'up', '');
    const noFlip = Number(check.run('00000000-0000-4000-8000-000000000003', 'odd', 'down', 'fail signal').lastInsertRowid);

    migrate(db, file);
    const code = db.prepare('SELECT down_reason, down_reason_code FROM checks WHERE id = ?');
    expect(code.get(down)).toEqual({ down_reason: 'missed 03:00 run (UTC)', down_reason_code: 'timeout' });
    expect(code.get(up)).toEqual({ down_reason: '', down_reason_code: '' });
    expect(code.get(noFlip)).toEqual({ down_reason: 'fail signal', down_reason_code: '' });
    // flips keep their stored codes unchanged
    expect(db.prepare('SELECT reason FROM flips ORDER BY id').pluck().all()).toEqual(['fail', '', 'timeout', 'run exceeded grace', '']);
    db.close();
  });
});
