import { onTestFinished, vi } from 'vitest';
import { connect, useConsole } from '../../renderer/store.js';

export { checkJson } from '../helpers/check-json.js';

/**
 * Connects the console's store for the running test. When the test ends, failed or not, the
 * connection closes, the overview counts as hidden, and stubbed globals and fake timers are
 * undone, so the next test starts from a quiet store.
 */
export function connectForTest(): void {
  const stop = connect();
  onTestFinished(() => {
    stop();
    useConsole.getState().showOverview(false);
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}

/** 03:00 UTC on 5 March 2024: the fixed "now" of the component tests. */
export const NOW = Date.parse('2024-03-05T03:00:00Z');

/** The console's EventSource, driven by the test. */
export class TestEventSource {
  static readonly CLOSED = 2;
  static last: TestEventSource | null = null;
  readyState = 1;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((m: MessageEvent<string>) => void)[]>();
  constructor(readonly url: string) {
    TestEventSource.last = this;
  }
  addEventListener(type: string, fn: (m: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.readyState = TestEventSource.CLOSED;
  }
  send(type: string, data: unknown): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
}
