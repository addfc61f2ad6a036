import type { CheckConfig, PingAction, PingKind, StoredStatus } from './types.js';

/** The parts of a received ping that decide its kind. */
export interface ClassifyInput {
  action: PingAction;
  method: string;
  /** the body decoded as text (invalid bytes replaced), for keyword filters */
  bodyText: string;
  /** true when the URL named the action (/start, /fail, /log, /<n>); keyword filters apply only to plain pings */
  explicit: boolean;
}

/** Splits a healthchecks keyword list ("ERROR, FATAL") into its non-empty keywords. */
export function keywords(list: string): string[] {
  return list
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

function hasKeyword(text: string, list: string): boolean {
  return keywords(list).some((k) => text.includes(k));
}

/**
 * Classifies a ping (healthchecks' ping view + `Check.ping`), in this order:
 * 1. `methods=POST` and another method → ign;
 * 2. paused with manual_resume → ign (only a resume restarts monitoring);
 * 3. keyword filters on a plain ping's body, case-sensitive substrings, failure before
 *    success before start; no match → fail with `filter_default_fail`, else ign;
 * 4. otherwise the URL's action.
 */
export function classify(
  input: ClassifyInput,
  cfg: Pick<CheckConfig, 'methods' | 'manualResume' | 'filterHttpBody' | 'successKw' | 'failureKw' | 'startKw' | 'filterDefaultFail'>,
  status: StoredStatus,
): PingKind {
  if (cfg.methods === 'POST' && input.method.toUpperCase() !== 'POST') return 'ign';
  if (status === 'paused' && cfg.manualResume) return 'ign';
  if (cfg.filterHttpBody && !input.explicit && input.action === 'success') {
    if (hasKeyword(input.bodyText, cfg.failureKw)) return 'fail';
    if (hasKeyword(input.bodyText, cfg.successKw)) return 'success';
    if (hasKeyword(input.bodyText, cfg.startKw)) return 'start';
    return cfg.filterDefaultFail ? 'fail' : 'ign';
  }
  return input.action;
}

/** Maps an exit status from `/<n>` to an action: 0 is success, 1-255 failure. */
export function actionForExitStatus(code: number): PingAction {
  return code === 0 ? 'success' : 'fail';
}
