import { vi } from 'vitest';

/** What a console view sent through the stubbed fetch. */
export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
  csrf: string | null;
}

/**
 * A stand-in for the routes a console view calls (jsdom has no service): answers by
 * "METHOD path", 404 otherwise, and records every request with its CSRF header.
 */
export function fakeApi(routes: Record<string, (body: unknown) => { status?: number; json: unknown }>): SentRequest[] {
  const sent: SentRequest[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      sent.push({ method, path, body, csrf: new Headers(init.headers).get('x-lubdub-csrf') });
      const route = routes[`${method} ${path}`];
      const r = route ? route(body) : { status: 404, json: { error: 'not found' } };
      return new Response(JSON.stringify(r.json), { status: r.status ?? 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return sent;
}
