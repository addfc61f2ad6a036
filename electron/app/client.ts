import { EVENT_TYPES as EVENT_TYPE_LIST, type ServiceEvent } from '../../shared/api/events.js';
import { API, type Body, type PowerEvent, type Reply } from '../../shared/api/routes.js';
import { SseParser } from './sse.js';

/** Where the shell finds its service: the local in-process one or a remote one. */
export interface ServiceTarget {
  /** base URL of the UI/API port, e.g. http://127.0.0.1:8421 */
  baseUrl: string;
  apiKey: string;
}

/** A non-2xx answer from the service. */
export class ServiceHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An open event stream; `closed` settles when it ends for any reason. */
export interface EventStream {
  close(): void;
  closed: Promise<void>;
}

const EVENT_TYPES = new Set<string>(EVENT_TYPE_LIST);

const REQUEST_TIMEOUT_MS = 10_000;
/**
 * The service writes a keep-alive comment every 25 s. A stream silent for longer than this
 * is dead even if the socket looks open (a laptop that slept, a Wi-Fi change: TCP does not
 * notice a peer that vanished), so it is dropped and the caller reconnects.
 */
export const STREAM_IDLE_MS = 60_000;

/**
 * The shell's only way to the service: the same management API and event stream the
 * console and scripts use (SPEC §2: one code path), authenticated with the API key.
 */
export class ServiceClient {
  constructor(
    readonly target: ServiceTarget,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private async request(path: string, init: { method?: string; json?: unknown } = {}): Promise<unknown> {
    const headers: Record<string, string> = { 'x-api-key': this.target.apiKey, accept: 'application/json' };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchImpl(this.target.baseUrl + path, {
      method: init.method ?? 'GET',
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      // The API key is a custom header, which fetch keeps on a cross-origin redirect:
      // refuse redirects so a misconfigured or hostile remote cannot forward our key.
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw new ServiceHttpError(res.status, `${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return text === '' ? null : JSON.parse(text);
  }

  /** Counts by status and the worst state. */
  async summary(): Promise<Reply<'summary'>> {
    return (await this.request(API.summary.path)) as Reply<'summary'>;
  }

  /** Every check (healthchecks v3 list). */
  async checks(): Promise<Reply<'listChecks'>['checks']> {
    return ((await this.request(API.listChecks.path)) as Reply<'listChecks'>).checks;
  }

  /** Office mode as Settings shows it, with a waiting desk's code (the full key only: never on the event stream). */
  async office(): Promise<Reply<'office'>> {
    return (await this.request(API.office.path)) as Reply<'office'>;
  }

  /** A console session for the shell's window: the cookie's name and value. */
  async session(): Promise<Reply<'session'>> {
    const r = (await this.request(API.session.path, { method: API.session.method, json: {} })) as Partial<Record<keyof Reply<'session'>, unknown>>;
    if (typeof r?.cookie !== 'string' || typeof r.value !== 'string') throw new Error('session: unexpected answer');
    return { cookie: r.cookie, value: r.value };
  }

  /** Global snooze until `until` (epoch ms), or off with null. */
  async mute(until: number | null): Promise<void> {
    const json: Body<'mute'> = { until: until === null ? null : new Date(until).toISOString() };
    await this.request(API.mute.path, { method: API.mute.method, json });
  }

  /** Reports a power event so the service can account for the time it was not watching. */
  async power(event: PowerEvent): Promise<void> {
    const json: Body<'power'> = { event };
    await this.request(API.power.path, { method: API.power.method, json });
  }

  /**
   * Opens the event stream once. `onOpen` runs when the service answered 200; every
   * well-formed event of a known type reaches `onEvent`; `closed` resolves when the stream
   * ends or fails (the caller decides about reconnecting).
   */
  events(onEvent: (e: ServiceEvent) => void, onOpen: () => void = () => {}, idleMs = STREAM_IDLE_MS): EventStream {
    const ctrl = new AbortController();
    let idle: NodeJS.Timeout | null = null;
    const alive = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => ctrl.abort(), idleMs);
      idle.unref?.();
    };
    alive();
    const closed = (async () => {
      const res = await this.fetchImpl(this.target.baseUrl + API.events.path, {
        headers: { 'x-api-key': this.target.apiKey, accept: 'text/event-stream' },
        redirect: 'error',
        signal: ctrl.signal,
      });
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => {});
        throw new ServiceHttpError(res.status, `event stream: ${res.status}`);
      }
      onOpen();
      const parser = new SseParser((m) => {
        if (!EVENT_TYPES.has(m.event)) return;
        let data: unknown;
        try {
          data = JSON.parse(m.data);
        } catch {
          return;
        }
        if (data === null || typeof data !== 'object') return;
        onEvent({ type: m.event, data } as ServiceEvent);
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      // An abort (silence, close()) must end a read that is already waiting: cancelling the
      // reader makes sure of it, whatever the fetch implementation does with the signal.
      const cancel = () => void reader.cancel().catch(() => {});
      if (ctrl.signal.aborted) cancel();
      else ctrl.signal.addEventListener('abort', cancel, { once: true });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        alive();
        parser.push(decoder.decode(value, { stream: true }));
      }
    })()
      .catch(() => {})
      .finally(() => {
        if (idle) clearTimeout(idle);
      });
    return { close: () => ctrl.abort(), closed };
  }
}
