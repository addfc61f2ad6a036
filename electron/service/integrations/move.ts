import fs from 'node:fs';
import path from 'node:path';
import { checkInputError, type CheckInput } from '../../../shared/api/check-input.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { UUID_RE } from '../../../shared/domain/ping-url.js';
import { cronError } from '../../../shared/domain/schedule.js';
import { NO_CHANNELS, CheckService } from '../core/checks.js';
import { FlipWriter } from '../core/flips.js';
import { readContextOf, Runtime } from '../core/runtime.js';
import { openDb, type Db } from '../db/open.js';
import { makeRepos, type CheckRow, type Repos } from '../db/repos.js';
import { Bus } from '../events.js';

/** A move that cannot go on: one line for the command line; nothing was written. */
export class MoveError extends Error {}

/**
 * The check fields that move both ways between Lubdub and healthchecks (API v3 names).
 * Either `timeout` (simple) or `schedule` + `tz` (cron) is set.
 */
export interface Carried {
  name: string;
  slug: string;
  tags: string;
  desc: string;
  grace: number;
  timeout?: number;
  schedule?: string;
  tz?: string;
  manual_resume: boolean;
  methods: '' | 'POST';
  start_kw: string;
  success_kw: string;
  failure_kw: string;
  filter_http_body: boolean;
  filter_default_fail: boolean;
}

/** Fields newer healthchecks versions have and older ones leave out of their JSON. */
const OPTIONAL_REMOTE: (keyof Carried)[] = ['filter_http_body', 'filter_default_fail'];

/** Lubdub-only parts of a check that healthchecks has no field for. */
const LUBDUB_ONLY_WORDS: Record<string, string> = {
  assertions: 'assertions',
  extract: 'metric extraction',
  reminder_every: 'reminders',
  upstream: 'relay upstream',
};

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const bool = (v: unknown): boolean => v === true;
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** A check as healthchecks' API v3 (or a Lubdub speaking it) lists it: what moves, its uuid, or why it cannot. */
export type RemoteCheck = { fields: Carried; uuid: string | null; present: Set<string>; pingUrl: string | null } | { skip: string; name: string };

/**
 * Reads one check of `GET /api/v3/checks/`. The uuid is Lubdub's `uuid`, or the last part of
 * healthchecks' `update_url` / `ping_url`; read-only keys show neither (only `unique_key`).
 */
export function fromHealthchecks(j: Record<string, unknown>): RemoteCheck {
  const name = str(j.name);
  const fields: Carried = {
    name,
    slug: str(j.slug),
    tags: str(j.tags),
    desc: str(j.desc),
    grace: num(j.grace, 3600),
    manual_resume: bool(j.manual_resume),
    methods: j.methods === 'POST' ? 'POST' : '',
    start_kw: str(j.start_kw),
    // older healthchecks kept the keywords in subject / subject_fail
    success_kw: str(j.success_kw) || str(j.subject),
    failure_kw: str(j.failure_kw) || str(j.subject_fail),
    filter_http_body: bool(j.filter_http_body ?? j.filter_body),
    filter_default_fail: bool(j.filter_default_fail),
  };
  if (typeof j.schedule === 'string' && j.schedule !== '') {
    if (cronError(j.schedule)) return { skip: `schedule "${j.schedule}" is not a 5-field cron expression (OnCalendar is not supported)`, name };
    fields.schedule = j.schedule;
    fields.tz = str(j.tz, 'UTC') || 'UTC';
  } else {
    fields.timeout = num(j.timeout, 86400);
  }
  const tail = (u: unknown) => (typeof u === 'string' ? (u.replace(/\/+$/, '').split('/').pop() ?? '') : '');
  const uuid = [str(j.uuid), tail(j.update_url), tail(j.ping_url)].find((u) => UUID_RE.test(u)) ?? null;
  return { fields, uuid, present: new Set(Object.keys(j)), pingUrl: typeof j.ping_url === 'string' ? j.ping_url : null };
}

/** A local check's fields that move. */
export function fromLocal(c: CheckRow): Carried {
  const f: Carried = {
    name: c.name,
    slug: c.slug,
    tags: c.tags,
    desc: c.desc,
    grace: c.grace,
    manual_resume: c.manualResume,
    methods: c.methods,
    start_kw: c.startKw,
    success_kw: c.successKw,
    failure_kw: c.failureKw,
    filter_http_body: c.filterHttpBody,
    filter_default_fail: c.filterDefaultFail,
  };
  if (c.kind === 'cron') {
    f.schedule = c.schedule;
    f.tz = c.tz;
  } else {
    f.timeout = c.timeout;
  }
  return f;
}

