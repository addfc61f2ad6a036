import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkInputError, type CheckInput } from '../../../shared/api/check-input.js';
import type { Clock } from '../../../shared/domain/clock.js';
import {
  discoverySlug,
  hasRawPercent,
  jobName,
  parseCrontab,
  suggestGrace,
  uniqueSlug,
  wrappedArgv,
} from '../../../shared/domain/cron-discovery.js';
import { isValidTimezone } from '../../../shared/domain/schedule.js';
import { onCalendarToCron, parseListTimers, unitValues } from '../../../shared/domain/systemd-timers.js';
import { shellQuote } from '../../../shared/security/quote.js';
import type { IngestQueue } from '../core/ingest-queue.js';
import type { PingBody } from '../receiver/body.js';

/** Where lubdub-run sends what it found: `POST /discover/<ping-key>` on the ping port. */
export const DISCOVER_PATH = '/discover/:key';

/** The response header that counts the jobs whose check could not be created (lubdub-run exits 1 on any). */
export const FAILED_HEADER = 'lubdub-discover-failed';

const DEFAULT_WRAPPER = '/usr/local/bin/lubdub-run';

/** One crontab as lubdub-run sent it: a system one has a user field; `source` names it in the answer. */
export interface SentCrontab {
  system: boolean;
  source: string;
  text: string;
}

/** What lubdub-run sent, read. */
export interface Listing {
  tz: string;
  wrapper: string;
  /** the ping key URL lubdub-run was given, when it sent one */
  url: string | null;
  apply: boolean;
  /** --grace: replaces the suggested grace */
  grace: number | null;
  crontabs: SentCrontab[];
  listTimers: string;
  units: Map<string, string>;
}

/**
 * Reads the listing lubdub-run sends, as sections after a header line
 * `#lubdub-discover tz=<zone> wrapper=<path> [url=<ping-key-url>] [apply=1] [grace=<s>]`:
 * `#section crontab user <source>` and `#section crontab system <file>` (a crontab as cron reads
 * it), `#section list-timers` (`systemctl list-timers --all`) and `#section unit <name>`
 * (`systemctl cat <name>`). A header field that is present but malformed is an error.
 */
