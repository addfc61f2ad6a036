import { describe, expect, it } from 'vitest';
import { ConfigError, defaults, loadConfig } from '../../electron/service/config.js';
import { heartbeatInputError, SETTINGS_LIMITS, settingsInputError, type LimitedSetting } from '../../shared/api/settings.js';

/** Each numeric setting: its flag, its key in the service config, and how its API checks it (the field it names). */
const FLAGS: Record<LimitedSetting, { flag: string; env: string; key: 'pingBodyLimit' | 'catchupWindow' | 'heartbeatMinutes'; api: (v: number) => string | null; field: string }> = {
  ping_body_limit: { flag: '--ping-body-limit', env: 'LUBDUB_PING_BODY_LIMIT', key: 'pingBodyLimit', api: (v) => settingsInputError({ ping_body_limit: v }), field: 'ping_body_limit' },
  catchup_window: { flag: '--catchup-window', env: 'LUBDUB_CATCHUP_WINDOW', key: 'catchupWindow', api: (v) => settingsInputError({ catchup_window: v }), field: 'catchup_window' },
  heartbeat_minutes: { flag: '--heartbeat-minutes', env: 'LUBDUB_HEARTBEAT_MINUTES', key: 'heartbeatMinutes', api: (v) => heartbeatInputError({ minutes: v }), field: 'minutes' },
};
const KEYS = Object.keys(SETTINGS_LIMITS) as LimitedSetting[];

describe('one table of settings limits for the CLI flags and the settings API', () => {
  it.each(KEYS)('%s: the bounds are accepted by both, one past them refused by both', (k) => {
    const { min, max } = SETTINGS_LIMITS[k];
    const { flag, env, key, api, field } = FLAGS[k];
    for (const v of [min, max]) {
      expect(loadConfig([flag, String(v)], {})[key]).toBe(v);
      expect(loadConfig([], { [env]: String(v) })[key]).toBe(v);
      expect(api(v)).toBeNull();
    }
    expect(() => loadConfig([flag, String(max + 1)], {})).toThrow(new ConfigError(`${flag} must be an integer ${min}-${max}, got "${max + 1}"`));
    expect(api(max + 1)).toBe(`${field} must be ${min}-${max}`);
    expect(api(min - 1)).toBe(`${field} must be ${min}-${max}`);
  });

  it.each(KEYS)('%s: the default is the table\'s, and valid', (k) => {
    expect(defaults({})[FLAGS[k].key]).toBe(SETTINGS_LIMITS[k].default);
    expect(FLAGS[k].api(SETTINGS_LIMITS[k].default)).toBeNull();
  });

  it.each(['1.5', '-1', ' 5', '5s', '', '99999999999'])('a flag value %j is refused', (v) => {
    expect(() => loadConfig(['--catchup-window', v], {})).toThrow(ConfigError);
  });
});

describe('one rule for the base URL in the CLI and the settings API', () => {
  it.each([
    ['http://nas.local:8420', 'http://nas.local:8420'],
    ['https://lubdub.example/', 'https://lubdub.example'],
  ])('%s is accepted by both (stored as %s)', (v, stored) => {
    expect(loadConfig(['--base-url', v], {}).baseUrl).toBe(stored);
    expect(settingsInputError({ base_url: v })).toBeNull();
  });
  it.each(['ftp://nas.local', 'http://user:pw@nas.local', 'http://nas.local/?x=1', 'http://nas.local/#top', 'not a url', `http://${'a'.repeat(300)}.local`])(
    '%s is refused by both',
    (v) => {
      expect(() => loadConfig(['--base-url', v], {})).toThrow(ConfigError);
      expect(settingsInputError({ base_url: v })).toMatch(/^base_url /);
    },
  );
});
