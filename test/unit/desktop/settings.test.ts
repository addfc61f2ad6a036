import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopServiceConfig } from '../../../electron/app/local-service.js';
import { parseSettings, rememberedRemote, SettingsStore, settingsFromEnv } from '../../../electron/app/settings.js';
import { tempDir } from '../../helpers/serve.js';

const KEY = 'abcdefghijklmnop0123456789ABCDEF';

describe('parseSettings (remote mode)', () => {
  it.each<[string, string | null, unknown, string | null]>([
    ['no file: local', null, { mode: 'local' }, null],
    ['local', '{"mode":"local"}', { mode: 'local' }, null],
    ['remote', `{"mode":"remote","url":"http://10.0.0.5:8421","apiKey":"${KEY}"}`, { mode: 'remote', url: 'http://10.0.0.5:8421', apiKey: KEY }, null],
    ['remote https with a path: the origin is kept', `{"mode":"remote","url":"https://nas.lan/lubdub/","apiKey":"${KEY}"}`, { mode: 'remote', url: 'https://nas.lan', apiKey: KEY }, null],
    ['local remembering a remote', `{"mode":"local","url":"http://nas.lan:8421","apiKey":"${KEY}"}`, { mode: 'local', remote: { url: 'http://nas.lan:8421', apiKey: KEY } }, null],
    ['the editable template (empty remote fields)', '{"mode":"local","url":"","apiKey":""}', { mode: 'local' }, null],
    ['bad JSON: local with an error', '{mode:', { mode: 'local' }, 'shell-settings.json is not valid JSON'],
    ['an array', '[]', { mode: 'local' }, 'shell-settings.json must hold an object'],
    ['unknown mode', '{"mode":"cloud"}', { mode: 'local' }, '"mode" must be "local" or "remote"'],
    ['remote without url', `{"mode":"remote","apiKey":"${KEY}"}`, { mode: 'local' }, 'remote mode: "url" must be a string'],
    ['remote with a file URL', `{"mode":"remote","url":"file:///etc","apiKey":"${KEY}"}`, { mode: 'local' }, 'remote mode: "url" must be an http(s) URL without user name or password, got "file:///etc"'],
    ['remote with userinfo', `{"mode":"remote","url":"http://a:b@nas.lan","apiKey":"${KEY}"}`, { mode: 'local' }, 'remote mode: "url" must be an http(s) URL without user name or password, got "http://a:b@nas.lan"'],
    ['remote with a short key', '{"mode":"remote","url":"http://nas.lan","apiKey":"short"}', { mode: 'local' }, 'remote mode: "apiKey" must be the service\'s API key (16-128 characters [A-Za-z0-9_-])'],
  ])('%s', (_n, text, settings, error) => {
    expect(parseSettings(text)).toEqual({ settings, error });
  });

  it('environment override', () => {
    expect(settingsFromEnv({})).toBeNull();
    expect(settingsFromEnv({ LUBDUB_REMOTE_URL: 'http://nas.lan:8421', LUBDUB_REMOTE_API_KEY: KEY })).toEqual({
      settings: { mode: 'remote', url: 'http://nas.lan:8421', apiKey: KEY },
      error: null,
    });
    expect(settingsFromEnv({ LUBDUB_REMOTE_URL: 'http://nas.lan:8421' })?.settings).toEqual({ mode: 'local' });
  });

  it('remembered remote', () => {
    expect(rememberedRemote({ mode: 'local' })).toBeNull();
    expect(rememberedRemote({ mode: 'remote', url: 'http://a', apiKey: KEY })).toEqual({ url: 'http://a', apiKey: KEY });
  });
});

describe('SettingsStore', () => {
  it('saves atomically with mode 0600 and reads back', () => {
    const dir = tempDir();
    const s = new SettingsStore(dir);
    expect(s.load()).toEqual({ settings: { mode: 'local' }, error: null });
    s.save({ mode: 'local', remote: { url: 'http://nas.lan:8421', apiKey: KEY } });
    expect(s.load().settings).toEqual({ mode: 'local', remote: { url: 'http://nas.lan:8421', apiKey: KEY } });
    s.save({ mode: 'remote', url: 'http://nas.lan:8421', apiKey: KEY });
    expect(s.load().settings).toEqual({ mode: 'remote', url: 'http://nas.lan:8421', apiKey: KEY });
    expect(fs.statSync(s.file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['shell-settings.json']);
  });

  it('ensure() writes an editable template once and never overwrites', () => {
    const s = new SettingsStore(tempDir());
    s.ensure();
    expect(JSON.parse(fs.readFileSync(s.file, 'utf8'))).toEqual({ mode: 'local', url: '', apiKey: '' });
    s.save({ mode: 'remote', url: 'http://nas.lan:8421', apiKey: KEY });
    s.ensure();
    expect(s.load().settings.mode).toBe('remote');
  });

  it('an unreadable settings path falls back to local with an error', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'shell-settings.json'));
    const r = new SettingsStore(dir).load();
    expect(r.settings).toEqual({ mode: 'local' });
    expect(r.error).toMatch(/cannot read/);
  });
});

describe('desktopServiceConfig', () => {
  it('data in userData, node-notifier off, LUBDUB_* still apply', () => {
    const c = desktopServiceConfig({ LUBDUB_PING_PORT: '9000' }, '/home/me/.config/Lubdub');
    expect(c).toMatchObject({ dataDir: '/home/me/.config/Lubdub', desktopNotifier: false, pingPort: 9000, uiHost: '127.0.0.1', uiPort: 8421 });
  });
  it('LUBDUB_DATA_DIR wins over userData; LUBDUB_DESKTOP_NOTIFIER cannot turn the double notification on', () => {
    const c = desktopServiceConfig({ LUBDUB_DATA_DIR: '/srv/lubdub', LUBDUB_DESKTOP_NOTIFIER: 'true' }, '/home/me/.config/Lubdub');
    expect(c).toMatchObject({ dataDir: '/srv/lubdub', desktopNotifier: false });
  });
});
