// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SettingsJson } from '../../shared/api/settings.js';
import { API } from '../../shared/api/routes.js';
import { useConsole } from '../../renderer/store.js';
import { Settings } from '../../renderer/views/Settings.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  useConsole.setState({ unauthorized: false });
});

const SETTINGS: SettingsJson = {
  base_url: 'http://nas.local:8420',
  base_url_default: 'http://nas.local:8420',
  ping_body_limit: 100000,
  catchup_window: 600,
  ping_key: 'pingkey0123456789abcdef',
  api_key: 'apikey0123456789abcdef0123456789',
  badge_key: 'badgekey0123456789abcdef01234567',
  detected_urls: ['http://nas.local:8420'],
  theme: 'system',
  locked: [],
};

describe('console sessions in Settings', () => {
  it('"Log out everywhere" asks first, ends every session through the API, and the console says it is logged out', async () => {
    const sent = fakeApi({
      [`GET ${API.settings.path}`]: () => ({ json: SETTINGS }),
      [`GET ${API.channels.path}`]: () => ({ json: { channels: [] } }),
      [`POST ${API.logout.path}`]: () => ({ json: { logged_out: 'everywhere' } }),
    });
    render(<Settings />);
    fireEvent.click(await screen.findByRole('button', { name: 'Log out everywhere…' }));
    expect(sent.some((r) => r.path === API.logout.path)).toBe(false);
    const dialog = screen.getByRole('alertdialog', { name: 'Log out everywhere?' });
    fireEvent.click(dialog.querySelector('button.danger')!);
    await waitFor(() => expect(useConsole.getState().unauthorized).toBe(true));
    expect(sent.filter((r) => r.path === API.logout.path)).toEqual([{ method: 'POST', path: API.logout.path, body: { everywhere: true }, csrf: '1' }]);
  });

  it('cancelling leaves every session alone', async () => {
    const sent = fakeApi({
      [`GET ${API.settings.path}`]: () => ({ json: SETTINGS }),
      [`GET ${API.channels.path}`]: () => ({ json: { channels: [] } }),
    });
    render(<Settings />);
    fireEvent.click(await screen.findByRole('button', { name: 'Log out everywhere…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(sent.filter((r) => r.method === 'POST')).toEqual([]);
    expect(useConsole.getState().unauthorized).toBe(false);
  });
});
