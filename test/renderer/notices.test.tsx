// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationJson } from '../../shared/api/types.js';
import { Notices } from '../../renderer/components/Notices.js';
import { useConsole } from '../../renderer/store.js';

afterEach(() => {
  cleanup();
  useConsole.setState({ notices: [] });
});

const notify = (n: Partial<NotificationJson> & { id: string }) =>
  act(() => useConsole.getState().apply({ type: 'notification', data: { kind: 'down', title: 'restic home is down', body: '', check: null, ...n } }));

describe('the desktop channel\'s notifications in the console', () => {
  it('shows each notification once, as text, with a link to its check, until dismissed', () => {
    render(<Notices />);
    const uuid = '6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
    notify({ id: 'm1', body: 'backup wrote 0 B (written_bytes > 0); last output: <img src=x onerror=alert(1)>', check: uuid });
    notify({ id: 'm1', body: 'the same message again (a retry)' });
    const region = screen.getByRole('region', { name: 'Notifications' });
    expect(region.querySelectorAll('.notice')).toHaveLength(1);
    expect(region.textContent).toContain('restic home is down');
    expect(region.textContent).toContain('last output: <img src=x onerror=alert(1)>');
    expect(region.querySelector('img')).toBeNull();
    expect(screen.getByRole('link', { name: 'Open the check' }).getAttribute('href')).toBe(`/checks/${uuid}`);
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: restic home is down' }));
    expect(region.querySelectorAll('.notice')).toHaveLength(0);
  });

  it('keeps the newest few', () => {
    render(<Notices />);
    for (let i = 1; i <= 6; i++) notify({ id: `m${i}`, title: `check ${i} is down` });
    expect([...document.querySelectorAll('.notice strong')].map((e) => e.textContent)).toEqual(['check 3 is down', 'check 4 is down', 'check 5 is down', 'check 6 is down']);
  });
});
