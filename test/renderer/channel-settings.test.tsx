// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChannelJson } from '../../shared/api/types.js';
import { ChannelSettings } from '../../renderer/components/ChannelSettings.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const HOOK: ChannelJson = {
  id: '22222222-2222-4222-8222-222222222222',
  name: 'ops hook',
  kind: 'webhook',
  config: { url: 'https://hooks.example/lubdub' },
  new_checks: false,
  created: '2024-03-01T00:00:00+00:00',
};

describe('notification channels in Settings', () => {
  it('a test that the channel could not deliver says so, with the channel\'s error', async () => {
    const sent = fakeApi({
      'GET /api/lubdub/channels': () => ({ json: { channels: [HOOK] } }),
      [`POST /api/lubdub/channels/${HOOK.id}/test`]: () => ({ json: { ok: false, error: 'HTTP 404: not found' } }),
    });
    render(<ChannelSettings />);
    fireEvent.click(await screen.findByRole('button', { name: 'Send test' }));
    expect((await screen.findByText(/^Test to ops hook failed/)).textContent).toBe('Test to ops hook failed: HTTP 404: not found');
    expect(sent.find((r) => r.method === 'POST')!.csrf).toBe('1');
  });

  it('an ntfy channel is sent with its priority as the number the API takes, and the token only when typed', async () => {
    const sent = fakeApi({
      'GET /api/lubdub/channels': () => ({ json: { channels: [] } }),
      'POST /api/lubdub/channels': (b) => ({ status: 201, json: { ...HOOK, ...(b as object), id: 'x' } }),
    });
    render(<ChannelSettings />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a channel' }));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'phone' } });
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'ntfy' } });
    fireEvent.change(screen.getByLabelText('Topic URL'), { target: { value: 'https://ntfy.sh/my-nas' } });
    fireEvent.change(screen.getByLabelText('Priority of problems'), { target: { value: '5' } });
    fireEvent.click(screen.getByLabelText('Add it to every existing check too'));
    fireEvent.click(screen.getByRole('button', { name: 'Add channel' }));
    await waitFor(() => expect(sent.some((r) => r.method === 'POST')).toBe(true));
    expect(sent.find((r) => r.method === 'POST')!.body).toEqual({
      name: 'phone',
      kind: 'ntfy',
      config: { url: 'https://ntfy.sh/my-nas', priority: 5 },
      new_checks: true,
      assign_existing: true,
    });
  });
});
