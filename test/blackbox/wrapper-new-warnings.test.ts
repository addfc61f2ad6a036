import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_PRESETS } from '../../shared/domain/assertions.js';
import { createCheck, serve, type Served } from '../helpers/serve.js';
import { COMBOS, runWrapper } from '../helpers/wrapper.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
});

const lastEnd = async (uuid: string) => {
  const j = (await (await s.api(`/api/v3/checks/${uuid}/pings/`)).json()) as { pings: Record<string, any>[] };
  return j.pings.find((p) => p.type === 'success' || p.type === 'fail')!;
};
const status = async (uuid: string) => ((await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>).status;

describe.each([COMBOS[0], COMBOS[3]])('never-seen warnings through lubdub-run under $name', (combo) => {
  it('a familiar warning passes, a new one fails with the line quoted', async () => {
    const assertions = ASSERTION_PRESETS.find((p) => p.id === 'no-new-warnings')!.assertions;
    const c = await createCheck(s, { name: `photo sync ${combo.name}`, timeout: 86400, grace: 3600, assertions });
    const run = (out: string) => runWrapper(combo, [`${s.pingUrl}/ping/${c.uuid}`, '--', 'sh', '-c', `printf '${out}'`]);

    // the first run has nothing to be compared with
    await run('synced 120 photos\\nwarning: disk /mnt/a 81%% full\\n');
    let end = await lastEnd(c.uuid);
    expect(end.type).toBe('success');
    expect(end.metrics.new_warnings).toBeUndefined();

    // the same warning with other numbers and paths is familiar
    await run('synced 7 photos\\nWARNING: disk /mnt/b 83%% full\\n');
    end = await lastEnd(c.uuid);
    expect(end.type).toBe('success');
    expect(end.metrics.new_warnings).toBe(0);

    await run('synced 9 photos\\nwarning: disk /mnt/a 84%% full\\nerror: checksum mismatch in /data/2024/img_0042.jpg\\n');
    end = await lastEnd(c.uuid);
    expect(end.type).toBe('fail');
    expect(end.metrics.new_warnings).toBe(1);
    expect(end.new_warning_lines).toEqual(['error: checksum mismatch in /data/2024/img_0042.jpg']);
    expect(end.assertion_failed).toBe('never-seen warning: "error: checksum mismatch in /data/2024/img_0042.jpg" (new_warnings == 0)');
    expect(await status(c.uuid)).toBe('down');

    // a failed run never makes its warning familiar
    await run('error: checksum mismatch in /data/2024/img_0043.jpg\\n');
    expect((await lastEnd(c.uuid)).type).toBe('fail');
    await run('synced 3 photos\\n');
    expect(await status(c.uuid)).toBe('up');
  });
});
