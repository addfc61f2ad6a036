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
    const sent = fakeApi({
      'GET /api/lubdub/host-grouping': () => ({ json: { window_seconds: 120 } }),
      'POST /api/lubdub/host-grouping': (b) => ({ json: b }),
    });
    render(<HostGroupingSetting />);
    await waitFor(() => expect(screen.getByTestId('host-grouping').textContent).toContain('go down within 2 min of each other make one alert'));
    fireEvent.click(screen.getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(screen.getByTestId('host-grouping').textContent).toContain('Off: one alert per check.'));
    fireEvent.change(screen.getByLabelText('Grouping window'), { target: { value: '5 min' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    await waitFor(() => expect(sent.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ window_seconds: 0 }, { window_seconds: 300 }]));
  });
});
