/**
 * The JSON shapes of the management API and event stream, as typebox schemas: the
 * service's answers are checked against them in tests, and every client's types are
 * derived from them (`Static<>`), so a shape is written once.
 */
import { Type, type Static } from 'typebox';
import { FLIP_REASONS, type Status } from '../domain/types.js';
import { CHANNEL_KINDS } from '../alerts/channel-input.js';

const Iso = Type.String();
const IsoOrNull = Type.Union([Type.String(), Type.Null()]);
/** a status word; `shared/domain/types.ts` owns the list */
const StatusWord = Type.Unsafe<Status>(Type.String());
const Reason = Type.Enum(FLIP_REASONS);

/** A schedule Lubdub learned from a check's pings (`shared/domain/schedule-inference.ts`); accepting it is a normal update. */
export const ScheduleSuggestionSchema = Type.Object({
  kind: Type.Enum(['simple', 'cron']),
  timeout: Type.Optional(Type.Number()),
  schedule: Type.Optional(Type.String()),
  tz: Type.Optional(Type.String()),
  grace: Type.Number(),
  text: Type.String(),
  runs: Type.Integer(),
});
/** The relay of a check's pings to its upstream (electron/service/integrations/relay.ts). */
export const RelayStateSchema = Type.Object({
  /** the last ping n the upstream confirmed (or that was passed over); null before the first ping */
  forwarded_n: Type.Union([Type.Integer(), Type.Null()]),
  /** pings stored but not yet forwarded */
  pending: Type.Integer(),
  /** when the next try is due after a failure, or null */
  retry_at: Type.Union([Iso, Type.Null()]),
  /** the last send's error (a 4xx refusal stays until the next success), or null */
  last_error: Type.Union([Type.String(), Type.Null()]),
});

/** The relay state of a check. */
export type RelayState = Static<typeof RelayStateSchema>;

/** A learned schedule proposal. */
export type ScheduleSuggestionJson = Static<typeof ScheduleSuggestionSchema>;

/** A check as the management API returns it: healthchecks v3 field names plus Lubdub's own. */
export const CheckJsonSchema = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  tags: Type.String(),
  desc: Type.String(),
  grace: Type.Number(),
  n_pings: Type.Integer(),
  status: StatusWord,
  started: Type.Boolean(),
  last_ping: IsoOrNull,
  next_ping: IsoOrNull,
  manual_resume: Type.Boolean(),
  methods: Type.Enum(['', 'POST']),
  subject: Type.String(),
  subject_fail: Type.String(),
  start_kw: Type.String(),
  success_kw: Type.String(),
  failure_kw: Type.String(),
  filter_subject: Type.Boolean(),
  filter_body: Type.Boolean(),
  filter_http_body: Type.Boolean(),
  filter_default_fail: Type.Boolean(),
  last_duration: Type.Optional(Type.Number()),
  ping_url: Type.String(),
  update_url: Type.String(),
  pause_url: Type.String(),
  resume_url: Type.String(),
  channels: Type.String(),
  timeout: Type.Optional(Type.Number()),
  schedule: Type.Optional(Type.String()),
  tz: Type.Optional(Type.String()),
  /** Lubdub: Uptime Kuma push token (`/api/push/<token>`), or null */
  push_token: Type.Union([Type.String(), Type.Null()]),
  /** Lubdub: simple | cron */
  kind: Type.Enum(['simple', 'cron']),
  /** Lubdub: when the check goes down if nothing arrives, or null */
  alert_after: IsoOrNull,
  /** Lubdub: why it is down, in the words every side shows ("exit status 3", "missed 03:00 run (UTC)"), or "" */
  down_reason: Type.String(),
  /** Lubdub: the code of that reason, for clients to branch on; "" unless down */
  down_reason_code: Reason,
  /** Lubdub: true while the status is held in grace because Lubdub itself was not watching */
  monitor_offline: Type.Boolean(),
  /** Lubdub: the ping URL by slug, when the check has one */
  slug_url: Type.Union([Type.String(), Type.Null()]),
  /** Lubdub: creation time */
  created: Iso,
  /** Lubdub: this check alone is muted until then (POST …/mute); absent when it is not */
  muted_until: Type.Optional(Iso),
  /** Lubdub: true while Lubdub learns this check's schedule from its pings (auto-created checks start so) */
  learn_schedule: Type.Optional(Type.Boolean()),
  /** Lubdub: the schedule learned so far, while `learn_schedule`; absent until the runs show one */
  schedule_suggestion: Type.Optional(ScheduleSuggestionSchema),
  /** Lubdub: the ping URL this check's pings are relayed to (absent: none) */
  upstream: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Lubdub: how far the relay to `upstream` got; absent without an upstream */
  relay: Type.Optional(RelayStateSchema),
});
/** A check as the management API returns it. */
export type CheckJson = Static<typeof CheckJsonSchema>;

