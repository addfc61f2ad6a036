/**
 * Prometheus `/metrics` from the real service in-process on a fake clock, read over a real
 * socket and parsed by a maintained Prometheus text parser.
 */
import fs from 'node:fs';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { integrationsFeature } from '../../electron/service/integrations/feature.js';
import { uniqueKey } from '../../electron/service/integrations/metrics.js';
import { harness, KEY, receiver, settle, type Harness, type Receiver } from '../helpers/in-process.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
  h = rx = null;
});

const T0 = Date.parse('2024-05-01T10:00:00Z');

async function start(): Promise<Harness> {
  h = await harness({ start: T0, core: { aliveEveryMs: 0 }, features: [settingsFeature(), integrationsFeature()] });
  return h;
}

async function check(body: Record<string, unknown>): Promise<string> {
  const r = await h!.api('POST', '/api/v3/checks/', body);
  expect(r.status).toBe(201);
  return r.json.uuid as string;
}

/** GET over the real socket. */
async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, { headers });
}

function series(families: PromFamily[], name: string): { labels: Record<string, string>; value: number }[] {
  const f = families.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in the exposition`);
  return f.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
}

describe('GET /metrics', () => {
  it('answers healthchecks series and Lubdub counters in Prometheus text format that a real parser reads', async () => {
    await start();
    rx = await receiver();
    const hook = (await h!.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/hook` } })).json.id as string;
    const backup = await check({ name: 'db "backup"\nnightly', tags: 'prod db', timeout: 3600, grace: 60, channels: hook });
    const web = await check({ name: 'web', tags: 'prod', timeout: 3600, grace: 60, channels: '' });
    const report = await check({ name: 'report', tags: 'office', timeout: 3600, grace: 60, channels: '' });
    await check({ name: 'paused one', timeout: 60, channels: '' });
    expect(await h!.ping(web)).toBe(200);
    expect(await h!.ping(report, '/start')).toBe(200);
    expect(await h!.ping(backup)).toBe(200);
    expect(await h!.ping(backup, '/fail')).toBe(200);
    expect(await h!.ping('00000000-0000-4000-8000-000000000000')).toBe(404);
    await settle(h!);
    expect(rx.requests).toHaveLength(1);
    const paused = (await h!.api('GET', '/api/v3/checks/')).json.checks.find((c: { name: string }) => c.name === 'paused one').uuid;
    expect((await h!.api('POST', `/api/v3/checks/${paused}/pause`)).status).toBe(200);

    const res = await get(h!.svc.uiUrl, '/metrics', { 'x-api-key': KEY });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const fams = parsePrometheusTextFormat(await res.text());
    expect(fams.map((f) => [f.name, f.type])).toEqual([
      ['hc_check_up', 'GAUGE'],
      ['hc_check_started', 'GAUGE'],
      ['hc_check_grace', 'GAUGE'],
      ['hc_check_paused', 'GAUGE'],
      ['hc_tag_up', 'GAUGE'],
      ['hc_checks_total', 'GAUGE'],
      ['hc_checks_down_total', 'GAUGE'],
      ['lubdub_pings_received_total', 'COUNTER'],
      ['lubdub_alerts_sent_total', 'COUNTER'],
      ['lubdub_alerts_failed_total', 'COUNTER'],
      ['lubdub_outbox_depth', 'GAUGE'],
      ['lubdub_last_alert_latency_seconds', 'GAUGE'],
      ['lubdub_relay_depth', 'GAUGE'],
    ]);
    const up = series(fams, 'hc_check_up');
    expect(up).toContainEqual({ labels: { name: 'db "backup"\nnightly', tags: 'prod db', unique_key: uniqueKey(backup) }, value: 0 });
    expect(up).toContainEqual({ labels: { name: 'web', tags: 'prod', unique_key: uniqueKey(web) }, value: 1 });
    expect(series(fams, 'hc_check_started')).toContainEqual({ labels: { name: 'report', tags: 'office', unique_key: uniqueKey(report) }, value: 1 });
    expect(series(fams, 'hc_check_paused').filter((s) => s.value === 1).map((s) => s.labels.name)).toEqual(['paused one']);
    expect(series(fams, 'hc_tag_up')).toEqual([
      { labels: { tag: 'db' }, value: 0 },
      { labels: { tag: 'office' }, value: 1 },
      { labels: { tag: 'prod' }, value: 0 },
    ]);
    expect(series(fams, 'hc_checks_total')[0].value).toBe(4);
    expect(series(fams, 'hc_checks_down_total')[0].value).toBe(1);
    // every ping the receiver handed on, the one to an unknown check included
    expect(series(fams, 'lubdub_pings_received_total')[0].value).toBe(5);
    expect(series(fams, 'lubdub_alerts_sent_total')[0].value).toBe(1);
    expect(series(fams, 'lubdub_alerts_failed_total')[0].value).toBe(0);
    expect(series(fams, 'lubdub_outbox_depth')[0].value).toBe(0);
    expect(series(fams, 'lubdub_last_alert_latency_seconds')[0].value).toBeGreaterThanOrEqual(0);
    expect(series(fams, 'lubdub_relay_depth')[0].value).toBe(0);
    // unique_key is healthchecks': it does not reveal the ping URL
    expect(uniqueKey(backup)).toMatch(/^[0-9a-f]{40}$/);
    expect(uniqueKey(backup)).not.toContain(backup.replace(/-/g, '').slice(0, 8));
  });

  it('needs the API key (header or Bearer, as Prometheus sends it); without it 401 and no data', async () => {
    await start();
    await check({ name: 'secret name', timeout: 60, channels: '' });
    const none = await get(h!.svc.uiUrl, '/metrics');
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('secret name');
    expect((await get(h!.svc.uiUrl, '/metrics', { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await get(h!.svc.uiUrl, '/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const bearer = await get(h!.svc.uiUrl, '/metrics', { authorization: `Bearer ${KEY}` });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toContain('name="secret name"');
  });
});
