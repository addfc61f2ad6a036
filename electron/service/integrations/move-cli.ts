import fs from 'node:fs';
import path from 'node:path';
import type { ImportReply } from '../../../shared/api/integrations.js';
import { API } from '../../../shared/api/routes.js';
import { defaultDataDir, loadConfig } from '../config.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { exportHealthchecks, importHealthchecks, importText, MoveError, planText, type ImportReport } from './move.js';

/** `lubdub import …` / `lubdub export …` usage. */
export const MOVE_USAGE = {
  import: 'healthchecks --url URL --api-key KEY [--dry-run] [--data-dir DIR]: copy checks from healthchecks (API v3) here',
  export:
    'healthchecks --url URL --api-key KEY [--dry-run] [--unique name|slug] [--mapping FILE] [--rewrite FILE…] [--data-dir DIR]: copy checks here to healthchecks',
};

interface MoveArgs {
  url: string;
  apiKey: string;
  dryRun: boolean;
  dataDir: string;
  unique: 'name' | 'slug';
  mapping: string | null;
  rewrite: string[];
}

/** Reads the flags of a move; a missing or unknown one is a MoveError. */
export function parseMoveArgs(which: 'import' | 'export', argv: string[], env: NodeJS.ProcessEnv = process.env): MoveArgs {
  const [target, ...rest] = argv;
  if (target !== 'healthchecks') throw new MoveError(`usage: lubdub ${which} ${MOVE_USAGE[which]}`);
  const a: MoveArgs = { url: '', apiKey: '', dryRun: false, dataDir: defaultDataDir(env), unique: 'name', mapping: null, rewrite: [] };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new MoveError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--url') a.url = value();
    else if (flag === '--api-key') a.apiKey = value();
    else if (flag === '--dry-run') a.dryRun = true;
    else if (flag === '--data-dir') a.dataDir = value();
    else if (flag === '--unique' && which === 'export') {
      const v = value();
      if (v !== 'name' && v !== 'slug') throw new MoveError('--unique must be name or slug');
      a.unique = v;
    } else if (flag === '--mapping' && which === 'export') a.mapping = value();
    else if (flag === '--rewrite' && which === 'export') a.rewrite.push(value());
    else throw new MoveError(`unknown flag ${flag} (usage: lubdub ${which} ${MOVE_USAGE[which]})`);
  }
  if (!a.url) throw new MoveError('--url is required (the healthchecks base URL)');
  if (!a.apiKey) a.apiKey = env.LUBDUB_MOVE_API_KEY ?? '';
  if (!a.apiKey) throw new MoveError('--api-key is required (or LUBDUB_MOVE_API_KEY)');
  return a;
}

/** The API key a service on this data dir answers to: LUBDUB_API_KEY, else keys.json (read, never created). */
function serviceKey(dataDir: string, env: NodeJS.ProcessEnv): string | null {
  if (env.LUBDUB_API_KEY) return env.LUBDUB_API_KEY;
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8')).apiKey ?? null;
  } catch {
    return null;
  }
}

/**
 * Asks the service running on the configured UI port (LUBDUB_UI_HOST / LUBDUB_UI_PORT) to
 * import, so it stays the one writer of `checks`; null when none answers there.
 */
async function importThroughService(a: MoveArgs, env: NodeJS.ProcessEnv): Promise<ImportReport | null> {
  const key = serviceKey(a.dataDir, env);
  // No key was ever made for this data dir: no service has run on it.
  if (key === null) return null;
  const cfg = loadConfig([], env);
  const host = cfg.uiHost === '0.0.0.0' || cfg.uiHost === '::' ? '127.0.0.1' : cfg.uiHost.includes(':') ? `[${cfg.uiHost}]` : cfg.uiHost;
  const url = `http://${host}:${cfg.uiPort}${API.importHealthchecks.path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ url: a.url, remote_key: a.apiKey, dry_run: a.dryRun }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return null;
    throw new MoveError(`cannot reach the Lubdub service at ${url}: ${code ?? (e as Error).message}`);
  }
  const json = (await res.json().catch(() => null)) as (ImportReply & { error?: string }) | null;
  if (res.status === 401 || res.status === 403) {
    throw new MoveError(`the Lubdub service at ${url} refused the API key of ${a.dataDir} (HTTP ${res.status}); set LUBDUB_API_KEY or --data-dir`);
  }
  if (res.status !== 200 || !json || !Array.isArray(json.lines)) {
    throw new MoveError(json?.error ?? `the service at ${url} did not import (HTTP ${res.status})`);
  }
  return { lines: json.lines, channels: json.channels, dryRun: json.dry_run };
}

/**
 * Runs `lubdub import healthchecks …` through the running service when one answers on the
 * UI port, else into the data dir directly; prints the same lines either way.
 */
export async function runImport(argv: string[], clock: Clock, print: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const a = parseMoveArgs('import', argv, env);
  const r =
    (await importThroughService(a, env)) ?? (await importHealthchecks({ remote: { url: a.url, apiKey: a.apiKey }, dataDir: a.dataDir, dryRun: a.dryRun, clock }));
  importText(r).forEach((l) => print(l));
}

/** Runs `lubdub export healthchecks …`: plan, mapping, not-carried fields and rewritten lines. */
export async function runExport(argv: string[], clock: Clock, print: (line: string) => void = console.log): Promise<void> {
  const a = parseMoveArgs('export', argv);
  const r = await exportHealthchecks({ remote: { url: a.url, apiKey: a.apiKey }, dataDir: a.dataDir, dryRun: a.dryRun, clock, unique: a.unique, files: a.rewrite });
  planText(r.lines, r.dryRun).forEach((l) => print(l));
  for (const [name, parts] of Object.entries(r.notCarried)) print(`not carried over: ${JSON.stringify(name)}: ${parts.join(', ')}`);
  const mapping = JSON.stringify({ checks: r.mapping }, null, 2) + '\n';
  if (a.mapping && !r.dryRun) {
    fs.writeFileSync(a.mapping, mapping);
    print(`mapping written to ${a.mapping}`);
  } else {
    print('mapping (old ping URL → new):');
    for (const m of r.mapping) print(`  ${m.old_ping_url} → ${m.new_ping_url ?? '(after export)'}`);
  }
  for (const f of r.rewritten) {
    print(`# ${f.file}: ${f.changed.length} ping URL(s) to change`);
    for (const c of f.changed) print(`-  ${c.old}\n+  ${c.new}`);
  }
}
