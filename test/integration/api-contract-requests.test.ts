import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TObject, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { consoleFeature } from '../../electron/service/console.js';
import { integrationsFeature } from '../../electron/service/integrations/feature.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import { silentFailures } from '../../electron/service/silent/feature.js';
import { API, pathOf, type RouteDef } from '../../shared/api/routes.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';

/**
 * The request half of the API contract, generated from the declarations in
 * shared/api/routes.ts: for every declared property of every route's params, query string
 * and body, a value its schema refuses is sent to the real service over a real socket.
 * Body → 400 "json validation error: <field> …"; query → 400 "invalid <field>";
 * params → 404 "not found" (as healthchecks: such a URL names nothing). Nothing changes.
 */

/** Values tried, in order: the first one the property's schema refuses is sent. */
const BODY_CANDIDATES: unknown[] = [12345, 'x', true, [], { a: 1 }, null, '\u0000 not one of them'];
/** Query and path values are text: only text can break them. */
const TEXT_CANDIDATES = ['x', '-1', 'not a uuid', '1.5'];

function refused(schema: TSchema, candidates: unknown[]): unknown {
  return candidates.find((v) => !Value.Check(schema, v));
}

interface Case {
  name: string;
  route: RouteDef;
  part: 'params' | 'querystring' | 'body';
  field: string;
  value: unknown;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const [name, route] of Object.entries(API) as [string, RouteDef][]) {
    for (const part of ['params', 'querystring', 'body'] as const) {
      const schema = route[part] as TObject | undefined;
      if (!schema) continue;
      for (const [field, prop] of Object.entries(schema.properties)) {
        const value = refused(prop, part === 'body' ? BODY_CANDIDATES : TEXT_CANDIDATES);
        if (value !== undefined) out.push({ name, route, part, field, value });
      }
    }
  }
  return out;
}

let h: Harness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await harness({ features: [settingsFeature(), silentFailures(), consoleFeature(), integrationsFeature(), officeFeature()] });
  const check = await h.api('POST', API.createCheck.path, { name: 'contract' });
  const channel = await h.api('POST', API.createChannel.path, { name: 'contract', kind: 'desktop' });
  expect([check.status, channel.status]).toEqual([201, 201]);
  ids.code = ids.uuid = check.json.uuid;
  ids.id = channel.json.id;
  ids.n = '1';
});
afterAll(async () => {
  await h?.stop();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
});

/** The request of a case, over the real socket; valid params unless the params are the case. */
async function send(c: Case): Promise<{ status: number; json: { error?: string } }> {
  const params = { ...ids, ...(c.part === 'params' ? { [c.field]: String(c.value) } : {}) };
  let url = pathOf(c.route, params);
  if (c.part === 'querystring') url += `?${encodeURIComponent(c.field)}=${encodeURIComponent(String(c.value))}`;
    // the broken field in an otherwise valid body (required fields get a valid value)
  const base = c.route.body ? (Value.Create(c.route.body) as Record<string, unknown>) : {};
  const body = c.part === 'body' ? JSON.stringify({ ...base, [c.field]: c.value }) : c.route.method === 'POST' ? '{}' : undefined;
  const r = await fetch(h.svc.uiUrl + url, {
    method: c.route.method,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, json: (await r.json()) as { error?: string } };
}

const all = cases();

describe('every declared route refuses a request its schema refuses, naming the field', () => {
  it('the table yields cases for every part that can be broken', () => {
    const parts = new Set(all.map((c) => c.part));
    expect([...parts].sort()).toEqual(['body', 'params', 'querystring']);
    // every route with a body has at least one case
    const withBody = Object.entries(API).filter(([, r]) => 'body' in r).map(([n]) => n);
    expect(withBody.filter((n) => !all.some((c) => c.name === n && c.part === 'body'))).toEqual([]);
  });

  it('every declared route is registered with the service', () => {
    const missing = (Object.entries(API) as [string, RouteDef][]).filter(([, r]) => !h.svc.api.hasRoute({ method: r.method, url: r.path }));
    expect(missing.map(([n]) => n)).toEqual([]);
  });

  it.each(all.map((c) => [`${c.route.method} ${c.route.path} ${c.part}.${c.field} = ${JSON.stringify(c.value)}`, c] as const))('%s', async (_, c) => {
    const before = await h.api('GET', API.listChecks.path);
    const r = await send(c);
    if (c.part === 'params') {
      expect([r.status, r.json]).toEqual([404, { error: 'not found' }]);
    } else if (c.part === 'querystring') {
      expect([r.status, r.json]).toEqual([400, { error: `invalid ${c.field}` }]);
    } else {
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(new RegExp(`^json validation error: ${c.field}\\b`));
    }
    // refused at the choke point: nothing changed
    expect(await h.api('GET', API.listChecks.path)).toEqual(before);
  });
});

describe('healthchecks words at the choke point', () => {
  it.each([
    [{ name: 5 }, 'name is not a string'],
    [{ timeout: 'x' }, 'timeout is not a number'],
    [{ timeout: 0 }, 'timeout is too small'],
    [{ grace: 1e12 }, 'grace is too large'],
    [{ manual_resume: 'yes' }, 'manual_resume is not a boolean'],
    [{ methods: 'GET' }, 'methods has unexpected value'],
    [{ unique: ['color'] }, 'unique has unexpected value'],
    [{ tags: 'x'.repeat(501) }, 'tags is too long'],
    [[1, 2], 'json root is not an object'],
  ])('POST /api/v3/checks/ %j → %s', async (body, words) => {
    const r = await fetch(h.svc.uiUrl + API.createCheck.path, { method: 'POST', headers: { 'x-api-key': KEY }, body: JSON.stringify(body) });
    expect([r.status, await r.json()]).toEqual([400, { error: `json validation error: ${words}` }]);
  });

  it('a missing required field is named with its own words', async () => {
    const power = await fetch(h.svc.uiUrl + API.power.path, { method: 'POST', headers: { 'x-api-key': KEY }, body: '{}' });
    expect([power.status, await power.json()]).toEqual([400, { error: 'json validation error: event must be one of suspend, resume, lock, unlock, shutdown' }]);
  });

  it('a request without credentials is refused before its schema is looked at', async () => {
    const r = await fetch(h.svc.uiUrl + API.createCheck.path, { method: 'POST', body: JSON.stringify({ name: 5 }) });
    expect([r.status, await r.json()]).toEqual([401, { error: 'missing api key' }]);
  });
});
