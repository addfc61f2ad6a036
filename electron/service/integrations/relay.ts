import type { Clock } from '../../../shared/domain/clock.js';
import type { WakeSource } from '../core/scheduler.js';
import type { PingStep } from '../core/pipeline.js';
import type { Db } from '../db/open.js';
import type { CheckRow, Repos } from '../db/repos.js';
import { isoSeconds } from '../../../shared/api/format.js';
import type { RelayState } from '../../../shared/api/types.js';
import type { Log } from '../log.js';
import { UPSTREAM_FIELD } from '../../../shared/domain/upstream.js';

/** The upstream of a check's extension fields, or null. */
export function upstreamOf(extra: Record<string, unknown>): string | null {
  const v = extra[UPSTREAM_FIELD];
  return typeof v === 'string' && v !== '' ? v.replace(/\/+$/, '') : null;
}

/** A stored ping as the relay forwards it. */
interface RelayPing {
  n: number;
  kind: string;
  exitStatus: number | null;
  rid: string | null;
  body: Buffer | null;
}

/** The upstream URL of one ping: the same signal healthchecks' ping URLs give it. */
export function forwardUrl(upstream: string, p: Pick<RelayPing, 'kind' | 'exitStatus' | 'rid'>): string | null {
  let suffix: string;
  if (p.kind === 'start') suffix = '/start';
  else if (p.kind === 'success' || p.kind === 'fail') suffix = p.exitStatus !== null ? `/${p.exitStatus}` : p.kind === 'fail' ? '/fail' : '';
  else return null; // log and ignored pings say nothing about the job's state
  return `${upstream}${suffix}${p.rid ? `?rid=${encodeURIComponent(p.rid)}` : ''}`;
}

/** Outcome of one send: sent, refused for good (4xx: the next ping must not wait behind it), or try again. */
export type SendResult = { ok: true } | { ok: false; permanent: boolean; error: string };

/** Sends one forwarded ping; tests pass their own. */
export type Sender = (url: string, body: Buffer | null) => Promise<SendResult>;

