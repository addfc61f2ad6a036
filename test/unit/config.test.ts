import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, loadConfig } from '../../electron/service/config.js';

describe('loadConfig', () => {
  it('has the SPEC §3 defaults', () => {
    const c = loadConfig([], { HOME: '/home/u' });
    expect(c).toMatchObject({ pingHost: '0.0.0.0', pingPort: 8420, uiHost: '127.0.0.1', uiPort: 8421, pingBodyLimit: 100000, apiKey: null, baseUrl: null });
  });
  it('flags win over environment variables of the same name', () => {
    const c = loadConfig(['--ping-port', '9000', '--ui-port=0'], { LUBDUB_PING_PORT: '8000', LUBDUB_UI_PORT: '7000', LUBDUB_PING_BODY_LIMIT: '5' });
    expect([c.pingPort, c.uiPort, c.pingBodyLimit]).toEqual([9000, 0, 5]);
  });
  it('reads the log level from LUBDUB_LOG_LEVEL or --log-level, info by default', () => {
    expect(loadConfig([], {}).logLevel).toBe('info');
    expect(loadConfig([], { LUBDUB_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(loadConfig(['--log-level', 'WARN'], { LUBDUB_LOG_LEVEL: 'debug' }).logLevel).toBe('warn');
  });
  it.each([
    [['--log-level', 'loud'], /--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/],
    [['--ping-port', '70000'], /port number/],
    [['--ui-host', 'a b'], /host name/],
    [['--base-url', 'ftp://x'], /--base-url: must be http\(s\):\/\/host/],
    [['--base-url', 'http://nas.local:8420/$(reboot)'], /--base-url: must be http\(s\):\/\/host/],
    [['--api-key', 'short'], /16-128/],
    [['--nope', '1'], /unknown option/],
    [['--ping-port'], /needs a value/],
  ])('refuses %j', (argv, msg) => {
    expect(() => loadConfig(argv as string[], {})).toThrow(ConfigError);
    expect(() => loadConfig(argv as string[], {})).toThrow(msg);
  });
  it('uses the OS app-data dir', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/lubdub');
    expect(defaultDataDir({ APPDATA: 'C:\\A' }, 'win32')).toMatch(/Lubdub$/);
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Lubdub$/);
  });
});
