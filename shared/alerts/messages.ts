import { formatMs } from '../domain/duration.js';
import { reasonWords } from '../domain/reasons.js';
import type { FlipReason } from '../domain/types.js';

/** What an alert is about. */
export type AlertKind = 'down' | 'up' | 'reminder' | 'summary' | 'test';

/** One check as alerts describe it (webhook JSON field names). All strings are plain text. */
export interface AlertCheck {
  uuid: string;
  name: string;
  status: string;
  /** why it is down, in the words of shared/domain/reasons.ts ("exit status 3", "missed 03:00 run (UTC)"), or "" */
  reason: string;
  /** the code of that reason (FlipReason), or "" */
  reason_code: FlipReason;
  /** ISO time of the last ping, or null */
  last_ping: string | null;
  /** first line of the last ping's body, as text */
  last_body: string;
  /** where the console shows this check */
  console_url: string;
}

/** A rendered alert: the same words go to every channel and every retry. */
export interface AlertMessage {
  kind: AlertKind;
  title: string;
  /** one line of plain text */
  body: string;
  /** the check this is about, or null for summaries and tests */
  check: AlertCheck | null;
  /** the checks a summary lists */
  checks: AlertCheck[];
  /** ISO time of the event */
  at: string;
}

/** The JSON a webhook receives (SPEC §8). */
export interface WebhookPayload {
  kind: AlertKind;
  title: string;
  message: string;
  name: string | null;
  uuid: string | null;
  status: string | null;
  reason: string | null;
  /** the reason's code, for receivers that branch on it; null when the alert is about no single check */
  reason_code: FlipReason | null;
  last_ping: string | null;
  last_body: string | null;
  console_url: string | null;
  checks: AlertCheck[];
  at: string;
  /** stable across retries: a receiver can drop a repeat */
  delivery_id: string;
}

// C0/C1 controls and bidi overrides: a ping body must not reorder or hide the words around it.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** A string from a ping or a user, made safe to show as one line of plain text. */
export function plainText(s: string, max = 300): string {
  const t = s.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

function line(check: AlertCheck): string {
  const parts = [check.reason || reasonWords('')];
  if (check.last_body) parts.push(`last output: ${check.last_body}`);
  return parts.join('; ');
}

/** "backup is down": the reason and the first line of the last ping. */
export function downMessage(check: AlertCheck, at: string): AlertMessage {
  return { kind: 'down', title: `${check.name || 'unnamed check'} is down`, body: line(check), check, checks: [], at };
}

/** "backup is back up": how long it was down. */
export function upMessage(check: AlertCheck, downForMs: number | null, at: string): AlertMessage {
  const body = downForMs === null ? 'back up' : `back up after ${formatMs(downForMs)}`;
  return { kind: 'up', title: `${check.name || 'unnamed check'} is back up`, body, check, checks: [], at };
}

/** A repeat while a check stays down. */
export function reminderMessage(check: AlertCheck, downForMs: number, at: string): AlertMessage {
  return {
    kind: 'reminder',
    title: `${check.name || 'unnamed check'} is still down`,
    body: `down for ${formatMs(downForMs)}: ${line(check)}`,
    check,
    checks: [],
    at,
  };
}

function names(checks: AlertCheck[]): string {
  const shown = checks.slice(0, 10).map((c) => c.name || c.uuid);
  return shown.join(', ') + (checks.length > 10 ? ` and ${checks.length - 10} more` : '');
}

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/** The one notification of a monitor-offline gap: what is still missing after the catch-up window. */
export function offlineSummary(checks: AlertCheck[], fromMs: number, toMs: number, at: string): AlertMessage {
  return {
    kind: 'summary',
    title: `${plural(checks.length, 'check')} missed while Lubdub was offline`,
    body: `Lubdub was not watching for ${formatMs(toMs - fromMs)}; still missing: ${names(checks)}`,
    check: null,
    checks,
    at,
  };
}

/** How a host reads in alerts: "nas.local (192.168.1.20)", or the address alone when no name resolved. */
export function hostLabel(addr: string, name: string | null): string {
  return name && name !== addr ? `${plainText(name, 100)} (${addr})` : addr;
}

/** One alert for the jobs of one host that went quiet together (each flip is still recorded). */
export function hostQuietMessage(host: string, checks: AlertCheck[], at: string): AlertMessage {
  const text = `${host} went quiet: ${plural(checks.length, 'job')} missed — ${names(checks)}`;
  return { kind: 'summary', title: text, body: text, check: null, checks, at };
}

/** One alert for the jobs of one host that came back together. */
export function hostBackMessage(host: string, checks: AlertCheck[], at: string): AlertMessage {
  const text = `${host} is back: ${plural(checks.length, 'job')} ping again — ${names(checks)}`;
  return { kind: 'summary', title: text, body: text, check: null, checks, at };
}

/** The one notification when a snooze ends: what is still down. */
export function snoozeSummary(checks: AlertCheck[], at: string): AlertMessage {
  return {
    kind: 'summary',
    title: `Snooze ended: ${plural(checks.length, 'check')} still down`,
    body: `still down: ${names(checks)}`,
    check: null,
    checks,
    at,
  };
}

/** A channel test from the console or API. */
export function testMessage(channelName: string, at: string): AlertMessage {
  return {
    kind: 'test',
    title: 'Lubdub test notification',
    body: `This is a test of the channel "${plainText(channelName, 100)}".`,
    check: null,
    checks: [],
    at,
  };
}

/** The webhook body for a message. */
export function webhookPayload(m: AlertMessage, deliveryId: string): WebhookPayload {
  return {
    kind: m.kind,
    title: m.title,
    message: m.body,
    name: m.check?.name ?? null,
    uuid: m.check?.uuid ?? null,
    status: m.check?.status ?? null,
    reason: m.check?.reason ?? null,
    // Messages rendered before codes existed have none: their words stay, the code is "".
    reason_code: m.check ? (m.check.reason_code ?? '') : null,
    last_ping: m.check?.last_ping ?? null,
    last_body: m.check?.last_body ?? null,
    console_url: m.check?.console_url ?? null,
    checks: m.checks,
    at: m.at,
    delivery_id: deliveryId,
  };
}
