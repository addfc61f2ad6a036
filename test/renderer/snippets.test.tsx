// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Snippets } from '../../renderer/components/Snippets.js';

afterEach(cleanup);

const URL_ = 'http://nas.local:8420/ping/6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
const cron = { name: 'nightly backup', pingUrl: URL_, kind: 'cron' as const, schedule: '0 3 * * *', tz: 'Europe/Berlin', slug: 'nightly-backup' };

const code = () => document.querySelector('pre.code')!.textContent!;

describe('the snippet generator', () => {
  it('starts on the crontab line with curl, using the check\'s own schedule and URL', () => {
    render(<Snippets check={cron} />);
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('crontab + curl');
    expect(code()).toBe(`0 3 * * * /path/to/job.sh && curl -fsS -m 10 --retry 5 -o /dev/null ${URL_}`);
    expect(screen.getByText(/CRON_TZ=Europe\/Berlin/)).toBeTruthy();
  });

  it('offers every platform the issue names', () => {
    render(<Snippets check={cron} />);
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual([
      'crontab + curl',
      'BusyBox wget',
      'lubdub-run wrapper',
      'shell (exit status)',
      'PowerShell',
      'Python',
      'systemd',
    ]);
  });

  it('gives BusyBox wget without --retry, which BusyBox does not have', () => {
    render(<Snippets check={cron} />);
    fireEvent.click(screen.getByRole('tab', { name: 'BusyBox wget' }));
    expect(code()).toBe(`0 3 * * * /path/to/job.sh && wget -q -T 10 -O /dev/null ${URL_}`);
    expect(code()).not.toContain('--retry');
  });

  it('gives the wrapper with its install line from the ping port', () => {
    render(<Snippets check={cron} />);
    fireEvent.click(screen.getByRole('tab', { name: 'lubdub-run wrapper' }));
    expect(code()).toContain('curl -fsS http://nas.local:8420/wrap.sh -o /usr/local/bin/lubdub-run && chmod +x /usr/local/bin/lubdub-run');
    expect(code()).toContain(`0 3 * * * /usr/local/bin/lubdub-run ${URL_} -- /path/to/job.sh`);
  });

  it('reports the exit status with /$? in the shell snippet', () => {
    render(<Snippets check={cron} />);
    fireEvent.click(screen.getByRole('tab', { name: 'shell (exit status)' }));
    expect(code().split('\n')).toEqual([
      '#!/bin/sh',
      `curl -fsS -m 10 --retry 5 -o /dev/null ${URL_}/start`,
      '/path/to/job.sh',
      `curl -fsS -m 10 --retry 5 -o /dev/null ${URL_}/$?`,
    ]);
  });

  it('has PowerShell, Python and systemd OnSuccess/OnFailure forms', () => {
    render(<Snippets check={cron} />);
    fireEvent.click(screen.getByRole('tab', { name: 'PowerShell' }));
    expect(code()).toContain(`Invoke-RestMethod -TimeoutSec 10 '${URL_}/start'`);
    expect(code()).toContain(`Invoke-RestMethod -TimeoutSec 10 ('${URL_}/' + $LASTEXITCODE)`);
    fireEvent.click(screen.getByRole('tab', { name: 'Python' }));
    expect(code()).toContain(`urllib.request.urlopen("${URL_}", timeout=10)`);
    fireEvent.click(screen.getByRole('tab', { name: 'systemd' }));
    expect(code()).toContain('OnSuccess=nightly-backup-ping@0.service');
    expect(code()).toContain('OnFailure=nightly-backup-ping@fail.service');
    expect(code()).toContain(`ExecStart=/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null "${URL_}/%i"`);
  });

  it('moves between tabs with the arrow keys', () => {
    render(<Snippets check={cron} />);
    const first = screen.getByRole('tab', { name: 'crontab + curl' });
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('BusyBox wget');
    expect(document.activeElement!.textContent).toBe('BusyBox wget');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('systemd');
  });

  it('fits a crontab schedule to a simple check\'s period', () => {
    render(<Snippets check={{ name: 'sensor', pingUrl: URL_, kind: 'simple', timeout: 300 }} />);
    expect(code().startsWith('*/5 * * * * ')).toBe(true);
  });
});
