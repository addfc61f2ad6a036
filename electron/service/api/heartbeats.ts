import type { FastifyInstance } from 'fastify';
import { isoMillis, isoSeconds, firstLine } from '../../../shared/api/format.js';
import { BEATS_PER_CHECK, flipBeat, type BeatJson, type HeartbeatsJson } from '../../../shared/api/heartbeats.js';
import { API } from '../../../shared/api/routes.js';
import { on } from './contract.js';
import type { FlipReason, PingKind } from '../../../shared/domain/types.js';
import type { Db } from '../db/open.js';
import type { Repos } from '../db/repos.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

interface BeatPingRow {
  n: number;
  created: number;
  kind: PingKind;
  exitstatus: number | null;
  duration: number | null;
  head: Buffer | null;
}
interface BeatFlipRow {
  created: number;
  reason: FlipReason;
}

/**
 * Reads the heartbeat bars of all checks: the last pings (only the head of each body)
 * and the down flips among them. One indexed query per check instead of the whole
 * ping log, so 1,000 checks answer in tens of milliseconds.
 */
export class HeartbeatReader {
  private pings;
  private flips;
  constructor(
    db: Db,
    private repos: Repos,
  ) {
    // The body head is cut in SQL: a 100 kB body is never loaded for a 200-character preview.
    this.pings = db.prepare(
      'SELECT n, created, kind, exitstatus, duration, CAST(substr(body, 1, 240) AS BLOB) AS head FROM pings WHERE check_id = ? ORDER BY n DESC LIMIT ?',
    );
    this.flips = db.prepare(
      "SELECT created, reason FROM flips WHERE check_id = ? AND new_status = 'down' ORDER BY created DESC LIMIT ?",
    );
  }

  /** The bar of one check, oldest first. */
  forCheck(checkId: number, max = BEATS_PER_CHECK): BeatJson[] {
    const beats: { at: number; b: BeatJson }[] = [];
    for (const r of this.pings.all(checkId, max) as BeatPingRow[]) {
      const b: BeatJson = { t: isoMillis(r.created), kind: r.kind, n: r.n };
      if (r.exitstatus !== null) b.exitstatus = r.exitstatus;
      if (r.duration !== null) b.duration = r.duration / 1000;
      const text = r.head ? firstLine(decoder.decode(r.head)) : '';
      if (text) b.text = text;
      beats.push({ at: r.created, b });
    }
    for (const f of this.flips.all(checkId, max) as BeatFlipRow[]) {
      const b = flipBeat(isoSeconds(f.created) as string, 'down', f.reason);
      if (b) beats.push({ at: f.created, b });
    }
    beats.sort((a, b) => a.at - b.at);
    return beats.slice(-max).map((x) => x.b);
  }

  /** Bars of every check (or of the given uuids), keyed by uuid. */
  all(uuids?: string[]): HeartbeatsJson {
    const out: Record<string, BeatJson[]> = {};
    const checks = uuids ? uuids.map((u) => this.repos.checks.byUuid(u)).filter((c) => c !== null) : this.repos.checks.all();
    for (const c of checks) out[c.uuid] = this.forCheck(c.id);
    return { beats: out };
  }
}

/** `GET /api/lubdub/heartbeats[?check=<uuid>]`: the console's heartbeat bars in one request. */
export function heartbeatRoutes(repos: Repos): (app: FastifyInstance) => void {
  const reader = new HeartbeatReader(repos.db, repos);
  return (app) => {
    on(app, API.heartbeats, async (req) => {
      const q = (req.query as { check?: string | string[] }).check;
      return reader.all(q === undefined ? undefined : Array.isArray(q) ? q : [q]);
    });
  };
}
