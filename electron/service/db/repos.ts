import type { OfflineHold, StatusInputs } from '../../../shared/domain/check-state.js';
import { DEFAULT_CONFIG, type CheckState, type FlipEvent, type FlipReason, type PingKind, type StoredStatus } from '../../../shared/domain/types.js';
import type { Db } from './open.js';

/** A check row: the domain state plus identity, metadata and Lubdub extensions. */
export interface CheckRow extends CheckState {
  id: number;
  uuid: string;
  name: string;
  slug: string;
  tags: string;
  desc: string;
  pushToken: string | null;
  /** comma-separated channel uuids */
  channels: string;
  alertAfter: number | null;
  /** when the shown status next changes by the clock alone (`nextStatusChange`): the scheduler announces it */
  statusAt: number | null;
  /** why it is down, in words (shared/domain/reasons.ts), or "" */
  downReason: string;
  /** the code of that reason, or "" */
  downReasonCode: FlipReason;
  created: number;
  /** Lubdub extension fields (JSON object), e.g. reminders, assertions */
  extra: Record<string, unknown>;
  /**
   * Read-only here (the check update never writes them): the monitor-offline hold, written by
   * core/offline.ts, and the per-check mute end (`mute_until`, the only copy), by alerts/snooze.ts.
   */
  hold: OfflineHold | null;
  muteUntil: number | null;
}

/** What a listing of every check reads of each (the console's overview): identity, the list's fields, and what the shown status is decided from. */
export type CheckListing = StatusInputs & Pick<CheckRow, 'id' | 'uuid' | 'name' | 'slug' | 'tags' | 'alertAfter' | 'hold'>;

/** A stored ping. */
export interface PingRow {
  id: number;
  checkId: number;
  n: number;
  created: number;
  received: number;
  kind: PingKind;
  scheme: string;
  method: string;
  remoteAddr: string;
  ua: string;
  body: Buffer | null;
  bodySize: number;
  exitStatus: number | null;
  rid: string | null;
  duration: number | null;
  extra: Record<string, unknown> | null;
}

/** A stored flip (status change; the alert outbox row). */
export interface FlipRow extends FlipEvent {
  id: number;
  checkId: number;
  processed: number | null;
}

/** A check row as a brand-new check starts: healthchecks' defaults, status new, no history. */
export function newCheckRow(uuid: string, now: number, fields: Partial<Omit<CheckRow, 'id'>> = {}): Omit<CheckRow, 'id'> {
  return {
    ...DEFAULT_CONFIG,
    uuid,
    name: '',
    slug: '',
    tags: '',
    desc: '',
    pushToken: null,
    channels: '',
    status: 'new',
    nPings: 0,
    lastPing: null,
    lastStart: null,
    lastStartRid: null,
    lastDuration: null,
    alertAfter: null,
    statusAt: null,
    downReason: '',
    downReasonCode: '',
    created: now,
    extra: {},
    hold: null,
    muteUntil: null,
    ...fields,
  };
}

type Raw = Record<string, any>;

/** The columns a check is read from; `toCheck` takes them as an array, in this order. */
const CHECK_READ = ['id', 'uuid', 'name', 'slug', 'tags', 'descr', 'kind', 'timeout', 'grace', 'schedule', 'tz', 'manual_resume', 'methods', 'filter_http_body', 'success_kw', 'failure_kw', 'start_kw', 'filter_default_fail', 'push_token', 'channels', 'status', 'n_pings', 'last_ping', 'last_start', 'last_start_rid', 'last_duration', 'alert_after', 'status_at', 'down_reason', 'down_reason_code', 'created', 'extra', 'hold_until', 'hold_gap_end', 'mute_until'] as const;
const C = Object.fromEntries(CHECK_READ.map((c, i) => [c, i])) as { [K in (typeof CHECK_READ)[number]]: number };
const SELECT_CHECK = `SELECT ${CHECK_READ.join(', ')} FROM checks`;

/**
 * Why arrays (statements in raw mode): better-sqlite3 builds a row object property by
 * property, about twice the time of the same row as an array, and the ping path reads a
 * check per ping when pings go round robin.
 */
