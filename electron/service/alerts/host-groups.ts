import dns from 'node:dns';
import type { Clock } from '../../../shared/domain/clock.js';
import type { Repos } from '../db/repos.js';
import type { PendingFlip } from './store.js';

/** Where the window is saved (seconds; 0 turns grouping off). */
export const HOST_WINDOW_KEY = 'host_group_window';
/**
 * Default window and its bounds, in seconds. Off by default: a held flip's alert waits up to
 * the window for the rest of its host, which would break the promise of an alert within a
 * second of its deadline for everyone who did not ask for grouping.
 */
export const HOST_WINDOW = { default: 0, min: 0, max: 3600 } as const;

/** Flips of one host's jobs that make one alert. */
export interface HostGroup {
  addr: string;
  kind: 'down' | 'up';
  flips: PendingFlip[];
}

/** What the outbox does with a claim's flips: wait for more (`held`), or alert in groups. */
export interface GroupPlan {
  held: Set<number>;
  /** flip id → its group (two or more flips) */
  groupOf: Map<number, HostGroup>;
}

/** A reverse lookup of an address; null when it does not resolve. */
export type NameResolver = (addr: string) => Promise<string | null>;

/** Reverse DNS (which also answers from mDNS where the system resolver speaks it), 2 s at most. */
export const reverseDns: NameResolver = (addr) =>
  Promise.race([
    dns.promises.reverse(addr).then((n) => n[0] ?? null, () => null),
    new Promise<null>((r) => setTimeout(() => r(null), 2000).unref()),
  ]);

// The machine Lubdub runs on: its jobs missing together is not a host going quiet (Lubdub
// itself is up), and every local test and tool pings from here. The same list is the
// condition of the partial index pings_addr (migration 0011): keep them together.
const OWN = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const GROUPABLE_ADDR = `remote_addr NOT IN ('', '127.0.0.1', '::1', '::ffff:127.0.0.1')`;

/**
 * What grouping reads, and only for the flips in hand: the source of a check's newest ping
 * (through pings_check_n), and the checks that ever pinged from an address (through the
 * partial index pings_addr), whose newest ping then says whether they still belong to it.
 * Exported so a test can show that neither scans a table.
 */
export const HOST_QUERIES = {
  newestAddr: `SELECT (SELECT p.remote_addr FROM pings p WHERE p.check_id = c.id ORDER BY p.created DESC, p.n DESC LIMIT 1) AS addr
    FROM checks c WHERE c.id = ? AND c.status != 'paused'`,
  checksFrom: `SELECT DISTINCT check_id AS id FROM pings WHERE remote_addr = ? AND ${GROUPABLE_ADDR}`,
  addrs: `SELECT DISTINCT remote_addr FROM pings WHERE ${GROUPABLE_ADDR}`,
  checkName: `SELECT name FROM checks WHERE id = ?`,
} as const;

/** A source address with the watched checks whose newest ping came from it. */
export interface HostJobs {
  address: string;
  /** its reverse-DNS name once looked up, else null */
  name: string | null;
  checks: string[];
}

/**
 * Host-quiet grouping: when two or more checks whose newest pings came from one source
 * address go down on missed deadlines within the window, or come back within it, the outbox
 * sends one alert for them. A candidate flip waits (unclaimed, so a crash loses nothing)
 * until its window has passed, or until every job of its host is in the group.
 */
export class HostGroups {
  private names = new Map<string, string | null>();
  private release: number | null = null;
  private newestStmt;
  private fromStmt;
  private addrsStmt;
  private nameStmt;

  constructor(
    private readonly deps: { repos: Repos; clock: Clock; resolve: NameResolver; poke: () => void },
  ) {
    this.newestStmt = deps.repos.db.prepare(HOST_QUERIES.newestAddr).pluck();
    this.fromStmt = deps.repos.db.prepare(HOST_QUERIES.checksFrom).pluck();
    this.addrsStmt = deps.repos.db.prepare(HOST_QUERIES.addrs).pluck();
    this.nameStmt = deps.repos.db.prepare(HOST_QUERIES.checkName).pluck();
  }

