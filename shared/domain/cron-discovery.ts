/**
 * The rules of cron discovery (`lubdub-run --discover`): which crontab lines are jobs, what
 * schedule and zone each runs on, the check name it gets, its suggested grace, and how the
 * command is wrapped. The wrapper only sends the raw crontabs; the service reads them here.
 */

/** Grace by how often a job runs: several times an hour 5 min, hourly 15 min, else 1 h. */
export function suggestGrace(cron: string): number {
  const [minute, hour] = cron.split(' ');
  if (!/^\d+$/.test(minute)) return 300;
  if (!/^\d+$/.test(hour ?? '')) return 900;
  return 3600;
}

/** Longest slug discovery suggests: short enough to read in a crontab line. */
const SLUG_MAX = 60;

/** A check slug from a job or timer name: lowercase, other runs of characters a dash. */
export function discoverySlug(name: string): string {
  // ASCII only: a non-ASCII letter becomes a dash, never a lowercase look-alike
  return name
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX);
}

// Words before the program that does the work: env assignments, options, numbers (nice -n 10)
// and launchers; after them, a segment led by one of SKIP_PROGRAMS names no job.
const LAUNCHERS = /^(.*=.*|nice|ionice|sudo|env|exec|nohup|flock|timeout|chronic|-.*|sh|bash|dash|ash|python.*|perl|php|node|ruby|run-parts|\/bin\/sh|\/bin\/bash|\/usr\/bin\/.*python.*|\/usr\/bin\/run-parts|[0-9].*)$/s;
const SKIP_PROGRAMS = new Set(['cd', 'test', '[', 'echo', 'true', 'sleep', '[[', ':']);

/**
 * A check slug from a cron command: the first program that does the work, skipping `cd`,
 * `test`, env assignments and launchers such as nice, sudo, sh or run-parts; `job` when
 * none is found. A script's .sh/.py/.pl suffix is dropped.
 */
export function jobName(command: string): string {
  const c = command
    .replace(/2>&1/g, '')
    .replace(/>[^ ]*/g, '')
    .replace(/&&/g, ';')
    .replace(/\|\|/g, ';')
    .replace(/[|()]/g, ';');
  let name = '';
  for (const seg of c.split(';')) {
    const words = seg.split(/[ \t\n]+/).filter(Boolean);
    let i = 0;
    while (i < words.length && LAUNCHERS.test(words[i])) i++;
    const w = words[i] ?? '';
    if (w === '' || SKIP_PROGRAMS.has(w)) continue;
    name = w.slice(w.lastIndexOf('/') + 1);
    break;
  }
  for (const ext of ['.sh', '.py', '.pl']) if (name.endsWith(ext)) name = name.slice(0, -ext.length);
  return discoverySlug(name) || 'job';
}

/** `name`, or `name-2`, `name-3`… : the first not in `used`, which then holds it. */
export function uniqueSlug(base: string, used: Set<string>): string {
  let slug = base;
  for (let k = 2; used.has(slug); k++) slug = `${base}-${k}`;
  used.add(slug);
  return slug;
}

/**
 * The cron command as arguments for lubdub-run: plain words stay as they are, anything the
 * shell would interpret (&&, pipes, redirections, quotes, $) runs under `sh -c '…'`.
 */
export function wrappedArgv(command: string): string {
  if (!/[^A-Za-z0-9 _./:,@+-]/.test(command)) return command;
  return `sh -c '${command.replace(/'/g, "'\\''")}'`;
}

/** An unescaped % feeds cron's stdin: no quoting the wrapper adds would survive it. */
export function hasRawPercent(command: string): boolean {
  return command.replace(/\\%/g, '').includes('%');
}

/** What a crontab line amounts to for discovery. */
export type CrontabEntry =
  | { kind: 'job'; schedule: string; tz: string; user: string | null; command: string }
  | { kind: 'wrapped'; command: string };

const SHORTCUTS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The zone of a CRON_TZ= or TZ= line: quotes and a leading `:` removed; '' when empty. */
function zoneValue(v: string): string {
  let z = v.replace(/^[ \t]+|[ \t]+$/g, '');
  z = z.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
  return z.replace(/^:/, '');
}

/**
 * The jobs of one crontab, as cron reads it: a system crontab (/etc/crontab, /etc/cron.d/*)
 * has a user field after the schedule. CRON_TZ= and TZ= lines set the zone of the lines after
 * them (`tz` before any); other environment lines, comments, @reboot and unknown @words are
 * skipped; a job already run through lubdub-run is returned as `wrapped`. The command is the
 * rest of the line with its spacing and quoting as cron sees it.
 */
export function parseCrontab(text: string, system: boolean, tz: string): CrontabEntry[] {
  const out: CrontabEntry[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const env = /^(CRON_TZ|TZ)([ \t][^=]*)?=(.*)$/s.exec(line);
    if (env) {
      const z = zoneValue(env[3]);
      if (z) tz = z;
      continue;
    }
    if (/^[A-Za-z_]/.test(line) || line.startsWith('@reboot')) continue;
    const fields = line.split(/[ \t\n]+/).filter(Boolean);
    let schedule: string;
    let nf: number;
    if (fields[0].startsWith('@')) {
      const s = SHORTCUTS[fields[0]];
      if (!s) continue;
      schedule = s;
      nf = 1;
    } else {
      if (fields.length < 6) continue;
      schedule = fields.slice(0, 5).join(' ');
      nf = 5;
    }
    let user: string | null = null;
    if (system) {
      if (fields.length <= nf + 1) continue;
      user = fields[nf];
      nf++;
    }
    let command = line;
    for (let i = 0; i < nf; i++) command = command.replace(/^[^ \t]*[ \t]*/, '');
    if (!command) continue;
    if (command.includes('lubdub-run')) out.push({ kind: 'wrapped', command });
    else out.push({ kind: 'job', schedule, tz, user, command });
  }
  return out;
}
