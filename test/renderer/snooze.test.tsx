// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useConsole } from '../../renderer/store.js';
import { MuteControl } from '../../renderer/views/Overview.js';
import { SNOOZE_CHOICES, snoozeUntil } from '../../shared/domain/snooze.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** Records the snooze the console asks for, and answers as the service does. */
function muteRoute(): (string | null)[] {
  const asked: (string | null)[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_path: string, init: RequestInit) => {
      const until = (JSON.parse(String(init.body)) as { until: string | null }).until;
      asked.push(until);
      return new Response(JSON.stringify({ muted_until: until }), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return asked;
}

describe('the console\'s snooze offers the tray\'s choices', () => {
  it('the same three choices, with the same words', () => {
    useConsole.setState({ now: Date.parse('2026-03-28T21:00:00Z'), mutedUntil: null, muteAvailable: true });
    render(<MuteControl timeZone="Europe/Berlin" />);
    const group = screen.getByRole('group', { name: 'Mute notifications' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(SNOOZE_CHOICES.map((c) => c.label));
  });

  it.each([
    ['Europe/Berlin spring-forward night 2026-03-29', '2026-03-28T21:00:00Z', '2026-03-29T07:00:00.000Z'],
    ['Europe/Berlin fall-back night 2026-10-25', '2026-10-24T20:00:00Z', '2026-10-25T08:00:00.000Z'],
  ])('"Until tomorrow 09:00" on the %s is 09:00 on the wall clock', async (_night, now, want) => {
    const asked = muteRoute();
    useConsole.setState({ now: Date.parse(now), mutedUntil: null, muteAvailable: true });
    render(<MuteControl timeZone="Europe/Berlin" />);
    fireEvent.click(screen.getByRole('button', { name: 'Until tomorrow 09:00' }));
    await waitFor(() => expect(asked).toEqual([want]));
    expect(Date.parse(want)).toBe(snoozeUntil('tomorrow', Date.parse(now), 'Europe/Berlin'));
  });
});