/** The names of the fields `want` would change on `have` (fields `have` does not show are not compared when optional). */
export function changedFields(have: Carried, want: Carried, present?: Set<string>): string[] {
  const keys = new Set([...Object.keys(have), ...Object.keys(want)] as (keyof Carried)[]);
  return [...keys].filter((k) => (present && OPTIONAL_REMOTE.includes(k) && !present.has(k) ? false : have[k] !== want[k])).sort();
}

/** What a Lubdub check has that healthchecks would not keep. */
export function notCarried(c: CheckRow): string[] {
  const out = Object.keys(c.extra)
    .filter((k) => c.extra[k] !== null && c.extra[k] !== undefined)
    .map((k) => LUBDUB_ONLY_WORDS[k] ?? k);
  if (c.pushToken) out.push('push token (/api/push/…)');
  if (c.channels) out.push('alert channels');
  return [...new Set(out)].sort();
}

// ---- the other side's API ----

/** Where the other side's API v3 is and the key to it. */
export interface Remote {
  /** base URL, e.g. https://healthchecks.example.com (an /api/v3 suffix is fine) */
  url: string;
  apiKey: string;
}

/** Why `url` cannot be the other side's base URL (a full sentence), or null. */
export function remoteUrlError(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${url} must be http or https`;
  return null;
}

function apiBase(url: string): string {
  const err = remoteUrlError(url);
  if (err) throw new MoveError(`--url ${err}`);
  return new URL(url).href.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
}

/** One API v3 call; any failure is one line naming the host and what went wrong. */
async function call(remote: Remote, method: 'GET' | 'POST', p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const base = apiBase(remote.url);
  let res: Response;
  try {
    res = await fetch(base + p, {
      method,
      headers: { 'x-api-key': remote.apiKey, 'content-type': 'application/json', 'user-agent': 'lubdub-move' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new MoveError(`cannot reach ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json };
}

/** Every check the key can see; a refused key or a non-API answer is a MoveError. */
async function listRemote(remote: Remote): Promise<Record<string, unknown>[]> {
  const r = await call(remote, 'GET', '/api/v3/checks/');
  if (r.status === 401 || r.status === 403) throw new MoveError(`${apiBase(remote.url)} refused the API key (HTTP ${r.status})`);
  if (r.status !== 200 || !r.json || !Array.isArray(r.json.checks)) {
    throw new MoveError(`${apiBase(remote.url)} did not answer GET /api/v3/checks/ with healthchecks' API v3 JSON (HTTP ${r.status})`);
  }
  return r.json.checks;
}

// ---- the local side ----

/** The local store, opened only once the other side has answered (so a failure writes nothing here). */
interface Local {
  db: Db;
  repos: Repos;
  checks: CheckService;
}

function openLocal(dataDir: string, clock: Clock, mustExist: boolean): Local {
  if (mustExist && !fs.existsSync(path.join(dataDir, 'lubdub.db'))) throw new MoveError(`no Lubdub data in ${dataDir} (set --data-dir)`);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = openDb(dataDir);
  const repos = makeRepos(db);
  const runtime = new Runtime({ baseUrl: null, defaultPingBase: '', apiKey: '', pingKey: '', badgeKey: '', bodyLimit: 0, catchupWindow: 0 });
  const checks = new CheckService({
    repos,
    clock,
    bus: new Bus(),
    fields: { rules: {}, asyncRules: {} },
    channels: NO_CHANNELS,
    flips: new FlipWriter(db, repos.checks),
    readContext: readContextOf(clock, runtime),
  });
  return { db, repos, checks };
}

/** One line of a plan: what happens (or would) to one check. */
export interface PlanLine {
  action: 'create' | 'update' | 'same' | 'skip' | 'refused';
  name: string;
  /** changed fields (update), why (skip, refused), or the uuid note (create) */
  detail: string;
}

/** What an import did or would do. */
export interface ImportReport {
  lines: PlanLine[];
  /** the other side's channels, when the key may list them (they are not created here) */
  channels: { name: string; kind: string }[] | null;
  dryRun: boolean;
}

/** Where imported checks go: the running service's checks, or the data dir's when no service runs. */
export interface ImportTarget {
  list(): CheckRow[];
  update(uuid: string, input: CheckInput): void;
  add(input: CheckInput, uuid?: string): CheckRow;
}

/** The other side's checks and channels (channels null when the key may not list them). */
async function readRemote(remote: Remote): Promise<{ checks: RemoteCheck[]; channels: ImportReport['channels'] }> {
  const checks = (await listRemote(remote)).map(fromHealthchecks);
  const ch = await call(remote, 'GET', '/api/v3/channels/');
  const channels = ch.status === 200 && Array.isArray(ch.json?.channels) ? (ch.json.channels as { name: string; kind: string }[]).map((c) => ({ name: str(c.name), kind: str(c.kind) })) : null;
  return { checks, channels };
}

