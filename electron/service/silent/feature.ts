import { isoMillis } from '../../../shared/api/format.js';
import type { AssertionStatusJson, MetricRunJson, MetricsReply, PingSilentFields, PresetsReply } from '../../../shared/api/silent.js';
import type { PingTarget } from '../../../shared/domain/ping-url.js';
import { API } from '../../../shared/api/routes.js';
import { on } from '../api/contract.js';
import {
  aggregate,
  ASSERTION_PRESETS,
  assertionsError,
  evaluateAll,
  historyNeed,
  parseAssertion,
  toSpec,
  type AssertionEntry,
} from '../../../shared/domain/assertions.js';
import { pairDuration } from '../../../shared/domain/check-state.js';
import { compileRules, EXTRACT_PRESETS, extractRulesError, RULE_PROBE_TEXT, userRules, type CompiledRule } from '../../../shared/domain/extract.js';
import { newMetrics, parseMetricParams, type Metrics } from '../../../shared/domain/metrics.js';
import { ApiError } from '../core/api-error.js';
import { bodyText } from '../serialize.js';
import type { CheckService } from '../core/checks.js';
import type { IngestRequest, PingStep } from '../core/pipeline.js';
import type { Runtime } from '../core/runtime.js';
import type { CheckRow, Repos } from '../db/repos.js';
import type { Feature } from '../service.js';
import { Extractor, EXTRACT_MAX_QUEUE, EXTRACT_TIMEOUT_MS, type ExtractOutcome } from './extractor.js';
import { MetricHistory } from './history.js';
import { WarningBaseline } from './warnings.js';
import { newWarnings, NEW_WARNINGS_METRIC, quoteNewWarnings } from '../../../shared/domain/warnings.js';

type Extra = PingSilentFields & Record<string, unknown>;

function assertionsOf(c: CheckRow): AssertionEntry[] {
  return Array.isArray(c.extra.assertions) ? (c.extra.assertions as AssertionEntry[]) : [];
}

/** Does an assertion of the check read `new_warnings`? Only then is the output compared (it costs a read of past outputs). */
function wantsNewWarnings(assertions: AssertionEntry[]): boolean {
  return assertions.some((e) => {
    const a = parseAssertion(toSpec(e).expr);
    return !('error' in a) && a.metric === NEW_WARNINGS_METRIC;
  });
}

function hasRules(c: CheckRow): boolean {
  return Array.isArray(c.extra.extract) && c.extra.extract.length > 0;
}

/** The check a ping is for, read before the ingest transaction (null: unknown, ambiguous or created by it). */
function findCheck(repos: Repos, runtime: Runtime, t: PingTarget): CheckRow | null {
  if (t.by === 'uuid') return repos.checks.byUuid(t.uuid);
  if (t.by === 'push') return repos.checks.byPushToken(t.token);
  if (t.pingKey !== runtime.pingKey) return null;
  const found = repos.checks.bySlug(t.slug);
  return found.length === 1 ? found[0] : null;
}

/** Rules remembered at most: what a few hundred watched checks need. */
const RULE_CACHE_MAX = 512;

/** A bounded map that forgets its oldest entry first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.delete(key);
  if (map.size >= RULE_CACHE_MAX) map.delete(map.keys().next().value as K);
  map.set(key, value);
  return value;
}

/**
 * Worker-ready rules per check, rebuilt only when the check's `extract` changes: a ping
 * reads them without re-validating anything.
 */
class RuleCache {
  private byCheck = new Map<number, { json: string; rules: CompiledRule[] }>();
  rulesOf(c: CheckRow): CompiledRule[] {
    const json = JSON.stringify(c.extra.extract);
    const hit = this.byCheck.get(c.id);
    if (hit && hit.json === json) return hit.rules;
    return remember(this.byCheck, c.id, { json, rules: compileRules(c.extra.extract) }).rules;
  }
}

/**
 * The asynchronous half of validating `extract`: each user rule is tried on
 * RULE_PROBE_TEXT in the worker, under the extraction time bound, so a pattern that
 * backtracks for ever is refused (400) and never runs on the main thread. A rule that
 * passed once is not tried again.
 */
function probeRules(extractor: Extractor, timeoutMs: number) {
  const passed = new Map<string, true>();
  return async (v: unknown, field: string): Promise<string | null> => {
    for (const { at, rule } of userRules(v)) {
      const key = `${rule.flags}\u0000${rule.source}`;
      if (passed.has(key)) continue;
      const r = await extractor.probe(RULE_PROBE_TEXT, rule);
      if (r === 'timeout') {
        return `${field}[${at}]: regex of "${rule.name}" timed out (over ${timeoutMs} ms on a short test text); it would stall extraction on every ping`;
      }
      if (r !== 'ok') return `${field}[${at}]: regex of "${rule.name}" could not be tried: ${r.error}`;
      remember(passed, key, true);
    }
    return null;
  };
}

/**
 * The pipeline step: gives a watched check's success/fail pings their metrics (built in,
 * extracted, sent) and evaluates its assertions on success pings, turning a success whose
 * assertion fails into a failure. Runs inside the ingest transaction, so it only reads
 * SQLite (the baseline) and never waits.
 */
