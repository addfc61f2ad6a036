import { describe, expect, it } from 'vitest';
import { summarize } from '../../../shared/api/summary.js';
import type { CheckJson } from '../../../shared/api/types.js';
import type { Status } from '../../../shared/domain/types.js';
import { ellipsize, TOOLTIP_MAX, trayModel, type TrayMenuItem } from '../../../electron/app/tray-model.js';
import { checkJson } from '../../helpers/check-json.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

/** A check as the API returns it, without deadlines unless the test gives them. */
function check(name: string, status: Status, over: Partial<CheckJson> = {}): CheckJson {
  return checkJson({ uuid: uuid(), name, slug: name, tags: '', status, last_ping: null, next_ping: null, alert_after: null, ...over });
}
function model(checks: CheckJson[], opts: Parameters<typeof trayModel>[3] = {}, muted: string | null = null) {
  return trayModel(summarize(checks, muted), checks, NOW, { timeZone: 'UTC', platform: 'linux', ...opts });
}
const labels = (items: TrayMenuItem[]): string[] => items.flatMap((i) => (i.kind === 'separator' ? ['—'] : i.kind === 'submenu' ? [i.label] : [i.label]));
const checkItems = (items: TrayMenuItem[]) => items.filter((i): i is Extract<TrayMenuItem, { kind: 'check' }> => i.kind === 'check');

describe('trayModel: the icon is the worst state', () => {
  it.each<[string, Status[], string]>([
    ['no checks', [], 'idle'],
    ['all up', ['up', 'up'], 'up'],
    ['one running', ['started'], 'up'],
    ['only paused', ['paused', 'paused'], 'idle'],
    ['only new', ['new'], 'idle'],
    ['paused and up', ['paused', 'up'], 'up'],
    ['one late among up', ['up', 'grace', 'up'], 'late'],
    ['late and paused', ['grace', 'paused'], 'late'],
    ['one down among up', ['up', 'down'], 'down'],
    ['down beats late', ['grace', 'down', 'up', 'started', 'paused', 'new'], 'down'],
    ['every status at once', ['new', 'up', 'grace', 'down', 'paused', 'started'], 'down'],
  ])('%s → %s', (_name, statuses, icon) => {
    expect(model(statuses.map((s, i) => check(`c${i}`, s))).icon).toBe(icon);
  });

  it('every one of the 64 mixes of the six statuses gets the icon of its worst member', () => {
    const all: Status[] = ['new', 'up', 'grace', 'down', 'paused', 'started'];
    for (let mask = 0; mask < 64; mask++) {
      const statuses = all.filter((_, i) => mask & (1 << i));
      const has = (s: Status) => statuses.includes(s);
      const want = has('down') ? 'down' : has('grace') ? 'late' : has('up') || has('started') ? 'up' : 'idle';
      const m = model(statuses.map((s, i) => check(`c${i}`, s)));
      expect({ statuses, icon: m.icon }).toEqual({ statuses, icon: want });
      expect(m.tooltip.length).toBeGreaterThan(0);
      expect(checkItems(m.items)).toHaveLength(Number(has('down')) + Number(has('grace')));
    }
  });

  it('no connection to the service → disconnected, whatever the last checks were', () => {
    const m = trayModel(null, [check('a', 'down')], NOW, { serviceLabel: '127.0.0.1:8421' });
    expect(m.icon).toBe('disconnected');
    expect(m.tooltip).toBe('Not connected to Lubdub at 127.0.0.1:8421 · retrying');
    expect(m.items[0]).toEqual({ kind: 'info', label: 'Cannot reach Lubdub at 127.0.0.1:8421' });
    expect(labels(m.items)).toContain('Reconnect now');
    expect(m.items.find((i) => i.kind === 'action' && i.action === 'new-check')).toMatchObject({ enabled: false });
  });
});

