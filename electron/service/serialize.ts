import { firstLine, isoMillis, isoSeconds } from '../../shared/api/format.js';
import type { CheckJson, FlipJson, PingJson } from '../../shared/api/types.js';
import { nextPing, shownStatus, type StatusInputs } from '../../shared/domain/check-state.js';
import { shownDownReason } from '../../shared/domain/reasons.js';
import type { CheckRow, FlipRow, PingRow } from './db/repos.js';

/** Where the service is reachable, for URLs in API replies. */
export interface Urls {
  /** base of ping URLs, e.g. http://nas.local:8420 */
  ping: string;
  /** base of the management API and console, e.g. http://127.0.0.1:8421 */
  ui: string;
  pingKey: string;
}

/** Fields a feature derives for a check's JSON (never stored on the check), or null for none. */
export type DerivedCheckFields = (c: CheckRow, now: number) => Record<string, unknown> | null;

/** What a reply is rendered against: the time, the service's URLs and the features' derived fields. */
export interface ReadContext {
  now: number;
  urls: Urls;
  derived?: readonly DerivedCheckFields[];
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Body bytes as text for display: invalid UTF-8 replaced, never interpreted. */
export function bodyText(body: Buffer | null): string {
  return body ? decoder.decode(body) : '';
}

/** A row's shown status: decided by shared/domain, with the offline hold read from the row. */
export const rowStatus = (c: StatusInputs & Pick<CheckRow, 'alertAfter' | 'hold'>, now: number) => shownStatus(c, c.alertAfter, c.hold, now);

/** A check row as the healthchecks v3 API shows it, plus Lubdub's fields. */
export function checkJson(c: CheckRow, ctx: ReadContext): CheckJson {
  const { status, monitorOffline } = rowStatus(c, ctx.now);
  const api = `${ctx.urls.ui}/api/v3/checks/${c.uuid}`;
  const reason = status === 'down' ? shownDownReason(c, ctx.now) : null;
  const j: CheckJson = {
    uuid: c.uuid,
    name: c.name,
    slug: c.slug,
    tags: c.tags,
    desc: c.desc,
    grace: c.grace,
    n_pings: c.nPings,
    status,
    started: c.lastStart !== null,
    last_ping: isoSeconds(c.lastPing),
    next_ping: isoSeconds(nextPing(c)),
    manual_resume: c.manualResume,
    methods: c.methods,
    subject: '',
    subject_fail: '',
    start_kw: c.startKw,
    success_kw: c.successKw,
    failure_kw: c.failureKw,
    filter_subject: false,
    filter_body: false,
    filter_http_body: c.filterHttpBody,
    filter_default_fail: c.filterDefaultFail,
    ping_url: `${ctx.urls.ping}/ping/${c.uuid}`,
    update_url: api,
    pause_url: `${api}/pause`,
    resume_url: `${api}/resume`,
    channels: c.channels,
    push_token: c.pushToken,
    kind: c.kind,
    alert_after: isoSeconds(c.alertAfter),
    down_reason: reason?.text ?? '',
    down_reason_code: reason?.code ?? '',
    monitor_offline: monitorOffline,
    slug_url: c.slug ? `${ctx.urls.ping}/ping/${ctx.urls.pingKey}/${c.slug}` : null,
    created: isoSeconds(c.created) as string,
  };
  if (c.muteUntil !== null) j.muted_until = isoSeconds(c.muteUntil) as string;
  if (c.lastDuration !== null && c.lastDuration > 0) j.last_duration = Math.round(c.lastDuration / 1000);
  if (c.kind === 'simple') j.timeout = c.timeout;
  else {
    j.schedule = c.schedule;
    j.tz = c.tz;
  }
  for (const [k, v] of Object.entries(c.extra)) if (!(k in j)) (j as unknown as Record<string, unknown>)[k] = v;
  for (const d of ctx.derived ?? []) {
    const more = d(c, ctx.now);
    if (more) for (const [k, v] of Object.entries(more)) if (!(k in j)) (j as unknown as Record<string, unknown>)[k] = v;
  }
  return j;
}

/** A ping row as `GET …/pings/` shows it. */
export function pingJson(p: PingRow, checkUuid: string, urls: Urls): PingJson {
  const j: PingJson = {
    type: p.kind,
    date: isoMillis(p.created),
    n: p.n,
    scheme: p.scheme,
    remote_addr: p.remoteAddr,
    method: p.method,
    ua: p.ua,
    rid: p.rid,
    body_url: p.bodySize > 0 ? `${urls.ui}/api/v3/checks/${checkUuid}/pings/${p.n}/body` : null,
    body_size: p.bodySize,
    received: isoMillis(p.received),
    body_preview: firstLine(bodyText(p.body)),
  };
  if (p.duration !== null) j.duration = p.duration / 1000;
  if (p.exitStatus !== null) j.exitstatus = p.exitStatus;
  if (p.extra) for (const [k, v] of Object.entries(p.extra)) if (!(k in j)) (j as unknown as Record<string, unknown>)[k] = v;
  return j;
}

/** A flip as `GET …/flips/` shows it. */
export function flipJson(f: FlipRow): FlipJson {
  return {
    timestamp: isoSeconds(f.at) as string,
    up: f.newStatus === 'up' ? 1 : 0,
    old_status: f.oldStatus,
    new_status: f.newStatus,
    reason: f.reason,
  };
}
