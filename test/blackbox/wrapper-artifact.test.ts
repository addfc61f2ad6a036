import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_PRESETS } from '../../shared/domain/assertions.js';
import { createCheck, serve, tempDir, type Served } from '../helpers/serve.js';
import { COMBOS, runWrapper } from '../helpers/wrapper.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
});

const get = async (uuid: string) => (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;
const lastEnd = async (uuid: string) => {
  const j = (await (await s.api(`/api/v3/checks/${uuid}/pings/`)).json()) as { pings: Record<string, any>[] };
  return j.pings.find((p) => p.type === 'success' || p.type === 'fail')!;
};
const preset = (id: string) => ASSERTION_PRESETS.find((p) => p.id === id)!.assertions;

// dash and BusyBox sh, with curl and with BusyBox applets only (no cksum there: size and mtime)
const SHELLS = COMBOS.filter((c) => !c.name.startsWith('bash'));

describe.each(SHELLS)('lubdub-run --artifact under $name', (combo) => {
  it('reports size, age and change; an unchanged artifact fails the "must change" preset with its reason', async () => {
    const dir = tempDir('lubdub-artifact-');
    const state = tempDir('lubdub-state-');
    const dump = path.join(dir, 'db.dump');
    const c = await createCheck(s, { name: `dump ${combo.name}`, timeout: 86400, grace: 3600, assertions: preset('artifact-changes') });
    const run = (job: string) => runWrapper(combo, [`${s.pingUrl}/ping/${c.uuid}`, '--artifact', dump, '--', 'sh', '-c', job], { stateDir: state, env: { DUMP: dump } });

    // the file is older than the run: its age is measured from its modification time
    fs.writeFileSync(dump, 'version 1\n');
    fs.utimesSync(dump, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect((await run('printf "version 2 longer\\n" > "$DUMP"')).code).toBe(0);
    let end = await lastEnd(c.uuid);
    expect(end.type).toBe('success');
    expect(end.metrics).toMatchObject({ artifact_bytes: 17, artifact_changed: 1 });
    expect(end.metrics.artifact_age_seconds).toBeGreaterThanOrEqual(0);
    expect(end.metrics.artifact_age_seconds).toBeLessThan(60);

    // the job "succeeds" without touching the dump
    const same = await run('echo nothing to do');
    expect(same.code).toBe(0);
    end = await lastEnd(c.uuid);
    expect(end.type).toBe('fail');
    expect(end.metrics).toMatchObject({ artifact_bytes: 17, artifact_changed: 0 });
    expect(end.assertion_failed).toBe('the artifact did not change since the last run (artifact_changed == 1)');
    expect(await get(c.uuid)).toMatchObject({ status: 'down', down_reason: expect.stringContaining('the artifact did not change since the last run') });

    // a missing artifact is reported as 0 bytes, unchanged, with a warning
    fs.rmSync(dump);
    const gone = await run('true');
    expect(gone.stderr).toContain(`artifact ${dump} is not a readable file`);
    end = await lastEnd(c.uuid);
    expect(end.metrics).toMatchObject({ artifact_bytes: 0, artifact_changed: 0 });
    expect(end.metrics.artifact_age_seconds).toBeUndefined();

    expect((await run('printf "version 3\\n" > "$DUMP"')).code).toBe(0);
    expect((await lastEnd(c.uuid)).metrics).toMatchObject({ artifact_bytes: 10, artifact_changed: 1 });
    expect((await get(c.uuid)).status).toBe('up');
    // what is remembered sits in the private state directory, nowhere else
    const spool = path.join(state, 'lubdub', 'spool');
    expect(fs.statSync(spool).mode & 0o077).toBe(0);
    expect(fs.readdirSync(spool).filter((f) => f.startsWith('.artifact-'))).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });
});

describe('the "usual size" preset', () => {
  it('fails a run whose artifact is under half the median of the last 5', async () => {
    const dir = tempDir('lubdub-artifact-');
    const state = tempDir('lubdub-state-');
    const file = path.join(dir, 'photos.tar');
    const c = await createCheck(s, { name: 'archive size', timeout: 86400, grace: 3600, assertions: preset('artifact-usual-size') });
    const run = (bytes: number) =>
      runWrapper(COMBOS[0], [`${s.pingUrl}/ping/${c.uuid}`, '--artifact', file, '--', 'sh', '-c', `head -c ${bytes} /dev/zero > "$F"`], { stateDir: state, env: { F: file } });
    for (const n of [1000, 1100, 900, 1000, 1050]) await run(n);
    expect((await get(c.uuid)).status).toBe('up');
    await run(400);
    const end = await lastEnd(c.uuid);
    expect(end.type).toBe('fail');
    expect(end.assertion_failed).toBe('the artifact is 400 B, usually 1000 B (artifact_bytes >= 50% of median(5))');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });
});
