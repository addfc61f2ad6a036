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

  it('charts every metric, the asserted ones first, formatted by kind, failing runs marked', () => {
    render(<MetricCharts reply={reply} />);
    const charts = screen.getAllByRole('img');
    expect(charts.map((c) => c.getAttribute('aria-label'))).toEqual(['written_bytes: 3 runs, last 0 B', 'count: 2 runs, last 120', 'bytes: 3 runs, last 390 B']);
    const bars = charts[0].querySelectorAll('rect');
    expect([...bars].map((b) => b.getAttribute('class'))).toEqual(['bar bar-success', 'bar bar-success', 'bar bar-fail']);
    expect(bars[2].querySelector('title')!.textContent).toContain('backup wrote 0 B (written_bytes > 0)');
    // the ready baseline of a relative assertion is drawn on its metric's chart
    expect(charts[2].querySelector('line.baseline')).not.toBeNull();
    expect(charts[0].querySelector('line.baseline')).toBeNull();
  });

  it('says how metrics arrive when there are none', () => {
    render(<MetricCharts reply={{ runs: [], assertions: [] }} />);
    expect(screen.getByText(/No metrics yet/).textContent).toContain('lubdub-run sends output counts');
    expect(screen.queryAllByRole('img')).toHaveLength(0);
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
