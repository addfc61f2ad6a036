import Database from 'better-sqlite3';
import path from 'node:path';
import { API } from '../shared/api/routes.js';
import { procStats, servicePid } from '../test/helpers/proc.js';
import { createCheck } from '../test/helpers/serve.js';
import { alertCatcher, benchServe, quantile, sleep } from './util.js';

/** Figures of the alert-latency section, or why it did not run. */
export type AlertResult =
  | { skipped: string }
  | {
      checks: number;
      spreadSeconds: number;
      received: number;
      missed: number;
      /** webhook calls beyond the first per check (down alerts must not repeat) */
      duplicates: number;
      /** alert arrival − deadline (alert_after), ms */
      p50ms: number;
      p99ms: number;
      maxMs: number;
      minMs: number;
      within1s: number;
      /** service CPU during the wave, % of one core */
      cpuPercent: number;
      problems: string[];
    };

/**
 * Alert latency at scale (SPEC §9: an alert leaves within 1 s of its deadline): `checks`
 * checks with a webhook channel, each pinged once so that its deadline falls somewhere in
 * the next `spreadSeconds`; a local webhook receiver notes when each alert arrives, and
 * the latency is arrival − the check's `alert_after` as stored. Written against the
 * documented contract (channels at API.createChannel; a webhook channel POSTs JSON
 * naming the check); skipped cleanly when the service has no channels API yet.
 */
export async function benchAlerts(o: { checks: number; spreadSeconds: number; command?: string[]; log: (l: string) => void }): Promise<AlertResult> {
  const hook = await alertCatcher();
  const { arrivals } = hook;
  const hookUrl = hook.url;
  const s = await benchServe({ command: o.command, prefix: 'lubdub-bench-alerts-' });
  try {
    const ch = await s.api(API.createChannel.path, { method: 'POST', json: { name: 'bench webhook', kind: 'webhook', config: { url: hookUrl } } });
    if (ch.status === 404) return { skipped: 'skipped: no scheduler/channels API (404)' };
    if (!ch.ok) return { skipped: `skipped: creating a webhook channel answered ${ch.status} ${await ch.text()}` };
    const channel = (await ch.json()) as { id: string };

    o.log(`creating ${o.checks.toLocaleString('en-US')} checks with a webhook channel`);
    const created: string[] = [];
    const lead = 20; // seconds between the first ping and the earliest deadline
    for (let i = 0; i < o.checks; i++) {
      const c = await createCheck(s, { name: `bench-alert-${String(i).padStart(5, '0')}`, timeout: lead + (i % o.spreadSeconds), grace: 1, channels: channel.id });
      created.push(c.uuid as string);
    }
    hook.watch(created);
    o.log('pinging each once');
    const queue = [...created];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let u = queue.pop(); u; u = queue.pop()) {
          const r = await fetch(`${s.pingUrl}/ping/${u}`);
          if (`${r.status} ${await r.text()}` !== '200 OK') throw new Error(`ping ${u}: ${r.status}`);
        }
      }),
    );
    const db = new Database(path.join(s.dataDir, 'lubdub.db'), { readonly: true });
    const deadlines = new Map((db.prepare('SELECT uuid, alert_after FROM checks').all() as { uuid: string; alert_after: number }[]).map((r) => [r.uuid, r.alert_after]));
    db.close();
    const last = Math.max(...created.map((u) => deadlines.get(u)!));
    const pid = servicePid(s.proc.pid!);
    const c0 = procStats(pid).cpuSeconds;
    const t0 = Date.now();
    o.log(`waiting for ${o.checks} alerts until ${new Date(last).toISOString()}`);
    while (arrivals.size < created.length && Date.now() < last + 30_000) await sleep(500);
    const cpuPercent = Math.round(((procStats(pid).cpuSeconds - c0) / ((Date.now() - t0) / 1000)) * 1000) / 10;
    const lat = created.filter((u) => arrivals.has(u)).map((u) => arrivals.get(u)! - deadlines.get(u)!).sort((a, b) => a - b);
    const problems: string[] = [];
    const missed = created.length - lat.length;
    if (missed) problems.push(`${missed} checks never alerted within 30 s of the last deadline`);
    const duplicates = hook.duplicates();
    if (duplicates) problems.push(`${duplicates} repeated webhook calls`);
    return {
      checks: o.checks,
      spreadSeconds: o.spreadSeconds,
      received: lat.length,
      missed,
      duplicates,
      p50ms: quantile(lat, 0.5),
      p99ms: quantile(lat, 0.99),
      maxMs: lat.at(-1) ?? NaN,
      minMs: lat[0] ?? NaN,
      within1s: lat.filter((x) => x <= 1000).length,
      cpuPercent,
      problems,
    };
  } finally {
    await s.dispose();
    await hook.close();
  }
}
