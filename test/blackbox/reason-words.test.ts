/**
 * One reason, one set of words: for each way a check goes down, the real service's API
 * (`down_reason`), webhook payload, ntfy body and desktop notification event carry the
 * same words, and the tray shows them unchanged from that same JSON.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckJson, NotificationJson, Summary } from '../../shared/api/types.js';
import { notificationText } from '../../electron/app/notifications.js';
import { trayModel } from '../../electron/app/tray-model.js';
import { receiver, type Receiver } from '../helpers/in-process.js';
import { createCheck, serve, waitFor, type Served } from '../helpers/serve.js';
import { openEvents, type EventStream } from '../helpers/sse.js';

let s: Served;
let rx: Receiver;
let es: EventStream;
let channels: string;

beforeAll(async () => {
  rx = await receiver();
  s = await serve();
  const add = async (json: unknown) => ((await (await s.api('/api/lubdub/channels', { method: 'POST', json })).json()) as { id: string }).id;
  const hook = await add({ name: 'hook', kind: 'webhook', config: { url: `${rx.url}/hook` } });
  const ntfy = await add({ name: 'phone', kind: 'ntfy', config: { url: `${rx.url}/ntfy/lubdub` } });
  const desktop = ((await (await s.api('/api/v3/channels/')).json()) as { channels: { id: string; kind: string }[] }).channels.find((c) => c.kind === 'desktop')!.id;
  channels = [hook, ntfy, desktop].join(',');
  es = await openEvents(`${s.uiUrl}/api/events`, { 'x-api-key': s.apiKey });
});
afterAll(async () => {
  es?.close();
  await s?.stop();
  await rx?.close();
  if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
});

interface Seen {
  json: CheckJson;
  webhook: { reason: string; reason_code: string; message: string };
  ntfy: string;
  notification: NotificationJson;
}

/** Waits for the down alert of `uuid` on every channel and reads the check's JSON. */
async function downEverywhere(uuid: string): Promise<Seen> {
  const find = (): Omit<Seen, 'json'> | null => {
    const webhook = rx.requests.filter((r) => r.url === '/hook').map((r) => JSON.parse(r.body)).find((p) => p.uuid === uuid && p.kind === 'down');
    const ntfy = rx.requests.find((r) => r.url === '/ntfy/lubdub' && r.headers['x-lubdub-delivery'] && r.headers.title === `${uuid.slice(0, 8)} is down`);
    const notification = es.events.find((e) => e.type === 'notification' && e.data.check === uuid && e.data.kind === 'down')?.data as NotificationJson | undefined;
    return webhook && ntfy && notification ? { webhook, ntfy: ntfy.body, notification } : null;
  };
  const got = (await waitFor(find, 15_000))!;
  const json = (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as CheckJson;
  return { json, ...got };
}

/** The same words in every place a user reads them; returns them. */
async function sameWordsEverywhere(uuid: string, code: string): Promise<string> {
  const seen = await downEverywhere(uuid);
  const words = seen.json.down_reason;
  expect(seen.json).toMatchObject({ status: 'down', down_reason_code: code });
  expect(words).not.toBe('');
  expect(seen.webhook.reason).toBe(words);
  expect(seen.webhook.reason_code).toBe(code);
  expect(seen.webhook.message.startsWith(words)).toBe(true);
  expect(seen.ntfy.startsWith(words)).toBe(true);
  expect(seen.notification.body.startsWith(words)).toBe(true);
  expect(notificationText(seen.notification, 'darwin').body.startsWith(words)).toBe(true);
  const summary: Summary = { total: 1, counts: { down: 1, grace: 0, started: 0, up: 0, new: 0, paused: 0 }, worst: 'down', muted_until: null };
  const labels = trayModel(summary, [seen.json], Date.now()).items.flatMap((i) => ('label' in i && i.kind === 'check' ? [i.label] : []));
  expect(labels).toEqual([`Down: ${seen.json.name} — ${words}`]);
  const flips = (await (await s.api(`/api/v3/checks/${uuid}/flips/`)).json()) as { new_status: string; reason: string }[];
  expect(flips.filter((f) => f.new_status === 'down').map((f) => f.reason)).toEqual([code]);
  return words;
}

/** A check named after its uuid's first 8 characters, so the ntfy title says which one it is. */
async function check(json: Record<string, unknown>): Promise<string> {
  const c = await createCheck(s, { timeout: 3600, grace: 3600, channels, ...json });
  await s.api(`/api/v3/checks/${c.uuid}`, { method: 'POST', json: { name: c.uuid.slice(0, 8) } });
  return c.uuid as string;
}

const ping = async (path: string, init?: RequestInit) => expect((await fetch(s.pingUrl + path, init)).status).toBe(200);

describe('down reasons read the same in the API, webhook, ntfy, desktop notification and tray', () => {
  it('a non-zero exit status: "exit status 3"', async () => {
    const uuid = await check({});
    await ping(`/ping/${uuid}/3`, { method: 'POST', body: 'disk full' });
    expect(await sameWordsEverywhere(uuid, 'fail')).toBe('exit status 3');
  });

  it('a /fail ping: "fail signal"', async () => {
    const uuid = await check({});
    await ping(`/ping/${uuid}/fail`);
    expect(await sameWordsEverywhere(uuid, 'fail')).toBe('fail signal');
  });

  it('a success turned into a failure by a keyword: "keyword filter"', async () => {
    const uuid = await check({ filter_http_body: true, failure_kw: 'ERROR' });
    await ping(`/ping/${uuid}`, { method: 'POST', body: 'ERROR: no space left' });
    expect(await sameWordsEverywhere(uuid, 'fail')).toBe('keyword filter');
  });

  it('a success that breaks an assertion: the assertion\'s words', async () => {
    const uuid = await check({ assertions: [{ expr: 'count > 0', message: 'exported {value} rows' }] });
    await ping(`/ping/${uuid}?metric=count:0`);
    expect(await sameWordsEverywhere(uuid, 'assertion')).toBe('exported 0 rows (count > 0)');
  });

  it('a missed deadline: "no ping for …"', async () => {
    const uuid = await check({ timeout: 1, grace: 1 });
    await ping(`/ping/${uuid}`);
    expect(await sameWordsEverywhere(uuid, 'timeout')).toMatch(/^no ping for \d+ s$/);
  });

  it('a run that outlives its grace: "run started … ago did not finish"', async () => {
    const uuid = await check({ timeout: 3600, grace: 1 });
    await ping(`/ping/${uuid}/start`);
    expect(await sameWordsEverywhere(uuid, 'run exceeded grace')).toMatch(/^run started \d+ s ago did not finish$/);
  });
});
