import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../../electron/app/ipc.js';
import { ROOT } from '../../helpers/serve.js';

function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(c|m)?tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module a file imports, requires or dynamically imports, read by the TypeScript parser. */
function importsOf(file: string): string[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) out.push(n.moduleReference.expression.text);
    if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require')) && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) out.push(n.arguments[0].text);
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

const isElectron = (m: string) => m === 'electron' || m.startsWith('electron/');

describe('layer boundaries', () => {
  it.each(['electron/service', 'shared'])('nothing under %s imports electron', (dir) => {
    const files = sources(dir);
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => importsOf(f).some(isElectron)).map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('the scan sees every import form (it would catch a violation)', () => {
    const tmp = path.join(ROOT, '.tmp');
    fs.mkdirSync(tmp, { recursive: true });
    const f = path.join(tmp, `boundary-probe-${process.pid}.ts`);
    fs.writeFileSync(f, "import type { App } from 'electron';\nconst e = require('electron/main');\nconst d = import('electron');\ntype T = import('electron').BrowserWindow;\n");
    try {
      expect(importsOf(f)).toEqual(['electron', 'electron/main', 'electron', 'electron']);
    } finally {
      fs.rmSync(f);
    }
  });

  it('shared stays pure: no node: modules', () => {
    const offenders = sources('shared').filter((f) => importsOf(f).some((m) => m.startsWith('node:'))).map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});

describe('preload', () => {
  const file = path.join(ROOT, 'electron/preload/preload.cts');

  it('requires nothing but electron at run time (a sandboxed preload cannot load other files)', () => {
    const src = fs.readFileSync(file, 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const required = [...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
  });

  it('run as Electron runs a sandboxed preload, it exposes only named functions that invoke the declared channels', async () => {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const exposed: Record<string, Record<string, unknown>> = {};
    const invoked: [string, unknown][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => (exposed[key] = api) },
      ipcRenderer: {
        invoke: async (channel: string, payload: unknown) => {
          invoked.push([channel, payload]);
          return true;
        },
        on: () => {
          throw new Error('the preload must not listen');
        },
      },
    };
    const preloadRequire = (m: string) => {
      if (m === 'electron') return electron;
      throw new Error(`module not found: ${m}`);
    };
    const exports = {};
    // The same parameters Electron's sandboxed preload wrapper passes.
    new Function('require', 'process', 'exports', 'module', js)(preloadRequire, {}, exports, { exports });

    expect(Object.keys(exposed)).toEqual(['lubdub']);
    const api = exposed.lubdub;
    expect(Object.keys(api).sort()).toEqual(['desktop', 'openCheck', 'openEditor', 'openExternal']);
    expect(Object.values(api).filter((v) => typeof v !== 'function' && typeof v !== 'boolean')).toEqual([]);
    expect(Object.values(api)).not.toContain(electron.ipcRenderer);

    const uuid = '0b6a2f1e-4c7d-4e8a-9f10-1234567890ab';
    await (api.openEditor as (c: string | null) => Promise<boolean>)(null);
    await (api.openCheck as (c: string) => Promise<boolean>)(uuid);
    await (api.openExternal as (u: string) => Promise<boolean>)('https://example.com/');
    expect(invoked).toEqual([
      [IPC_CHANNELS.openEditor, { check: null }],
      [IPC_CHANNELS.openCheck, { check: uuid }],
      [IPC_CHANNELS.openExternal, { url: 'https://example.com/' }],
    ]);
    expect(new Set(invoked.map(([c]) => c))).toEqual(new Set(Object.values(IPC_CHANNELS)));
  });
});
