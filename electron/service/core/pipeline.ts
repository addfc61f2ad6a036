import type { CheckInput } from '../../../shared/api/check-input.js';
import { alertAfter, applyPing, nextStatusChange, type PingEvent } from '../../../shared/domain/check-state.js';
import { classify } from '../../../shared/domain/classify.js';
import type { PingTarget } from '../../../shared/domain/ping-url.js';
import { pingDownReason, type DownReason } from '../../../shared/domain/reasons.js';
import type { FlipEvent, PingAction } from '../../../shared/domain/types.js';
import type { CheckRow, NewPing } from '../db/repos.js';
import { bodyText } from '../serialize.js';

/** One received ping, parsed and validated by the receiver. */
export interface IngestRequest {
  target: PingTarget;
  action: PingAction;
  explicit: boolean;
  exitStatus: number | null;
  rid: string | null;
  /** when it happened: receive time, or `?ts=` */
  at: number;
  received: number;
  method: string;
  scheme: string;
  remoteAddr: string;
  ua: string;
  /** already cut at the body limit */
  body: Buffer;
  /** bytes as received */
  bodySize: number;
  /** slug URLs with ?create=1: fields of the check to create (Lubdub: schedule, tz, grace, timeout) */
  create: CheckInput | null;
  /** Lubdub extension data stored with the ping (e.g. metrics) */
  extra?: Record<string, unknown> | null;
}

/** What a ping amounts to so far: the event the state machine applies and the extension data stored with it. */
export interface PingDraft {
  readonly event: Readonly<PingEvent>;
  readonly extra: Record<string, unknown> | null;
}

/**
 * An extension step of the pipeline (metrics, extraction results, assertions): returns the
 * draft it makes of the ping, as a new object. It may read history through a reader it was
 * built with, never write. `check` is the check's state before this ping; within one batch
 * the checks table is written once per check at the end, so read the check from the argument.
 */
export type PingStep = (check: CheckRow, req: IngestRequest, draft: PingDraft) => PingDraft;

/** Where the pipeline finds the start of an overlapping run (the ping log). */
export interface RunStarts {
  startTimeByRid(checkId: number, rid: string, before: number): number | null;
}

/** What one ping does: the check's next row, the flip if its status changes, and the ping record. */
export interface PingResult {
  next: CheckRow;
  flip: FlipEvent | null;
  /** the record for the ping log; `kind` is what counted (a step may have turned a success into a failure) */
  ping: NewPing;
}

/**
 * The decision for one ping, without writing anything: classify → extension steps →
 * `applyPing` → down reason. The ingest queue resolves the check before and stores the
 * result after, in the same transaction.
 */
export class PingPipeline {
  constructor(
    private readonly deps: {
      /** run in this order, after classification */
      steps: readonly PingStep[];
      runStarts: RunStarts;
    },
  ) {}

  run(check: CheckRow, req: IngestRequest, now: number): PingResult {
    const kind = classify(
      { action: req.action, method: req.method, bodyText: check.filterHttpBody ? bodyText(req.body) : '', explicit: req.explicit },
      check,
      check.status,
    );
    const event: PingEvent = { kind, at: req.at, rid: req.rid, received: req.received };
    if ((kind === 'success' || kind === 'fail') && req.rid !== null && check.lastStartRid !== req.rid) {
      event.runStart = this.deps.runStarts.startTimeByRid(check.id, req.rid, req.at);
    }
    let draft: PingDraft = { event, extra: req.extra ?? null };
    for (const step of this.deps.steps) draft = step(check, req, draft);
    const ev = draft.event;
    const out = applyPing(check, ev);
    const next = out.next;
    timeRow(next, now);
    if (out.flip) {
      setDownReason(next, out.flip.newStatus === 'down' ? downReasonOf(req, ev) : null);
    } else if (out.applied && ev.kind === 'fail' && next.status === 'down') {
      // Already down: the newest failure says best why (a failed assertion after a timeout).
      setDownReason(next, downReasonOf(req, ev));
    }
    const ping: NewPing = {
      checkId: check.id,
      n: next.nPings,
      created: req.at,
      received: req.received,
      kind: ev.kind,
      scheme: req.scheme,
      method: req.method,
      remoteAddr: req.remoteAddr,
      ua: req.ua.slice(0, 200),
      body: req.body.length ? req.body : null,
      bodySize: req.bodySize,
      exitStatus: req.exitStatus,
      rid: req.rid,
      duration: out.duration,
      extra: draft.extra,
    };
    return { next, flip: out.flip, ping };
  }
}

/** Sets the row's deadline and the instant its shown status next changes, both from shared/domain. */
export function timeRow(c: CheckRow, now: number): void {
  c.alertAfter = alertAfter(c);
  c.statusAt = nextStatusChange(c, now);
}

/** Why a ping turned the check down (code and words, from shared/domain/reasons). */
function downReasonOf(req: IngestRequest, ev: Readonly<PingEvent>): DownReason {
  return pingDownReason({ failReason: ev.failReason, failText: ev.failText, exitStatus: req.exitStatus, action: req.action });
}

function setDownReason(row: CheckRow, r: DownReason | null): void {
  row.downReason = r?.text ?? '';
  row.downReasonCode = r?.code ?? '';
}
