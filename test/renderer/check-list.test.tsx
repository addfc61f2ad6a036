// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BeatJson } from '../../shared/api/heartbeats.js';
import { compareChecks, matcher, NO_FILTER, type ListFilter } from '../../shared/console/check-list.js';
import type { CheckJson } from '../../shared/api/types.js';

/** The list as the service orders and filters it (the rule lives in shared/console). */
const filterChecks = (checks: CheckJson[], f: ListFilter) => checks.filter(matcher(f)).sort(compareChecks);
import { CheckList } from '../../renderer/components/CheckList.js';
import { beatTitle } from '../../renderer/components/HeartbeatBar.js';
import { checkJson, NOW } from './fixtures.js';

afterEach(cleanup);

const up = checkJson({ uuid: '00000000-0000-4000-8000-00000000000a', name: 'alpha sync', tags: 'office' });
const down = checkJson({
  uuid: '00000000-0000-4000-8000-00000000000b',
  name: 'zeta backup',
  status: 'down',
  down_reason: 'exit status 3',
  next_ping: null,
  alert_after: null,
});
const late = checkJson({ uuid: '00000000-0000-4000-8000-00000000000c', name: 'mid report', status: 'grace', next_ping: '2024-03-05T02:50:00+00:00' });

const beats: Record<string, BeatJson[]> = {
  [down.uuid]: [
    { t: '2024-03-05T01:00:00.000+00:00', kind: 'start', n: 1 },
    { t: '2024-03-05T01:02:00.000+00:00', kind: 'fail', n: 2, exitstatus: 3, duration: 120, text: 'rsync: disk full' },
    { t: '2024-03-05T02:00:00+00:00', kind: 'missed', text: 'timeout' },
  ],
};

function rows() {
  return screen.getAllByRole('listitem');
}

