import { describe, expect, it } from 'vitest';
import { consoleOrigin, isConsoleUrl, isExternalUrl, isTrustedSender } from '../../../electron/app/guards.js';
import { IPC_CHANNELS, validatePayload } from '../../../electron/app/ipc.js';
import { notificationText } from '../../../electron/app/notifications.js';
import { CONSOLE_CSP, isPermissionAllowed, secureWebPreferences, withCsp } from '../../../electron/app/security.js';

const ORIGIN = 'http://127.0.0.1:8421';
const UUID = '0b6a2f1e-4c7d-4e8a-9f10-1234567890ab';

// Hostile inputs a console window must never be navigated to, and a sender must never be.
const HOSTILE: [string, unknown][] = [
  ['custom scheme', 'app://evil'],
  ['custom scheme on our host', 'app://127.0.0.1:8421/'],
  ['look-alike host', 'http://localhost.evil.com/'],
  ['our origin as a subdomain', 'http://127.0.0.1.evil.com:8421/'],
  ['our origin as a port prefix', 'http://127.0.0.1:84210/'],
  ['userinfo: looks like us, goes to evil.com', 'http://127.0.0.1:8421@evil.com/'],
  ['userinfo on our own origin', 'http://user:pass@127.0.0.1:8421/'],
  ['another port', 'http://127.0.0.1:8422/'],
  ['another scheme', 'https://127.0.0.1:8421/'],
  ['localhost is another origin', 'http://localhost:8421/'],
  ['IPv6 loopback is another origin', 'http://[::1]:8421/'],
  ['file', 'file:///etc/passwd'],
  ['file on our host', 'file://127.0.0.1:8421/etc/passwd'],
  ['javascript', 'javascript:alert(1)'],
  ['javascript with our origin inside', 'javascript://127.0.0.1:8421/%0aalert(1)'],
  ['data', 'data:text/html,<script>alert(1)</script>'],
  ['blob of our origin', 'blob:http://127.0.0.1:8421/0b6a2f1e-4c7d-4e8a-9f10-1234567890ab'],
  ['view-source', 'view-source:http://127.0.0.1:8421/'],
  ['about:blank', 'about:blank'],
  ['devtools', 'devtools://devtools/bundled/inspector.html'],
  ['chrome', 'chrome://settings'],
  ['relative path', '/#/checks'],
  ['protocol-relative', '//evil.com/'],
  ['empty', ''],
  ['not a string', { href: ORIGIN }],
  ['null', null],
  ['too long', `${ORIGIN}/${'a'.repeat(5000)}`],
];

describe('isConsoleUrl: only the console origin', () => {
  it.each(HOSTILE)('refuses %s: %s', (_name, url) => {
    expect(isConsoleUrl(url, ORIGIN)).toBe(false);
  });

  it.each([
    ['the root', 'http://127.0.0.1:8421/'],
    ['no trailing slash', 'http://127.0.0.1:8421'],
    ['a hash route', 'http://127.0.0.1:8421/#/checks/' + UUID],
    ['a query', 'http://127.0.0.1:8421/?tag=nas'],
    ['the default-port spelling', 'http://127.0.0.1:8421/./a/../'],
    ['upper-case scheme and host', 'HTTP://127.0.0.1:8421/'],
  ])('allows %s: %s', (_name, url) => {
    expect(isConsoleUrl(url, ORIGIN)).toBe(true);
  });

  it('an https remote console: same origin only', () => {
    const o = consoleOrigin('https://lubdub.office.lan/some/path')!;
    expect(o).toBe('https://lubdub.office.lan');
    expect(isConsoleUrl('https://lubdub.office.lan/#/checks', o)).toBe(true);
    expect(isConsoleUrl('https://lubdub.office.lan:443/', o)).toBe(true);
    expect(isConsoleUrl('http://lubdub.office.lan/', o)).toBe(false);
    expect(isConsoleUrl('https://lubdub.office.lan.evil.com/', o)).toBe(false);
  });

  it('no origin known yet: nothing is allowed', () => {
    expect(isConsoleUrl(ORIGIN + '/', null)).toBe(false);
  });
});

describe('consoleOrigin', () => {
  it.each([
    ['http://127.0.0.1:8421', 'http://127.0.0.1:8421'],
    ['http://10.0.0.5:8421/', 'http://10.0.0.5:8421'],
    ['https://nas.lan', 'https://nas.lan'],
    ['ftp://nas.lan', null],
    ['http://u:p@nas.lan', null],
    ['nas.lan:8421', null],
    ['javascript:alert(1)', null],
  ])('%s → %s', (base, want) => {
    expect(consoleOrigin(base)).toBe(want);
  });
});

describe('isTrustedSender (IPC origin check)', () => {
  it.each(HOSTILE)('refuses a sender at %s', (_name, url) => {
    expect(isTrustedSender(url, ORIGIN)).toBe(false);
  });
  it('accepts a console page', () => {
    expect(isTrustedSender(`${ORIGIN}/#/checks/${UUID}`, ORIGIN)).toBe(true);
  });
  it('refuses a sender without a frame URL', () => {
    expect(isTrustedSender(undefined, ORIGIN)).toBe(false);
  });
});

