/**
 * The extraction worker's code, run with `new Worker(WORKER_SOURCE, { eval: true })`.
 * Kept as a string so it needs no loader and no file on disk (tsx, compiled build and a
 * packaged app all run it the same way). It only runs regexes; numbers are parsed on the
 * main thread by shared/domain/extract.ts.
 *
 * Protocol: it posts { ready: true } once, then answers each
 *   { id, body: Uint8Array, rules: [{ source, flags, mode }] }
 * with { id, outs: [{ captures: string[] } | { count: number } | { error: string }] }.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const decoder = new TextDecoder('utf-8', { fatal: false });
const MAX_CAPTURES = 10000;

function run(text, rule, lines) {
  if (rule.mode === 'count') {
    const re = new RegExp(rule.source, rule.flags);
    let n = 0;
    for (const line of lines()) if (re.test(line)) n++;
    return { count: n };
  }
  const re = new RegExp(rule.source, rule.flags + 'g');
  if (rule.mode === 'first') {
    const m = re.exec(text);
    return { captures: m && m[1] !== undefined ? [m[1]] : [] };
  }
  const captures = [];
  for (const m of text.matchAll(re)) {
    if (m[1] === undefined) continue;
    if (rule.mode === 'last') captures[0] = m[1];
    else if (captures.length < MAX_CAPTURES) captures.push(m[1]);
  }
  return { captures };
}

parentPort.on('message', (job) => {
  const text = decoder.decode(job.body);
  let split = null;
  const lines = () => (split ??= text.split(/\r?\n/));
  const outs = job.rules.map((rule) => {
    try {
      return run(text, rule, lines);
    } catch (e) {
      return { error: String((e && e.message) || e) };
    }
  });
  parentPort.postMessage({ id: job.id, outs });
});
parentPort.postMessage({ ready: true });
`;
