// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsReply } from '../../shared/api/silent.js';
import { MetricCharts } from '../../renderer/components/MetricCharts.js';
import { alertLinkTarget, parseConsolePath } from '../../shared/api/console-routes.js';

afterEach(cleanup);

const run = (n: number, metrics: Record<string, number>, failed?: string): MetricsReply['runs'][number] => ({
  n,
  date: `2024-03-0${Math.min(n, 9)}T03:00:00.000Z`,
  type: failed ? 'fail' : 'success',
  metrics,
  ...(failed ? { assertion_failed: failed } : {}),
});

describe('metric charts in the detail view', () => {
  const reply: MetricsReply = {
    runs: [
      run(1, { written_bytes: 2_000_000, bytes: 420 }),
      run(2, { written_bytes: 1_500_000, bytes: 400, count: 5000 }),
      run(3, { written_bytes: 0, bytes: 390, count: 120 }, 'backup wrote 0 B (written_bytes > 0)'),
    ],
    assertions: [
      { expr: 'written_bytes > 0', message: 'backup wrote {value}', valid: true, state: 'ready', have: 0, need: 0, baseline: null },
      { expr: 'count >= 20% of median(10)', valid: true, state: 'pending', have: 2, need: 10, baseline: null },
      { expr: 'bytes <= 3x median(2)', valid: true, state: 'ready', have: 2, need: 2, baseline: 410 },
    ],
  };

  it('says where each assertion stands: pending with its run count, or its baseline', () => {
    render(<MetricCharts reply={reply} />);
    const states = screen.getByRole('list', { name: 'Assertions' }).querySelectorAll('li');
    expect([...states].map((li) => li.textContent)).toEqual([
      'written_bytes > 0 active',
      'count >= 20% of median(10) pending: 2 of 10 passing runs',
      'bytes <= 3x median(2) baseline 410 B',
    ]);
  });

  it('charts every metric, the asserted ones first, in its unit, failing runs marked, limits and baselines drawn', () => {
    render(<MetricCharts reply={reply} />);
    const charts = screen.getAllByRole('figure');
    expect(charts.map((c) => c.getAttribute('aria-label'))).toEqual(['written_bytes: 3 runs, last 0 B, 1 failed', 'count: 2 runs, last 120, 1 failed', 'bytes: 3 runs, last 390 B, 1 failed']);
    // the value axis in the metric's unit
    expect(charts[0].getAttribute('data-y-ticks')).toBe('0 B | 512 KiB | 1.00 MiB | 1.50 MiB | 2.00 MiB');
    expect(charts[1].getAttribute('data-y-ticks')).toBe('0 | 2,000 | 4,000 | 6,000');
    // every run, for screen readers too, the failing one with its reason
    const rows = charts[0].querySelectorAll('tbody tr');
    expect([...rows].map((r) => r.getAttribute('data-failed'))).toEqual([null, null, 'true']);
    expect(rows[2].textContent).toContain('backup wrote 0 B (written_bytes > 0)');
    // the limit of an absolute assertion; the limit and baseline of a ready relative one; nothing for a pending one
    expect(charts[0].getAttribute('data-lines')).toBe('limit > 0 B');
    expect(charts[1].getAttribute('data-lines')).toBe('');
    expect(charts[2].getAttribute('data-lines')).toBe('limit <= 1.20 KiB | baseline 410 B');
  });

  it('says how metrics arrive when there are none', () => {
    render(<MetricCharts reply={{ runs: [], assertions: [] }} />);
    expect(screen.getByText(/No metrics yet/).textContent).toContain('lubdub-run sends output counts');
    expect(screen.queryAllByRole('figure')).toHaveLength(0);
  });
});

describe('links from alerts open the check', () => {
  const uuid = '6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
  it('`/?check=<uuid>` (webhook console_url) is the detail of that check', () => {
    expect(alertLinkTarget('/', `?check=${uuid}`)).toBe(`/checks/${uuid}`);
    expect(alertLinkTarget('/', `?check=${uuid.toUpperCase()}`)).toBe(`/checks/${uuid}`);
    expect(parseConsolePath(alertLinkTarget('/', `?check=${uuid}`)!)).toEqual({ name: 'detail', uuid });
  });
  it.each([
    ['/', ''],
    ['/', '?check=not-a-uuid'],
    ['/', `?check=${uuid}/../../settings`],
    ['/settings', `?check=${uuid}`],
  ])('%s%s is left alone', (path, search) => {
    expect(alertLinkTarget(path, search)).toBeNull();
  });
});
