/** healthchecks' `isostring`: ISO 8601 in UTC, whole seconds, "+00:00" suffix. */
export function isoSeconds(ms: number | null): string | null {
  if (ms === null) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** ISO 8601 in UTC with milliseconds and "+00:00" (ping and flip times). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** First line of a body as text (for previews and notifications), at most `max` chars. */
export function firstLine(text: string, max = 200): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}
