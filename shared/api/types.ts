import type { FlipReason, Status } from '../domain/types.js';

/** A check as the management API returns it: healthchecks v3 field names plus Lubdub's own. */
export interface CheckJson {
  uuid: string;
  name: string;
  slug: string;
  tags: string;
  desc: string;
  grace: number;
  n_pings: number;
  status: Status;
  started: boolean;
  last_ping: string | null;
  next_ping: string | null;
  manual_resume: boolean;
  methods: '' | 'POST';
  subject: string;
  subject_fail: string;
  start_kw: string;
  success_kw: string;
  failure_kw: string;
  filter_subject: boolean;
  filter_body: boolean;
  filter_http_body: boolean;
  filter_default_fail: boolean;
  last_duration?: number;
  ping_url: string;
  update_url: string;
  pause_url: string;
  resume_url: string;
  channels: string;
  timeout?: number;
  schedule?: string;
  tz?: string;
  /** Lubdub: Uptime Kuma push token (`/api/push/<token>`), or null */
  push_token: string | null;
  /** Lubdub: simple | cron */
  kind: 'simple' | 'cron';
  /** Lubdub: epoch ms when the check goes down if nothing arrives, or null */
  alert_after: string | null;
  /** Lubdub: why it is down, in the words every side shows ("exit status 3", "missed 03:00 run (UTC)"), or "" */
  down_reason: string;
  /** Lubdub: the code of that reason, for clients to branch on; "" unless down */
  down_reason_code: FlipReason;
  /** Lubdub: true while the status is held in grace because Lubdub itself was not watching */
  monitor_offline: boolean;
  /** Lubdub: the ping URL by slug, when the check has one */
  slug_url: string | null;
  /** Lubdub: creation time */
  created: string;
  /** Lubdub: this check alone is muted until then (POST …/mute); absent when it is not */
  muted_until?: string;
}

/** A ping in the log, as `GET …/pings/` returns it (healthchecks fields plus Lubdub's). */
export interface PingJson {
  type: 'success' | 'fail' | 'start' | 'log' | 'ign';
  date: string;
  n: number;
  scheme: string;
  remote_addr: string;
  method: string;
  ua: string;
  rid: string | null;
  duration?: number;
  exitstatus?: number;
  body_url: string | null;
  /** Lubdub: bytes of the body as received (the stored body may be cut) */
  body_size: number;
  /** Lubdub: when Lubdub received it (differs from `date` for late pings sent with `?ts=`) */
  received: string;
  /** Lubdub: the first line of the body, as text, for previews */
  body_preview: string;
}

/** A status change, as `GET …/flips/` returns it (healthchecks: timestamp + up). */
export interface FlipJson {
  timestamp: string;
  up: 0 | 1;
  /** Lubdub */
  old_status: string;
  new_status: string;
  /** a code, not words: see `REASON_WORDS` in shared/domain/reasons.ts */
  reason: FlipReason;
}

/** Counts by status and the worst state: what the tray icon and the overview show. */
export interface Summary {
  total: number;
  counts: Record<Status, number>;
  worst: 'down' | 'grace' | 'up' | 'idle';
  /** muted until (ISO), or null */
  muted_until: string | null;
}

/** Server-Sent Events of `GET /api/events`: the `event:` name and its JSON `data:`. */
export type ServiceEvent =
  | { type: 'hello'; data: { server_time: string; version: string } }
  | { type: 'check'; data: CheckJson }
  | { type: 'check-deleted'; data: { uuid: string } }
  | { type: 'ping'; data: { check: string; ping: PingJson } }
  | { type: 'flip'; data: { check: string; name: string; flip: FlipJson } }
  | { type: 'delivery'; data: { flip_id: number; channel: string; ok: boolean; error: string | null; attempts: number } & Partial<DeliveryJson> }
  | { type: 'settings'; data: Record<string, unknown> }
  | { type: 'offline-summary'; data: { from: string; to: string; checks: { uuid: string; name: string }[] } }
  /** what the desktop channel decided to show (after snooze/mute rules): the Electron shell shows exactly this */
  | { type: 'notification'; data: NotificationJson };

/** A desktop notification decided by the service's desktop channel. */
export interface NotificationJson {
  id: string;
  kind: 'down' | 'up' | 'reminder' | 'summary' | 'test';
  title: string;
  /** plain text; strings from pings are never markup */
  body: string;
  /** the check to open on click, or null (summary) */
  check: string | null;
}

/** Lubdub's own routes beside healthchecks v3 (UI port; API key or console session). */
export const LUBDUB_ROUTES = {
  /** GET: Summary */
  summary: '/api/lubdub/summary',
  /** GET: SSE stream of ServiceEvent */
  events: '/api/events',
  /** POST (API key): { cookie, value } a console session for the desktop shell */
  session: '/api/lubdub/session',
  /** GET: { muted_until: string|null }; POST { until: ISO string | null } global snooze */
  mute: '/api/lubdub/mute',
  /** POST { event: 'suspend' | 'resume' | 'lock' | 'unlock' | 'shutdown' } from the desktop shell */
  power: '/api/lubdub/power',
  /** GET list / POST create: { id, name, kind: 'desktop'|'webhook'|'ntfy', config }; /:id GET/POST/DELETE; /:id/test POST */
  channels: '/api/lubdub/channels',
  /** GET/POST: { base_url, ping_body_limit, catchup_window, ping_key, detected_urls[] } */
  settings: '/api/lubdub/settings',
  /** POST { everywhere?: boolean }: ends this console session, or every one */
  logout: '/api/lubdub/logout',
  /** POST { which: 'api_key' | 'ping_key' } → new value; a new API key ends every console session */
  rotateKey: '/api/lubdub/keys/rotate',
  /** GET [?check=<uuid>]: HeartbeatsJson, the last 50 events of every check (console) */
  heartbeats: '/api/lubdub/heartbeats',
  /** POST { until: ISO | null } or { seconds }: mute one check (the check JSON shows `muted_until`) */
  checkMute: '/api/lubdub/checks/:uuid/mute',
  /** GET ?check=<uuid>&status=&limit=: { deliveries: DeliveryJson[] }, newest first */
  deliveries: '/api/lubdub/deliveries',
  /** GET: { alive_at, gaps: OfflineGapJson[] } when Lubdub itself was not watching */
  offline: '/api/lubdub/offline',
} as const;

/** A notification channel as Lubdub's channel API returns it (secrets are never echoed). */
export interface ChannelJson {
  id: string;
  name: string;
  kind: 'desktop' | 'webhook' | 'ntfy';
  /** webhook: { url }; ntfy: { url, priority, tags, has_token }; desktop: {} */
  config: Record<string, unknown>;
  new_checks: boolean;
  created: string;
}

/** One alert sent (or being sent) to one channel. */
export interface DeliveryJson {
  id: number;
  /** the alert's id, the same for every channel and retry (webhook `delivery_id`) */
  message: string;
  kind: 'down' | 'up' | 'reminder' | 'summary' | 'test';
  title: string;
  body: string;
  check: string | null;
  flip_id: number | null;
  channel: string;
  channel_kind: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  next_attempt: string | null;
  created: string;
  sent: string | null;
}

/** An interval Lubdub was not watching, and what it did about it. */
export interface OfflineGapJson {
  id: number;
  from: string;
  to: string;
  cause: 'start' | 'timer-late' | 'power-resume';
  /** end of the catch-up window */
  window_end: string;
  /** checks held in grace */
  held: number;
  /** checks still missing after the window (null while the window is open) */
  missed: number | null;
}
