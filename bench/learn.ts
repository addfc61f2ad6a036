/**
 * `npx tsx bench/learn.ts [checks]`: listing checks that learn their schedule. Each learning
 * check's `schedule_suggestion` is worked out when it is read (from its newest runs,
 * remembered for 512 checks), so a list of more learning checks than that works every one out
 * again. Seeds `checks` (default 5,000) learning checks with 20 hourly runs each, starts the
 * compiled service on them and times the whole list against the same list with learning off.
 * Figures only, no pass/fail.
 */
import fs from 'node:fs';
import { openDb } from '../electron/service/db/open.js';
import { tempDir } from '../test/helpers/serve.js';
import { seed } from './scale.js';
import { benchServe, cleanUpOnInterrupt, owned } from './util.js';

export interface LearnResult {
  checks: number;
  suggested: number;
  /** ms per whole list, median of `rounds` */
  listLearningMs: number;
  listPlainMs: number;
}

/** Median ms of `rounds` whole lists, and what the last one returned. */
async function timeList(api: (p: string) => Promise<Response>, rounds: number): Promise<{ ms: number; checks: Record<string, unknown>[] }> {
  const ms: number[] = [];
  let checks: Record<string, unknown>[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    checks = ((await (await api('/api/v3/checks/')).json()) as { checks: Record<string, unknown>[] }).checks;
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { ms: Math.round(ms[rounds >> 1]), checks };
}

export async function benchLearn(o: { checks: number; rounds?: number; log: (l: string) => void }): Promise<LearnResult> {
  const rounds = o.rounds ?? 5;
  const dataDir = tempDir('lubdub-bench-learn-');
  const forget = owned.dir(dataDir);
  try {
    o.log(`seeding ${o.checks.toLocaleString('en-US')} checks × 20 hourly runs`);
    seed(dataDir, o.checks, 20);
    const run = async (learning: boolean) => {
      const db = openDb(dataDir);
      db.prepare(`UPDATE checks SET extra = json_set(extra, '$.learn_schedule', json(?))`).run(String(learning));
      db.close();
      const s = await benchServe({ dataDir, timeoutMs: 120_000 });
      try {
        return await timeList(s.api, rounds);
      } finally {
        await s.stop();
      }
    };
    const learning = await run(true);
    const plain = await run(false);
    const r: LearnResult = {
      checks: o.checks,
      suggested: learning.checks.filter((c) => c.schedule_suggestion).length,
      listLearningMs: learning.ms,
      listPlainMs: plain.ms,
    };
    o.log(`list of ${r.checks} checks: ${r.listLearningMs} ms learning (${r.suggested} suggestions), ${r.listPlainMs} ms not learning`);
    return r;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    forget();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  cleanUpOnInterrupt();
  await benchLearn({ checks: Number(process.argv[2] ?? 5000), log: (l) => console.log(l) });
}
