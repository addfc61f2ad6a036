/**
 * The reference receiver the bench measures Lubdub's ingestion against: the least a durable
 * ping receiver must do, with Lubdub's own storage design and nothing else. A bare Fastify
 * `GET /ping/:uuid` inserts one row into a one-table database; the pings of one event-loop
 * turn share a transaction; each is answered after the flush that makes it durable. The
 * database is opened by Lubdub's `openDb` (same pragmas: WAL, synchronous=FULL, cache size)
 * and committed by Lubdub's `GroupCommit` (NORMAL commit, fdatasync of the WAL on libuv's
 * thread pool), so the gap between the two is what Lubdub's domain work and routing cost.
 *
 * Usage: node --import tsx bench/reference.ts <data dir>
 * Prints `reference receiver: http://127.0.0.1:<port>` once listening. Exits on SIGINT or
 * SIGTERM, and when its stdin is a pipe that closes (the bench that started it is gone).
 */
import Fastify from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { GroupCommit } from '../electron/service/db/group-commit.js';
import { openDb } from '../electron/service/db/open.js';
import { createLog } from '../electron/service/log.js';

/** The reference's database file in its data dir (beside which openDb's migrations leave Lubdub's empty tables). */
export const REFERENCE_DB = 'reference.db';
/** The one table it writes (Lubdub's own tables stay empty): what the bench counts as committed. */
export const REFERENCE_TABLE = 'reference_pings';

async function main(dataDir: string): Promise<void> {
  const db = openDb(dataDir, { file: REFERENCE_DB });
  db.exec(`CREATE TABLE IF NOT EXISTS ${REFERENCE_TABLE} (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, received_ms INTEGER NOT NULL)`);
  const insert = db.prepare(`INSERT INTO ${REFERENCE_TABLE} (uuid, received_ms) VALUES (?, ?)`);
  const commits = new GroupCommit(db, createLog('warn'));

  let queue: { uuid: string; done: (ok: boolean) => void }[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const now = Date.now();
    try {
      commits.commit(
        () => {
          for (const p of batch) insert.run(p.uuid, now);
        },
        (err) => batch.forEach((p) => p.done(!err)),
      );
    } catch {
      batch.forEach((p) => p.done(false));
    }
  };

  const app = Fastify();
  app.get<{ Params: { uuid: string } }>('/ping/:uuid', async (req, reply) => {
    const ok = await new Promise<boolean>((done) => {
      queue.push({ uuid: req.params.uuid, done });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
    reply.code(ok ? 200 : 503).type('text/plain');
    return ok ? 'OK' : 'storage error';
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`reference receiver: ${url}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const stdin = fs.fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) process.stdin.on('end', stop).resume();
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  if (!process.argv[2]) {
    console.error('usage: node --import tsx bench/reference.ts <data dir>');
    process.exit(2);
  }
  await main(process.argv[2]);
}
