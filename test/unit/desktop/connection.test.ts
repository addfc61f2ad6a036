/** The shell's connection keeps no timer of its own for statuses: time alone causes no request. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceClient } from '../../../electron/app/client.js';
import { ShellConnection } from '../../../electron/app/connection.js';
import type { CheckJson, ServiceEvent } from '../../../shared/api/types.js';
import { checkJson } from '../../helpers/check-json.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');

afterEach(() => {
  vi.useRealTimers();
});

/** A client whose stream the test drives; counts the reads. */
function scriptedClient(checks: CheckJson[]) {
  const calls: string[] = [];
  let push: (e: ServiceEvent) => void = () => {};
  const client = {
    summary: async () => (calls.push('summary'), { counts: {}, worst: 'up', muted_until: null }),
    checks: async () => (calls.push('checks'), checks),
    events: (onEvent: (e: ServiceEvent) => void, onOpen: () => void) => {
      calls.push('events');
      push = onEvent;
      queueMicrotask(onOpen);
      return { close: () => {}, closed: new Promise<void>(() => {}) };
    },
  } as unknown as ServiceClient;
  return { client, calls, push: (e: ServiceEvent) => push(e) };
}

describe('ShellConnection timing', () => {
  it('a running job and a check past its deadline: ten minutes pass without a request; events alone change the view', async () => {
    vi.useFakeTimers({ now: NOW });
    const running = checkJson({ uuid: 'a', name: 'backup', status: 'started', started: true, next_ping: iso(NOW - 60_000), alert_after: iso(NOW + 3_540_000) });
    const overdue = checkJson({ uuid: 'b', name: 'heartbeat', status: 'up', next_ping: iso(NOW - 1000), alert_after: iso(NOW + 60_000) });
    const s = scriptedClient([running, overdue]);
    const conn = new ShellConnection(s.client);
    conn.start();
    await vi.waitFor(() => expect(conn.isConnected).toBe(true));
    expect(s.calls.sort()).toEqual(['checks', 'events', 'summary']);

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(s.calls).toHaveLength(3);
    expect(conn.checks.map((c) => c.status)).toEqual(['started', 'up']);

    s.push({ type: 'check', data: { ...overdue, status: 'grace' } });
    s.push({ type: 'check', data: { ...running, status: 'up', started: false } });
    expect(conn.checks.map((c) => c.status)).toEqual(['up', 'grace']);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(s.calls).toHaveLength(3);
    conn.stop();
  });
});