function metricsStep(history: MetricHistory, warnings: WarningBaseline, extracted: WeakMap<IngestRequest, ExtractOutcome>): PingStep {
  return (check, req, draft) => {
    const { event } = draft;
    const assertions = assertionsOf(check);
    const extra = (draft.extra ?? {}) as Extra;
    const found = extracted.get(req);
    if (assertions.length === 0 && !hasRules(check) && !extra.metrics && !found) return draft;
    if (event.kind !== 'success' && event.kind !== 'fail') return draft; // start/log pings keep what they sent
    const metrics = newMetrics({ bytes: req.bodySize });
    const duration = pairDuration(check, event);
    if (duration !== null) metrics.duration = duration / 1000;
    // Precedence: built in < extracted from the body < sent with ?metric= (the job knows best).
    Object.assign(metrics, found?.metrics, extra.metrics);
    const next: Extra = { ...extra, metrics };
    if (found?.error) next.extract_error = found.error;
    const quotes: Record<string, string> = {};
    if (wantsNewWarnings(assertions)) {
      // Compared with the passing runs before; with none yet there is nothing to compare with.
      const known = warnings.known(check.id);
      if (known.length > 0) {
        const w = newWarnings(bodyText(req.body), known);
        metrics[NEW_WARNINGS_METRIC] = w.count;
        if (w.count > 0) {
          next.new_warning_lines = w.lines;
          quotes[NEW_WARNINGS_METRIC] = quoteNewWarnings(w);
        }
      }
    }
    if (event.kind === 'success' && assertions.length > 0) {
      const verdict = evaluateAll(assertions, metrics, (m, n) => history.last(check.id, m, n), quotes);
      next.assertions = verdict.results;
      if (verdict.failText) {
        next.assertion_failed = verdict.failText;
        return { event: { ...event, kind: 'fail', failReason: 'assertion', failText: verdict.failText }, extra: next };
      }
    }
    return { event, extra: next };
  };
}

function statusOf(entry: AssertionEntry, checkId: number, history: MetricHistory): AssertionStatusJson {
  const spec = toSpec(entry);
  const a = parseAssertion(spec.expr);
  if ('error' in a) return { ...spec, valid: false, state: 'ready', have: 0, need: 0, baseline: null };
  const need = historyNeed(a);
  const past = history.last(checkId, need.metric, need.n);
  const ready = past.length >= need.n;
  const baseline = a.kind === 'relative' && ready ? aggregate(a.agg, past) : null;
  return { ...spec, valid: true, state: ready ? 'ready' : 'pending', have: Math.min(past.length, need.n), need: need.n, baseline };
}

/** Lubdub routes of this feature (see shared/api/silent.ts). */
function routes(checks: CheckService, repos: Repos, history: MetricHistory) {
  return (app: import('fastify').FastifyInstance) => {
    const runsStmt = repos.db.prepare(
      `SELECT n, created, kind, body_size, duration, extra FROM pings
       WHERE check_id = ? AND kind IN ('success', 'fail') ORDER BY created DESC, n DESC LIMIT ?`,
    );
    on(app, API.presets, async (): Promise<PresetsReply> => ({ extract: EXTRACT_PRESETS, assertions: ASSERTION_PRESETS }));
    on(app, API.metrics, async (req): Promise<MetricsReply> => {
      const uuid = req.params.uuid;
      const c = checks.get(uuid);
      const q = req.query;
      const limit = Math.min(Number(q.limit ?? 100) || 100, 1000);
      const rows = runsStmt.all(c.id, limit) as { n: number; created: number; kind: 'success' | 'fail'; body_size: number; duration: number | null; extra: string | null }[];
      const runs: MetricRunJson[] = rows.reverse().map((r) => {
        const extra = (r.extra ? JSON.parse(r.extra) : {}) as Extra;
        const metrics: Metrics = extra.metrics ?? { bytes: r.body_size, ...(r.duration !== null ? { duration: r.duration / 1000 } : {}) };
        const run: MetricRunJson = { n: r.n, date: isoMillis(r.created), type: r.kind, metrics };
        if (extra.assertion_failed) run.assertion_failed = extra.assertion_failed;
        return run;
      });
      return { runs, assertions: assertionsOf(c).map((e) => statusOf(e, c.id, history)) };
    });
  };
}

/**
 * Silent failures (SPEC §7): `?metric=` on pings, extraction rules and assertions
 * on checks (Lubdub fields `extract` and `assertions`), baselines from the check's history.
 */
export function silentFailures(opts: { timeoutMs?: number; maxQueue?: number } = {}): Feature {
  const timeoutMs = opts.timeoutMs ?? EXTRACT_TIMEOUT_MS;
  const extractor = new Extractor({ timeoutMs, maxQueue: opts.maxQueue ?? EXTRACT_MAX_QUEUE });
  const cache = new RuleCache();
  const extracted = new WeakMap<IngestRequest, ExtractOutcome>();
  return {
    setup({ repos, runtime }) {
      const history = new MetricHistory(repos.db);
      const warnings = new WarningBaseline(repos.db);
      return {
        checkFields: {
          rules: { assertions: assertionsError, extract: extractRulesError },
          asyncRules: { extract: probeRules(extractor, timeoutMs) },
        },
        queryExtension: (q) => parseMetricParams(q.metric),
        // Extraction runs before the ping is queued: a slow regex delays only its own ping.
        prepare: [
          (req) => {
            if (req.body.length === 0 || (req.action !== 'success' && req.action !== 'fail')) return;
            const check = findCheck(repos, runtime, req.target);
            if (!check || !hasRules(check)) return;
            const rules = cache.rulesOf(check);
            if (rules.length === 0) return;
            return extractor.run(req.body, rules).then((o) => {
              extracted.set(req, o);
            });
          },
        ],
        pingSteps: [metricsStep(history, warnings, extracted)],
        apiRoutes: [(app, core) => routes(core.checks, repos, history)(app)],
        stop: () => extractor.close(),
      };
    },
  };
}