/** POSTs with the stored body; 2xx is sent, 4xx (but 408/429) is given up, anything else is retried. */
export const httpSender =
  (userAgent: string): Sender =>
  async (url, body) => {
    try {
      const res = await fetch(url, { method: 'POST', body: body ?? undefined, headers: { 'user-agent': userAgent }, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      return { ok: false, permanent, error: `HTTP ${res.status}` };
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      return { ok: false, permanent: false, error: cause?.code ?? (e as Error).message };
    }
  };

/** Retry delay after `attempts` failed sends: 5 s doubling, at most 15 min. */
export function relayBackoff(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 15 * 60_000);
}

const BATCH = 50;

/**
 * Forwards every start/success/fail/exit-status ping of a check with an `upstream` to that
 * URL, in ping order, each once, surviving upstream outages and restarts.
 *
 * The ping log is the queue and `relay_state.last_n` the cursor (the one writer of
 * `relay_state`). Algorithm:
 * 1. a pipeline step notes each ping of a check with an upstream (it never writes) and wakes
 *    the relay's scheduler source; the first noted ping of a check starts its cursor just
 *    before that ping;
 * 2. the source's turn marks each due check in flight (in memory) and starts one sender per
 *    check, so a check's pings go one after the other;
 * 3. each ping is sent; once the upstream confirmed it, the cursor moves past it in one
 *    UPDATE; log/ignored pings and pings refused for good (4xx) are passed over;
 * 4. a failure keeps the cursor, counts the attempt and sets the next try by `relayBackoff`;
 * 5. on start every cursor is due once, so pings stored while Lubdub was down, or sent
 *    when it was killed before the cursor moved, go out; a kill between a confirmed send and
 *    its UPDATE sends that one ping again, the only case one arrives twice.
 */
export class Relay {
  private noted = new Map<number, number>();
  private inFlight = new Set<number>();
  /** checks that got pings while a send was in flight: looked at again when it ends */
  private again = new Set<number>();
  private stopped = false;
  private s;

  constructor(
    private deps: { db: Db; repos: Repos; clock: Clock; log: Log; send: Sender; poke: () => void; announce?: (checkId: number) => void },
  ) {
    const p = (sql: string) => deps.db.prepare(sql);
    this.s = {
      adopt: p('INSERT INTO relay_state (check_id, last_n, next_attempt) VALUES (?, ?, ?) ON CONFLICT (check_id) DO UPDATE SET next_attempt = COALESCE(next_attempt, excluded.next_attempt)'),
      due: p('SELECT check_id, last_n, attempts FROM relay_state WHERE next_attempt IS NOT NULL AND next_attempt <= ? ORDER BY next_attempt LIMIT 100'),
      earliest: p('SELECT MIN(next_attempt) AS t FROM relay_state WHERE next_attempt IS NOT NULL'),
      all: p('UPDATE relay_state SET next_attempt = ?'),
      cursor: p('SELECT last_n, attempts FROM relay_state WHERE check_id = ?'),
      pings: p('SELECT n, kind, exitstatus, rid, body FROM pings WHERE check_id = ? AND n > ? ORDER BY n LIMIT ?'),
      moved: p('UPDATE relay_state SET last_n = ?, attempts = 0, last_error = ? WHERE check_id = ?'),
      failed: p('UPDATE relay_state SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE check_id = ?'),
      idle: p('UPDATE relay_state SET next_attempt = ? WHERE check_id = ?'),
      drop: p('DELETE FROM relay_state WHERE check_id = ?'),
      depth: p('SELECT COALESCE(SUM(MAX(c.n_pings - r.last_n, 0)), 0) AS n FROM relay_state r JOIN checks c ON c.id = r.check_id'),
      state: p('SELECT last_n, attempts, last_error, next_attempt FROM relay_state WHERE check_id = ?'),
    };
  }

  /**
   * The ping log's retention asks this: the last ping of a check with an upstream that was
   * forwarded (or passed over); later ones are still to be sent and are kept.
   */
  readonly hold = (row: CheckRow): number | null => {
    if (upstreamOf(row.extra) === null) return null;
    const cur = this.s.cursor.get(row.id) as { last_n: number } | undefined;
    return cur?.last_n ?? this.noted.get(row.id) ?? null;
  };

  /** How far the relay of a check got, for its JSON; null without an upstream. */
  readonly state = (row: CheckRow): RelayState | null => {
    if (upstreamOf(row.extra) === null) return null;
    const r = this.s.state.get(row.id) as { last_n: number; attempts: number; last_error: string | null; next_attempt: number | null } | undefined;
    const from = r?.last_n ?? this.noted.get(row.id) ?? row.nPings;
    return {
      forwarded_n: r ? r.last_n : null,
      pending: Math.max(0, row.nPings - from),
      retry_at: r && r.attempts > 0 ? isoSeconds(r.next_attempt) : null,
      last_error: r?.last_error ?? null,
    };
  };

  /** Step 1: notes pings of checks with an upstream (read only, inside the ingest transaction). */
  readonly step: PingStep = (check, _req, draft) => {
    if (upstreamOf(check.extra) !== null && !this.noted.has(check.id)) {
      this.noted.set(check.id, check.nPings);
      this.deps.poke();
    }
    return draft;
  };

  /** The scheduler source of steps 2-4. */
  source(): WakeSource {
    return {
      name: 'relay',
      next: () => (this.noted.size > 0 ? this.deps.clock.now() : ((this.s.earliest.get() as { t: number | null }).t ?? null)),
      run: (now) => this.run(now),
    };
  }

  /** Step 5: after a start, every cursor is looked at once. */
  resume(): void {
    this.s.all.run(this.deps.clock.now());
  }

  stop(): void {
    this.stopped = true;
  }

  /** Pings stored but not yet forwarded (for the metrics page). */
  depth(): number {
    return (this.s.depth.get() as { n: number }).n;
  }

  private run(now: number): void {
    for (const [id, n] of this.noted) {
      if (this.inFlight.has(id)) this.again.add(id);
      else this.s.adopt.run(id, n, now);
    }
    this.noted.clear();
    for (const r of this.s.due.all(now) as { check_id: number }[]) {
      if (this.inFlight.has(r.check_id)) continue;
      this.inFlight.add(r.check_id);
      this.s.idle.run(null, r.check_id);
      void this.forward(r.check_id).finally(() => {
        this.inFlight.delete(r.check_id);
        // the check's relay state changed: the console shows it
        if (!this.stopped) this.deps.announce?.(r.check_id);
        if (this.again.delete(r.check_id) && !this.stopped) {
          this.s.idle.run(this.deps.clock.now(), r.check_id);
        }
        if (!this.stopped) this.deps.poke();
      });
    }
  }

  /** Steps 3-4 for one check: its pending pings, in order, until one fails or none is left. */
  private async forward(checkId: number): Promise<void> {
    const { repos, clock, log } = this.deps;
    try {
      const check = repos.checks.byId(checkId);
      const upstream = check ? upstreamOf(check.extra) : null;
      if (!check || upstream === null) {
        this.s.drop.run(checkId);
        return;
      }
      for (;;) {
        const cur = this.s.cursor.get(checkId) as { last_n: number; attempts: number } | undefined;
        if (!cur || this.stopped) return;
        const rows = (this.s.pings.all(checkId, cur.last_n, BATCH) as Record<string, any>[]).map(
          (r): RelayPing => ({ n: r.n, kind: r.kind, exitStatus: r.exitstatus, rid: r.rid, body: r.body }),
        );
        if (rows.length === 0) return;
        for (const p of rows) {
          const url = forwardUrl(upstream, p);
          if (url === null) {
            this.s.moved.run(p.n, null, checkId);
            continue;
          }
          const r = await this.deps.send(url, p.body);
          if (this.stopped) return;
          if (r.ok) {
            this.s.moved.run(p.n, null, checkId);
          } else if (r.permanent) {
            log.warn(`relay: ${check.name}: upstream refused ping #${p.n} (${r.error}); passed over`);
            this.s.moved.run(p.n, r.error, checkId);
          } else {
            const attempts = ((this.s.cursor.get(checkId) as { attempts: number }).attempts ?? 0) + 1;
            this.s.failed.run(r.error, clock.now() + relayBackoff(attempts), checkId);
            if (attempts === 1 || attempts % 10 === 0) log.warn(`relay: ${check.name}: upstream unreachable (${r.error}); retrying`);
            return;
          }
        }
      }
    } catch (e) {
      // A storage error: try again later rather than lose the place.
      if (this.stopped) return;
      log.error(`relay: ${(e as Error).message}`);
      try {
        this.s.failed.run((e as Error).message, clock.now() + relayBackoff(1), checkId);
      } catch {
        /* the database is unwritable: the start-up pass picks it up */
      }
    }
  }
}

/** Where and how often the "Lubdub itself" heartbeat goes. */
export interface HeartbeatTarget {
  url: string;
  everyMs: number;
}

/**
 * "Lubdub itself": a heartbeat to a configured ping URL while the service runs; `/fail` when
 * its store cannot be written. Settings may change or stop it while the service runs.
 */
export class SelfHeartbeat {
  private target: HeartbeatTarget | null;
  private nextAt: number | null;
  private stopped = false;
  private lastSent: number | null = null;
  private lastError: string | null = null;

  constructor(
    private deps: { target: HeartbeatTarget | null; clock: Clock; log: Log; send: Sender; probe: () => void; poke: () => void },
  ) {
    this.target = deps.target;
    this.nextAt = deps.target ? deps.clock.now() : null;
  }

  /** A new URL or interval (null: off); the next heartbeat goes now. */
  configure(target: HeartbeatTarget | null): void {
    const same = target && this.target && target.url === this.target.url && target.everyMs === this.target.everyMs;
    if (same) return;
    this.target = target;
    this.nextAt = target ? this.deps.clock.now() : null;
    this.lastError = null;
    this.deps.poke();
  }

  /** The last accepted heartbeat (ms) and the last failure, for Settings. */
  status(): { lastSent: number | null; lastError: string | null } {
    return { lastSent: this.lastSent, lastError: this.lastError };
  }

  source(): WakeSource {
    return {
      name: 'self-heartbeat',
      next: () => (this.stopped || !this.target ? null : this.nextAt),
      run: (now) => {
        const target = this.target;
        if (!target) return;
        this.nextAt = now + target.everyMs;
        let url = target.url.replace(/\/+$/, '');
        let body: Buffer | null = null;
        try {
          this.deps.probe();
        } catch (e) {
          url += '/fail';
          body = Buffer.from(`Lubdub cannot write its database: ${(e as Error).message}`);
        }
        void this.deps.send(url, body).then((r) => {
          if (this.stopped || this.target !== target) return;
          if (r.ok) {
            this.lastSent = this.deps.clock.now();
            this.lastError = null;
          } else {
            this.lastError = r.error;
            this.deps.log.warn(`self heartbeat to ${target.url} failed (${r.error})`);
          }
        });
      },
    };
  }

  stop(): void {
    this.stopped = true;
  }
}
