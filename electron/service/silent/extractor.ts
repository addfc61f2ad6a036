import { Worker } from 'node:worker_threads';
import { metricsFromMatches, type CompiledRule, type MatchOut } from '../../../shared/domain/extract.js';
import type { Metrics } from '../../../shared/domain/metrics.js';
import { WORKER_SOURCE } from './worker-source.js';

/** Wall time one ping's extraction may take before the worker is killed. */
export const EXTRACT_TIMEOUT_MS = 250;
/** Pings waiting for extraction beyond this are stored without extracted metrics. */
export const EXTRACT_MAX_QUEUE = 32;

/** Metrics found in one body, or why none were. */
export interface ExtractOutcome {
  metrics: Metrics;
  error: string | null;
  /** the worker was killed for overrunning the time bound */
  timedOut?: true;
}

interface Job {
  id: number;
  body: Uint8Array;
  rules: CompiledRule[];
  resolve: (o: ExtractOutcome) => void;
}

/**
 * Runs users' extraction regexes on ping bodies in one worker thread, one body at a time.
 * Why a worker: JavaScript regexes backtrack, so a pattern like `(a+)+$` on a 100 KB body
 * can spin for hours; no linear-time engine (RE2) is installed. The worker keeps the event
 * loop (and every other ping) free, and a job that overruns EXTRACT_TIMEOUT_MS gets its
 * worker terminated (V8 interrupts the regex) and a fresh one started.
 */
export class Extractor {
  private worker: Worker | null = null;
  private ready = false;
  private queue: Job[] = [];
  private current: Job | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;
  /** consecutive worker deaths before it ever became ready: a broken worker is not respawned forever */
  private earlyDeaths = 0;
  /** workers killed for overrunning (for tests and logs) */
  timeouts = 0;

  constructor(readonly opts: { timeoutMs: number; maxQueue: number } = { timeoutMs: EXTRACT_TIMEOUT_MS, maxQueue: EXTRACT_MAX_QUEUE }) {}

  /** Applies the rules to the body; never rejects. */
  run(body: Uint8Array, rules: CompiledRule[]): Promise<ExtractOutcome> {
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.resolve({ metrics: {}, error: 'extraction skipped: too many pings waiting for extraction' });
    }
    return this.enqueue(body, rules);
  }

  /**
   * Tries one rule on `text` under the same time bound, for validation before a rule is
   * saved: 'ok', 'timeout', or why the worker could not tell. Not subject to the ping
   * queue's limit (a save tries at most MAX_EXTRACT_RULES rules, one at a time).
   */
  async probe(text: string, rule: CompiledRule): Promise<'ok' | 'timeout' | { error: string }> {
    const o = await this.enqueue(new TextEncoder().encode(text), [rule]);
    if (o.timedOut) return 'timeout';
    if (o.error && !o.error.startsWith('extraction error:')) return { error: o.error };
    return 'ok';
  }

  private enqueue(body: Uint8Array, rules: CompiledRule[]): Promise<ExtractOutcome> {
    if (this.closed) return Promise.resolve({ metrics: {}, error: 'extraction skipped: service stopping' });
    if (this.earlyDeaths >= 3) return Promise.resolve({ metrics: {}, error: 'extraction unavailable: the worker does not start' });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, body, rules, resolve });
      this.pump();
    });
  }

  private spawn(): void {
    // execArgv: [] — the worker needs no TypeScript loader, only the string it is given.
    const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: 64 } });
    w.unref();
    w.on('message', (m: { ready?: true; id?: number; outs?: MatchOut[] }) => this.onMessage(w, m));
    w.on('error', (e) => this.onDeath(w, e.message));
    w.on('exit', (code) => this.onDeath(w, `exit code ${code}`));
    this.worker = w;
    this.ready = false;
  }

  private pump(): void {
    if (this.closed || this.current || this.queue.length === 0) return;
    if (!this.worker) this.spawn();
    if (!this.ready) return;
    const job = this.queue.shift()!;
    this.current = job;
    // Copy only the body's bytes (a Buffer may be a view on a larger pool) and hand them over.
    const copy = new Uint8Array(job.body);
    const rules = job.rules.map(({ source, flags, mode }) => ({ source, flags, mode }));
    this.worker!.postMessage({ id: job.id, body: copy, rules }, [copy.buffer]);
    this.timer = setTimeout(() => this.onTimeout(), this.opts.timeoutMs);
  }

  private finish(outcome: ExtractOutcome): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const job = this.current;
    this.current = null;
    job?.resolve(outcome);
  }

  private onMessage(w: Worker, m: { ready?: true; id?: number; outs?: MatchOut[] }): void {
    if (w !== this.worker) return;
    if (m.ready) {
      this.ready = true;
      this.earlyDeaths = 0;
      this.pump();
      return;
    }
    if (!this.current || m.id !== this.current.id || !m.outs) return;
    const { metrics, errors } = metricsFromMatches(this.current.rules, m.outs);
    this.finish({ metrics, error: errors.length ? `extraction error: ${errors.join('; ')}` : null });
    this.pump();
  }

  private onTimeout(): void {
    this.timer = null;
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    this.timeouts++;
    void w?.terminate();
    this.finish({ metrics: {}, error: `extraction stopped after ${this.opts.timeoutMs} ms: a regex is too slow for this body`, timedOut: true });
    this.pump();
  }

  private onDeath(w: Worker, why: string): void {
    if (w !== this.worker) return; // a worker we terminated on purpose
    if (!this.ready) this.earlyDeaths++;
    this.worker = null;
    this.ready = false;
    this.finish({ metrics: {}, error: `extraction worker failed: ${why}` });
    if (this.earlyDeaths >= 3) {
      for (const j of this.queue.splice(0)) j.resolve({ metrics: {}, error: 'extraction unavailable: the worker does not start' });
      return;
    }
    this.pump();
  }

  /** Stops the worker; waiting jobs resolve without metrics. */
  async close(): Promise<void> {
    this.closed = true;
    this.finish({ metrics: {}, error: 'extraction skipped: service stopping' });
    for (const j of this.queue.splice(0)) j.resolve({ metrics: {}, error: 'extraction skipped: service stopping' });
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
