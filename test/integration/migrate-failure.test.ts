import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../electron/service/db/migrate.js';
import { openDb, StoreError } from '../../electron/service/db/open.js';
import { tempDir } from '../helpers/serve.js';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A migrations dir with this build's migrations plus one that fails half-way through. */
function brokenMigrationsDir(): string {
  const dir = tempDir('lubdub-migrations-');
  for (const m of loadMigrations()) fs.writeFileSync(path.join(dir, m.name), m.sql);
  const next = String(loadMigrations().at(-1)!.version + 1).padStart(4, '0');
  // the first statement succeeds, the second fails: the whole migration must roll back
  fs.writeFileSync(
    path.join(dir, `${next}_broken.sql`),
    'CREATE TABLE half_done (x INTEGER);\nALTER TABLE checks ADD COLUMN name TEXT;\n',
  );
  return dir;
}

describe('a failing migration', () => {
  it('is refused with a clear message, leaves the database file as it was, and a backup was taken first', () => {
    const dataDir = tempDir();
    const db = openDb(dataDir);
    db.prepare("INSERT INTO checks (uuid, name, created) VALUES ('5f1c7a8e-0000-4000-8000-000000000001', 'precious', 1)").run();
    const version = db.pragma('user_version', { simple: true }) as number;
    db.close();
    const file = path.join(dataDir, 'lubdub.db');
    const before = sha256(file);

    // The same steps as openDb, with the broken migrations dir.
    const again = new Database(file);
    again.pragma('journal_mode = WAL');
    again.pragma('synchronous = FULL');
    let error: unknown;
    try {
      migrate(again, file, loadMigrations(brokenMigrationsDir()));
    } catch (e) {
      error = e;
    } finally {
      again.close();
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(new RegExp(`^migration \\d{4}_broken\\.sql failed: .*duplicate column name: name; database left at v${version}$`));

    expect(sha256(file)).toBe(before);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(version);
    expect(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    after.close();

    const backup = new Database(`${file}.bak-v${version}`, { readonly: true });
    expect(backup.prepare('SELECT name FROM checks').pluck().all()).toEqual(['precious']);
    expect(backup.pragma('user_version', { simple: true })).toBe(version);
    backup.close();
  });
});
