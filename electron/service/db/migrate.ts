import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './open.js';
import { StoreError } from './open.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** A numbered SQL migration file (`0001_init.sql`). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with this build, in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * Brings the schema to the latest version, one transaction per migration, tracked by
 * `PRAGMA user_version`. Before touching an existing database it takes a copy
 * (`<file>.bak-v<N>`), so a failed migration leaves the user's data recoverable.
 * A database from a newer Lubdub is refused rather than guessed at.
 */
export function migrate(db: Db, dbPath: string, migrations = loadMigrations()): void {
  let current: number;
  try {
    current = db.pragma('user_version', { simple: true }) as number;
    if (current > 0) {
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') throw new Error(`integrity check failed: ${check}`);
    }
  } catch (e) {
    throw new StoreError(`database ${dbPath} is unreadable or corrupt (${(e as Error).message}); it was left as it is`);
  }
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new StoreError(`database ${dbPath} is schema v${current}, newer than this Lubdub (v${latest}); refusing to start`);
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  if (current > 0) {
    const backup = `${dbPath}.bak-v${current}`;
    fs.rmSync(backup, { force: true });
    // created empty and owner-only first: SQLite would make it by the umask, and it holds what the database does
    fs.closeSync(fs.openSync(backup, 'wx', 0o600));
    db.prepare('VACUUM INTO ?').run(backup);
  }
  for (const m of pending) {
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } catch (e) {
      throw new StoreError(`migration ${m.name} failed: ${(e as Error).message}; database left at v${current}`);
    }
    current = m.version;
  }
}
