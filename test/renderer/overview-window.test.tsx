// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toOverviewRow } from '../../shared/api/overview.js';
import { Overview } from '../../renderer/views/Overview.js';
import { ROW_HEIGHT } from '../../renderer/components/CheckList.js';
import { checkJson } from './fixtures.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const TOTAL = 100_000;
const uuidOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const nameOf = (i: number) => `job ${String(i).padStart(6, '0')}`;
const summary = { total: TOTAL, counts: { new: 0, up: TOTAL, grace: 0, down: 0, paused: 0, started: 0 }, worst: 'up', muted_until: null };

/** A service with 100,000 checks that answers any window of them, and records what was asked. */
function service(): URLSearchParams[] {
  const asked: URLSearchParams[] = [];
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      const [p, q = ''] = path.split('?');
      if (p === '/api/lubdub/overview') {
        const params = new URLSearchParams(q);
        asked.push(params);
        const offset = Number(params.get('offset'));
        const end = Math.min(TOTAL, offset + Number(params.get('limit')));
        const rows = Array.from({ length: Math.max(0, end - offset) }, (_, k) => toOverviewRow(checkJson({ uuid: uuidOf(offset + k), name: nameOf(offset + k) })));
        return json({ total: TOTAL, offset, rows, summary, tags: ['nas'] });
      }
      if (p === '/api/lubdub/heartbeats') return json({ beats: {} });
      return json(summary);
    }),
  );
  return asked;
}

/** Puts the top of the list `top` pixels above the viewport, as a scroll there would, and tells the list. */
function scrollListTo(top: number): void {
  const list = screen.getByRole('list', { name: 'Checks' });
  Object.defineProperty(list, 'getBoundingClientRect', { configurable: true, value: () => ({ top: -top }) });
  act(() => {
    fireEvent.scroll(window);
  });
}

const window_ = (p: URLSearchParams) => [Number(p.get('offset')), Number(p.get('limit'))];

describe('the overview of 100,000 checks', () => {
  it('shows a window of rows with a bounded DOM, reads the rows on screen as the list scrolls, and goes to the last row with End', async () => {
    const asked = service();
    render(<Overview />);
    await screen.findByText(nameOf(0));
    // one read for the top of the list, nothing more
    expect(asked.map(window_)).toEqual([[0, 100]]);
    const items = () => within(screen.getByRole('list', { name: 'Checks' })).getAllByRole('listitem');
    expect(items().length).toBeLessThan(60);
    expect(items()[0].getAttribute('aria-setsize')).toBe(String(TOTAL));
    expect(screen.getByText(`${TOTAL} of ${TOTAL}`)).toBeTruthy();
    expect((screen.getByRole('list', { name: 'Checks' }) as HTMLElement).style.height).toBe(`${TOTAL * ROW_HEIGHT}px`);

    // far down: rows without data are placeholders of the same height until their window arrives
    scrollListTo(50_000 * ROW_HEIGHT);
    await screen.findByText(nameOf(50_000));
    expect(items().length).toBeLessThan(60);
    expect(screen.queryByText(nameOf(0))).toBeNull();
    const [offset, limit] = window_(asked[asked.length - 1]);
    expect(offset).toBeLessThanOrEqual(50_000 - 8);
    expect(offset + limit).toBeGreaterThan(50_000 + 20);
    expect(limit).toBeLessThanOrEqual(500);
    const row = within(items().find((i) => i.textContent?.includes(nameOf(50_000)))!);
    expect(row.getByRole('link').closest('[role="listitem"]')!.getAttribute('aria-posinset')).toBe('50001');

    // a short scroll stays within what was read: no request
    const before = asked.length;
    scrollListTo(50_010 * ROW_HEIGHT);
    await screen.findByText(nameOf(50_015));
    expect(asked.length).toBe(before);

    // End: the last of all 100,000 rows, scrolled to, read and focused
    // jsdom does not scroll: the list is put where the browser would scroll it (the end of the list on screen)
    const scrollTo = vi.spyOn(window, 'scrollTo').mockImplementation(() => scrollListTo(TOTAL * ROW_HEIGHT - window.innerHeight));
    const link = document.querySelector<HTMLElement>(`a.row[data-uuid="${uuidOf(50_015)}"]`)!;
    link.focus();
    fireEvent.keyDown(link, { key: 'End' });
    expect(scrollTo).toHaveBeenCalledTimes(1);
    const focused = () => (document.activeElement?.tagName === 'A' ? document.activeElement.querySelector('.name')?.textContent : null);
    await waitFor(() => expect(focused()).toBe(nameOf(TOTAL - 1)));
    expect(document.activeElement!.closest('[role="listitem"]')!.getAttribute('aria-posinset')).toBe(String(TOTAL));
    expect(items().length).toBeLessThan(60);
    // Home: back to the first row (scrolled to the top)
    scrollTo.mockImplementation(() => scrollListTo(0));
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    await waitFor(() => expect(focused()).toBe(nameOf(0)));
    // ArrowUp on the first row stays there; ArrowDown goes to the second
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(focused()).toBe(nameOf(0));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(focused()).toBe(nameOf(1));
  });
});
