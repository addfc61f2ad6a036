/**
 * The check editor's silent-failure section, pure: applying an assertion preset from
 * `GET /api/lubdub/presets` to a draft, and which metrics the draft's assertions read that
 * nothing produces yet (so the editor can offer the extraction that would).
 */
import type { PresetsReply } from '../api/silent.js';
import { parseAssertion, toSpec, type AssertionEntry, type AssertionPreset, type AssertionSpec } from '../domain/assertions.js';
import type { ExtractEntry, ExtractPreset } from '../domain/extract.js';
import { BUILTIN_METRICS } from '../domain/metrics.js';

/** What the editor holds: the check's `assertions` (as objects) and `extract` lists. */
export interface SilentDraft {
  assertions: AssertionSpec[];
  extract: ExtractEntry[];
}

/** The draft of a check's Lubdub fields (absent fields are empty lists). */
export function silentDraftOf(check: { assertions?: unknown; extract?: unknown } | undefined): SilentDraft {
  const a = Array.isArray(check?.assertions) ? (check.assertions as AssertionEntry[]) : [];
  const e = Array.isArray(check?.extract) ? (check.extract as ExtractEntry[]) : [];
  return { assertions: a.map((x) => ({ ...toSpec(x) })), extract: e.map((x) => ({ ...x })) };
}

const isPresetRef = (e: ExtractEntry): e is { preset: string } => 'preset' in e;

/**
 * The draft with a preset's assertions and extraction merged in: an assertion whose
 * expression is already there, or a preset already listed, is not added twice.
 */
export function applyPreset(d: SilentDraft, p: AssertionPreset): SilentDraft {
  const exprs = new Set(d.assertions.map((a) => a.expr.trim()));
  const have = new Set(d.extract.filter(isPresetRef).map((e) => e.preset));
  return {
    assertions: [...d.assertions, ...p.assertions.filter((a) => !exprs.has(a.expr.trim())).map((a) => ({ ...a }))],
    extract: [...d.extract, ...p.extract.filter((e) => !have.has(e.preset)).map((e) => ({ ...e }))],
  };
}

/** True when every assertion and extraction of the preset is in the draft already. */
export function presetApplied(d: SilentDraft, p: AssertionPreset): boolean {
  const after = applyPreset(d, p);
  return after.assertions.length === d.assertions.length && after.extract.length === d.extract.length;
}

/** The metric an assertion expression reads, or null when it does not parse. */
export function assertionMetric(expr: string): string | null {
  const a = parseAssertion(expr);
  return 'error' in a ? null : a.metric;
}

/** The metrics the draft's extraction produces (presets expanded with the given list). */
export function extractedMetrics(extract: ExtractEntry[], presets: ExtractPreset[]): Set<string> {
  const out = new Set<string>();
  for (const e of extract) {
    if (isPresetRef(e)) presets.find((p) => p.id === e.preset)?.rules.forEach((r) => out.add(r.name));
    else if (e.name) out.add(e.name);
  }
  return out;
}

/**
 * Metrics the assertions read that neither Lubdub (bytes, duration) nor the draft's
 * extraction provides, each with the extraction presets that would. A metric no preset
 * makes is left out: the job sends it (`?metric=`), and the editor cannot know.
 */
export function missingSources(d: SilentDraft, presets: PresetsReply): { metric: string; presets: ExtractPreset[] }[] {
  const have = extractedMetrics(d.extract, presets.extract);
  const builtin = new Set<string>(Object.values(BUILTIN_METRICS));
  const out: { metric: string; presets: ExtractPreset[] }[] = [];
  for (const a of d.assertions) {
    const m = assertionMetric(a.expr);
    if (!m || have.has(m) || builtin.has(m) || out.some((x) => x.metric === m)) continue;
    const makers = presets.extract.filter((p) => p.rules.some((r) => r.name === m));
    if (makers.length) out.push({ metric: m, presets: makers });
  }
  return out;
}

/**
 * The lists as the API takes them: empty assertion rows dropped, optional fields only
 * when set (a message, `missing: "fail"`, a rule's mode and flags).
 */
export function silentInput(d: SilentDraft): { assertions: AssertionSpec[]; extract: ExtractEntry[] } {
  const assertions = d.assertions
    .filter((a) => a.expr.trim() !== '')
    .map((a) => {
      const spec: AssertionSpec = { expr: a.expr.trim() };
      if (a.message?.trim()) spec.message = a.message.trim();
      if (a.missing === 'fail') spec.missing = 'fail';
      return spec;
    });
  const extract = d.extract.map((e): ExtractEntry => {
    if (isPresetRef(e)) return { preset: e.preset };
    const r: ExtractEntry = { name: e.name.trim(), regex: e.regex };
    if (e.mode && e.mode !== 'first') r.mode = e.mode;
    if (e.flags) r.flags = e.flags;
    return r;
  });
  return { assertions, extract };
}