describe('the check list', () => {
  it('puts checks that need attention first, and says why', () => {
    render(<CheckList checks={filterChecks([up, down, late], NO_FILTER)} beats={beats} now={NOW} />);
    const names = rows().map((r) => r.querySelector('.name')!.textContent);
    expect(names).toEqual(['zeta backup', 'mid report', 'alpha sync']);
    expect(within(rows()[0]).getByText('exit status 3')).toBeTruthy();
    expect(within(rows()[1]).getByText('late: expected 10 min ago')).toBeTruthy();
  });

  it('shows each status as colour class, shape and word', () => {
    render(<CheckList checks={[down, late, up]} beats={{}} now={NOW} />);
    const words = rows().map((r) => r.querySelector('.status-word')!.textContent);
    expect(words).toEqual(['Down', 'Late', 'Up']);
    for (const r of rows()) expect(r.querySelector('.status svg')).not.toBeNull();
    expect(rows()[0].querySelector('.status')!.className).toContain('status-down');
  });

  it('writes the last ping for people, with the exact time on hover', () => {
    render(<CheckList checks={[up]} beats={{}} now={NOW} />);
    const t = rows()[0].querySelector('.col-last time')!;
    expect(t.textContent).toBe('3 min ago');
    expect(t.getAttribute('title')).toMatch(/^2024-03-05 0\d:57:00 /);
    expect(rows()[0].querySelector('.col-next')!.textContent).toBe('in 1 day');
  });

  it('links each row to the check detail, reachable by keyboard', () => {
    render(<CheckList checks={[up]} beats={{}} now={NOW} />);
    const link = within(rows()[0]).getByRole('link', { name: /alpha sync/ });
    expect(link.getAttribute('href')).toBe(`/checks/${up.uuid}`);
    // its name is its visible text, so a voice user can say what they see
    expect(link.hasAttribute('aria-label')).toBe(false);
  });

  it('moves between rows with the arrow keys, Home and End', () => {
    render(<CheckList checks={[down, late, up]} beats={{}} now={NOW} />);
    const links = rows().map((r) => within(r).getByRole('link'));
    const list = screen.getByRole('list', { name: 'Checks' });
    expect(list.hasAttribute('aria-rowcount')).toBe(false);
    expect(rows().map((r) => r.getAttribute('aria-posinset'))).toEqual(['1', '2', '3']);
    const cases: [string, number, number][] = [
      ['ArrowDown', 0, 1],
      ['ArrowDown', 2, 2],
      ['ArrowUp', 1, 0],
      ['ArrowUp', 0, 0],
      ['End', 0, 2],
      ['Home', 2, 0],
    ];
    for (const [key, from, to] of cases) {
      links[from].focus();
      fireEvent.keyDown(links[from], { key });
      expect([key, from, document.activeElement]).toEqual([key, from, links[to]]);
    }
  });

  it('draws a 50-slot heartbeat bar, newest on the right, with details on hover', () => {
    render(<CheckList checks={[down]} beats={beats} now={NOW} />);
    const pills = rows()[0].querySelectorAll('.pill');
    expect(pills.length).toBe(50);
    const last3 = [...pills].slice(-3).map((p) => p.getAttribute('data-kind'));
    expect(last3).toEqual(['start', 'fail', 'missed']);
    const failTitle = pills[48].getAttribute('title')!;
    expect(failTitle).toContain('failure');
    expect(failTitle).toContain('exit 3');
    expect(failTitle).toContain('ran 2 min');
    expect(failTitle).toContain('rsync: disk full');
    expect(pills[49].className).toContain('pill-missed');
  });

  it('shows the hover text of a body as plain text', () => {
    const title = beatTitle({ t: '2024-03-05T01:00:00Z', kind: 'success', text: '<img src=x onerror=alert(1)>' });
    expect(title.endsWith('\n<img src=x onerror=alert(1)>')).toBe(true);
    render(<CheckList checks={[up]} beats={{ [up.uuid]: [{ t: '2024-03-05T01:00:00Z', kind: 'success', text: '<img src=x onerror=alert(1)>' }] }} now={NOW} />);
    expect(document.querySelector('img')).toBeNull();
  });

  it('filters by status, tag and name', () => {
    const all = [up, down, late];
    expect(filterChecks(all, { ...NO_FILTER, status: 'attention' }).map((c) => c.name)).toEqual(['zeta backup', 'mid report']);
    expect(filterChecks(all, { ...NO_FILTER, tag: 'office' }).map((c) => c.name)).toEqual(['alpha sync']);
    expect(filterChecks(all, { ...NO_FILTER, search: 'REPORT' }).map((c) => c.name)).toEqual(['mid report']);
    expect(filterChecks(all, { ...NO_FILTER, status: 'down', tag: 'office' })).toEqual([]);
  });

  it('keeps 1,000 checks cheap: only the rows near the viewport are in the DOM, and a live update keeps the window', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      checkJson({ uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `job ${String(i).padStart(4, '0')}` }),
    );
    const manyBeats = Object.fromEntries(
      many.map((c) => [c.uuid, Array.from({ length: 50 }, (_, k) => ({ t: `2024-03-04T${String(k % 24).padStart(2, '0')}:00:00Z`, kind: 'success' as const }))]),
    );
    const t0 = performance.now();
    const { rerender, container } = render(<CheckList checks={many} beats={manyBeats} now={NOW} />);
    const firstRender = performance.now() - t0;
    const inDom = container.querySelectorAll('[role="listitem"]').length;
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(60);
    // The list keeps its full height, so the scrollbar is honest and nothing jumps.
    expect((container.firstChild as HTMLElement).style.height).toBe(`${1000 * 64}px`);

    const changed = [...many];
    changed[3] = { ...many[3], status: 'down', down_reason: 'exit status 1' };
    const t1 = performance.now();
    rerender(<CheckList checks={changed} beats={manyBeats} now={NOW} />);
    const update = performance.now() - t1;
    expect(container.querySelectorAll('[role="listitem"]').length).toBe(inDom);
    expect(screen.getByText('exit status 1')).toBeTruthy();

    // Scrolling far down swaps the rendered window.
    Object.defineProperty(container.firstChild, 'getBoundingClientRect', { value: () => ({ top: -600 * 64 }) });
    act(() => {
      fireEvent.scroll(window);
    });
    expect(screen.getByText('job 0600')).toBeTruthy();
    expect(screen.queryByText('job 0000')).toBeNull();
    console.log(`1,000 checks: first render ${firstRender.toFixed(1)} ms with ${inDom} rows in the DOM; live update ${update.toFixed(1)} ms`);
  });
});
