import { describe, expect, it } from 'vitest';
import { diffHunks, lineDiff } from '../../shared/console/line-diff.js';

describe('lineDiff', () => {
  it('keeps common lines and marks the gone and the new ones, old first', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\n')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
    ]);
  });

  it('the same output has no change; an empty one is all gone', () => {
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.op === ' ')).toBe(true);
    expect(lineDiff('a\nb', '')).toEqual([
      { op: '-', text: 'a' },
      { op: '-', text: 'b' },
    ]);
  });

  it('diffHunks keeps changes with their context and marks the gaps', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const now = old.replace('line 3', 'error: new').replace('line 15', 'line fifteen');
    const h = diffHunks(lineDiff(old, now), 1);
    expect(h.map((l) => (l === null ? '…' : `${l.op}${l.text}`))).toEqual([
      ' line 2', '-line 3', '+error: new', ' line 4', '…', ' line 14', '-line 15', '+line fifteen', ' line 16',
    ]);
  });
});
