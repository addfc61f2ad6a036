// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CheckInput } from '../../shared/api/check-input.js';
import { ApiFailure, errorField } from '../../renderer/api.js';
import type { EditableCheck } from '../../renderer/components/CheckEditor.js';
import { checkJson } from './fixtures.js';
import { renderEditor } from './render-editor.js';

afterEach(cleanup);

const editor = renderEditor;

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, value: string) => fireEvent.change(input(label), { target: { value } });
const presetButton = (label: string) => screen.getByRole('button', { name: new RegExp(label) }) as HTMLButtonElement;
async function save(onSubmit: ReturnType<typeof renderEditor>['onSubmit'], label = 'Create check'): Promise<CheckInput> {
  fireEvent.click(screen.getByRole('button', { name: label }));
  await waitFor(() => expect(onSubmit).toHaveBeenCalled());
  return onSubmit.mock.calls.at(-1)![0];
}

describe('the assertions editor', () => {
  it('"Backup must write data" adds its assertion, then offers the extraction that produces written_bytes', async () => {
    const { onSubmit } = editor();
    type('Name', 'restic home');
    fireEvent.click(presetButton('Backup must write data'));
    expect(input('Assertion 1').value).toBe('written_bytes > 0');
    expect(input('Reason for assertion 1').value).toBe('backup wrote {value}');
    expect(presetButton('Backup must write data').disabled).toBe(true);

    // nothing reads written_bytes yet: restic, borg and rsync would
    const source = screen.getByTestId('metric-source');
    expect(source.textContent).toContain('Nothing produces written_bytes yet');
    expect(within(source).getAllByRole('button').map((b) => b.textContent)).toEqual(['restic backup', 'BorgBackup', 'rsync --stats']);
    fireEvent.click(within(source).getByRole('button', { name: 'restic backup' }));
    expect(screen.queryByTestId('metric-source')).toBeNull();
    expect(document.querySelector('[data-extract-preset="restic"]')).not.toBeNull();

    const sent = await save(onSubmit);
    expect(sent.assertions).toEqual([{ expr: 'written_bytes > 0', message: 'backup wrote {value}' }]);
    expect(sent.extract).toEqual([{ preset: 'restic' }]);
  });

  it('a preset brings its own extraction, and applying presets never lists a thing twice', async () => {
    const { onSubmit } = editor();
    type('Name', 'report');
    fireEvent.click(presetButton('Warnings must not grow'));
    fireEvent.click(presetButton('Run time must stay normal'));
    // a second click is refused: the preset is in already
    fireEvent.click(presetButton('Warnings must not grow'));
    const sent = await save(onSubmit);
    expect((sent.assertions as { expr: string }[]).map((a) => a.expr)).toEqual(['warnings not rising(5)', 'duration <= 3x median(10)', 'duration >= 20% of median(10)']);
    expect(sent.extract).toEqual([{ preset: 'warnings' }]);
    // duration is Lubdub's own metric: no source to offer
    expect(screen.queryByTestId('metric-source')).toBeNull();
  });

  it('edits assertions and custom extraction rules as lists', async () => {
    const { onSubmit } = editor();
    type('Name', 'etl');
    fireEvent.click(screen.getByRole('button', { name: 'Add an assertion' }));
    type('Assertion 1', ' rows >= 1 ');
    fireEvent.click(screen.getByRole('button', { name: 'Add an assertion' }));
    type('Assertion 2', 'errors == 0');
    fireEvent.click(screen.getByLabelText('A run without this metric fails too', { selector: 'li:nth-child(1) input' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add an assertion' })); // left empty: not sent
    fireEvent.click(screen.getByRole('button', { name: 'Add a custom rule' }));
    type('Metric name 1', 'rows');
    type('Regular expression 1', '^loaded (\\d+) rows');
    fireEvent.change(screen.getByLabelText('Takes'), { target: { value: 'sum' } });
    fireEvent.change(screen.getByLabelText('Add an extraction preset'), { target: { value: 'errors' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove assertion 2' }));

    const sent = await save(onSubmit);
    expect(sent.assertions).toEqual([{ expr: 'rows >= 1', missing: 'fail' }]);
    expect(sent.extract).toEqual([{ name: 'rows', regex: '^loaded (\\d+) rows', mode: 'sum' }, { preset: 'errors' }]);
  });

  it('shows the API\'s validation error under the assertion it names, and focuses it', async () => {
    const message = 'json validation error: assertions[1]: cannot read "errors = 0": expected "<metric> <op> <value>" or "<metric> not rising(<runs>)"';
    const onSubmit = vi.fn(async () => {
      throw new ApiFailure(400, message, errorField(message));
    });
    editor({ onSubmit });
    type('Name', 'x');
    fireEvent.click(screen.getByRole('button', { name: 'Add an assertion' }));
    type('Assertion 1', 'errors < 5');
    fireEvent.click(screen.getByRole('button', { name: 'Add an assertion' }));
    type('Assertion 2', 'errors = 0');
    fireEvent.click(screen.getByRole('button', { name: 'Create check' }));
    const err = await screen.findByRole('alert');
    expect(err.textContent).toBe('cannot read "errors = 0": expected "<metric> <op> <value>" or "<metric> not rising(<runs>)"');
    expect(input('Assertion 2').getAttribute('aria-invalid')).toBe('true');
    expect(input('Assertion 2').getAttribute('aria-describedby')).toBe(err.id);
    expect(document.activeElement).toBe(input('Assertion 2'));
    expect(input('Assertion 1').getAttribute('aria-invalid')).toBeNull();
  });

  it('an error about an extraction rule lands under that rule', async () => {
    const message = 'json validation error: extract[0]: regex needs a capture group ( ) around the number';
    const onSubmit = vi.fn(async () => {
      throw new ApiFailure(400, message, errorField(message));
    });
    editor({ onSubmit });
    type('Name', 'x');
    fireEvent.click(screen.getByRole('button', { name: 'Add a custom rule' }));
    type('Metric name 1', 'rows');
    type('Regular expression 1', 'loaded rows');
    fireEvent.click(screen.getByRole('button', { name: 'Create check' }));
    expect((await screen.findByRole('alert')).textContent).toBe('regex needs a capture group ( ) around the number');
    expect(input('Metric name 1').getAttribute('aria-invalid')).toBe('true');
  });

  it('fills the lists from an existing check and sends them back unchanged', async () => {
    const initial: EditableCheck = {
      ...checkJson(),
      assertions: ['count >= 1', { expr: 'count >= 20% of median(10)', message: 'only {value} rows', missing: 'fail' }],
      extract: [{ preset: 'restic' }, { name: 'rows', regex: '^(\\d+) rows', mode: 'last', flags: 'i' }],
    };
    const { onSubmit } = editor({ initial });
    expect(input('Assertion 1').value).toBe('count >= 1');
    expect(input('Assertion 2').value).toBe('count >= 20% of median(10)');
    expect(input('Reason for assertion 2').value).toBe('only {value} rows');
    expect(input('Regular expression 2').value).toBe('^(\\d+) rows');
    const sent = await save(onSubmit, 'Save changes');
    expect(sent.assertions).toEqual([{ expr: 'count >= 1' }, { expr: 'count >= 20% of median(10)', message: 'only {value} rows', missing: 'fail' }]);
    expect(sent.extract).toEqual(initial.extract);
  });

  it('keeps working without presets (the lists stay editable)', async () => {
    const { onSubmit } = editor({ presets: null });
    type('Name', 'x');
    expect(screen.queryByRole('group', { name: 'Assertion presets' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add an assertion' }));
    type('Assertion 1', 'bytes > 0');
    expect((await save(onSubmit)).assertions).toEqual([{ expr: 'bytes > 0' }]);
  });
});

describe('the editor and the alerts module', () => {
  it('a saved reminder round-trips through the service\'s field, reminder_every (seconds)', async () => {
    const { onSubmit } = editor({ initial: { ...checkJson(), reminder_every: 3600 } });
    expect(input('Repeat reminder while down').value).toBe('1 h');
    type('Repeat reminder while down', '30 min');
    const sent = await save(onSubmit, 'Save changes');
    expect(sent.reminder_every).toBe(1800);
    expect(sent).not.toHaveProperty('remind_every');
  });

  it('an empty reminder turns reminders off (0), and the API\'s minimum shows beside the field', async () => {
    const message = 'json validation error: reminder_every is too small (minimum 60 seconds, or 0 for off)';
    const onSubmit = vi.fn(async (i: CheckInput) => {
      if (i.reminder_every !== 0) throw new ApiFailure(400, message, errorField(message));
      return checkJson();
    });
    editor({ initial: { ...checkJson(), reminder_every: 7200 }, onSubmit });
    type('Repeat reminder while down', '30 s');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect((await screen.findByRole('alert')).textContent).toBe('reminder_every is too small (minimum 60 seconds, or 0 for off)');
    expect(input('Repeat reminder while down').getAttribute('aria-invalid')).toBe('true');
    type('Repeat reminder while down', '');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(onSubmit.mock.calls[1][0].reminder_every).toBe(0);
  });

  it('a new check starts with the channels marked for new checks; the choice is sent as v3 `channels`', async () => {
    const channels = [
      { id: '11111111-1111-4111-8111-111111111111', name: 'Desktop', kind: 'desktop' as const, new_checks: true },
      { id: '22222222-2222-4222-8222-222222222222', name: 'ops hook', kind: 'webhook' as const, new_checks: false },
    ];
    const { onSubmit } = editor({ channels });
    type('Name', 'x');
    const group = screen.getByRole('group', { name: 'Channels' });
    const [desktop, hook] = within(group).getAllByRole('checkbox') as HTMLInputElement[];
    expect([desktop.checked, hook.checked]).toEqual([true, false]);
    fireEvent.click(hook);
    expect((await save(onSubmit)).channels).toBe(`${channels[0].id},${channels[1].id}`);
  });
});
