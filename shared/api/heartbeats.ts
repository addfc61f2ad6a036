import { isMissedDeadline, isReportedFailure, reasonWords } from '../domain/reasons.js';
import { Type, type Static } from 'typebox';
import { FLIP_REASONS, type FlipReason } from '../domain/types.js';
import type { PingJson } from './types.js';

/** How many events the heartbeat bar shows per check. */
export const BEATS_PER_CHECK = 50;

/** One pill of the heartbeat bar: a ping, or a deadline that passed without one. */
export const BeatJsonSchema = Type.Object({
  /** ISO time of the event */
  t: Type.String(),
  kind: Type.Enum(['success', 'fail', 'start', 'log', 'ign', 'missed', 'down']),
  /** ping number, for pings */
  n: Type.Optional(Type.Integer()),
  exitstatus: Type.Optional(Type.Integer()),
  /** run duration in seconds, when the ping closed a run */
  duration: Type.Optional(Type.Number()),
  /** first line of the body, as text; or the words of a down flip's reason */
  text: Type.Optional(Type.String()),
  /** the code of a down flip's reason, for flip pills */
  reason: Type.Optional(Type.Enum(FLIP_REASONS)),
});
/** One pill of the heartbeat bar. */
export type BeatJson = Static<typeof BeatJsonSchema>;

/** `GET /api/lubdub/heartbeats`: the last events of every check, oldest first. */
export const HeartbeatsJsonSchema = Type.Object({ beats: Type.Record(Type.String(), Type.Array(BeatJsonSchema)) });
/** The heartbeat bars of every check, keyed by uuid. */
export type HeartbeatsJson = Static<typeof HeartbeatsJsonSchema>;

/** A ping as a heartbeat pill. */
export function pingBeat(p: PingJson): BeatJson {
  const b: BeatJson = { t: p.date, kind: p.type, n: p.n };
  if (p.exitstatus !== undefined) b.exitstatus = p.exitstatus;
  if (p.duration !== undefined) b.duration = p.duration;
  if (p.body_preview) b.text = p.body_preview;
  return b;
}

/** A flip to down at ISO time `t` as a pill ("missed" when nothing arrived in time), or null for other flips. */
export function flipBeat(t: string, newStatus: string, reason: FlipReason): BeatJson | null {
  if (newStatus !== 'down') return null;
  // A failure a ping reported already has that ping's pill; only deadlines get one here.
  if (isReportedFailure(reason)) return null;
  return { t, kind: isMissedDeadline(reason) ? 'missed' : 'down', text: reasonWords(reason), reason };
}

/** Adds a beat to a bar, keeping time order and the last `max` beats. */
export function appendBeat(bar: readonly BeatJson[], b: BeatJson, max = BEATS_PER_CHECK): BeatJson[] {
  const out = [...bar];
  let i = out.length;
  // Late pings (sent with ?ts=) land where they happened, not at the end.
  while (i > 0 && out[i - 1].t > b.t) i--;
  out.splice(i, 0, b);
  return out.length > max ? out.slice(out.length - max) : out;
}
