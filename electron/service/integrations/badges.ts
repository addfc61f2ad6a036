import type { BadgeState, BadgeSummary } from '../../../shared/domain/badges.js';

/** Badge colours: the status colours every side uses (up green, late amber, down red). */
const COLOURS: Record<BadgeState, string> = { up: '#4c1', late: '#fe7d37', down: '#e05d44' };
/** shields.io endpoint colours, as healthchecks sends them. */
const SHIELDS_COLOURS: Record<BadgeState, string> = { up: 'success', late: 'important', down: 'critical' };

/** Which badge a URL asks for: the tag, the format and whether "late" is a state of its own. */
export interface BadgeRequest {
  tag: string;
  format: 'svg' | 'json' | 'shields';
  withLate: boolean;
}

/**
 * Reads the last path segment of a badge URL: `<tag>.svg|json|shields`, optionally
 * `<tag>-2.<fmt>` (two states: up/down) or `<tag>-3.<fmt>` (up/late/down, the default as in
 * healthchecks). A tag that itself ends in -2 or -3 is written with the suffix spelled out.
 * Null for anything else.
 */
export function parseBadgeFile(file: string, healthchecksSignature?: string): BadgeRequest | null {
  const m = /^(.+)\.(svg|json|shields)$/.exec(file);
  if (!m) return null;
  let tag = m[1];
  let withLate = true;
  const states = /-([23])$/.exec(tag);
  if (states) {
    tag = tag.slice(0, -2);
    withLate = states[1] === '3';
  }
  // healthchecks' own URLs carry the state count in their signature segment: "<8 chars>-2"
  if (healthchecksSignature !== undefined) {
    if (!/^[A-Za-z0-9_-]{8}(-2)?$/.test(healthchecksSignature)) return null;
    if (healthchecksSignature.endsWith('-2')) withLate = false;
  }
  if (tag === '') return null;
  return { tag, format: m[2] as BadgeRequest['format'], withLate };
}

/** Text width in pixels at 11 px Verdana, close enough to size the badge's two halves. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[il.,:;'|!]/.test(ch) ? 3.5 : /[mwMW@%]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(w);
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A flat badge: the label on grey, the state on its colour; the title says both for screen readers. */
export function badgeSvg(label: string, state: BadgeState): string {
  const lw = textWidth(label) + 10;
  const sw = textWidth(state) + 10;
  const w = lw + sw;
  const l = xml(label);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${state}">` +
    `<title>${l}: ${state}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${sw}" height="20" fill="${COLOURS[state]}"/><rect width="${w}" height="20" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="14">${l}</text><text x="${lw + sw / 2}" y="14">${state}</text></g></svg>`
  );
}

/** The JSON of a badge in each format healthchecks serves. */
export function badgeJson(label: string, format: 'json' | 'shields', s: BadgeSummary): Record<string, unknown> {
  if (format === 'shields') return { schemaVersion: 1, label, message: s.status, color: SHIELDS_COLOURS[s.status] };
  return { status: s.status, total: s.total, grace: s.grace, down: s.down };
}