describe('trayModel: the tooltip names problems first', () => {
  it('the issue example: "2 down: nightly-backup, photo-sync · next: db-dump in 14 min"', () => {
    const m = model([
      check('photo-sync', 'down'),
      check('nightly-backup', 'down'),
      check('db-dump', 'up', { next_ping: iso(NOW + 14 * MIN) }),
      check('cert-renew', 'up', { next_ping: iso(NOW + 3 * 60 * MIN) }),
    ]);
    expect(m.tooltip).toBe('2 down: nightly-backup, photo-sync · next: db-dump in 14 min');
  });

  it('down, then late, then next', () => {
    const m = model([check('b', 'grace'), check('a', 'down'), check('c', 'up', { next_ping: iso(NOW + 90 * MIN) })]);
    expect(m.tooltip).toBe('1 down: a · 1 late: b · next: c in 1 h 30 min');
  });

  it('all up is one calm line', () => {
    expect(model([check('a', 'up'), check('b', 'started')]).tooltip).toBe('All 2 up');
  });

  it('all up with paused and new ones says so', () => {
    expect(model([check('a', 'up'), check('b', 'paused'), check('c', 'new')]).tooltip).toBe('All 1 up (1 paused, 1 new)');
  });

  it('only paused checks', () => {
    expect(model([check('a', 'paused'), check('b', 'paused')]).tooltip).toBe('2 paused');
  });

  it('no checks', () => {
    expect(model([]).tooltip).toBe('No checks yet');
  });

  it('next skips checks that are down, late or paused', () => {
    const m = model([
      check('down-soon', 'down', { next_ping: iso(NOW + MIN) }),
      check('paused', 'paused', { next_ping: iso(NOW + 2 * MIN) }),
      check('ok', 'up', { next_ping: iso(NOW + 30 * MIN) }),
    ]);
    expect(m.tooltip).toBe('1 down: down-soon · next: ok in 30 min');
  });

  it('a snooze in force is shown with its end in local time', () => {
    const m = model([check('a', 'up')], { timeZone: 'Europe/Berlin' }, iso(NOW + 2 * 60 * MIN));
    expect(m.tooltip).toBe('All 1 up · snoozed until 15:00');
    expect(m.items.find((i) => i.kind === 'submenu' && i.label === 'Notifications snoozed')).toBeTruthy();
  });

  it('an expired snooze is not shown', () => {
    expect(model([check('a', 'up')], {}, iso(NOW - MIN)).tooltip).toBe('All 1 up');
  });

  it('more than three names: "+N more"', () => {
    const m = model(['e', 'd', 'c', 'b', 'a'].map((x) => check(x, 'down')));
    expect(m.tooltip).toBe('5 down: a, b, c +2 more');
  });

  it('long names are cut with an ellipsis and the tooltip stays within 127 characters', () => {
    const long = 'x'.repeat(300);
    const m = model([check(long + '1', 'down'), check(long + '2', 'down'), check(long + '3', 'grace'), check(long, 'up', { next_ping: iso(NOW + MIN) })]);
    expect(m.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(m.tooltip.startsWith(`2 down: ${'x'.repeat(23)}…, ${'x'.repeat(23)}… · 1 late:`)).toBe(true);
    expect(m.tooltip.endsWith('…')).toBe(true);
  });

  it('names with emoji are cut between characters, not inside one', () => {
    expect(ellipsize('🔥'.repeat(30), 5)).toBe('🔥🔥🔥🔥…');
  });
});

describe('trayModel: the menu lists checks needing attention first', () => {
  it('down (by name), then late (soonest to fail first), each with why', () => {
    const m = model([
      check('ok', 'up'),
      check('zeta', 'down', { down_reason: 'exit status 3', down_reason_code: 'fail' }),
      check('alpha', 'down', { down_reason: 'no ping for 2 h', down_reason_code: 'timeout' }),
      check('late-later', 'grace', { alert_after: iso(NOW + 40 * MIN) }),
      check('late-sooner', 'grace', { alert_after: iso(NOW + 5 * MIN) }),
      check('offline', 'grace', { monitor_offline: true, alert_after: iso(NOW + 1 * MIN) }),
    ]);
    expect(checkItems(m.items).map((i) => i.label)).toEqual([
      'Down: alpha — no ping for 2 h',
      'Down: zeta — exit status 3',
      'Late: offline — Lubdub was offline',
      'Late: late-sooner — down in 5 min',
      'Late: late-later — down in 40 min',
    ]);
    expect(m.items[5]).toEqual({ kind: 'separator' });
  });

  it('the fixed entries follow, in order', () => {
    const m = model([check('a', 'down')]);
    expect(labels(m.items)).toEqual([
      'Down: a',
      '—',
      'Open Lubdub',
      'New check…',
      '—',
      'Snooze notifications',
      'Watch',
      'Start at login',
      '—',
      'Quit Lubdub',
    ]);
  });

  it('the snooze submenu offers 1 h, 4 h, until tomorrow 09:00 and off (off only while snoozed)', () => {
    const sub = (m: ReturnType<typeof model>) => (m.items.find((i) => i.kind === 'submenu' && i.label.startsWith('S')) as Extract<TrayMenuItem, { kind: 'submenu' }>).items;
    expect(sub(model([check('a', 'up')]))).toEqual([
      { kind: 'snooze', choice: '1h', label: 'For 1 hour' },
      { kind: 'snooze', choice: '4h', label: 'For 4 hours' },
      { kind: 'snooze', choice: 'tomorrow', label: 'Until tomorrow 09:00' },
      { kind: 'separator' },
      { kind: 'snooze', choice: 'off', label: 'Off', enabled: false },
    ]);
    const snoozed = model([check('a', 'up')], {}, iso(NOW + 60 * MIN));
    const items = (snoozed.items.find((i) => i.kind === 'submenu' && i.label === 'Notifications snoozed') as Extract<TrayMenuItem, { kind: 'submenu' }>).items;
    expect(items[0]).toEqual({ kind: 'info', label: 'Snoozed until 13:00' });
    expect(items.at(-1)).toEqual({ kind: 'snooze', choice: 'off', label: 'Off', enabled: true });
  });

  it('healthy: one calm line instead of a list', () => {
    expect(model([check('a', 'up'), check('b', 'up')]).items[0]).toEqual({ kind: 'info', label: 'All 2 up' });
    expect(model([]).items[0]).toEqual({ kind: 'info', label: 'No checks yet' });
  });

  it('start at login and the watched service are reflected', () => {
    const m = model([], { startAtLogin: true, connection: { mode: 'remote', remoteLabel: 'nas.lan:8421' } });
    expect(m.items.find((i) => i.kind === 'action' && i.action === 'toggle-start-at-login')).toMatchObject({ checkbox: true, checked: true });
    const watch = m.items.find((i) => i.kind === 'submenu' && i.label === 'Watch') as Extract<TrayMenuItem, { kind: 'submenu' }>;
    expect(watch.items.slice(0, 2)).toEqual([
      { kind: 'action', action: 'use-local', label: 'This computer', radio: true, checked: false },
      { kind: 'action', action: 'use-remote', label: 'Remote: nas.lan:8421', radio: true, checked: true },
    ]);
  });

  it('"&" in a name is escaped on Windows/Linux (mnemonic marker) and kept on macOS', () => {
    expect(checkItems(model([check('R&D backup', 'down')], { platform: 'win32' }).items)[0].label).toBe('Down: R&&D backup');
    expect(checkItems(model([check('R&D backup', 'down')], { platform: 'darwin' }).items)[0].label).toBe('Down: R&D backup');
  });

  it('a blank name falls back to the slug', () => {
    expect(checkItems(model([check('  ', 'down', { slug: 'the-slug' })]).items)[0].label).toBe('Down: the-slug');
  });
});

describe('trayModel: 0 and 500 checks', () => {
  it('500 checks all down: 10 listed, then "…and 490 more", tooltip within limits', () => {
    const many = Array.from({ length: 500 }, (_, i) => check(`job-${String(i).padStart(3, '0')}`, 'down'));
    const m = model(many);
    expect(m.icon).toBe('down');
    expect(checkItems(m.items)).toHaveLength(10);
    expect(checkItems(m.items)[0].label).toBe('Down: job-000');
    expect(m.items[10]).toEqual({ kind: 'action', action: 'open', label: '…and 490 more' });
    expect(m.tooltip).toBe('500 down: job-000, job-001, job-002 +497 more');
  });

  it('500 checks mixed: problems first, the healthy 480 not listed', () => {
    const many = Array.from({ length: 500 }, (_, i) => check(`job-${String(i).padStart(3, '0')}`, i % 50 === 0 ? 'down' : i % 50 === 1 ? 'grace' : 'up'));
    const m = model(many);
    expect(m.icon).toBe('down');
    expect(m.tooltip).toBe('10 down: job-000, job-050, job-100 +7 more · 10 late: job-001, job-051, job-101 +7 more');
    expect(checkItems(m.items).map((i) => i.label)).toEqual(Array.from({ length: 10 }, (_, k) => `Down: job-${String(k * 50).padStart(3, '0')}`));
    expect(m.items[10]).toMatchObject({ label: '…and 10 more' });
  });

  it('500 healthy checks: one line', () => {
    const m = model(Array.from({ length: 500 }, (_, i) => check(`j${i}`, 'up', { next_ping: iso(NOW + (i + 1) * MIN) })));
    expect(m.tooltip).toBe('All 500 up · next: j0 in 1 min');
    expect(checkItems(m.items)).toHaveLength(0);
  });
});