/**
 * Imports the other side's checks into `target` (null: an empty store a dry run plans
 * against): matched by uuid, then slug, then name; created with the same uuid when it is
 * free (moved jobs keep their ping path, only the host changes); updated only where a
 * carried field differs. A second run changes nothing; a dry run never calls `update`/`add`.
 */
export async function importInto(target: ImportTarget | null, remoteApi: Remote, dryRun: boolean): Promise<ImportReport> {
  return plan(target, await readRemote(remoteApi), dryRun);
}

function plan(target: ImportTarget | null, from: Awaited<ReturnType<typeof readRemote>>, dryRun: boolean): ImportReport {
  const lines: PlanLine[] = [];
  const all = target?.list() ?? [];
  for (const r of from.checks) {
    if ('skip' in r) {
      lines.push({ action: 'skip', name: r.name, detail: r.skip });
      continue;
    }
    const input = r.fields as unknown as CheckInput;
    const err = checkInputError(input);
    if (err) {
      lines.push({ action: 'skip', name: r.fields.name, detail: err });
      continue;
    }
    const match =
      (r.uuid ? all.find((c) => c.uuid === r.uuid) : undefined) ??
      (r.fields.slug ? all.find((c) => c.slug === r.fields.slug) : undefined) ??
      all.find((c) => c.name === r.fields.name);
    if (match) {
      const changed = changedFields(fromLocal(match), r.fields);
      if (changed.length === 0) {
        lines.push({ action: 'same', name: r.fields.name, detail: '' });
        continue;
      }
      if (!dryRun) target!.update(match.uuid, input);
      lines.push({ action: 'update', name: r.fields.name, detail: changed.join(', ') });
      continue;
    }
    const keep = r.uuid !== null && !all.some((c) => c.uuid === r.uuid);
    if (target && !dryRun) all.push(target.add(input, keep ? r.uuid! : undefined));
    lines.push({ action: 'create', name: r.fields.name, detail: keep ? `same uuid ${r.uuid}` : 'new uuid' });
  }
  return { lines, channels: from.channels, dryRun };
}

/**
 * Imports into the data dir directly: only while no service runs on it (the CLI asks the
 * running service first), so this is then the one writer of `checks`.
 */
export async function importHealthchecks(opts: { remote: Remote; dataDir: string; dryRun: boolean; clock: Clock }): Promise<ImportReport> {
  const from = await readRemote(opts.remote);
  // A dry run into a data dir without a store plans against nothing and creates nothing.
  const local = opts.dryRun && !fs.existsSync(path.join(opts.dataDir, 'lubdub.db')) ? null : openLocal(opts.dataDir, opts.clock, false);
  try {
    return plan(local?.checks ?? null, from, opts.dryRun);
  } finally {
    local?.db.close();
  }
}

/** An import's report as lines: the plan, then the channels that stay behind. */
export function importText(r: ImportReport): string[] {
  const out = planText(r.lines, r.dryRun);
  if (r.channels === null) out.push('channels: not listed (a read-only key cannot list them); set up alerts in Lubdub');
  else if (r.channels.length) out.push(`channels not carried over (set them up in Lubdub): ${r.channels.map((c) => `${c.name} (${c.kind})`).join(', ')}`);
  return out;
}

/** One moved check: its ping URL here and there. */
export interface MappingEntry {
  name: string;
  slug: string;
  old_uuid: string;
  old_ping_url: string;
  new_ping_url: string | null;
}

/** What an export did or would do. */
export interface ExportReport {
  lines: PlanLine[];
  mapping: MappingEntry[];
  /** check name → Lubdub-only parts that stay behind */
  notCarried: Record<string, string[]>;
  /** the given crontab/wrapper files with every old ping URL replaced by the new one */
  rewritten: { file: string; text: string; changed: { old: string; new: string }[] }[];
  dryRun: boolean;
}

/** The stored keys of a data dir, read without creating any. */
function storedPingKey(dataDir: string): string | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8')).pingKey ?? null;
  } catch {
    return null;
  }
}

/**
 * Rewrites ping URLs of moved checks in a crontab or wrapper line: `…/ping/<uuid>` and
 * `…/ping/<ping key>/<slug>` (any host, any suffix such as /start, /fail or /$?) become the
 * check's new ping URL with the same suffix.
 */