  /**
   * The hosts grouping would act on (two or more watched checks whose newest ping came from
   * them), for Settings: read on request, never on the ping path.
   */
  hosts(): HostJobs[] {
    const out: HostJobs[] = [];
    for (const addr of this.addrsStmt.all() as string[]) {
      const ids = (this.fromStmt.all(addr) as number[]).filter((id) => {
        const newest = this.newestStmt.get(id) as string | null | undefined;
        return newest === addr;
      });
      if (ids.length < 2) continue;
      if (!this.names.has(addr)) {
        this.names.set(addr, null);
        void this.deps.resolve(addr).then((n) => this.names.set(addr, n));
      }
      const checks = ids.map((id) => this.nameStmt.get(id) as string).sort((a, b) => a.localeCompare(b));
      out.push({ address: addr, name: this.nameOf(addr), checks });
    }
    return out.sort((a, b) => a.address.localeCompare(b.address));
  }

  /** The window in seconds; 0: off. */
  windowSeconds(): number {
    const v = Number(this.deps.repos.settings.get(HOST_WINDOW_KEY) ?? NaN);
    return Number.isInteger(v) && v >= HOST_WINDOW.min && v <= HOST_WINDOW.max ? v : HOST_WINDOW.default;
  }

  /** Saves the window (already validated); held flips are looked at again at once. */
  setWindowSeconds(s: number): void {
    this.deps.repos.settings.set(HOST_WINDOW_KEY, String(s));
    this.release = this.deps.clock.now();
    this.deps.poke();
  }

  /** When held flips are next due (for the scheduler). */
  next(): number | null {
    return this.release;
  }

  /** The scheduler woke for the held flips: the claim it runs sets the next wake. */
  taken(): void {
    this.release = null;
  }

  /** The name of an address when its lookup has finished, else null (the address is shown). */
  nameOf(addr: string): string | null {
    return this.names.get(addr) ?? null;
  }

  /** Decides a claim's flips (inside its transaction; reads only). */
  plan(flips: PendingFlip[], now: number): GroupPlan {
    const plan: GroupPlan = { held: new Set(), groupOf: new Map() };
    const windowMs = this.windowSeconds() * 1000;
    const candidates = flips.filter((f) => f.gapId === null && ((f.newStatus === 'down' && f.reason === 'timeout') || (f.newStatus === 'up' && f.oldStatus === 'down')));
    this.release = null;
    if (windowMs === 0 || candidates.length === 0) return plan;
    // The host of each watched check (its newest ping's source), read once per claim.
    const newest = new Map<number, string | null>();
    const hostOf = (id: number): string | null => {
      if (!newest.has(id)) {
        const addr = (this.newestStmt.get(id) as string | null | undefined) ?? null;
        newest.set(id, addr && !OWN.has(addr) ? addr : null);
      }
      return newest.get(id)!;
    };
    // How many watched checks a host has: those that ever pinged from it and still do.
    const jobs = new Map<string, number>();
    const jobsOf = (addr: string): number => {
      if (!jobs.has(addr)) jobs.set(addr, (this.fromStmt.all(addr) as number[]).filter((id) => hostOf(id) === addr).length);
      return jobs.get(addr)!;
    };
    const buckets = new Map<string, PendingFlip[]>();
    for (const f of candidates) {
      const addr = hostOf(f.checkId);
      if (!addr || jobsOf(addr) < 2) continue;
      const key = `${f.newStatus}\u0000${addr}`;
      buckets.set(key, [...(buckets.get(key) ?? []), f]);
    }
    for (const [key, list] of buckets) {
      const addr = key.split('\u0000')[1];
      if (!this.names.has(addr)) {
        this.names.set(addr, null);
        void this.deps.resolve(addr).then((n) => this.names.set(addr, n));
      }
      list.sort((a, b) => a.at - b.at || a.id - b.id);
      const end = list[0].at + windowMs;
      const inWindow = list.filter((f) => f.at <= end);
      const everyJob = new Set(inWindow.map((f) => f.checkId)).size >= jobsOf(addr);
      if (now < end && !everyJob) {
        for (const f of list) plan.held.add(f.id);
        this.release = Math.min(this.release ?? end, end);
        continue;
      }
      // Later flips of the host start a window of their own, at the next claim.
      for (const f of list) if (f.at > end) plan.held.add(f.id);
      const later = list.find((f) => f.at > end);
      if (later) this.release = Math.min(this.release ?? later.at + windowMs, later.at + windowMs);
      if (inWindow.length < 2) continue;
      const group: HostGroup = { addr, kind: list[0].newStatus === 'down' ? 'down' : 'up', flips: inWindow };
      for (const f of inWindow) plan.groupOf.set(f.id, group);
    }
    this.deps.poke();
    return plan;
  }
}
