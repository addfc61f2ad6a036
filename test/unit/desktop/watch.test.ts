import fs from 'node:fs';
import path from 'node:path';
import { JSDOM } from 'jsdom';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROMPT_CHANNEL } from '../../../electron/app/ipc.js';
import { ROOT } from '../../helpers/serve.js';
import type { FoundLubdub } from '../../../electron/app/discover.js';
import { promptHtml } from '../../../electron/app/prompt.js';
import { trayModel, type TrayMenuItem } from '../../../electron/app/tray-model.js';
import { shareUrlOf, shareUrlOfFound } from '../../../electron/app/watch.js';

describe('"Enter an address…": what a typed address means', () => {
  it.each([
    ['nas.local', 'https://nas.local:8422'],
    ['  192.168.1.20:9000 ', 'https://192.168.1.20:9000'],
    ['[fd00::5]', 'https://[fd00::5]:8422'],
    ['[fd00::5]:8423', 'https://[fd00::5]:8423'],
    ['https://office.lan:8422/', 'https://office.lan:8422'],
    ['HTTPS://Office.LAN', 'https://office.lan:8422'],
  ])('%s → %s', (typed, url) => {
    expect(shareUrlOf(typed)).toBe(url);
  });
  it.each([
    ['', /Type the address/],
    ['http://nas.local', /https only/],
    ['ftp://nas.local', /https only/],
    ['me:pw@nas.local', /Only a host and a port/],
    ['nas.local/admin', /Only a host and a port/],
    ['nas.local?x=1', /Only a host and a port/],
    ['nas local', /not a host name/],
    ['nas.local:99999', /not a host name/],
  ])('%j is refused', (typed, why) => {
    const r = shareUrlOf(typed);
    expect(typeof r).toBe('object');
    expect((r as { error: string }).error).toMatch(why);
  });
});

describe('"Find on this network…": where a found Lubdub is paired with', () => {
  const f = (addresses: string[], sharePort: number | null): FoundLubdub => ({ name: 'n', host: 'nas.local', addresses, pingPort: 8420, sharePort, instance: 'i', version: '1', fingerprintPrefix: '' });
  it('its IPv4 address first, a routable IPv6 next, the .local name last; not at all without a share port', () => {
    expect(shareUrlOfFound(f(['fe80::1', '2001:db8::2', '10.0.0.5'], 8422))).toBe('https://10.0.0.5:8422');
    expect(shareUrlOfFound(f(['fe80::1', '2001:db8::2'], 8422))).toBe('https://[2001:db8::2]:8422');
    expect(shareUrlOfFound(f([], 9000))).toBe('https://nas.local:9000');
    expect(shareUrlOfFound(f(['10.0.0.5'], null))).toBeNull();
  });
});

describe('the prompt page', () => {
  it('is escaped text with no script, under a policy that forbids scripts', () => {
    const html = promptHtml({ title: 'Pair with <b>x</b>', message: '"a" & <script>alert(1)</script>', error: "it's <i>", field: { label: 'Code', kind: 'code', value: '"><script>' } }, 'n0nce');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Pair with &lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('&quot;a&quot; &amp; &lt;script&gt;');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect(html).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'");
    expect(html).toContain('inputmode="numeric"');
    expect(html).toContain('id="cancel"');
  });
  it('a message page has only its button unless it asks for Cancel', () => {
    expect(promptHtml({ title: 't', message: 'm', submit: 'Close' }, 'n')).not.toContain('id="cancel"');
    expect(promptHtml({ title: 't', message: 'm', cancel: true }, 'n')).toContain('id="cancel"');
  });
});

