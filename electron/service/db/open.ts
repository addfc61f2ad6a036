import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate.js';

/** An open Lubdub database. */
export type Db = Database.Database;

/** Error raised when the database cannot be opened or migrated; the service refuses to start. */
export class StoreError extends Error {}

/** How to open the database. */
export interface OpenOptions {
  file?: string;
  /** better-sqlite3's addon file (see sqliteNativeBinding); undefined loads the one in node_modules */
  nativeBinding?: string;
}

/**
 * Opens (creating if needed) `lubdub.db` in the data dir and migrates it.
 * Pragmas: WAL so readers never block the writer; synchronous=FULL because a 200
 * promises the ping survives a power cut; a busy timeout for a second process.
 */
export function openDb(dataDir: string, opts: OpenOptions = {}): Db {
  const dbPath = path.join(dataDir, opts.file ?? 'lubdub.db');
  let db: Db;
  let created = false;
  try {
    created = createPrivate(dbPath);
    db = new Database(dbPath, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  } catch (e) {
    // A start that failed (no SQLite build for this runtime) leaves no empty file behind.
    if (created) fs.rmSync(dbPath, { force: true });
    throw new StoreError(`cannot open database ${dbPath}: ${(e as Error).message}`);
  }
  try {
    // A file with tables but no Lubdub schema version is someone else's: refuse before
    // anything (even switching it to WAL) writes to it.
    if ((db.pragma('user_version', { simple: true }) as number) === 0) {
      const tables = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
      if (tables > 0) throw new StoreError(`${dbPath} is not a Lubdub database (it has tables but no Lubdub schema version); it was left as it is`);
    }
    // A data dir that already existed (or an older Lubdub) may have left them 0644.
    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) makePrivate(f);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache; 2 MB (SQLite's own default) holds
    // the hot pages (checks, recent pings) and keeps the service's memory small; the OS
    // page cache serves the rest. This also bounds what the start-up quick_check leaves behind.
    db.pragma('cache_size = -2000');
    // A checkpoint every 4,000 WAL pages (16 MB) instead of SQLite's 1,000. Why: pings round
    // robin dirty a check page and index pages per ping, so the WAL reached 1,000 pages every
    // few dozen batches, and each checkpoint (copy plus two flushes) runs inside a commit on
    // the only JavaScript thread; it copies each page once however often it was rewritten,
    // so fewer checkpoints do far less work. Crash safety is unchanged (see GroupCommit).
    db.pragma('wal_autocheckpoint = 4000');
    db.pragma('foreign_keys = ON');
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`cannot open database ${dbPath}: ${(e as Error).message}; it was left as it is`);
  }
  try {
    migrate(db, dbPath);
  } catch (e) {
    db.close();
    throw e instanceof StoreError ? e : new StoreError(`cannot migrate database ${dbPath}: ${(e as Error).message}`);
  }
  return db;
}

/**
 * Creates an empty database file readable by its owner only, unless it exists. Why: it holds
 * channel tokens, ping URLs and job output, and the umask (0644 files) would let every local
 * user read them; SQLite gives the -wal and -shm files the database file's mode. True when it made the file.
 */
function createPrivate(file: string): boolean {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDWR, 0o600));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

/** Tightens an existing file to 0600 (a missing one is fine). */
function makePrivate(file: string): void {
  try {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Runs `fn` in a `BEGIN IMMEDIATE` transaction (takes the write lock up front). */
export function writeTx<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Ensures the data dir exists and is writable; throws a one-line message otherwise. */
export function ensureDataDir(dir: string): void {
  // Node 20's recursive mkdir spins forever on /proc and /sys paths: refuse them up front.
  if (/^\/(proc|sys)(\/|$)/.test(path.resolve(dir))) throw new StoreError(`data dir ${dir} is not writable: EACCES`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new StoreError(`data dir ${dir} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
