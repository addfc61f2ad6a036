// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScheduleSuggestion } from '../../renderer/components/ScheduleSuggestion.js';
import { checkJson } from '../helpers/check-json.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const learning = checkJson({
  uuid: 'u1',
  learn_schedule: true,
  schedule_suggestion: { kind: 'cron', schedule: '1 2 * * *', tz: 'Europe/Berlin', grace: 420, text: 'daily at ~02:02 (Europe/Berlin), ± 2 min', runs: 6 },
});

describe('the learned schedule on a check', () => {
  it('shows nothing without a proposal', () => {
    const { container } = render(<ScheduleSuggestion check={checkJson()} />);
    expect(container.textContent).toBe('');
  });

  it('Accept sends the proposal as a normal update that ends learning', async () => {
    const sent = fakeApi({ 'POST /api/v3/checks/u1': () => ({ json: checkJson({ uuid: 'u1', kind: 'cron' }) }) });
    render(<ScheduleSuggestion check={learning} />);
    expect(screen.getByTestId('schedule-suggestion').textContent).toContain('daily at ~02:02 (Europe/Berlin), ± 2 min');
    fireEvent.click(screen.getByRole('button', { name: 'Accept' }));
    await waitFor(() => expect(sent.map((r) => r.body)).toEqual([{ schedule: '1 2 * * *', tz: 'Europe/Berlin', grace: 420, learn_schedule: false }]));
  });

  it('Edit lets the grace change before saving', async () => {
    const sent = fakeApi({ 'POST /api/v3/checks/u1': () => ({ json: checkJson({ uuid: 'u1', kind: 'cron' }) }) });
    render(<ScheduleSuggestion check={learning} />);
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    fireEvent.change(screen.getByLabelText('Grace'), { target: { value: '15 min' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(sent.map((r) => r.body)).toEqual([{ schedule: '1 2 * * *', tz: 'Europe/Berlin', grace: 900, learn_schedule: false }]));
  });
});
