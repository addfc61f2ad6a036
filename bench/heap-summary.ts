/**
 * Reads a V8 `.heapsnapshot` and says what fills the heap: totals by node type, self size by
 * constructor, retained size (dominator tree, weak edges ignored as DevTools does) of each
 * module's code (its functions, bytecode and source) by package, and the biggest retainers.
 * `npx tsx bench/heap-summary.ts <file>` or from bench/memory.ts.
 */
import fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const MB = (b: number) => `${(b / 2 ** 20).toFixed(2)} MB`;

/** The package (or Node's own `node:` modules, or the app's own folder) a script URL belongs to. */
function moduleGroup(url: string): string {
  if (!url) return '(no script)';
  if (url.startsWith('node:')) return 'node: built-ins';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const d = url.indexOf('dist-electron/');
  if (d >= 0) return `lubdub ${url.slice(d + 14).split('/').slice(0, 3).join('/').replace(/\/[^/]+\.js$/, '')}`;
  return url.length > 60 ? `…${url.slice(-60)}` : url;
}

export function summarizeSnapshot(file: string): string {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const { node_fields, node_types, edge_fields, edge_types } = snap.snapshot.meta;
  const NF = node_fields.length;
  const EF = edge_fields.length;
  const [T, NAME, SIZE, EC] = ['type', 'name', 'self_size', 'edge_count'].map((f) => node_fields.indexOf(f));
  const [ET, EN, ETO] = ['type', 'name_or_index', 'to_node'].map((f) => edge_fields.indexOf(f));
  const ntypes = node_types[0];
  const etypes = edge_types[0];
  const { nodes, edges, strings } = snap;
  const n = nodes.length / NF;
  const type = (i: number) => ntypes[nodes[i * NF + T]];
  const name = (i: number) => strings[nodes[i * NF + NAME]];
  const self = (i: number) => nodes[i * NF + SIZE];
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) firstEdge[i + 1] = firstEdge[i] + nodes[i * NF + EC];
  const weak = etypes.indexOf('weak');
  const edgeName = (e: number) => {
    const t = etypes[edges[e * EF + ET]];
    return t === 'element' || t === 'hidden' ? String(edges[e * EF + EN]) : strings[edges[e * EF + EN]];
  };
  const out: string[] = [];

  // totals by type
  const byType = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    byType.set(type(i), (byType.get(type(i)) ?? 0) + self(i));
    total += self(i);
  }
  out.push(`heap snapshot: ${n} nodes, ${MB(total)} in objects`);
  out.push(`by type: ${[...byType].sort((a, b) => b[1] - a[1]).map(([t, s]) => `${t} ${MB(s)}`).join(', ')}`);

  // self size by constructor / system name
  const byName = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < n; i++) {
    const t = type(i);
    const key = t === 'string' || t === 'concatenated string' || t === 'sliced string' ? '(strings)' : t === 'code' || t === 'hidden' || t === 'array' || t === 'object' || t === 'closure' || t === 'native' ? `${t}: ${name(i).slice(0, 50)}` : `(${t})`;
    const e = byName.get(key) ?? { size: 0, count: 0 };
    e.size += self(i);
    e.count++;
    byName.set(key, e);
  }
  out.push('top by self size:');
  for (const [k, v] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, 30)) out.push(`  ${MB(v.size).padStart(9)}  ${String(v.count).padStart(7)}×  ${k}`);

  // dominators (Cooper, Harvey, Kennedy), from the root node 0, weak edges ignored
  const order: number[] = [];
  const post = new Int32Array(n).fill(-1);
  const seen = new Uint8Array(n);
  const stack: number[] = [0];
  const edgeAt = new Uint32Array(n);
  seen[0] = 1;
  edgeAt[0] = firstEdge[0];
  while (stack.length) {
    const v = stack[stack.length - 1];
    if (edgeAt[v] < firstEdge[v + 1]) {
      const e = edgeAt[v]++;
      if (edges[e * EF + ET] === weak) continue;
      const w = edges[e * EF + ETO] / NF;
      if (!seen[w]) {
        seen[w] = 1;
        edgeAt[w] = firstEdge[w];
        stack.push(w);
      }
    } else {
      post[v] = order.length;
      order.push(v);
      stack.pop();
    }
  }
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    if (!seen[v]) continue;
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e++) {
      if (edges[e * EF + ET] === weak) continue;
      preds[edges[e * EF + ETO] / NF].push(v);
    }
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (post[a] < post[b]) a = idom[a];
      while (post[b] < post[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k];
      if (v === 0) continue;
      let d = -1;
      for (const p of preds[v]) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  // order is post-order: a node's dominated nodes come before it, so one pass adds subtrees bottom-up
  const retained = new Float64Array(n);
  for (const v of order) {
    retained[v] += self(v);
    if (v !== 0) retained[idom[v]] += retained[v];
  }

  // module code: each script's source text and the functions compiled from it (a function's
  // retained size, unless another function of a script already holds it), by package
  const scriptOf = (i: number) => {
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e++) {
      const en = edgeName(e);
      if (en === 'script_or_debug_info' || en === 'script') return edges[e * EF + ETO] / NF;
    }
    return -1;
  };
  const target = (i: number, edge: string) => {
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e++) if (edgeName(e) === edge) return edges[e * EF + ETO] / NF;
    return -1;
  };
  const isFunctionInfo = new Uint8Array(n);
  const scripts = new Set<number>();
  for (let i = 0; i < n; i++) {
    const sc = scriptOf(i);
    if (sc >= 0 && type(i) === 'code') {
      isFunctionInfo[i] = 1;
      scripts.add(sc);
    }
  }
  const urlOf = (script: number) => {
    const s = target(script, 'name');
    return s >= 0 && type(s).includes('string') ? name(s) : '';
  };
  const byModule = new Map<string, { code: number; source: number; scripts: number }>();
  const entry = (g: string) => {
    let e = byModule.get(g);
    if (!e) byModule.set(g, (e = { code: 0, source: 0, scripts: 0 }));
    return e;
  };
  for (const sc of scripts) {
    const e = entry(moduleGroup(urlOf(sc)));
    e.scripts++;
    const src = target(sc, 'source');
    if (src >= 0) e.source += idom[src] === sc ? retained[src] : self(src);
  }
  for (let i = 0; i < n; i++) {
    if (!isFunctionInfo[i]) continue;
    let d = idom[i];
    let nested = false;
    while (d > 0) {
      if (isFunctionInfo[d]) {
        nested = true;
        break;
      }
      d = idom[d];
    }
    if (!nested) entry(moduleGroup(urlOf(scriptOf(i)))).code += retained[i];
  }
  const modules = [...byModule].sort((a, b) => b[1].code + b[1].source - a[1].code - a[1].source);
  const sum = modules.reduce((a, [, v]) => a + v.code + v.source, 0);
  out.push(`module code (functions' retained size + source text), ${MB(sum)} in all:`);
  for (const [g, v] of modules.slice(0, 30)) out.push(`  ${MB(v.code + v.source).padStart(9)}  (code ${MB(v.code)}, source ${MB(v.source)}, ${v.scripts} scripts)  ${g}`);

  // the biggest retainers that are not one another's only child
  out.push('biggest retained (name, retained, self, retained by):');
  const cand = order.filter((v) => v !== 0 && retained[v] > 150_000).sort((a, b) => retained[b] - retained[a]);
  let shown = 0;
  for (const v of cand) {
    if (shown >= 45) break;
    const p = idom[v];
    if (p > 0 && retained[p] - retained[v] < 20_000 && type(p) !== 'synthetic') continue;
    let via = '';
    for (let e = firstEdge[p]; e < firstEdge[p + 1]; e++) if (edges[e * EF + ETO] / NF === v) via = edgeName(e);
    out.push(`  ${MB(retained[v]).padStart(9)}  ${type(v)}: ${name(v).slice(0, 70)}  (self ${self(v)}; via ${type(p)} ${name(p).slice(0, 40)}.${via})`);
    shown++;
  }
  return out.join('\n');
}

if (process.argv[1]?.endsWith('heap-summary.ts')) console.log(summarizeSnapshot(process.argv[2]));
