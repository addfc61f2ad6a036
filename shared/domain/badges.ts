import type { Status } from './types.js';

/** What a status badge shows (healthchecks' badge states). */
export type BadgeState = 'up' | 'late' | 'down';

/** The badge of a set of checks: its state and the counts healthchecks' `.json` badge gives. */
export interface BadgeSummary {
  status: BadgeState;
  total: number;
  grace: number;
  down: number;
}

/** The pseudo-tag that stands for every check. */
export const ALL_CHECKS_TAG = '*';

/** Whether a check with these space-separated tags is on the badge of `tag`. */
export function onBadge(tags: string, tag: string): boolean {
  return tag === ALL_CHECKS_TAG || tags.split(' ').includes(tag);
}

/**
 * healthchecks' badge rule: down if any check is down; otherwise late if any is in grace
 * and the badge shows three states; otherwise up. An empty set is up.
 */
export function badgeSummary(statuses: Iterable<Status>, withLate: boolean): BadgeSummary {
  const out: BadgeSummary = { status: 'up', total: 0, grace: 0, down: 0 };
  for (const s of statuses) {
    out.total++;
    if (s === 'down') {
      out.down++;
      out.status = 'down';
    } else if (s === 'grace') {
      out.grace++;
      if (out.status === 'up' && withLate) out.status = 'late';
    }
  }
  return out;
}

/** The formats of a badge: an image, healthchecks' JSON, and shields.io's endpoint JSON. */
export const BADGE_FORMATS = ['svg', 'json', 'shields'] as const;
/** A badge format. */
export type BadgeFormat = (typeof BADGE_FORMATS)[number];

/** The URL of a badge on the ping port: `<ping base>/badge/<badge key>/<tag>.<format>` (`*`: all checks). */
export function badgeUrl(pingBase: string, badgeKey: string, tag: string, format: BadgeFormat): string {
  return `${pingBase}/badge/${encodeURIComponent(badgeKey)}/${encodeURIComponent(tag)}.${format}`;
}