describe('isExternalUrl (shell.openExternal)', () => {
  it.each([
    ['https docs', 'https://healthchecks.io/docs/', true],
    ['http LAN page', 'http://nas.lan:5000/', true],
    ['file', 'file:///C:/Windows/System32/calc.exe', false],
    ['UNC through file', 'file://evil.com/share/x.exe', false],
    ['smb', 'smb://evil.com/share', false],
    ['ms-msdt handler', 'ms-msdt:/id PCWDiagnostic', false],
    ['javascript', 'javascript:alert(1)', false],
    ['data', 'data:text/html,x', false],
    ['mailto', 'mailto:a@b.c', false],
    ['custom app scheme', 'app://evil', false],
    ['userinfo', 'https://good.com@evil.com/', false],
    ['not a URL', 'https//missing-colon', false],
    ['not a string', 42, false],
  ])('%s: %s → %s', (_n, url, want) => {
    expect(isExternalUrl(url)).toBe(want);
  });
});

describe('IPC payload validation', () => {
  it.each<[string, string, unknown, boolean]>([
    ['editor for a check', IPC_CHANNELS.openEditor, { check: UUID }, true],
    ['editor for a new check', IPC_CHANNELS.openEditor, { check: null }, true],
    ['editor with a path instead of a uuid', IPC_CHANNELS.openEditor, { check: '../../etc' }, false],
    ['editor with an upper-case uuid', IPC_CHANNELS.openEditor, { check: UUID.toUpperCase() }, false],
    ['editor with an extra key', IPC_CHANNELS.openEditor, { check: null, url: 'x' }, false],
    ['editor with no payload', IPC_CHANNELS.openEditor, undefined, false],
    ['editor with an array', IPC_CHANNELS.openEditor, [UUID], false],
    ['check detail', IPC_CHANNELS.openCheck, { check: UUID }, true],
    ['check detail needs a uuid', IPC_CHANNELS.openCheck, { check: null }, false],
    ['external https', IPC_CHANNELS.openExternal, { url: 'https://example.com/' }, true],
    ['external file', IPC_CHANNELS.openExternal, { url: 'file:///etc/passwd' }, false],
    ['external javascript', IPC_CHANNELS.openExternal, { url: 'javascript:alert(1)' }, false],
    ['external non-string', IPC_CHANNELS.openExternal, { url: { toString: () => 'https://x' } }, false],
    ['a class instance', IPC_CHANNELS.openCheck, new (class { check = UUID })(), false],
    ['unknown channel', 'lubdub:run-shell', { cmd: 'rm -rf /' }, false],
  ])('%s → %s', (_n, channel, payload, ok) => {
    expect(validatePayload(channel as never, payload).ok).toBe(ok);
  });
});

describe('permissions', () => {
  it.each([
    ['clipboard-sanitized-write', `${ORIGIN}/`, true],
    ['clipboard-sanitized-write', 'http://evil.com/', false],
    ['clipboard-read', `${ORIGIN}/`, false],
    ['media', `${ORIGIN}/`, false],
    ['geolocation', `${ORIGIN}/`, false],
    ['notifications', `${ORIGIN}/`, false],
    ['openExternal', `${ORIGIN}/`, false],
    ['hid', `${ORIGIN}/`, false],
    ['fullscreen', `${ORIGIN}/`, false],
  ])('%s from %s → %s', (perm, url, want) => {
    expect(isPermissionAllowed(perm, url, ORIGIN)).toBe(want);
  });
});

describe('CSP and web preferences', () => {
  it('adds the CSP beside the server one, whatever the header case', () => {
    const h = withCsp({ 'content-security-policy': ["default-src 'self'"], 'Content-Type': 'text/html' });
    expect(h['content-security-policy']).toEqual(["default-src 'self'", CONSOLE_CSP]);
    expect(h['Content-Type']).toEqual(['text/html']);
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CONSOLE_CSP] });
  });

  it('the CSP forbids inline script, plugins, framing and base hijacks', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(CONSOLE_CSP).toContain("object-src 'none'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).toContain("base-uri 'none'");
  });

  it('every window is isolated, sandboxed and without Node', () => {
    expect(secureWebPreferences('/p/preload.cjs')).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('notification text', () => {
  it('on Linux a ping body is escaped, so notification servers show it as text', () => {
    expect(notificationText({ title: 'backup <b>down</b>', body: '<a href="x">click</a> & <img src=x onerror=alert(1)>' }, 'linux')).toEqual({
      title: 'backup <b>down</b>',
      body: '&lt;a href="x"&gt;click&lt;/a&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    });
  });
  it('macOS and Windows show the body verbatim', () => {
    expect(notificationText({ title: 't', body: '<b>x</b> & y' }, 'darwin').body).toBe('<b>x</b> & y');
    expect(notificationText({ title: 't', body: '<b>x</b> & y' }, 'win32').body).toBe('<b>x</b> & y');
  });
  it('long bodies are cut', () => {
    expect(Array.from(notificationText({ title: 't', body: 'y'.repeat(1000) }, 'win32').body)).toHaveLength(300);
  });
});
