import { Value } from 'typebox/value';
import { routeFor } from '../../shared/api/routes.js';

/**
 * Fails when a 2xx JSON answer of a declared route does not match the route's response
 * schema (shared/api/routes.ts), naming the route and each offending path. The test
 * helpers that call the API run every answer through this, so every black-box and
 * integration test also checks the contract.
 */
export function assertReply(method: string, url: string, status: number, json: unknown): void {
  if (status < 200 || status > 299) return;
  const path = new URL(url, 'http://x').pathname;
  const r = routeFor(method, path);
  if (!r?.response) return;
  const errors = Value.Errors(r.response, json);
  if (errors.length === 0) return;
  const lines = errors.slice(0, 5).map((e) => `  ${e.instancePath || '/'}: ${e.message}`);
  throw new Error(`${method} ${path} (${r.method} ${r.path}): the answer does not match its declared schema:\n${lines.join('\n')}`);
}

/** `assertReply` on a fetch Response, read from a clone so the caller can still read it. */
export async function assertResponse(method: string, url: string, res: Response): Promise<Response> {
  if (res.status < 200 || res.status > 299 || !(res.headers.get('content-type') ?? '').includes('json')) return res;
  if (!routeFor(method, new URL(url, 'http://x').pathname)?.response) return res;
  assertReply(method, url, res.status, await res.clone().json());
  return res;
}