export function readListing(text: string): Listing | { error: string } {
  const l: Listing = { tz: 'UTC', wrapper: DEFAULT_WRAPPER, url: null, apply: false, grace: null, crontabs: [], listTimers: '', units: new Map() };
  let current: { kind: 'timers' } | { kind: 'unit'; name: string } | { kind: 'crontab'; tab: SentCrontab } | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current?.kind === 'timers') l.listTimers = buf.join('\n');
    else if (current?.kind === 'unit') l.units.set(current.name, buf.join('\n'));
    else if (current?.kind === 'crontab') {
      current.tab.text = buf.join('\n');
      l.crontabs.push(current.tab);
    }
    buf = [];
  };
  const lines = text.split('\n');
  const head = /^#lubdub-discover((?:[ \t]+[a-z]+=\S*)*)[ \t]*\r?$/.exec(lines[0] ?? '');
  if (!head) return { error: 'not a lubdub-run discovery listing' };
  for (const [, k, v] of head[1].matchAll(/([a-z]+)=(\S*)/g)) {
    if (k === 'tz' && isValidTimezone(v)) l.tz = v;
    else if (k === 'wrapper' && /^\/[\w./@+-]*$/.test(v)) l.wrapper = v;
    else if (k === 'url') {
      if (!/^https?:\/\/[^/?#\s]+(\/[\w.~%-]+)*\/ping\/[\w-]+$/.test(v)) return { error: 'url must be the ping key URL, http(s)://<host>/ping/<ping-key>' };
      l.url = v;
    } else if (k === 'apply') l.apply = v === '1';
    else if (k === 'grace') {
      if (!/^\d{1,9}$/.test(v)) return { error: 'grace must be whole seconds' };
      l.grace = Number(v);
    }
  }
  for (const line of lines.slice(1)) {
    const sec = /^#section (list-timers|unit ([\w@.:-]+)|crontab (user|system) ([^\r]+))\r?$/.exec(line);
    if (sec) {
      flush();
      if (sec[2]) current = { kind: 'unit', name: sec[2] };
      else if (sec[3]) current = { kind: 'crontab', tab: { system: sec[3] === 'system', source: sec[4], text: '' } };
      else current = { kind: 'timers' };
      continue;
    }
    if (current) buf.push(line);
  }
  flush();
  return l;
}

/** A cron job discovery suggests a check for. */
export interface FoundJob {
  slug: string;
  schedule: string;
  tz: string;
  grace: number;
  source: string;
  user: string | null;
  command: string;
  /** why no check can be made of it (a schedule croner refuses, an unknown zone) */
  invalid: string | null;
}

type Item = { job: FoundJob } | { wrapped: string; source: string };

/** The crontab jobs of a listing, in order, with their slugs (unique, `used` collects them). */
export function findJobs(l: Listing, used: Set<string>): Item[] {
  const out: Item[] = [];
  for (const tab of l.crontabs) {
    for (const e of parseCrontab(tab.text, tab.system, l.tz)) {
      if (e.kind === 'wrapped') {
        out.push({ wrapped: e.command, source: tab.source });
        continue;
      }
      const grace = l.grace ?? suggestGrace(e.schedule);
      const slug = uniqueSlug(jobName(e.command), used);
      const err = checkInputError({ schedule: e.schedule, tz: e.tz, grace } satisfies CheckInput);
      out.push({ job: { slug, schedule: e.schedule, tz: e.tz, grace, source: tab.source, user: e.user, command: e.command, invalid: err && `invalid ${err}` } });
    }
  }
  return out;
}

/** What became of a job's check: the receiver's answer to its creating ping. */
export interface Outcome {
  status: number;
  text: string;
}

/**
 * What discovery says about the systemd timers of a listing: per timer its schedule as cron
 * (or why it has none), the service it starts, and two ways to report it to the check
 * `<keyUrl>/<slug>`: the wrapped `ExecStart=` line, or an `ExecStopPost=` line.
 */
export function describeTimers(l: Listing, keyUrl: string, used: Set<string>): { text: string; count: number } {
  const timers = parseListTimers(l.listTimers);
  const out: string[] = [];
  for (const t of timers) {
    const slug = uniqueSlug(discoverySlug(t.unit.replace(/\.timer$/, '')) || 'timer', used);
    const timerUnit = l.units.get(t.unit) ?? '';
    const service = unitValues(timerUnit, 'Unit')[0] ?? t.activates;
    const cal = unitValues(timerUnit, 'OnCalendar');
    const exec = unitValues(l.units.get(service) ?? '', 'ExecStart');
    out.push(`timer: ${t.unit}`);
    let create = 'create=1';
    if (cal.length === 0) out.push('  schedule: none (no OnCalendar=, e.g. OnBootSec=/OnUnitActiveSec=): watch it with a period instead');
    else if (cal.length > 1) out.push(`  schedule: none (${cal.length} OnCalendar= lines): one check per line, or a period`);
    else {
      const c = onCalendarToCron(cal[0]);
      if ('error' in c) out.push(`  schedule: none (OnCalendar=${cal[0]}: ${c.error})`);
      else {
        const grace = l.grace ?? suggestGrace(c.cron);
        const tz = c.tz ?? l.tz;
        create += `&schedule=${encodeURIComponent(c.cron)}&tz=${encodeURIComponent(tz)}&grace=${grace}`;
        out.push(`  schedule: ${c.cron}`, `  timezone: ${tz}`, `  grace:    ${grace} s`, `  from:     OnCalendar=${cal[0]}`);
      }
    }
    const url = `${keyUrl}/${slug}`;
    out.push(`  runs:     ${service}${exec.length ? `: ${exec[exec.length - 1]}` : ''}`);
    out.push(`  create:   ${url}?${create}`);
    if (exec.length === 1) {
      // systemd strips a leading - @ : + ! from ExecStart: the wrapper goes after them
      const m = /^([-@:+!]*)(.*)$/.exec(exec[0])!;
      out.push(`  wrap:     ExecStart=${m[1]}${l.wrapper} ${url} -- ${m[2]}`);
    }
    // $$ is a literal $ for the shell in a unit file; systemd sets EXIT_STATUS for ExecStopPost.
    out.push(`  or add:   ExecStopPost=/bin/sh -c ${shellQuote(`curl -fsS -m 10 --retry 3 ${url}/$\${EXIT_STATUS:-0}`).replace(/\$\{/g, '$${')}`);
    out.push('');
  }
  return { text: out.length ? out.join('\n') + '\n' : '', count: timers.length };
}

/**
 * The answer lubdub-run prints: a block per cron job (with `outcomes`, what became of its
 * check), the timers, then how to apply (preview) or the wrapped crontab lines (apply).
 * `jobUrl` is the ping key URL the crontab lines report to; `timerUrl` the timers'.
 */
export function describeDiscovery(
  l: Listing,
  items: Item[],
  timers: { text: string; count: number },
  urls: { jobs: string; timers: string },
  outcomes: Map<string, Outcome> | null,
): { text: string; failed: number } {
  const out: string[] = [];
  const wrapped: string[] = [];
  let failed = 0;
  let found = 0;
  let header: string | null = null;
  let wtz = l.tz;
  for (const it of items) {
    if ('wrapped' in it) {
      out.push(`# already wrapped (${it.source}): ${it.wrapped}`, '');
      continue;
    }
    const j = it.job;
    found++;
    const b = `${urls.jobs}/${j.slug}`;
    out.push(
      `check: ${j.slug}`,
      `  schedule: ${j.schedule}`,
      `  timezone: ${j.tz}`,
      `  grace:    ${j.grace} s`,
      `  from:     ${j.source}${j.user ? ` (user ${j.user})` : ''}`,
      `  command:  ${j.command}`,
    );
    if (!outcomes) {
      if (j.invalid) out.push(`  invalid:  ${j.invalid}`);
      out.push('');
      continue;
    }
    const o: Outcome = j.invalid ? { status: 400, text: j.invalid } : (outcomes.get(j.slug) ?? { status: 500, text: 'not created' });
    if (o.status === 201) out.push(`  created:  ${b}`);
    else if (o.status === 200) out.push(`  exists:   ${b} (its schedule was left as it is)`);
    else {
      out.push(j.invalid ? `  FAILED:   ${j.invalid}` : `  FAILED:   HTTP ${o.status} ${o.text.split('\n')[0].slice(0, 80)}`, '');
      failed++;
      continue;
    }
    if (header !== j.source) {
      wrapped.push(`# ${j.source}`);
      header = j.source;
      wtz = l.tz;
    }
    // A CRON_TZ line holds for the lines after it, as in the crontab the job came from.
    if (j.tz !== wtz) {
      wrapped.push(`CRON_TZ=${j.tz}`);
      wtz = j.tz;
    }
    if (hasRawPercent(j.command)) wrapped.push(`# ${j.slug}: wrap by hand, its % lines go to stdin: ${j.command}`);
    else wrapped.push(`${j.schedule} ${j.user ? `${j.user} ` : ''}${l.wrapper} ${b} -- ${wrappedArgv(j.command)}`);
    out.push('');
  }
  let text = out.length ? out.join('\n') + '\n' : '';
  text += timers.text;
  if (found === 0 && timers.count === 0) text += 'No cron jobs found.\n';
  else if (!outcomes) text += `To create these checks and get the wrapped lines: lubdub-run --discover --apply ${urls.jobs}\n`;
  else if (wrapped.length) text += `# Wrapped lines: replace the jobs above with these (crontab -e, or the file named).\n${wrapped.join('\n')}\n`;
  return { text, failed };
}

/** What the discovery route needs: the ping key and base, and the ingest queue that creates checks. */
export interface DiscoveryDeps {
  pingKey: () => string;
  pingBase: () => string;
  ingest: Pick<IngestQueue, 'submit'>;
  clock: Clock;
}

/**
 * Creates a job's check as a slug ping with `?create=1` does (the same queue, the same
 * writer): a log ping that says where the job was found; an existing check is left as it is.
 */
async function createCheck(deps: DiscoveryDeps, req: FastifyRequest, key: string, j: FoundJob): Promise<Outcome> {
  const now = deps.clock.now();
  const body = Buffer.from(`created by lubdub-run --discover from ${j.source}\n`, 'utf8');
  const r = await deps.ingest.submit({
    target: { by: 'slug', pingKey: key, slug: j.slug },
    action: 'log',
    explicit: true,
    exitStatus: null,
    rid: null,
    at: now,
    received: now,
    method: 'POST',
    scheme: req.protocol,
    remoteAddr: req.ip ?? '',
    ua: String(req.headers['user-agent'] ?? ''),
    body,
    bodySize: body.length,
    create: { schedule: j.schedule, tz: j.tz, grace: j.grace },
    extra: null,
  });
  return { status: r.status, text: r.text };
}

/**
 * `POST /discover/<ping-key>`: the raw listings in, the suggestions out, as plain text; with
 * `apply=1` the checks are created and the wrapped lines follow. A wrong key is 401, a listing
 * that cannot be read 400, one over the ping body limit 413: none of them creates anything.
 */
export function discoveryRoute(deps: DiscoveryDeps) {
  return (app: FastifyInstance) => {
    app.post<{ Params: { key: string } }>(DISCOVER_PATH, async (req, reply) => {
      reply.header('content-type', 'text/plain; charset=utf-8');
      const key = req.params.key;
      if (key !== deps.pingKey()) return reply.code(401).send('wrong ping key\n');
      // The ping port's parser keeps at most the ping body limit: a longer listing is refused, not read in part.
      const got = req.body as PingBody | undefined;
      if (got && got.size > got.kept.length) return reply.code(413).send('listing longer than the ping body limit\n');
      const l = readListing(got ? got.kept.toString('utf8') : '');
      if ('error' in l) return reply.code(400).send(`${l.error}\n`);
      const keyUrl = `${deps.pingBase()}/ping/${key}`;
      if (l.url && !l.url.endsWith(`/ping/${key}`)) return reply.code(400).send('url names another ping key\n');
      const used = new Set<string>();
      const items = findJobs(l, used);
      const timers = describeTimers(l, keyUrl, used);
      let outcomes: Map<string, Outcome> | null = null;
      if (l.apply) {
        const jobs = items.flatMap((it) => ('job' in it && !it.job.invalid ? [it.job] : []));
        const done = await Promise.all(jobs.map((j) => createCheck(deps, req, key, j)));
        outcomes = new Map(jobs.map((j, i) => [j.slug, done[i]]));
      }
      const r = describeDiscovery(l, items, timers, { jobs: l.url ?? keyUrl, timers: keyUrl }, outcomes);
      return reply.code(200).header(FAILED_HEADER, String(r.failed)).send(r.text);
    });
  };
}
