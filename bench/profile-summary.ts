/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function, by module
 * and by area (waiting, GC, Node's HTTP stack, Fastify, SQLite, Lubdub's own code), and the
 * total (inclusive) time of Lubdub's own functions.
 *
 * Usage: tsx bench/profile-summary.ts <file.cpuprofile> [<from ms> <to ms>]
 * (`npm run bench:profile` records one; the optional window counts only the samples taken
 * between those times since the profile started)
 */
import fs from 'node:fs';
import path from 'node:path';
import { table } from './util.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
/** The parts of the `.cpuprofile` format this reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One line of a summary: a name and its time. */
export interface Share {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  /** wall time the profile covers */
  totalMs: number;
  /** time the main thread ran (all but idle) */
  busyMs: number;
  topFunctions: (Share & { module: string })[];
  modules: Share[];
  areas: Share[];
  /** Lubdub's own functions (dist-electron/ or the TypeScript sources) by total time, callees included */
  lubdubTotals: (Share & { module: string })[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The module a frame belongs to: a package, a node: file, a file of this repo, or a V8 pseudo-frame. */
export function moduleOf(f: CallFrame, root: string): string {
  if (SPECIAL.has(f.functionName) && !f.url) return f.functionName;
  if (!f.url) return '(native)';
  if (f.url.startsWith('node:')) return f.url;
  const file = f.url.startsWith('file://') ? new URL(f.url).pathname : f.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1];
  return path.relative(root, file) || file;
}

const FASTIFY = /^(fastify|@fastify\/.+|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|fast-decode-uri-component|safe-regex2|ret|toad-cache|rfdc|abstract-logging|process-warning|fastq|reusify|content-type|secure-json-parse|proxy-addr|forwarded|ipaddr\.js)$/;

/** The area a frame's self time counts towards (natives count where their caller lives). */
export function areaOf(mod: string, callerMod: string | undefined): string {
  if (mod === '(idle)') return 'waiting: idle (fsync on the thread pool, the network, the load generator)';
  if (mod === '(garbage collector)') return 'garbage collection';
  if (mod === '(program)') return 'V8/native outside JavaScript';
  if (mod === '(native)') return callerMod && callerMod !== '(native)' ? areaOf(callerMod, undefined) : 'native, unattributed';
  if (mod === 'better-sqlite3') return 'SQLite (better-sqlite3 and its native calls)';
  if (mod === 'pino' || mod.startsWith('pino-') || mod === 'sonic-boom') return 'logging (pino)';
  if (FASTIFY.test(mod)) return 'Fastify (routing, hooks, reply)';
  if (mod === 'node:fs') return 'Node fs (opening, flushing, closing the WAL: the calls that hand them to the thread pool)';
  if (/^node:internal\/(modules|bootstrap)\//.test(mod)) return 'module loading (start-up)';
  if (mod.startsWith('node:')) return "Node's HTTP, net, streams and events";
  if (/(^|\/)electron\/service\/db\//.test(mod)) return 'Lubdub: db (repos, group commit)';
  if (/(^|\/)electron\/service\/monitor\.[jt]s$/.test(mod)) return 'Lubdub: monitor (batching, BatchRows, events)';
  if (/(^|\/)electron\/service\/receiver\//.test(mod)) return 'Lubdub: receiver (ping route)';
  if (/(^|\/)shared\/domain\//.test(mod)) return 'Lubdub: shared/domain (state machine, classification)';
  if (/(^|\/)(electron|shared)\//.test(mod)) return `Lubdub: ${mod.replace(/^.*?(electron\/service\/|shared\/)/, '')}`;
  return `other: ${mod}`;
}

/** Reads a `.cpuprofile` and summarises where its time went. */
export function summarise(profile: CpuProfile, opts: { root?: string; top?: number; windowMs?: [number, number] } = {}): ProfileSummary {
  const root = opts.root ?? process.cwd();
  const top = opts.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Each sample's interval: the time until the next sample (the last one gets the mean).
  // With a window, only the samples taken within it (ms since the profile started) count.
  const self = new Map<number, number>();
  const n = profile.samples.length;
  const total = profile.endTime - profile.startTime;
  const [from, to] = (opts.windowMs ?? [-Infinity, Infinity]).map((ms) => ms * 1000);
  for (let i = 0, at = 0; i < n; i++) {
    at += profile.timeDeltas[i];
    if (at < from || at > to) continue;
    const dt = i + 1 < n ? profile.timeDeltas[i + 1] : total / Math.max(1, n);
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0) / 1000;
  const pct = (ms: number) => Math.round((ms / totalMs) * 1000) / 10;
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  const shares = (m: Map<string, number>, limit = Infinity): Share[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: pct(us / 1000) }));

  const fnKey = (f: CallFrame) => `${f.functionName || '(anonymous)'}\t${moduleOf(f, root)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  const fns = new Map<string, number>();
  const modules = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const mod = moduleOf(node.callFrame, root);
    let callerMod: string | undefined;
    for (let p = parent.get(id); p !== undefined && callerMod === undefined; p = parent.get(p)) {
      const m = moduleOf(byId.get(p)!.callFrame, root);
      if (m !== '(native)') callerMod = m;
    }
    add(fns, fnKey(node.callFrame), us);
    add(modules, mod, us);
    add(areas, areaOf(mod, callerMod), us);
  }

  // Inclusive time of Lubdub's functions: a sample counts once per function on its stack.
  const lubdub = new Map<string, number>();
  const isLubdub = (f: CallFrame) => /\/(dist-electron\/)?(electron|shared)\/.+\.[jt]s$/.test(f.url) && !f.url.includes('node_modules');
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      if (!isLubdub(f)) continue;
      const k = fnKey(f);
      if (!seen.has(k)) {
        seen.add(k);
        add(lubdub, k, us);
      }
    }
  }
  const split = (s: Share) => {
    const [name, module] = s.name.split('\t');
    return { ...s, name, module };
  };
  return {
    totalMs: Math.round(totalMs),
    busyMs: Math.round(totalMs - ([...areas.entries()].find(([k]) => k.startsWith('waiting'))?.[1] ?? 0) / 1000),
    topFunctions: shares(fns, top).map(split),
    modules: shares(modules, top),
    areas: shares(areas),
    lubdubTotals: shares(lubdub, top).map(split),
  };
}

/** The summary as text tables. */
export function formatSummary(s: ProfileSummary): string {
  const busy = (x: Share) => (x.name.startsWith('waiting') || x.name === '(idle)' ? '' : `${Math.round((x.ms / s.busyMs) * 1000) / 10} %`);
  return [
    `\nProfile: ${(s.totalMs / 1000).toFixed(1)} s of main-thread time, ${(s.busyMs / 1000).toFixed(1)} s of it busy (not idle)`,
    table('Self time by area', ['area', 'ms', '% of all', '% of busy'], s.areas.map((x) => [x.name, x.ms, `${x.percent} %`, busy(x)])),
    table(`Top ${s.topFunctions.length} functions by self time`, ['function', 'module:line', 'ms', '% of all', '% of busy'], s.topFunctions.map((x) => [x.name, x.module, x.ms, `${x.percent} %`, busy(x)])),
    table(`Top ${s.modules.length} modules by self time`, ['module', 'ms', '% of all', '% of busy'], s.modules.map((x) => [x.name, x.ms, `${x.percent} %`, busy(x)])),
    table("Lubdub's own functions by total time (callees included)", ['function', 'module:line', 'ms', '% of all', '% of busy'], s.lubdubTotals.map((x) => [x.name, x.module, x.ms, `${x.percent} %`, busy(x)])),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [<from ms> <to ms>]');
    process.exit(2);
  }
  const windowMs = process.argv.length >= 5 ? ([Number(process.argv[3]), Number(process.argv[4])] as [number, number]) : undefined;
  console.log(formatSummary(summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, { windowMs })));
}
