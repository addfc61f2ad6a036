import fs from 'node:fs';
import { defaultDataDir } from '../config.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { exportHealthchecks, importHealthchecks, MoveError, planText } from './move.js';

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

/** Runs `lubdub import healthchecks …`; prints the plan and the channels that stay behind. */
export async function runImport(argv: string[], clock: Clock, print: (line: string) => void = console.log): Promise<void> {
  const a = parseMoveArgs('import', argv);
  const r = await importHealthchecks({ remote: { url: a.url, apiKey: a.apiKey }, dataDir: a.dataDir, dryRun: a.dryRun, clock });
  planText(r.lines, r.dryRun).forEach((l) => print(l));
  if (r.channels === null) print('channels: not listed (a read-only key cannot list them); set up alerts in Lubdub');
  else if (r.channels.length) print(`channels not carried over (set them up in Lubdub): ${r.channels.map((c) => `${c.name} (${c.kind})`).join(', ')}`);
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
