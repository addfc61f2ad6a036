// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../../renderer/api.js';
import { checkJson } from './fixtures.js';
import { renderEditor } from './render-editor.js';

afterEach(cleanup);

/** The editor without presets, as these tests were written against. */
const editor = (over: Parameters<typeof renderEditor>[0] = {}) => renderEditor({ presets: null, ...over });

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, value: string) => fireEvent.change(field(label), { target: { value } });

describe('the check editor', () => {
  it('explains a cron expression as it is typed and lists the next 5 runs in the chosen zone', () => {
    editor();
    fireEvent.click(screen.getByLabelText('Cron schedule'));
    type('Cron expression', '30 2 * * 1-5');
    expect(screen.getByTestId('cron-desc').textContent).toBe('At 02:30 on weekdays (Monday to Friday) (Europe/Berlin)');
    const runs = within(screen.getByTestId('next-runs'))
      .getAllByRole('listitem')
      .map((li) => li.querySelector('.mono')!.textContent);
    // now = Tue 5 Mar 2024 03:00 UTC = 04:00 in Berlin: today's 02:30 has passed.
    expect(runs).toEqual([
      'Wed, 6 Mar 2024, 02:30',
      'Thu, 7 Mar 2024, 02:30',
      'Fri, 8 Mar 2024, 02:30',
      'Mon, 11 Mar 2024, 02:30',
      'Tue, 12 Mar 2024, 02:30',
    ]);
  });

  it('follows the timezone picker, which defaults to the local zone', () => {
    editor();
    fireEvent.click(screen.getByLabelText('Cron schedule'));
    expect((screen.getByLabelText('Timezone') as HTMLSelectElement).value).toBe('Europe/Berlin');
    type('Cron expression', '0 3 * * *');
    fireEvent.change(screen.getByLabelText('Timezone'), { target: { value: 'America/New_York' } });
    expect(screen.getByTestId('cron-desc').textContent).toBe('At 03:00 every day (America/New_York)');
    // 03:00 UTC is 22:00 the evening before in New York: the next 03:00 there is on the 5th.
    expect(screen.getByTestId('next-runs').querySelector('.mono')!.textContent).toBe('Tue, 5 Mar 2024, 03:00');
  });

  it('warns that "* 9 * * *" runs every minute of the 9 o\'clock hour', () => {
    editor();
    fireEvent.click(screen.getByLabelText('Cron schedule'));
    type('Cron expression', '* 9 * * *');
    expect(screen.getByTestId('cron-desc').textContent).toContain('Every minute from 09:00 to 09:59');
    expect(screen.getByTestId('cron-warning').textContent).toContain('60 runs a day');
    expect(screen.getByTestId('cron-warning').textContent).toContain('"0 9 * * *"');
    type('Cron expression', '0 9 * * *');
    expect(screen.queryByTestId('cron-warning')).toBeNull();
  });

  it('says what is wrong with an invalid expression instead of a preview', () => {
    editor();
    fireEvent.click(screen.getByLabelText('Cron schedule'));
    type('Cron expression', '61 * * * *');
    expect(screen.getByTestId('cron-error').textContent).toMatch(/invalid cron expression/);
    expect(screen.queryByTestId('next-runs')).toBeNull();
  });

  it('takes period and grace in words and sends seconds', async () => {
    const { onSubmit, onSaved } = editor();
    type('Name', 'db dump');
    type('Period', '15 min');
    type('Grace', '1 day');
    expect(screen.getByText('Expect a ping every 15 min.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create check' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const input = onSubmit.mock.calls[0][0];
    expect(input).toMatchObject({ name: 'db dump', timeout: 900, grace: 86400, methods: '', push_token: null });
    expect(input.schedule).toBeUndefined();
  });

  it('sends a cron schedule with its timezone', async () => {
    const { onSubmit } = editor();
    type('Name', 'report');
    fireEvent.click(screen.getByLabelText('Cron schedule'));
    type('Cron expression', '0 6 * * 1');
    fireEvent.change(screen.getByLabelText('Timezone'), { target: { value: 'Asia/Tokyo' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create check' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ schedule: '0 6 * * 1', tz: 'Asia/Tokyo' });
    expect(onSubmit.mock.calls[0][0].timeout).toBeUndefined();
  });

  it('shows an API validation error beside the field it names', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiFailure(400, 'json validation error: slug does not match pattern ^[a-z0-9-_]+$', 'slug');
    });
    editor({ onSubmit });
    type('Name', 'x');
    type('Slug', 'Bad Slug');
    fireEvent.click(screen.getByRole('button', { name: 'Create check' }));
    const err = await screen.findByRole('alert');
    expect(err.textContent).toBe('slug does not match pattern ^[a-z0-9-_]+$');
    expect(field('Slug').getAttribute('aria-invalid')).toBe('true');
    expect(field('Slug').getAttribute('aria-describedby')).toBe(err.id);
  });

  it('refuses a period it cannot read without calling the API', () => {
    const { onSubmit } = editor();
    type('Name', 'x');
    type('Period', 'soonish');
    fireEvent.click(screen.getByRole('button', { name: 'Create check' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('15 min');
  });

  it('fills every field from an existing check', () => {
    editor({
      initial: checkJson({ kind: 'cron', schedule: '0 3 * * *', tz: 'Europe/Riga', grace: 900, methods: 'POST', manual_resume: true, failure_kw: 'ERROR' }),
    });
    expect(field('Name').value).toBe('nightly backup');
    expect(field('Cron expression').value).toBe('0 3 * * *');
    expect((screen.getByLabelText('Timezone') as HTMLSelectElement).value).toBe('Europe/Riga');
    expect(field('Grace').value).toBe('15 min');
    expect(field('Failure keywords').value).toBe('ERROR');
    expect((screen.getByLabelText(/Only POST counts/) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText(/Stay down until resumed/) as HTMLInputElement).checked).toBe(true);
  });
});
