import { wrappedCronLine, wrapperInstallLines } from '../api/wrapper.js';
import { powershellQuote, pythonString, shellQuote, systemdArg, systemdText } from '../security/quote.js';

/**
 * Copy-paste snippets that ping a check, one per platform. Pure: the console shows them
 * and the tests run them. Every URL is the check's own ping URL, so pointing an existing
 * healthchecks script at Lubdub is a change of host only. Every interpolated value is
 * quoted for its language (security/quote.ts): a snippet never runs what a value holds.
 */

/** What a snippet needs to know about the check. */
export interface SnippetCheck {
  name: string;
  /** e.g. http://nas.local:8420/ping/<uuid> */
  pingUrl: string;
  kind: 'simple' | 'cron';
  schedule?: string;
  tz?: string;
  /** seconds, simple checks */
  timeout?: number;
  slug?: string;
}

/** One snippet: an id for tabs, a label, the code, and an optional note shown beside it. */
export interface Snippet {
  id: 'crontab' | 'wget' | 'wrapper' | 'shell' | 'powershell' | 'python' | 'systemd';
  label: string;
  code: string;
  note?: string;
}

const CURL = 'curl -fsS -m 10 --retry 5 -o /dev/null';

/** A crontab schedule for a check: its own cron line, or a line that fits a simple period. */
export function crontabSchedule(c: SnippetCheck): string {
  if (c.kind === 'cron' && c.schedule) return c.schedule;
  const t = c.timeout ?? 86400;
  if (t < 3600 && t % 60 === 0 && 3600 % t === 0) return t === 60 ? '* * * * *' : `*/${t / 60} * * * *`;
  if (t < 86400 && t % 3600 === 0 && 86400 % t === 0) return t === 3600 ? '0 * * * *' : `0 */${t / 3600} * * *`;
  if (t === 604800) return '0 3 * * 0';
  return '0 3 * * *';
}

/** The base URL of the ping port (scheme, host and port) from a ping URL. */
export function pingBase(pingUrl: string): string {
  return new URL(pingUrl).origin;
}

function unitName(c: SnippetCheck): string {
  const s = (c.slug || c.name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'job';
}

/** All snippets for a check, in the order the console shows them. */
export function snippets(c: SnippetCheck): Snippet[] {
  const url = c.pingUrl;
  const schedule = crontabSchedule(c);
  const tzNote =
    c.kind === 'cron' && c.tz
      ? `Lubdub expects this schedule in ${c.tz}. cron uses the machine's own timezone; if it differs, add "CRON_TZ=${c.tz}" above the line (cronie) or shift the hours.`
      : c.kind === 'simple'
        ? 'Pick a schedule that pings at least as often as the check\'s period.'
        : undefined;
  const unit = unitName(c);
  // The wrapper's lines come from its own module (shared/api/wrapper.ts), as in the README.
  const install = wrapperInstallLines(pingBase(url));
  const sh = shellQuote;
  return [
    {
      id: 'crontab',
      label: 'crontab + curl',
      code: `${schedule} /path/to/job.sh && ${CURL} ${sh(url)}`,
      note: tzNote,
    },
    {
      id: 'wget',
      label: 'BusyBox wget',
      // BusyBox wget has no --retry or -t: one try with a timeout.
      code: `${schedule} /path/to/job.sh && wget -q -T 10 -O /dev/null ${sh(url)}`,
      note: 'For NAS boxes and routers with BusyBox only (Synology, OpenWrt). BusyBox wget cannot retry.',
    },
    {
      id: 'wrapper',
      label: 'lubdub-run wrapper',
      code:
        `# once, on the job's machine:\n${install.curl}\n# or, with BusyBox wget only:\n${install.wget}\n\n` +
        `# in crontab: start, exit status, duration, output and its counts are reported\n${wrappedCronLine(schedule, url, '/path/to/job.sh')}`,
      note: 'The wrapper sends /start, runs the command, then reports its exit status with the last lines of output and metrics (output_bytes, lines, warnings, errors). Plain POSIX sh: works with dash and BusyBox.',
    },
    {
      id: 'shell',
      label: 'shell (exit status)',
      code: `#!/bin/sh\n${CURL} ${sh(`${url}/start`)}\n/path/to/job.sh\n${CURL} ${sh(`${url}/`)}$?`,
      note: 'A non-zero exit status marks the run as failed; /start lets Lubdub measure how long it ran.',
    },
    {
      id: 'powershell',
      label: 'PowerShell',
      code: `Invoke-RestMethod -TimeoutSec 10 ${powershellQuote(`${url}/start`)}\n& C:\\path\\to\\job.ps1\nInvoke-RestMethod -TimeoutSec 10 (${powershellQuote(`${url}/`)} + $LASTEXITCODE)`,
    },
    {
      id: 'python',
      label: 'Python',
      code: `import urllib.request\n\nurllib.request.urlopen(${pythonString(`${url}/start`)}, timeout=10)\ntry:\n    run_job()\nexcept Exception as e:\n    urllib.request.urlopen(${pythonString(`${url}/fail`)}, data=str(e).encode(), timeout=10)\n    raise\nelse:\n    urllib.request.urlopen(${pythonString(url)}, timeout=10)`,
    },
    {
      id: 'systemd',
      label: 'systemd',
      code:
        `# /etc/systemd/system/${unit}.service\n[Unit]\nDescription=${systemdText(c.name) || unit}\nOnSuccess=${unit}-ping@0.service\nOnFailure=${unit}-ping@fail.service\n\n` +
        `[Service]\nType=oneshot\nExecStartPre=-/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null ${systemdArg(`${url}/start`)}\nExecStart=/path/to/job.sh\n\n` +
        `# /etc/systemd/system/${unit}-ping@.service\n[Unit]\nDescription=Report ${unit} to Lubdub (%i)\n\n` +
        `[Service]\nType=oneshot\nExecStart=/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null ${systemdArg(`${url}/`, '%i')}`,
      note: '"/0" is success and "/fail" a failure, so one template unit serves both. Start it from a .timer as usual.',
    },
  ];
}
