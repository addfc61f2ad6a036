/**
 * `npm run test:crash [-- <cycles> [seed]]`: the long crash test (default 200 cycles).
 * Prints one line per cycle and a summary; exits 1 on any failure.
 */
import { runCrashCycles } from './crash.js';

const cycles = Number(process.argv[2] ?? 200);
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) : undefined;
if (!Number.isInteger(cycles) || cycles < 1) {
  console.error('usage: npm run test:crash -- <cycles> [seed]');
  process.exit(2);
}
const started = Date.now();
const r = await runCrashCycles({ cycles, seed, log: (l) => console.log(l) });
console.log(
  `\n${r.cycles} cycles in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${r.seed}): ` +
    `${r.acked} acked, ${r.unknown} cut by the kill, ${r.refused} refused; ${r.storedPings} pings stored in ${r.checks} checks, ${r.flipsChecked} flips checked against the replay.`,
);
console.log(`flip delivery: ${r.deliveries}`);
if (r.failures.length) {
  console.log(`FAILED:\n  ${r.failures.slice(0, 50).join('\n  ')}`);
  process.exit(1);
}
console.log('OK: every acknowledged ping stored exactly once, integrity ok, state = replay.');