describe('the tray\'s Watch menu', () => {
  const watch = (opts: Parameters<typeof trayModel>[3]) => (trayModel(null, [], 0, opts).items.find((i) => i.kind === 'submenu' && i.label === 'Watch') as Extract<TrayMenuItem, { kind: 'submenu' }>).items;
  it('offers Find and Enter an address; Stop watching only while watching another', () => {
    expect(watch({}).map((i) => ('label' in i ? i.label : '—'))).toEqual(['This computer', '—', 'Find on this network…', 'Enter an address…', '—', 'Edit connection settings…']);
    expect(watch({ connection: { mode: 'remote', remoteLabel: 'nas:8422' } }).map((i) => ('label' in i ? i.label : '—'))).toContain('Stop watching (back to this computer)');
  });
  it('says it is searching, that nothing was found, or lists what was (not shared ones disabled)', () => {
    const searching = watch({ watch: { searching: true, found: null, pairing: false } });
    expect(searching).toContainEqual({ kind: 'info', label: 'Searching this network…' });
    expect(searching.find((i) => i.kind === 'action' && i.action === 'find-lubdubs')).toMatchObject({ enabled: false });
    expect(watch({ watch: { searching: false, found: [], pairing: false } })).toContainEqual({ kind: 'info', label: 'No Lubdub found on this network' });
    const found = watch({ watch: { searching: false, pairing: false, found: [{ id: 'a', name: 'Lubdub on office', host: 'office.local', shared: true }, { id: 'b', name: 'R&D', host: 'rd.local', shared: false }] }, platform: 'linux' });
    expect(found.filter((i) => i.kind === 'found')).toEqual([
      { kind: 'found', id: 'a', label: 'Lubdub on office — office.local', enabled: true },
      { kind: 'found', id: 'b', label: 'R&&D — rd.local (not shared)', enabled: false },
    ]);
  });
});

describe('the prompt preload', () => {
  const js = ts.transpileModule(fs.readFileSync(path.join(ROOT, 'electron/preload/prompt-preload.cts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;

  /** Runs the preload as Electron's sandbox does, on the real page, and records what it sends. */
  function load(page: Parameters<typeof promptHtml>[0]) {
    const dom = new JSDOM(promptHtml(page, 'n'));
    const invoked: [string, unknown][] = [];
    const exposed: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string) => exposed.push(k) },
      ipcRenderer: {
        invoke: async (channel: string, payload: unknown) => {
          invoked.push([channel, payload]);
          return true;
        },
      },
    };
    const req = (m: string) => {
      if (m === 'electron') return electron;
      throw new Error(`module not found: ${m}`);
    };
    new Function('require', 'process', 'exports', 'module', 'globalThis', js)(req, {}, {}, { exports: {} }, { document: dom.window.document });
    dom.window.document.dispatchEvent(new dom.window.Event('DOMContentLoaded'));
    return { dom, doc: dom.window.document, invoked, exposed };
  }

  it('requires nothing but electron and exposes nothing to the page', () => {
    expect([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(load({ title: 't', message: 'm' }).exposed).toEqual([]);
  });

  it('sends the typed text on submit (the form never navigates) and null on Cancel or Escape, once', () => {
    const a = load({ title: 'Pair', message: 'm', field: { label: 'Code', kind: 'code' } });
    (a.doc.getElementById('answer') as unknown as { value: string }).value = '123 456';
    const submit = new a.dom.window.Event('submit', { cancelable: true });
    a.doc.getElementById('prompt')!.dispatchEvent(submit);
    expect(submit.defaultPrevented).toBe(true);
    a.doc.getElementById('cancel')!.dispatchEvent(new a.dom.window.Event('click'));
    expect(a.invoked).toEqual([[PROMPT_CHANNEL, { value: '123 456' }]]);

    const b = load({ title: 'Address', message: 'm', field: { label: 'Address', kind: 'address' } });
    b.doc.getElementById('cancel')!.dispatchEvent(new b.dom.window.Event('click'));
    expect(b.invoked).toEqual([[PROMPT_CHANNEL, { value: null }]]);

    const c = load({ title: 'Locked', message: 'm', submit: 'Close' });
    c.doc.dispatchEvent(new c.dom.window.KeyboardEvent('keydown', { key: 'Escape' }));
    expect(c.invoked).toEqual([[PROMPT_CHANNEL, { value: null }]]);
  });
});
