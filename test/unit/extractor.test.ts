/** The extraction worker with real threads: presets on real tool output, and the time bound. */
import { afterAll, describe, expect, it } from 'vitest';
import { compileRules, RULE_PROBE_TEXT, type ExtractEntry } from '../../shared/domain/extract.js';
import { Extractor } from '../../electron/service/silent/extractor.js';

const extractor = new Extractor({ timeoutMs: 250, maxQueue: 8 });
afterAll(() => extractor.close());

const run = (text: string, entries: ExtractEntry[], ex = extractor) => ex.run(Buffer.from(text), compileRules(entries));

const RESTIC = `repository 3f2a1b9c opened (version 2, compression level auto)
using parent snapshot 4a8c1f2e
Files:           5 new,     3 changed,  1015 unmodified
Dirs:            0 new,     2 changed,   120 unmodified
Added to the repository: 1.234 MiB (1.100 MiB stored)

processed 1023 files, 15.320 MiB in 0:01
snapshot 8f2d1a3b saved
`;

const RESTIC_JSON = `{"message_type":"status","percent_done":1,"total_files":1023}
{"message_type":"summary","files_new":2,"files_changed":1,"files_unmodified":1020,"dirs_new":0,"data_added":12345,"data_added_packed":6789,"total_files_processed":1023,"snapshot_id":"8f2d1a3b"}
`;

const BORG = `------------------------------------------------------------------------------
Repository: /mnt/backup/borg
Archive name: nas-2024-05-01T03:00:01
Time (start): Wed, 2024-05-01 03:00:02
Time (end):   Wed, 2024-05-01 03:04:12
Duration: 4 minutes 10.12 seconds
Number of files: 48,213
Utilization of max. archive size: 0%
------------------------------------------------------------------------------
                       Original size      Compressed size    Deduplicated size
This archive:               21.37 GB             18.02 GB            123.45 MB
All archives:                1.02 TB            870.13 GB            402.11 GB

                       Unique chunks         Total chunks
Chunk index:                  301234              4410221
------------------------------------------------------------------------------
`;

const BORG_JSON = `{"archive": {"name": "nas-2024-05-01", "stats": {"compressed_size": 1800, "deduplicated_size": 0, "nfiles": 42, "original_size": 2137}},
 "cache": {"stats": {"total_chunks": 10, "total_csize": 99, "unique_csize": 98}}}`;

const RSYNC = `
Number of files: 1,234 (reg: 1,000, dir: 234)
Number of created files: 12 (reg: 12)
Number of deleted files: 0
Number of regular files transferred: 12
Total file size: 123,456,789 bytes
Total transferred file size: 1,234,567 bytes
Literal data: 1,234,567 bytes
Matched data: 0 bytes
Total bytes sent: 1,240,000
Total bytes received: 300

sent 1,240,000 bytes  received 300 bytes  826,866.67 bytes/sec
total size is 123,456,789  speedup is 99.54
`;

describe('presets on real tool output', () => {
  it('restic text summary', async () => {
    expect(await run(RESTIC, [{ preset: 'restic' }])).toEqual({
      metrics: { written_bytes: Math.round(1.234 * 1024 ** 2), files_new: 5, files_changed: 3 },
      error: null,
    });
  });

  it('restic --json summary (data_added, not data_added_packed)', async () => {
    expect((await run(RESTIC_JSON, [{ preset: 'restic' }])).metrics).toEqual({ written_bytes: 12345, files_new: 2, files_changed: 1 });
  });

  it('restic that added nothing: "Added to the repository: 0 B"', async () => {
    const zero = RESTIC.replace('1.234 MiB (1.100 MiB stored)', '0 B (0 B stored)');
    expect((await run(zero, [{ preset: 'restic' }])).metrics.written_bytes).toBe(0);
  });

  it('borg create --stats: the deduplicated column of "This archive:"', async () => {
    expect((await run(BORG, [{ preset: 'borg' }])).metrics).toEqual({ written_bytes: 123.45e6, files: 48213 });
  });

  it('borg create --json', async () => {
    expect((await run(BORG_JSON, [{ preset: 'borg' }])).metrics).toEqual({ written_bytes: 0, files: 42 });
  });

  it('rsync --stats, plain and -h', async () => {
    expect((await run(RSYNC, [{ preset: 'rsync' }])).metrics).toEqual({ files: 12, written_bytes: 1234567 });
    const human = RSYNC.replace('Total transferred file size: 1,234,567 bytes', 'Total transferred file size: 1.23M bytes');
    expect((await run(human, [{ preset: 'rsync' }])).metrics.written_bytes).toBe(1230000);
  });

  it('warning and error lines, any case, counted once per line', async () => {
    const log = 'WARNING: a\nwarn: b warn again\nok\nError: c\r\nno problem\nerrors: 0 warnings';
    expect((await run(log, [{ preset: 'warnings' }, { preset: 'errors' }])).metrics).toEqual({ warnings: 3, errors: 2 });
  });

  it('a preset finds nothing in unrelated output: no metric, no error', async () => {
    expect(await run('hello\n', [{ preset: 'restic' }])).toEqual({ metrics: {}, error: null });
  });

  it('custom rules: first, last, sum', async () => {
    const log = 'batch took 1.5s\nbatch took 250ms\nloaded 10 rows\nloaded 20 rows\n';
    const r = await run(log, [
      { name: 'first_rows', regex: 'loaded (\\d+) rows' },
      { name: 'rows', regex: 'loaded (\\d+) rows', mode: 'last' },
      { name: 'batch_seconds', regex: 'took (\\S+)', mode: 'sum' },
    ]);
    expect(r.metrics).toEqual({ first_rows: 10, rows: 20, batch_seconds: 1.75 });
  });

  it('reads only the bytes of a Buffer view, not its whole pool', async () => {
    const pool = Buffer.from('Added to the repository: 9 B\nAdded to the repository: 5 B\n');
    const view = pool.subarray(pool.indexOf('Added', 1));
    expect((await extractor.run(view, compileRules([{ preset: 'restic' }]))).metrics).toEqual({ written_bytes: 5 });
  });
});

