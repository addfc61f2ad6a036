import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheck, serve, tempDir, type Served } from '../helpers/serve.js';
import { busyboxOnlyPath, captureServer, COMBOS, runWrapper, WRAPPER } from '../helpers/wrapper.js';
import { run as runCommand } from '../helpers/run.js';

// A small limit so "output larger than the limit" needs only a few KB.
const BODY_LIMIT = 1000;

let s: Served;
beforeAll(async () => {
  s = await serve({ env: { LUBDUB_PING_BODY_LIMIT: String(BODY_LIMIT) } });
});
afterAll(async () => {
  await s?.stop();
});

async function check(uuid: string): Promise<Record<string, any>> {
  return (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;
}
async function pings(uuid: string): Promise<Record<string, any>[]> {
  const j = (await (await s.api(`/api/v3/checks/${uuid}/pings/`)).json()) as { pings: Record<string, any>[] };
  return j.pings.reverse(); // oldest first
}
async function body(uuid: string, n: number): Promise<Buffer> {
  const r = await s.api(`/api/v3/checks/${uuid}/pings/${n}/body`);
  return r.status === 404 ? Buffer.alloc(0) : Buffer.from(await r.arrayBuffer());
}
const newCheck = async (name: string) => (await createCheck(s, { name, timeout: 3600, grace: 600 })).uuid as string;

describe('GET /wrap.sh on the ping port', () => {
  it('serves the repo script as text/x-shellscript, unauthenticated', async () => {
    const r = await fetch(`${s.pingUrl}/wrap.sh`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/x-shellscript/);
    expect(Buffer.from(await r.arrayBuffer()).equals(fs.readFileSync(WRAPPER))).toBe(true);
  });

  it('installs with the wget line of docs/wrapper.md under BusyBox and runs from the installed copy', async () => {
    const dir = tempDir('lubdub-install-');
    const bin = path.join(dir, 'lubdub-run');
    const uuid = await newCheck('installed');
    const bb = busyboxOnlyPath();
    const install = await runCommand('/usr/bin/busybox', ['sh', '-c', `wget -q -O ${bin} ${s.pingUrl}/wrap.sh && /usr/bin/busybox chmod +x ${bin}`], {
      env: { PATH: bb },
    });
    expect(install.status).toBe(0);
    // run by its #!/bin/sh line, as cron would
    const run = await runCommand(bin, [`${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo installed-ok'], { env: { PATH: bb, HOME: dir } });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('installed-ok\n');
    expect((await check(uuid)).status).toBe('up');
  });

  it('installs with the curl line of docs/wrapper.md', async () => {
    const dir = tempDir('lubdub-install-');
    const bin = path.join(dir, 'lubdub-run');
    const r = await runCommand('/bin/sh', ['-c', `curl -fsS ${s.pingUrl}/wrap.sh -o ${bin} && chmod +x ${bin}`]);
    expect(r.status).toBe(0);
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(bin).equals(fs.readFileSync(WRAPPER))).toBe(true);
  });
});

describe.each(COMBOS)('lubdub-run under $name', (combo) => {
  const ua = combo.client === 'curl' ? '(curl)' : '(bbwget)';

  it('success: passes stdout/stderr through, check up, duration recorded, body holds the output', async () => {
    const uuid = await newCheck(`ok ${combo.name}`);
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo to-stdout; sleep 1; echo to-stderr >&2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('to-stdout\n');
    expect(r.stderr).toBe('to-stderr\n');
    expect((await check(uuid)).status).toBe('up');
    const [start, end] = await pings(uuid);
    expect(start.type).toBe('start');
    expect(end.type).toBe('success');
    expect(end.exitstatus).toBe(0);
    expect(end.rid).toBe(start.rid);
    expect(end.ua).toContain(ua);
    // in seconds, from the start ping: at least the job's sleep (a loaded machine only adds)
    expect(end.duration).toBeGreaterThanOrEqual(1);
    expect(end.duration).toBeLessThan(60);
    const b = (await body(uuid, end.n)).toString();
    expect(b).toContain('to-stdout\n');
    expect(b).toContain('to-stderr\n');
  });

  it('exit 3: check down with exit status 3, the wrapper exits 3', async () => {
    const uuid = await newCheck(`fail ${combo.name}`);
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo disk full >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('disk full\n');
    const c = await check(uuid);
    expect(c.status).toBe('down');
    const end = (await pings(uuid)).at(-1)!;
    expect(end.type).toBe('fail');
    expect(end.exitstatus).toBe(3);
    expect((await body(uuid, end.n)).toString()).toBe('disk full\n');
  });

  it('output larger than Ping-Body-Limit: only its tail is sent, all of it passes through', async () => {
    const uuid = await newCheck(`big ${combo.name}`);
    // 400 numbered lines, ~4.3 KB: well over the 1000-byte limit the service announces
    const job = 'i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo "line $i of the backup log"; done';
    const r = await runWrapper(combo, ['--metric', 'lines=400', `${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', job]);
    expect(r.code).toBe(0);
    const full = Array.from({ length: 400 }, (_, i) => `line ${i + 1} of the backup log\n`).join('');
    expect(r.stdout).toBe(full);
    const end = (await pings(uuid)).at(-1)!;
    // body_size is what arrived: the client cut it, the server did not have to
    expect(end.body_size).toBe(BODY_LIMIT);
    expect((await body(uuid, end.n)).toString()).toBe(full.slice(-BODY_LIMIT));
  });

  it('a job killed by a signal exits 128+n and is reported as that exit status', async () => {
    const uuid = await newCheck(`killed ${combo.name}`);
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo before; kill -9 $$']);
    expect(r.code).toBe(137);
    expect(r.stdout).toBe('before\n');
    const end = (await pings(uuid)).at(-1)!;
    expect(end.exitstatus).toBe(137);
    expect((await check(uuid)).status).toBe('down');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s to the process group ends the job; the wrapper reports %i with the output so far', async (signal, code) => {
    const uuid = await newCheck(`${signal} ${combo.name}`);
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo warn >&2; echo working; exec sleep 20'], {
      // `exec`: the job is one process from the moment it says "working", so the group
      // signal cannot land in a shell's fork-before-exec window and miss the sleep.
      signalGroup: { text: 'working', signal },
    });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('working\n');
    // ended by the signal, before the job's own 20 s sleep would have
    expect(r.ms).toBeLessThan(20_000);
    const end = (await pings(uuid)).at(-1)!;
    expect(end.exitstatus).toBe(code);
    const b = (await body(uuid, end.n)).toString();
    expect(b).toContain('working\n');
    expect(b).toContain('warn\n');
  });

  it('passes stdin to the job and takes the URL from LUBDUB_URL', async () => {
    const uuid = await newCheck(`stdin ${combo.name}`);
    const r = await runWrapper(combo, ['--', 'cat'], { input: 'piped in\n', env: { LUBDUB_URL: `${s.pingUrl}/ping/${uuid}` } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('piped in\n');
    expect((await check(uuid)).status).toBe('up');
  });
});

describe('lubdub-run details', () => {
  const combo = COMBOS[2]; // dash + BusyBox wget only: the smallest toolset

  it('a missing command exits 127 and reports 127', async () => {
    const uuid = await newCheck('missing command');
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'no-such-command-here']);
    expect(r.code).toBe(127);
    expect((await pings(uuid)).at(-1)!.exitstatus).toBe(127);
  });

  it('a shell builtin name is run as a program, never as part of the wrapper', async () => {
    const uuid = await newCheck('builtin name');
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'exit', '0']);
    // `exit` is no program: the wrapper must not exit 0 silently without reporting
    expect(r.code).toBe(127);
    expect((await pings(uuid)).at(-1)!.exitstatus).toBe(127);
  });

  it('a slug URL with ?create=1 creates the check on the first start', async () => {
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/${s.pingKey}/made-by-wrapper?create=1`, '--', 'sh', '-c', 'exit 0']);
    expect(r.code).toBe(0);
    const list = (await (await s.api('/api/v3/checks/?slug=made-by-wrapper')).json()) as { checks: Record<string, any>[] };
    expect(list.checks).toHaveLength(1);
    expect(list.checks[0].status).toBe('up');
    expect(list.checks[0].n_pings).toBe(2);
  });

  it('a refused URL (404) is reported on stderr, not spooled, and the job still runs', async () => {
    const state = tempDir('lubdub-state-');
    const r = await runWrapper(combo, [`${s.pingUrl}/ping/00000000-0000-4000-8000-000000000000`, '--', 'sh', '-c', 'echo ran; exit 2'], {
      stateDir: state,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('ran\n');
    expect(r.stderr).toMatch(/ping refused \(HTTP 404/);
    expect(fs.existsSync(path.join(state, 'lubdub', 'spool'))).toBe(false);
  });

  it('without any URL the job runs unmonitored with a warning', async () => {
    const r = await runWrapper(combo, ['--', 'sh', '-c', 'echo alone; exit 4']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('alone\n');
    expect(r.stderr).toMatch(/no ping URL/);
  });

  it('--metric name=value goes on the end ping as ?metric=name:value, percent-encoded', async () => {
    const cap = await captureServer();
    try {
      const r = await runWrapper(combo, ['--metric', 'bytes=0', '--metric=note=a b&c', `${cap.url}/ping/abc`, '--', 'sh', '-c', 'exit 0']);
      expect(r.code).toBe(0);
      expect(cap.requests.map((q) => q.method)).toEqual(['POST', 'POST']);
      expect(cap.requests[0].url).toMatch(/^\/ping\/abc\/start\?rid=[0-9a-f-]{36}$/);
      // the counts of the (empty) output come first, so a --metric of the same name wins
      expect(cap.requests[1].url).toMatch(
        /^\/ping\/abc\/0\?rid=[0-9a-f-]{36}&metric=output_bytes:0&metric=lines:0&metric=warnings:0&metric=errors:0&metric=bytes:0&metric=note:a%20b%26c$/,
      );
    } finally {
      await cap.close();
    }
  });

  it('the receiver accepts ?metric= on a real check (silent-failure assertions read it)', async () => {
    const uuid = await newCheck('metric passthrough');
    const r = await runWrapper(combo, ['--metric', 'bytes=0', `${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'exit 0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect((await check(uuid)).status).toBe('up');
  });

  it('the run id is a fresh UUID v4 each run, made without uuidgen', async () => {
    const cap = await captureServer();
    try {
      await runWrapper(combo, [`${cap.url}/ping/abc`, '--', 'sh', '-c', 'exit 0']);
      await runWrapper(combo, [`${cap.url}/ping/abc`, '--', 'sh', '-c', 'exit 0']);
      const rids = cap.requests.map((q) => /rid=([^&]+)/.exec(q.url)![1]);
      expect(rids[0]).toBe(rids[1]);
      expect(rids[2]).toBe(rids[3]);
      expect(rids[0]).not.toBe(rids[2]);
      for (const rid of rids) expect(rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      await cap.close();
    }
  });
});

/** A restic-like `restic backup` summary that added `added` to the repository. */
function resticOutput(added: string): string {
  return [
    'using parent snapshot 4a8c1f2e',
    `Files:           0 new,     0 changed,  1023 unmodified`,
    'Dirs:            0 new,     0 changed,   120 unmodified',
    `Added to the repository: ${added} (${added} stored)`,
    '',
    'processed 1023 files, 15.320 MiB in 0:01',
    'snapshot 8f2d1a3b saved',
    '',
  ].join('\n');
}

// dash + curl, and a PATH of BusyBox applets only under both of its shells' neighbours
describe.each([COMBOS[0], COMBOS[2], COMBOS[3]])('lubdub-run sends metrics by itself, under $name', (combo) => {
  it('counts the output (bytes, lines, warn and error lines of stdout and stderr) and sends it with --metric and LUBDUB_METRICS ones', async () => {
    const uuid = await newCheck(`counted ${combo.name}`);
    // 3 lines on stdout, the last without a newline; 2 on stderr; "warn"/"error" in any case
    const job = [
      'echo "copied 12 files"',
      'echo "WARNING: disk 91% full"',
      'echo "Error: one file vanished, warnings follow" >&2',
      'echo "warn: retrying" >&2',
      'printf "done"',
      'echo "rows=5000" >>"$LUBDUB_METRICS"',
      'echo "written_bytes=1.5MiB" >>"$LUBDUB_METRICS"',
    ].join('; ');
    const r = await runWrapper(combo, ['--metric', 'queued=7', `${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', job]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Error: one file vanished, warnings follow\nwarn: retrying\n');
    const end = (await pings(uuid)).at(-1)!;
    expect(end.type).toBe('success');
    const outputBytes = Buffer.byteLength('copied 12 files\nWARNING: disk 91% full\ndone') + Buffer.byteLength(r.stderr);
    expect(end.metrics).toMatchObject({
      output_bytes: outputBytes,
      lines: 5,
      warnings: 3,
      errors: 1,
      queued: 7,
      rows: 5000,
      written_bytes: 1.5 * 1024 * 1024,
      bytes: outputBytes,
    });
  });

  it('a --metric or LUBDUB_METRICS line of the same name overrides the count', async () => {
    const uuid = await newCheck(`override ${combo.name}`);
    const r = await runWrapper(combo, ['--metric', 'warnings=0', `${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo warn; echo warn; echo errors=9 >>"$LUBDUB_METRICS"']);
    expect(r.code).toBe(0);
    expect((await pings(uuid)).at(-1)!.metrics).toMatchObject({ warnings: 0, errors: 9, lines: 2 });
  });

  it('a wrapped restic whose output says "Added to the repository: 0 B" turns a restic-preset check down with the reason', async () => {
    const { uuid } = await createCheck(s, {
      name: `restic ${combo.name}`,
      timeout: 86400,
      grace: 3600,
      extract: [{ preset: 'restic' }],
      assertions: [{ expr: 'written_bytes > 0', message: 'backup wrote {value}' }],
    });
    const backup = (added: string) => runWrapper(combo, [`${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', `printf '%s' "$1"`, 'restic', resticOutput(added)]);
    // no false alarm first: a run that added data
    expect((await backup('1.234 MiB')).code).toBe(0);
    expect((await check(uuid)).status).toBe('up');

    const r = await backup('0 B');
    // the job's own exit status is kept: Lubdub judges the run, the wrapper does not
    expect(r.code).toBe(0);
    const c = await check(uuid);
    expect(c.status).toBe('down');
    expect(c.down_reason).toBe('backup wrote 0 B (written_bytes > 0)');
    const end = (await pings(uuid)).at(-1)!;
    expect(end.type).toBe('fail');
    expect(end.exitstatus).toBe(0);
    expect(end.assertion_failed).toBe('backup wrote 0 B (written_bytes > 0)');
    expect(end.metrics).toMatchObject({ written_bytes: 0, lines: 7, errors: 0 });
  });
});

describe('lubdub-run metrics, edge cases', () => {
  const combo = COMBOS[2]; // dash + BusyBox wget only

  it('a metric the receiver refuses costs the metrics, not the run: the result is sent again without them', async () => {
    const uuid = await newCheck('refused metric');
    const r = await runWrapper(combo, ['--metric', 'rows=lots', `${s.pingUrl}/ping/${uuid}`, '--', 'sh', '-c', 'echo ok']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ping refused \(HTTP 400/);
    expect(r.stderr).toMatch(/sending the result without metrics/);
    const end = (await pings(uuid)).at(-1)!;
    expect(end.type).toBe('success');
    expect(end.metrics).toBeUndefined();
    expect((await check(uuid)).status).toBe('up');
  });

  it('LUBDUB_METRICS lines that are not name=number are skipped with a warning', async () => {
    const cap = await captureServer();
    try {
      const job = 'printf "%s\\n" "# comment" "rows=12" "bad name=1" "1st=2" "size=12 MB" "novalue" "ok_2=3.5" >"$LUBDUB_METRICS"';
      const r = await runWrapper(combo, [`${cap.url}/ping/abc`, '--', 'sh', '-c', job]);
      expect(r.code).toBe(0);
      expect(cap.requests[1].url).toMatch(/&metric=errors:0&metric=rows:12&metric=ok_2:3\.5$/);
      expect(r.stderr.trim().split('\n')).toEqual([
        'lubdub-run: LUBDUB_METRICS: bad metric name, skipped: bad name',
        'lubdub-run: LUBDUB_METRICS: bad metric name, skipped: 1st',
        'lubdub-run: LUBDUB_METRICS: size: not a number, skipped: 12 MB',
        'lubdub-run: LUBDUB_METRICS: not name=value, skipped: novalue',
      ]);
    } finally {
      await cap.close();
    }
  });

  it('--no-count sends no output counts (for jobs that stream data through stdout)', async () => {
    const cap = await captureServer();
    try {
      const r = await runWrapper(combo, ['--no-count', '--metric', 'rows=1', `${cap.url}/ping/abc`, '--', 'sh', '-c', 'echo data']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('data\n');
      expect(cap.requests[1].url).toMatch(/^\/ping\/abc\/0\?rid=[0-9a-f-]{36}&metric=rows:1$/);
      expect(cap.requests[1].body).toBe('data\n');
    } finally {
      await cap.close();
    }
  });
});
