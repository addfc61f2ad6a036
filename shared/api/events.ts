/**
 * The event stream `GET /api/events` (Server-Sent Events): each `event:` name and the
 * schema of its JSON `data:`. The service sends only these; clients accept only these.
 */
import { Type, type Static } from 'typebox';
import { CheckJsonSchema, DeliveryJsonSchema, FlipJsonSchema, NotificationJsonSchema, PingJsonSchema } from './types.js';

/** Every event type and its payload. */
export const EVENTS = {
  /** first event of every stream */
  hello: Type.Object({ server_time: Type.String(), version: Type.String() }),
  /** a check was created or changed (also by the clock alone: a check turning late) */
  check: CheckJsonSchema,
  'check-deleted': Type.Object({ uuid: Type.String() }),
  ping: Type.Object({ check: Type.String(), ping: PingJsonSchema }),
  flip: Type.Object({ check: Type.String(), name: Type.String(), flip: FlipJsonSchema }),
  /** an alert was sent, failed or is retried on one channel */
  delivery: Type.Intersect([
    Type.Object({
      flip_id: Type.Union([Type.Integer(), Type.Null()]),
      channel: Type.String(),
      ok: Type.Boolean(),
      error: Type.Union([Type.String(), Type.Null()]),
      attempts: Type.Integer(),
    }),
    Type.Partial(DeliveryJsonSchema),
  ]),
  /** settings changed (keys never travel on the stream) */
  settings: Type.Record(Type.String(), Type.Unknown()),
  /** what Lubdub missed while it was not watching */
  'offline-summary': Type.Object({
    from: Type.String(),
    to: Type.String(),
    checks: Type.Array(Type.Object({ uuid: Type.String(), name: Type.String() })),
  }),
  /** what the desktop channel decided to show (after snooze/mute rules): the Electron shell shows exactly this */
  notification: NotificationJsonSchema,
  /** office mode changed (sharing, a desk waiting for its code, keys): Settings re-reads it; the code never travels here */
  office: Type.Object({ share: Type.Boolean(), pairing_pending: Type.Boolean() }),
} as const;

/** The name of an event on the stream. */
export type EventType = keyof typeof EVENTS;
/** Every event type, for clients that accept only known events. */
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

/** One event of the stream: its `event:` name and its JSON `data:`. */
export type ServiceEvent = { [K in EventType]: { type: K; data: Static<(typeof EVENTS)[K]> } }[EventType];
