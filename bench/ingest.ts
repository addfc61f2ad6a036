import crypto from 'node:crypto';
import { procStats, servicePid } from '../test/helpers/proc.js';
import { createCheck } from '../test/helpers/serve.js';
import { againstReference, type ReferenceResult } from './against-reference.js';
import { benchServe, committedPings, load, mb, sleep, type LoadFigures } from './util.js';

/** One ingestion run: a load shape and what the service committed during it. */
export interface IngestRow extends LoadFigures {
  target: string;
  /** n_pings added during the run: every 2xx must be in it (plus at most the in-flight ones) */
  committed: number;
}

/** Figures of the ingestion section. */
export interface IngestResult {
  emptyStartMs: number;
  emptyIdleRssMB: number;
  throughput: IngestRow[];
  /** wrk rounds alternating between Lubdub and bench/reference.ts */
  reference: ReferenceResult;
  fixedRate: (IngestRow & { rate: number; bodyBytes: number })[];
  serviceRssAfterMB: number;
  problems: string[];
}

/**
 * Ingestion (SPEC §9): pings/s to one check and round robin over 1,000 checks at 1, 10
 * and 50 connections; the same two shapes with wrk against the reference receiver in
 * alternating rounds; latency at a fixed 1,000 pings/s without and with a 10 KB body.
 * Every run is checked against the rows committed (n_pings) afterwards.
 */
export async function benchIngest(o: { seconds: number; wrkSeconds: number; wrkRounds: number; log: (l: string) => void }): Promise<IngestResult> {
  const problems: string[] = [];
  const t0 = Date.now();
  const s = await benchServe({ prefix: 'lubdub-bench-ingest-' });
  const emptyStartMs = Date.now() - t0;
  const pid = servicePid(s.proc.pid!);
  try {
    await sleep(2000);
    const emptyIdleRssMB = mb(procStats(pid).rss);
    const one = await createCheck(s, { name: 'bench one' });
    const tc = Date.now();
    // eight requests at a time: set-up, not a measurement, and one at a time is slow on a busy machine
    const many: string[] = new Array(1000);
    let nextCheck = 0;
    const creator = async () => {
      for (let i = nextCheck++; i < many.length; i = nextCheck++) many[i] = (await createCheck(s, { name: `bench rr ${i}` })).uuid as string;
    };
    await Promise.all(Array.from({ length: 8 }, creator));
    o.log(`created 1,000 checks in ${((Date.now() - tc) / 1000).toFixed(1)} s`);

    const run = async (target: string, paths: string[], connections: number, extra: { rate?: number; body?: Buffer } = {}): Promise<IngestRow> => {
      const before = await committedPings(s);
      const f = await load({ url: s.pingUrl, paths, connections, seconds: o.seconds, rate: extra.rate, method: extra.body ? 'POST' : 'GET', body: extra.body });
      await sleep(200);
      const committed = (await committedPings(s)) - before;
      // a request in flight when the load generator stops may be committed without its 200 being counted
      if (committed < f.ok || committed > f.ok + connections) problems.push(`${target} @${connections}: ${f.ok} answered 200 but ${committed} committed`);
      if (f.non2xx || f.errors) problems.push(`${target} @${connections}: ${f.non2xx} non-2xx, ${f.errors} errors`);
      o.log(`${target}, ${connections} conn${extra.rate ? `, ${extra.rate}/s` : ''}: ${f.perSecond}/s, p99 ${f.p99ms} ms, ${committed} committed`);
      return { target, committed, ...f };
    };

    const throughput: IngestRow[] = [];
    for (const connections of [1, 10, 50]) throughput.push(await run('one check', [`/ping/${one.uuid}`], connections));
    const rr = many.map((u) => `/ping/${u}`);
    for (const connections of [1, 10, 50]) throughput.push(await run('1,000 checks round robin', rr, connections));

    o.log(`wrk, ${o.wrkRounds} rounds of ${o.wrkSeconds} s each, alternating with the reference receiver`);
    const reference = await againstReference({ s, one: one.uuid as string, many, seconds: o.wrkSeconds, rounds: o.wrkRounds, problems, log: o.log });

    const fixedRate: IngestResult['fixedRate'] = [];
    for (const bodyBytes of [0, 10 * 1024]) {
      const body = bodyBytes ? crypto.randomBytes(bodyBytes) : undefined;
      const row = await run(bodyBytes ? 'fixed rate, 10 KB body' : 'fixed rate, no body', [`/ping/${one.uuid}`], 10, { rate: 1000, body });
      fixedRate.push({ ...row, rate: 1000, bodyBytes });
    }
    return { emptyStartMs, emptyIdleRssMB, throughput, reference, fixedRate, serviceRssAfterMB: mb(procStats(pid).rss), problems };
  } finally {
    await s.dispose();
  }
}
