import { render } from '@testing-library/react';
import { vi } from 'vitest';
import type { CheckInput } from '../../shared/api/check-input.js';
import type { PresetsReply } from '../../shared/api/silent.js';
import { ASSERTION_PRESETS } from '../../shared/domain/assertions.js';
import { EXTRACT_PRESETS } from '../../shared/domain/extract.js';
import { CheckEditor, timezoneList } from '../../renderer/components/CheckEditor.js';
import { checkJson, NOW } from './fixtures.js';

/** What GET /api/lubdub/presets answers (the service serves these very lists). */
export const PRESETS: PresetsReply = { extract: EXTRACT_PRESETS, assertions: ASSERTION_PRESETS };

/**
 * Renders the check editor at the tests' fixed "now" in Europe/Berlin, with no channels,
 * the real presets and a submit that succeeds; `over` replaces any of those.
 */
export function renderEditor(over: Partial<Parameters<typeof CheckEditor>[0]> = {}) {
  const onSubmit = vi.fn(async (input: CheckInput) => checkJson({ name: String(input.name) }));
  const onSaved = vi.fn();
  render(
    <CheckEditor
      channels={[]}
      presets={PRESETS}
      now={NOW}
      localTz="Europe/Berlin"
      timezones={timezoneList()}
      onSubmit={onSubmit}
      onSaved={onSaved}
      onCancel={() => {}}
      {...over}
    />,
  );
  return { onSubmit, onSaved };
}