/** A ping in the log, as `GET …/pings/` returns it (healthchecks fields plus Lubdub's). */
export const PingJsonSchema = Type.Object({
  type: Type.Enum(['success', 'fail', 'start', 'log', 'ign']),
  date: Iso,
  n: Type.Integer(),
  scheme: Type.String(),
  remote_addr: Type.String(),
  method: Type.String(),
  ua: Type.String(),
  rid: Type.Union([Type.String(), Type.Null()]),
  duration: Type.Optional(Type.Number()),
  exitstatus: Type.Optional(Type.Integer()),
  body_url: Type.Union([Type.String(), Type.Null()]),
  /** Lubdub: bytes of the body as received (the stored body may be cut) */
  body_size: Type.Integer(),
  /** Lubdub: when Lubdub received it (differs from `date` for late pings sent with `?ts=`) */
  received: Iso,
  /** Lubdub: the first line of the body, as text, for previews */
  body_preview: Type.String(),
});
/** A ping in the log. */
export type PingJson = Static<typeof PingJsonSchema>;

/** A status change, as `GET …/flips/` returns it (healthchecks: timestamp + up). */
export const FlipJsonSchema = Type.Object({
  timestamp: Iso,
  up: Type.Union([Type.Literal(0), Type.Literal(1)]),
  old_status: Type.String(),
  new_status: Type.String(),
  /** a code, not words: see `REASON_WORDS` in shared/domain/reasons.ts */
  reason: Reason,
});
/** A status change. */
export type FlipJson = Static<typeof FlipJsonSchema>;

/** Counts by status and the worst state: what the tray icon and the overview show. */
export const SummarySchema = Type.Object({
  total: Type.Integer(),
  counts: Type.Unsafe<Record<Status, number>>(Type.Record(Type.String(), Type.Integer())),
  worst: Type.Enum(['down', 'grace', 'up', 'idle']),
  /** muted until (ISO), or null */
  muted_until: IsoOrNull,
});
/** Counts by status and the worst state. */
export type Summary = Static<typeof SummarySchema>;

const MessageKind = Type.Enum(['down', 'up', 'reminder', 'summary', 'test']);

/** A desktop notification decided by the service's desktop channel. */
export const NotificationJsonSchema = Type.Object({
  id: Type.String(),
  kind: MessageKind,
  title: Type.String(),
  /** plain text; strings from pings are never markup */
  body: Type.String(),
  /** the check to open on click, or null (summary) */
  check: Type.Union([Type.String(), Type.Null()]),
});
/** A desktop notification decided by the service's desktop channel. */
export type NotificationJson = Static<typeof NotificationJsonSchema>;

/** A notification channel as Lubdub's channel API returns it (secrets are never echoed). */
export const ChannelJsonSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Enum(CHANNEL_KINDS),
  /** webhook: { url }; ntfy: { url, priority, tags, has_token }; desktop: {} */
  config: Type.Record(Type.String(), Type.Unknown()),
  new_checks: Type.Boolean(),
  created: Iso,
});
/** A notification channel. */
export type ChannelJson = Static<typeof ChannelJsonSchema>;

/** One alert sent (or being sent) to one channel. */
export const DeliveryJsonSchema = Type.Object({
  id: Type.Integer(),
  /** the alert's id, the same for every channel and retry (webhook `delivery_id`) */
  message: Type.String(),
  kind: MessageKind,
  title: Type.String(),
  body: Type.String(),
  check: Type.Union([Type.String(), Type.Null()]),
  flip_id: Type.Union([Type.Integer(), Type.Null()]),
  channel: Type.String(),
  channel_kind: Type.String(),
  status: Type.Enum(['pending', 'sending', 'sent', 'failed']),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_attempt: IsoOrNull,
  created: Iso,
  sent: IsoOrNull,
});
/** One alert to one channel. */
export type DeliveryJson = Static<typeof DeliveryJsonSchema>;

/** An interval Lubdub was not watching, and what it did about it. */
export const OfflineGapJsonSchema = Type.Object({
  id: Type.Integer(),
  from: Iso,
  to: Iso,
  cause: Type.Enum(['start', 'timer-late', 'power-resume']),
  /** end of the catch-up window */
  window_end: Iso,
  /** checks held in grace */
  held: Type.Integer(),
  /** checks still missing after the window (null while the window is open) */
  missed: Type.Union([Type.Integer(), Type.Null()]),
});
/** An interval Lubdub was not watching. */
export type OfflineGapJson = Static<typeof OfflineGapJsonSchema>;

export type { ServiceEvent } from './events.js';
