import { describe, expect, it } from 'vitest';
import { evaluateAll } from '../../shared/domain/assertions.js';
import { fingerprintLine, newWarnings, quoteNewWarnings, warningLines, warningPrints } from '../../shared/domain/warnings.js';

describe('fingerprintLine', () => {
  it.each([
    ['numbers', 'WARNING: 3 files skipped', 'warning: 17 files skipped'],
    ['paths', 'warning: cannot read /mnt/a/photos/x.jpg', 'Warning: cannot read ./other/y.png'],
    ['dates and times', '2024-05-01T10:00:00Z WARN retrying', '2025-12-31 23:59:59.123 WARN retrying'],
    ['syslog dates', 'Dec  2 10:02:19 nas backup[123]: warning: slow disk', 'Jan 14 01:00:00 nas backup[98765]: warning: slow disk'],
    ['hex and uuids', 'error: object 3fa85f64-5717-4562-b3fc-2c963f66afa6 at 0x7ffd1234 hash deadbeef12', 'error: object 00000000-0000-4000-8000-000000000001 at 0x1 hash 0badc0ffee'],
    ['sizes', 'warning: only 1.5 GiB free', 'warning: only 300 MB free'],
  ])('the same warning with other %s has one fingerprint', (_what, a, b) => {
    expect(fingerprintLine(a)).toBe(fingerprintLine(b));
  });

  it('different words are different warnings', () => {
    expect(fingerprintLine('warning: disk 81% full')).not.toBe(fingerprintLine('error: checksum mismatch'));
  });
});

describe('newWarnings', () => {
  const before = [warningPrints('ok\nwarning: disk /mnt/a 81% full\ndone\n')];

  it('a familiar warning is not new; only warning/error lines count', () => {
    expect(newWarnings('copied 12 files\nwarning: disk /mnt/b 83% full\n', before)).toEqual({ count: 0, lines: [] });
  });

  it('a never-seen one is counted once and quoted as written', () => {
    const w = newWarnings('ERROR: checksum mismatch in /data/x.bin\nERROR: checksum mismatch in /data/y.bin\nwarning: disk /mnt/a 90% full\n', before);
    expect(w).toEqual({ count: 1, lines: ['ERROR: checksum mismatch in /data/x.bin'] });
    expect(quoteNewWarnings(w)).toBe('"ERROR: checksum mismatch in /data/x.bin"');
  });

  it('several new ones: the first quoted, the rest counted', () => {
    const w = newWarnings('error: a broke\nfatal: b broke too\n', before);
    expect(quoteNewWarnings(w)).toBe('"error: a broke" (+1 more)');
  });

  it('warningLines keeps only lines that look like warnings or errors', () => {
    expect(warningLines('a\nWarn: x\n\nerrors: 0\nFAILED\nok')).toEqual(['Warn: x', 'errors: 0', 'FAILED']);
  });

  it('an assertion on new_warnings quotes the line in its reason', () => {
    const v = evaluateAll([{ expr: 'new_warnings == 0', message: 'never-seen warning: {quote}' }], { new_warnings: 1 }, () => [], { new_warnings: '"error: a broke"' });
    expect(v.failText).toBe('never-seen warning: "error: a broke" (new_warnings == 0)');
    const plain = evaluateAll(['new_warnings == 0'], { new_warnings: 1 }, () => [], { new_warnings: '"error: a broke"' });
    expect(plain.failText).toBe('new_warnings was 1: "error: a broke" (new_warnings == 0)');
  });
});
