import type { FastifyInstance } from 'fastify';
import { slugify } from '../../../shared/api/check-input.js';
import { isValidTimezone } from '../../../shared/domain/schedule.js';
import { onCalendarToCron, parseListTimers, unitValues } from '../../../shared/domain/systemd-timers.js';
import { shellQuote } from '../../../shared/security/quote.js';
import type { PingBody } from '../receiver/body.js';

/** Where lubdub-run sends what it found: `POST /discover/<ping-key>` on the ping port. */
export const DISCOVER_PATH = '/discover/:key';

/** Grace by how often a job runs: several times an hour 5 min, hourly 15 min, else 1 h (as for cron jobs). */
export function suggestGrace(cron: string): number {
  const [minute, hour] = cron.split(' ');
  if (!/^\d+$/.test(minute)) return 300;
  if (!/^\d+$/.test(hour)) return 900;
  return 3600;
}

/**
 * The listings lubdub-run sends, as sections: a header line
 * `#lubdub-discover tz=<zone> wrapper=<path>`, then `#section list-timers` (the output of
 * `systemctl list-timers --all`) and `#section unit <name>` (`systemctl cat <name>`) each.
 */
export function readListing(text: string): { tz: string; wrapper: string; listTimers: string; units: Map<string, string> } {
  const units = new Map<string, string>();
  let tz = 'UTC';
  let wrapper = '/usr/local/bin/lubdub-run';
  let listTimers = '';
  let current: string | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current === 'list-timers') listTimers = buf.join('\n');
    else if (current) units.set(current, buf.join('\n'));
    buf = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const head = /^#lubdub-discover\s+tz=(\S*)\s+wrapper=(\S*)\s*$/.exec(line);
    if (head) {
      if (isValidTimezone(head[1])) tz = head[1];
      if (/^\/[\w./@+-]*$/.test(head[2])) wrapper = head[2];
      continue;
    }
    const sec = /^#section (list-timers|unit ([\w@.:-]+))\s*$/.exec(line);
    if (sec) {
      flush();
      current = sec[2] ?? 'list-timers';
      continue;
    }
    if (current) buf.push(line);
  }
  flush();
  return { tz, wrapper, listTimers, units };
}

/**
 * What discovery says about the systemd timers of a listing: per timer its schedule as cron
 * (or why it has none), the service it starts, and two ways to report it to the check
 * `<keyUrl>/<slug>`: the wrapped `ExecStart=` line, or an `ExecStopPost=` line.
 */
export function describeTimers(listing: string, keyUrl: string): string {
  const { tz, wrapper, listTimers, units } = readListing(listing);
  const timers = parseListTimers(listTimers);
  if (timers.length === 0) return 'No systemd timers found.\n';
  const out: string[] = [];
  const used = new Set<string>();
  for (const t of timers) {
    const base = slugify(t.unit.replace(/\.timer$/, '').replace(/[@.:]/g, '-')) || 'timer';
    let slug = base;
    for (let k = 2; used.has(slug); k++) slug = `${base}-${k}`;
    used.add(slug);
    const timerUnit = units.get(t.unit) ?? '';
    const service = unitValues(timerUnit, 'Unit')[0] ?? t.activates;
    const cal = unitValues(timerUnit, 'OnCalendar');
    const exec = unitValues(units.get(service) ?? '', 'ExecStart');
    out.push(`timer: ${t.unit}`);
    let create = 'create=1';
    if (cal.length === 0) out.push('  schedule: none (no OnCalendar=, e.g. OnBootSec=/OnUnitActiveSec=): watch it with a period instead');
    else if (cal.length > 1) out.push(`  schedule: none (${cal.length} OnCalendar= lines): one check per line, or a period`);
    else {
      const c = onCalendarToCron(cal[0]);
      if ('error' in c) out.push(`  schedule: none (OnCalendar=${cal[0]}: ${c.error})`);
      else {
        const grace = suggestGrace(c.cron);
        create += `&schedule=${encodeURIComponent(c.cron)}&tz=${encodeURIComponent(c.tz ?? tz)}&grace=${grace}`;
        out.push(`  schedule: ${c.cron}`, `  timezone: ${c.tz ?? tz}`, `  grace:    ${grace} s`, `  from:     OnCalendar=${cal[0]}`);
      }
    }
    const url = `${keyUrl}/${slug}`;
    out.push(`  runs:     ${service}${exec.length ? `: ${exec[exec.length - 1]}` : ''}`);
    out.push(`  create:   ${url}?${create}`);
    if (exec.length === 1) {
      // systemd strips a leading - @ : + ! from ExecStart: the wrapper goes after them
      const m = /^([-@:+!]*)(.*)$/.exec(exec[0])!;
      out.push(`  wrap:     ExecStart=${m[1]}${wrapper} ${url} -- ${m[2]}`);
    }
    // $$ is a literal $ for the shell in a unit file; systemd sets EXIT_STATUS for ExecStopPost.
    out.push(`  or add:   ExecStopPost=/bin/sh -c ${shellQuote(`curl -fsS -m 10 --retry 3 ${url}/$\${EXIT_STATUS:-0}`).replace(/\$\{/g, '$${')}`);
    out.push('');
  }
  return out.join('\n') + '\n';
}

/** `POST /discover/<ping-key>`: the listing in, the suggestions out, as plain text; a wrong key is 401. */
export function discoveryRoute(deps: { pingKey: () => string; pingBase: () => string }) {
  return (app: FastifyInstance) => {
    app.post<{ Params: { key: string } }>(DISCOVER_PATH, async (req, reply) => {
      reply.header('content-type', 'text/plain; charset=utf-8');
      if (req.params.key !== deps.pingKey()) return reply.code(401).send('wrong ping key\n');
      // The ping port's parser keeps at most the ping body limit: a longer listing is refused, not read in part.
      const got = req.body as PingBody | undefined;
      if (got && got.size > got.kept.length) return reply.code(413).send('listing longer than the ping body limit\n');
      const body = got ? got.kept.toString('utf8') : '';
      if (!body.startsWith('#lubdub-discover ')) return reply.code(400).send('not a lubdub-run discovery listing\n');
      return reply.code(200).send(describeTimers(body, `${deps.pingBase()}/ping/${req.params.key}`));
    });
  };
}