export function rewritePingUrls(text: string, mapping: MappingEntry[], pingKey: string | null): { text: string; changed: { old: string; new: string }[] } {
  const byUuid = new Map(mapping.filter((m) => m.new_ping_url).map((m) => [m.old_uuid, m.new_ping_url!]));
  const bySlug = new Map(mapping.filter((m) => m.new_ping_url && m.slug).map((m) => [m.slug, m.new_ping_url!]));
  const changed: { old: string; new: string }[] = [];
  const out = text.replace(/https?:\/\/[^\s"'<>/]+\/ping\/([A-Za-z0-9_-]+)(?:\/([a-z0-9_-]+))?/g, (m, a: string, b: string | undefined) => {
    let to: string | undefined;
    let rest = '';
    if (UUID_RE.test(a)) {
      to = byUuid.get(a);
      rest = b !== undefined ? `/${b}` : '';
    } else if (pingKey !== null && a === pingKey && b !== undefined) {
      to = bySlug.get(b);
    }
    if (!to) return m;
    changed.push({ old: m, new: to + rest });
    return to + rest;
  });
  return { text: out, changed };
}

/**
 * Exports the local checks to the other side through its API v3: created or updated by
 * `unique` (name or slug), left alone where nothing carried differs; prints the mapping of
 * old to new ping URLs and rewrites the given crontab/wrapper files' text (never the files).
 */
export async function exportHealthchecks(opts: {
  remote: Remote;
  dataDir: string;
  dryRun: boolean;
  clock: Clock;
  unique: 'name' | 'slug';
  files?: string[];
}): Promise<ExportReport> {
  const local = openLocal(opts.dataDir, opts.clock, true);
  let checks: CheckRow[];
  let oldBase: string;
  try {
    checks = local.checks.list();
    oldBase = local.repos.settings.get('base_url') ?? 'http://localhost:8420';
  } finally {
    local.db.close();
  }
  const texts = (opts.files ?? []).map((f) => {
    try {
      return { file: f, text: fs.readFileSync(f, 'utf8') };
    } catch (e) {
      throw new MoveError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  });
  const remote = (await listRemote(opts.remote)).map(fromHealthchecks);
  const key = (f: Carried) => (opts.unique === 'slug' ? f.slug : f.name);
  const lines: PlanLine[] = [];
  const mapping: MappingEntry[] = [];
  const left: Record<string, string[]> = {};
  for (const c of checks) {
    const want = fromLocal(c);
    const there = remote.find((r) => !('skip' in r) && key(r.fields) === key(want)) as Extract<RemoteCheck, { fields: Carried }> | undefined;
    const entry: MappingEntry = { name: c.name, slug: c.slug, old_uuid: c.uuid, old_ping_url: `${oldBase}/ping/${c.uuid}`, new_ping_url: there?.pingUrl ?? null };
    mapping.push(entry);
    const stays = notCarried(c);
    if (stays.length) left[c.name] = stays;
    if (opts.unique === 'slug' && !c.slug) {
      lines.push({ action: 'skip', name: c.name, detail: 'no slug to match by' });
      continue;
    }
    const changed = there ? changedFields(there.fields, want, there.present) : [];
    if (there && changed.length === 0) {
      lines.push({ action: 'same', name: c.name, detail: '' });
      continue;
    }
    if (!opts.dryRun) {
      const r = await call(opts.remote, 'POST', '/api/v3/checks/', { ...want, unique: [opts.unique] });
      if (r.status !== 200 && r.status !== 201) {
        lines.push({ action: 'refused', name: c.name, detail: `HTTP ${r.status}${r.json?.error ? `: ${r.json.error}` : ''}` });
        continue;
      }
      entry.new_ping_url = typeof r.json?.ping_url === 'string' ? r.json.ping_url : null;
    }
    lines.push(there ? { action: 'update', name: c.name, detail: changed.join(', ') } : { action: 'create', name: c.name, detail: '' });
  }
  const pingKey = storedPingKey(opts.dataDir);
  const rewritten = texts.map((t) => ({ file: t.file, ...rewritePingUrls(t.text, mapping, pingKey) }));
  return { lines, mapping, notCarried: left, rewritten, dryRun: opts.dryRun };
}

/** A plan as lines for the command line. */
export function planText(lines: PlanLine[], dryRun: boolean): string[] {
  const verb: Record<PlanLine['action'], string> = dryRun
    ? { create: 'would create', update: 'would update', same: 'unchanged', skip: 'skip', refused: 'refused' }
    : { create: 'created', update: 'updated', same: 'unchanged', skip: 'skipped', refused: 'refused' };
  const out = lines.map((l) => `${verb[l.action].padEnd(12)} ${JSON.stringify(l.name)}${l.detail ? `  (${l.detail})` : ''}`);
  const count = (a: PlanLine['action']) => lines.filter((l) => l.action === a).length;
  out.push(`${dryRun ? 'dry run, nothing written: ' : ''}create ${count('create')}, update ${count('update')}, unchanged ${count('same')}, not moved ${count('skip') + count('refused')}`);
  return out;
}
