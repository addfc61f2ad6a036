// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HostGroupingSetting } from '../../renderer/components/HostGroupingSetting.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the host-quiet window in Settings', () => {
  it('shows the window and turns grouping off and on', async () => {
    const hosts = [
      { address: '192.168.1.20', name: 'nas.local', checks: ['backup', 'db-dump'] },
      { address: '192.168.1.31', name: null, checks: ['cam', 'sensor'] },
    ];
    const sent = fakeApi({
      'GET /api/lubdub/host-grouping': () => ({ json: { window_seconds: 120, hosts } }),
      'POST /api/lubdub/host-grouping': (b) => ({ json: { ...(b as object), hosts } }),
    });
    render(<HostGroupingSetting />);
    await waitFor(() => expect(screen.getByTestId('host-grouping').textContent).toContain('go down within 2 min of each other make one alert'));
    // the groups it acts on, by name where the address resolved
    expect([...screen.getByTestId('host-groups').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'nas.local (192.168.1.20): backup, db-dump',
      '192.168.1.31: cam, sensor',
    ]);
    expect(screen.getByTestId('host-grouping').textContent).toContain('Grouped now:');
    fireEvent.click(screen.getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(screen.getByTestId('host-grouping').textContent).toContain('Off: one alert per check.'));
    expect(screen.getByTestId('host-grouping').textContent).toContain('Would be grouped:');
    fireEvent.change(screen.getByLabelText('Grouping window'), { target: { value: '5 min' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    await waitFor(() => expect(sent.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ window_seconds: 0 }, { window_seconds: 300 }]));
  });
});
