import { describe, expect, it } from 'vitest';
import { applyPreset, missingSources, presetApplied, silentDraftOf, silentInput } from '../../shared/console/silent.js';
import { ASSERTION_PRESETS } from '../../shared/domain/assertions.js';
import { EXTRACT_PRESETS } from '../../shared/domain/extract.js';

const presets = { extract: EXTRACT_PRESETS, assertions: ASSERTION_PRESETS };
const preset = (id: string) => ASSERTION_PRESETS.find((p) => p.id === id)!;

describe('assertion presets in the editor', () => {
  it('merges a preset without repeating what the check has', () => {
    const d = silentDraftOf({ assertions: ['warnings not rising(5)'], extract: [{ preset: 'warnings' }] });
    const after = applyPreset(d, preset('warnings-not-growing'));
    expect(after).toEqual(d);
    expect(presetApplied(d, preset('warnings-not-growing'))).toBe(true);
    expect(presetApplied(d, preset('runtime-normal'))).toBe(false);
  });

  it('names the metrics nothing produces, with the extraction presets that would', () => {
    const d = applyPreset(silentDraftOf(undefined), preset('backup-writes-data'));
    expect(missingSources(d, presets).map((m) => [m.metric, m.presets.map((p) => p.id)])).toEqual([['written_bytes', ['restic', 'borg', 'rsync']]]);
    expect(missingSources({ ...d, extract: [{ preset: 'borg' }] }, presets)).toEqual([]);
    // a metric the job sends (no preset makes it) and Lubdub's own are not "missing"
    expect(missingSources(applyPreset(silentDraftOf(undefined), preset('pipeline-processes-rows')), presets)).toEqual([]);
    expect(missingSources(silentDraftOf({ assertions: ['duration < 2h', 'bytes > 0'] }), presets)).toEqual([]);
  });

  it('sends trimmed lists without empty rows or default fields', () => {
    expect(
      silentInput({
        assertions: [{ expr: '  rows >= 1 ' }, { expr: '' }, { expr: 'x > 1', message: ' ', missing: 'pass' }],
        extract: [{ preset: 'restic' }, { name: ' rows ', regex: '(\\d+)', mode: 'first', flags: '' }],
      }),
    ).toEqual({ assertions: [{ expr: 'rows >= 1' }, { expr: 'x > 1' }], extract: [{ preset: 'restic' }, { name: 'rows', regex: '(\\d+)' }] });
  });
});
