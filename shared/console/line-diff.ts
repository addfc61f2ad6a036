/** One line of a diff: kept, only in the old output (-), or only in the new one (+). */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Lines compared at most from each side (their tails): the table is lines × lines. */
export const DIFF_MAX_LINES = 1500;

/**
 * A line diff of two outputs (longest common subsequence), old first: what the last good run
 * wrote against what this run wrote. Only the last DIFF_MAX_LINES lines of each are compared.
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const split = (t: string) => {
    const l = t.split(/\r?\n/);
    if (l.length && l[l.length - 1] === '') l.pop();
    return l.slice(-DIFF_MAX_LINES);
  };
  const a = split(oldText);
  const b = split(newText);
  const w = b.length + 1;
  // lcs[i][j]: common lines of a[i..] and b[j..]
  const lcs = new Uint16Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) out.push({ op: '-', text: a[i++] });
    else out.push({ op: '+', text: b[j++] });
  }
  while (i < a.length) out.push({ op: '-', text: a[i++] });
  while (j < b.length) out.push({ op: '+', text: b[j++] });
  return out;
}

/** The changed lines with `context` kept lines around each change; a gap between hunks is a `null`. */
export function diffHunks(lines: DiffLine[], context = 2): (DiffLine | null)[] {
  const keep = lines.map(() => false);
  lines.forEach((l, k) => {
    if (l.op === ' ') return;
    for (let x = Math.max(0, k - context); x <= Math.min(lines.length - 1, k + context); x++) keep[x] = true;
  });
  const out: (DiffLine | null)[] = [];
  lines.forEach((l, k) => {
    if (keep[k]) out.push(l);
    else if (out.length && out[out.length - 1] !== null) out.push(null);
  });
  if (out[out.length - 1] === null) out.pop();
  return out;
}