describe('the time bound', () => {
  const hostile = 'a'.repeat(99_999) + '!';

  it('(a+)+$ on 100 KB of "a" + "!" is stopped at the limit and the next body is extracted by a fresh worker', async () => {
    const before = extractor.timeouts;
    const t = performance.now();
    const r = await run(hostile, [
      { name: 'x', regex: '(a+)+$', mode: 'last' },
      { name: 'rows', regex: 'rows=(\\d+)' },
    ]);
    const ms = performance.now() - t;
    expect(r).toEqual({ metrics: {}, error: 'extraction stopped after 250 ms: a regex is too slow for this body', timedOut: true });
    expect(ms).toBeLessThan(1500);
    expect(extractor.timeouts).toBe(before + 1);
    expect(await run('rows=7', [{ name: 'rows', regex: 'rows=(\\d+)' }])).toEqual({ metrics: { rows: 7 }, error: null });
  });

  it('while one body is stuck the event loop stays free', async () => {
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    await run(hostile, [{ name: 'x', regex: '(a+)+$', mode: 'count' }]);
    clearInterval(iv);
    expect(ticks).toBeGreaterThan(5);
  });

  it('beyond the queue limit a body is stored without extraction instead of waiting', async () => {
    const small = new Extractor({ timeoutMs: 100, maxQueue: 1 });
    try {
      const rules: ExtractEntry[] = [{ name: 'x', regex: '(a+)+$', mode: 'last' }];
      await run('warm up', rules, small); // the worker is ready: the next job starts at once
      const first = run(hostile, rules, small);
      const second = run(hostile, rules, small);
      const third = await run(hostile, rules, small);
      expect(third).toEqual({ metrics: {}, error: 'extraction skipped: too many pings waiting for extraction' });
      expect((await first).error).toMatch(/stopped after 100 ms/);
      expect((await second).error).toMatch(/stopped after 100 ms/);
    } finally {
      await small.close();
    }
  });

  it('a regex error in the worker is reported, not thrown', async () => {
    // the API never stores such a rule; this is the worker's own guard
    const r = await extractor.run(Buffer.from('x'), [{ name: 'bad', source: '(', flags: 'm', mode: 'first' }]);
    expect(r.metrics).toEqual({});
    expect(r.error).toMatch(/^extraction error: bad: Invalid regular expression/);
  });

  it('close() resolves waiting jobs without metrics', async () => {
    const ex = new Extractor({ timeoutMs: 5000, maxQueue: 8 });
    const stuck = run(hostile, [{ name: 'x', regex: '(a+)+$', mode: 'last' }], ex);
    await new Promise((r) => setTimeout(r, 50));
    await ex.close();
    expect(await stuck).toEqual({ metrics: {}, error: 'extraction skipped: service stopping' });
  });
});

describe('probing a rule before it is saved', () => {
  it('says timeout for a pattern that backtracks on the probe text, ok for a plain one, and keeps working', async () => {
    const rule = (source: string) => ({ name: 'x', source, flags: 'm', mode: 'count' as const });
    expect(await extractor.probe(RULE_PROBE_TEXT, rule('(?:\\1|()){26}x'))).toBe('timeout');
    expect(await extractor.probe(RULE_PROBE_TEXT, rule('(a+)+$'))).toBe('timeout');
    expect(await extractor.probe(RULE_PROBE_TEXT, rule('^loaded (\\d+) rows'))).toBe('ok');
  });
});