function toCheck(r: any[]): CheckRow {
  return {
    id: r[C.id],
    uuid: r[C.uuid],
    name: r[C.name],
    slug: r[C.slug],
    tags: r[C.tags],
    desc: r[C.descr],
    kind: r[C.kind],
    timeout: r[C.timeout],
    grace: r[C.grace],
    schedule: r[C.schedule],
    tz: r[C.tz],
    manualResume: !!r[C.manual_resume],
    methods: r[C.methods],
    filterHttpBody: !!r[C.filter_http_body],
    successKw: r[C.success_kw],
    failureKw: r[C.failure_kw],
    startKw: r[C.start_kw],
    filterDefaultFail: !!r[C.filter_default_fail],
    pushToken: r[C.push_token],
    channels: r[C.channels],
    status: r[C.status],
    nPings: r[C.n_pings],
    lastPing: r[C.last_ping],
    lastStart: r[C.last_start],
    lastStartRid: r[C.last_start_rid],
    lastDuration: r[C.last_duration],
    alertAfter: r[C.alert_after],
    statusAt: r[C.status_at],
    downReason: r[C.down_reason],
    downReasonCode: r[C.down_reason_code],
    created: r[C.created],
    extra: JSON.parse(r[C.extra]),
    hold: r[C.hold_until] === null || r[C.hold_until] === undefined ? null : { gapEnd: r[C.hold_gap_end], until: r[C.hold_until] },
    muteUntil: r[C.mute_until] ?? null,
  };
}

const LISTING_READ = ['id', 'uuid', 'name', 'slug', 'tags', 'status', 'last_ping', 'last_start', 'grace', 'kind', 'timeout', 'schedule', 'tz', 'alert_after', 'hold_until', 'hold_gap_end'] as const;
const L = Object.fromEntries(LISTING_READ.map((c, i) => [c, i])) as { [K in (typeof LISTING_READ)[number]]: number };

/** A listing row from its columns (`LISTING_READ`'s order): no JSON to parse, none of the ping rules. */
function toListing(r: any[]): CheckListing {
  return {
    id: r[L.id],
    uuid: r[L.uuid],
    name: r[L.name],
    slug: r[L.slug],
    tags: r[L.tags],
    status: r[L.status],
    lastPing: r[L.last_ping],
    lastStart: r[L.last_start],
    grace: r[L.grace],
    kind: r[L.kind],
    timeout: r[L.timeout],
    schedule: r[L.schedule],
    tz: r[L.tz],
    alertAfter: r[L.alert_after],
    hold: r[L.hold_until] === null ? null : { gapEnd: r[L.hold_gap_end], until: r[L.hold_until] },
  };
}

function checkParams(c: Omit<CheckRow, 'id' | 'hold' | 'muteUntil'>): Raw {
  return {
    uuid: c.uuid,
    name: c.name,
    slug: c.slug,
    tags: c.tags,
    descr: c.desc,
    kind: c.kind,
    timeout: c.timeout,
    grace: c.grace,
    schedule: c.schedule,
    tz: c.tz,
    manual_resume: c.manualResume ? 1 : 0,
    methods: c.methods,
    filter_http_body: c.filterHttpBody ? 1 : 0,
    success_kw: c.successKw,
    failure_kw: c.failureKw,
    start_kw: c.startKw,
    filter_default_fail: c.filterDefaultFail ? 1 : 0,
    push_token: c.pushToken,
    channels: c.channels,
    status: c.status,
    n_pings: c.nPings,
    last_ping: c.lastPing,
    last_start: c.lastStart,
    last_start_rid: c.lastStartRid,
    last_duration: c.lastDuration,
    alert_after: c.alertAfter,
    status_at: c.statusAt,
    down_reason: c.downReason,
    down_reason_code: c.downReasonCode,
    created: c.created,
    extra: JSON.stringify(c.extra),
  };
}

const CHECK_COLS = Object.keys(checkParams({} as any as CheckRow)).filter((k) => k !== 'uuid' && k !== 'created');

function toPing(r: Raw): PingRow {
  return {
    id: r.id,
    checkId: r.check_id,
    n: r.n,
    created: r.created,
    received: r.received,
    kind: r.kind,
    scheme: r.scheme,
    method: r.method,
    remoteAddr: r.remote_addr,
    ua: r.ua,
    body: r.body ?? null,
    bodySize: r.body_size,
    exitStatus: r.exitstatus,
    rid: r.rid,
    duration: r.duration,
    extra: r.extra ? JSON.parse(r.extra) : null,
  };
}

function toFlip(r: Raw): FlipRow {
  return {
    id: r.id,
    checkId: r.check_id,
    at: r.created,
    oldStatus: r.old_status as StoredStatus,
    newStatus: r.new_status as StoredStatus,
    reason: r.reason,
    processed: r.processed,
  };
}

/**
 * Prepared statements over the checks table. Every statement that writes a column a listing
 * reads (`CheckListing`: identity, name, slug, tags, configuration, status and ping state,
 * deadline, offline hold) is here and counted (`listingWrites`); the mute, reminder, channel
 * and `status_at` columns are not listed and not counted.
 */
export class CheckRepo {
  /** Writes of listed columns on this connection so far; a reading of them is current while this stays. */
  private written = 0;
  private byUuidStmt;
  private byIdStmt;
  private bySlugStmt;
  private byPushStmt;
  private allStmt;
  private pageStmt;
  private listingStmt;
  private insertStmt;
  private updateStmt;
  private pingStateStmt;
  private deleteStmt;
  private earliestStmt;
  private dueStmt;
  private earliestStatusAtStmt;
  private dueStatusAtStmt;
  private setStatusAtStmt;
  private missingStatusAtStmt;
  private channelListsStmt;
  private setChannelsStmt;
  private setAlertAfterStmt;
  private casDownStmt;
  private holdDueStmt;
  private clearHoldStmt;

  constructor(private db: Db) {
    this.byUuidStmt = db.prepare(`${SELECT_CHECK} WHERE uuid = ?`).raw();
    this.byIdStmt = db.prepare(`${SELECT_CHECK} WHERE id = ?`).raw();
    this.bySlugStmt = db.prepare(`${SELECT_CHECK} WHERE slug = ? ORDER BY id LIMIT 2`).raw();
    this.byPushStmt = db.prepare(`${SELECT_CHECK} WHERE push_token = ?`).raw();
    this.allStmt = db.prepare(`${SELECT_CHECK} ORDER BY id`).raw();
    this.pageStmt = db.prepare(`${SELECT_CHECK} WHERE id > ? ORDER BY id LIMIT ?`).raw();
    this.listingStmt = db.prepare(`SELECT ${LISTING_READ.join(', ')} FROM checks WHERE id > ? ORDER BY id LIMIT ?`).raw();
    const cols = ['uuid', 'created', ...CHECK_COLS];
    this.insertStmt = db.prepare(`INSERT INTO checks (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`);
    this.updateStmt = db.prepare(`UPDATE checks SET ${CHECK_COLS.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
    this.pingStateStmt = db.prepare(
      'UPDATE checks SET status = ?, n_pings = ?, last_ping = ?, last_start = ?, last_start_rid = ?, last_duration = ?, alert_after = ?, status_at = ?, down_reason = ?, down_reason_code = ? WHERE id = ?',
    );
    this.deleteStmt = db.prepare('DELETE FROM checks WHERE id = ?');
    this.earliestStmt = db.prepare("SELECT MIN(alert_after) AS t FROM checks WHERE alert_after IS NOT NULL AND status != 'down'");
    this.dueStmt = db.prepare(
      `${SELECT_CHECK} WHERE alert_after IS NOT NULL AND status != 'down' AND alert_after <= ? ORDER BY alert_after LIMIT ?`,
    ).raw();
    this.earliestStatusAtStmt = db.prepare('SELECT status_at AS t FROM checks WHERE status_at IS NOT NULL ORDER BY status_at LIMIT 1');
    this.dueStatusAtStmt = db.prepare(`${SELECT_CHECK} WHERE status_at IS NOT NULL AND status_at <= ? ORDER BY status_at LIMIT ?`).raw();
    this.setStatusAtStmt = db.prepare('UPDATE checks SET status_at = ? WHERE id = ?');
    this.missingStatusAtStmt = db.prepare(`${SELECT_CHECK} WHERE status_at IS NULL AND (status = 'up' OR last_start IS NOT NULL)`).raw();
    this.channelListsStmt = db.prepare('SELECT id, channels FROM checks');
    this.setChannelsStmt = db.prepare('UPDATE checks SET channels = ? WHERE id = ?');
    this.setAlertAfterStmt = db.prepare('UPDATE checks SET alert_after = ? WHERE id = ?');
    this.casDownStmt = db.prepare(
      "UPDATE checks SET status = 'down', down_reason = ?, down_reason_code = ?, alert_after = NULL, status_at = ? WHERE id = ? AND status = ? AND alert_after = ?",
    );
    this.holdDueStmt = db.prepare(
      "UPDATE checks SET hold_gap = ?, hold_gap_end = ?, hold_until = ? WHERE alert_after IS NOT NULL AND status != 'down' AND alert_after <= ?",
    );
    this.clearHoldStmt = db.prepare('UPDATE checks SET hold_gap = NULL, hold_gap_end = NULL, hold_until = NULL WHERE id = ?');
  }

  byUuid(uuid: string): CheckRow | null {
    const r = this.byUuidStmt.get(uuid) as unknown[] | undefined;
    return r ? toCheck(r) : null;
  }
  byId(id: number): CheckRow | null {
    const r = this.byIdStmt.get(id) as unknown[] | undefined;
    return r ? toCheck(r) : null;
  }
  /** Up to two checks with the slug (two means ambiguous). */
  bySlug(slug: string): CheckRow[] {
    return (this.bySlugStmt.all(slug) as unknown[][]).map(toCheck);
  }
  byPushToken(token: string): CheckRow | null {
    const r = this.byPushStmt.get(token) as unknown[] | undefined;
    return r ? toCheck(r) : null;
  }
  all(): CheckRow[] {
    return (this.allStmt.all() as unknown[][]).map(toCheck);
  }
  /** Up to `limit` checks with an id above `afterId`, in id order (keyset paging). */
  page(afterId: number, limit: number): CheckRow[] {
    return (this.pageStmt.all(afterId, limit) as unknown[][]).map(toCheck);
  }
  /** The same page as `page` with only the listing's columns (`CheckListing`). */
  listingPage(afterId: number, limit: number): CheckListing[] {
    return (this.listingStmt.all(afterId, limit) as unknown[][]).map(toListing);
  }
  /** How many writes of listed columns this connection made (a listing read before is current while it stays). */
  listingWrites(): number {
    return this.written;
  }
  insert(c: Omit<CheckRow, 'id' | 'hold' | 'muteUntil'>): CheckRow {
    this.written++;
    const info = this.insertStmt.run(checkParams(c));
    return { hold: null, muteUntil: null, ...c, id: Number(info.lastInsertRowid) };
  }
  update(c: CheckRow): void {
    this.written++;
    this.updateStmt.run({ ...checkParams(c), id: c.id });
  }
  /**
   * Writes only the columns a ping changes (`applyPing`, the deadline and status change, the
   * down reason). Why: the ping path writes a check per ping round robin, and a whole-row
   * update also rewrites the slug and push-token indexes and re-serializes `extra`.
   */
  updatePingState(c: CheckRow): void {
    this.written++;
    this.pingStateStmt.run(
      c.status,
      c.nPings,
      c.lastPing,
      c.lastStart,
      c.lastStartRid,
      c.lastDuration,
      c.alertAfter,
      c.statusAt,
      c.downReason,
      c.downReasonCode,
      c.id,
    );
  }
  delete(id: number): void {
    this.written++;
    this.deleteStmt.run(id);
  }
  /** Stores a corrected deadline (the deadline source). */
  setAlertAfter(id: number, t: number | null): void {
    this.written++;
    this.setAlertAfterStmt.run(t, id);
  }
  /**
   * The compare-and-swap to down of a clock flip (`FlipWriter.down`): only while the row still
   * has the status and deadline that were read. False when a ping moved them meanwhile.
   */
  casDown(c: Pick<CheckRow, 'id' | 'status' | 'alertAfter'>, reason: { text: string; code: FlipReason }, statusAt: number | null): boolean {
    this.written++;
    return this.casDownStmt.run(reason.text, reason.code, statusAt, c.id, c.status, c.alertAfter).changes === 1;
  }
  /** Holds every check not down whose deadline is at or before `deadline` (a monitor-offline gap); how many. */
  holdDue(gap: number, gapEnd: number, until: number, deadline: number): number {
    this.written++;
    return this.holdDueStmt.run(gap, gapEnd, until, deadline).changes;
  }
  /** Ends a check's monitor-offline hold. */
  clearHold(id: number): void {
    this.written++;
    this.clearHoldStmt.run(id);
  }
  /** The earliest alert_after of checks not yet down (index-only), or null. */
  earliestDeadline(): number | null {
    return (this.earliestStmt.get() as { t: number | null }).t;
  }
  /** Checks whose alert_after is at or before `t`, earliest first. */
  due(t: number, limit = 500): CheckRow[] {
    return (this.dueStmt.all(t, limit) as unknown[][]).map(toCheck);
  }
  /** The earliest `status_at` of all checks (index-only), or null. */
  earliestStatusAt(): number | null {
    return (this.earliestStatusAtStmt.get() as { t: number } | undefined)?.t ?? null;
  }
  /** Checks whose shown status changed at or before `t`, earliest first. */
  dueStatusAt(t: number, limit: number): CheckRow[] {
    return (this.dueStatusAtStmt.all(t, limit) as unknown[][]).map(toCheck);
  }
  setStatusAt(id: number, t: number | null): void {
    this.setStatusAtStmt.run(t, id);
  }
  /** Checks that may change by the clock but have no `status_at` (rows older than the column). */
  missingStatusAt(): CheckRow[] {
    return (this.missingStatusAtStmt.all() as unknown[][]).map(toCheck);
  }
  /** Every check's channel list (comma-separated uuids), without reading whole rows. */
  channelLists(): { id: number; channels: string }[] {
    return this.channelListsStmt.all() as { id: number; channels: string }[];
  }
  setChannels(id: number, channels: string): void {
    this.setChannelsStmt.run(channels, id);
  }
}

/** New ping as the ingest path writes it. */
export type NewPing = Omit<PingRow, 'id'>;

/** Prepared statements over the ping log. */
export class PingRepo {
  private insertStmt;
  private pruneStmt;
  private listStmt;
  private byNStmt;
  private startByRidStmt;
  private countStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO pings (check_id, n, created, received, kind, scheme, method, remote_addr, ua, body, body_size, exitstatus, rid, duration, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.pruneStmt = db.prepare('DELETE FROM pings WHERE check_id = ? AND n <= ?');
    this.listStmt = db.prepare('SELECT * FROM pings WHERE check_id = ? ORDER BY created DESC, n DESC LIMIT ?');
    this.byNStmt = db.prepare('SELECT * FROM pings WHERE check_id = ? AND n = ?');
    this.startByRidStmt = db.prepare(
      "SELECT created FROM pings WHERE check_id = ? AND rid = ? AND kind = 'start' AND created <= ? ORDER BY created DESC LIMIT 1",
    );
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM pings WHERE check_id = ?');
  }

  insert(p: NewPing): number {
    // Positional: binding by name looks each parameter up on an object built per ping.
    const extra = p.extra ? JSON.stringify(p.extra) : null;
    const info = this.insertStmt.run(
      p.checkId,
      p.n,
      p.created,
      p.received,
      p.kind,
      p.scheme,
      p.method,
      p.remoteAddr,
      p.ua,
      p.body,
      p.bodySize,
      p.exitStatus,
      p.rid,
      p.duration,
      extra,
    );
    return Number(info.lastInsertRowid);
  }
  /** Deletes pings numbered `upToN` and below (retention). */
  prune(checkId: number, upToN: number): void {
    this.pruneStmt.run(checkId, upToN);
  }
  /** Newest first, by event time. */
  list(checkId: number, limit: number): PingRow[] {
    return (this.listStmt.all(checkId, limit) as Raw[]).map(toPing);
  }
  byN(checkId: number, n: number): PingRow | null {
    const r = this.byNStmt.get(checkId, n) as Raw | undefined;
    return r ? toPing(r) : null;
  }
  /** Start time of the latest start with this rid at or before `before`, for pairing overlapping runs. */
  startTimeByRid(checkId: number, rid: string, before: number): number | null {
    const r = this.startByRidStmt.get(checkId, rid, before) as { created: number } | undefined;
    return r ? r.created : null;
  }
  count(checkId: number): number {
    return (this.countStmt.get(checkId) as { n: number }).n;
  }
}

/** Reads of flips (status history and alert outbox); core/flips.ts is their only writer. */
export class FlipRepo {
  private listStmt;
  private lastDownStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare('SELECT * FROM flips WHERE check_id = ? AND created >= ? AND created <= ? ORDER BY created DESC, id DESC LIMIT ?');
    this.lastDownStmt = db.prepare("SELECT * FROM flips WHERE check_id = ? AND new_status = 'down' ORDER BY id DESC LIMIT 1");
  }

  list(checkId: number, from = 0, to = Number.MAX_SAFE_INTEGER, limit = 1000): FlipRow[] {
    return (this.listStmt.all(checkId, from, to, limit) as Raw[]).map(toFlip);
  }
  lastDown(checkId: number): FlipRow | null {
    const r = this.lastDownStmt.get(checkId) as Raw | undefined;
    return r ? toFlip(r) : null;
  }
}

/** Key/value settings (keys, tunables). */
export class SettingsRepo {
  private getStmt;
  private setStmt;
  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }
  get(key: string): string | null {
    const r = this.getStmt.get(key) as { value: string } | undefined;
    return r ? r.value : null;
  }
  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
}

/** All repositories over one connection. */
export interface Repos {
  db: Db;
  checks: CheckRepo;
  pings: PingRepo;
  flips: FlipRepo;
  settings: SettingsRepo;
}

export function makeRepos(db: Db): Repos {
  return { db, checks: new CheckRepo(db), pings: new PingRepo(db), flips: new FlipRepo(db), settings: new SettingsRepo(db) };
}
