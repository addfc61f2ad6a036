import { describe, expect, it } from 'vitest';
import { ConfigError, defaults, loadConfig } from '../../electron/service/config.js';
import { SETTINGS_LIMITS, settingsInputError, type LimitedSetting } from '../../shared/api/settings.js';

/** Each numeric setting: its flag and its key in the service config. */
const FLAGS: Record<LimitedSetting, { flag: string; env: string; key: 'pingBodyLimit' | 'catchupWindow' }> = {
  ping_body_limit: { flag: '--ping-body-limit', env: 'LUBDUB_PING_BODY_LIMIT', key: 'pingBodyLimit' },
  catchup_window: { flag: '--catchup-window', env: 'LUBDUB_CATCHUP_WINDOW', key: 'catchupWindow' },
};
const KEYS = Object.keys(SETTINGS_LIMITS) as LimitedSetting[];

describe('one table of settings limits for the CLI flags and the settings API', () => {
  it.each(KEYS)('%s: the bounds are accepted by both, one past them refused by both', (k) => {
    const { min, max } = SETTINGS_LIMITS[k];
    const { flag, env, key } = FLAGS[k];
    for (const v of [min, max]) {
      expect(loadConfig([flag, String(v)], {})[key]).toBe(v);
      expect(loadConfig([], { [env]: String(v) })[key]).toBe(v);
      expect(settingsInputError({ [k]: v })).toBeNull();
    }
    expect(() => loadConfig([flag, String(max + 1)], {})).toThrow(new ConfigError(`${flag} must be an integer ${min}-${max}, got "${max + 1}"`));
    expect(settingsInputError({ [k]: max + 1 })).toBe(`${k} must be ${min}-${max}`);
    expect(settingsInputError({ [k]: min - 1 })).toBe(`${k} must be ${min}-${max}`);
  });

  it.each(KEYS)('%s: the default is the table\'s, and valid', (k) => {
    expect(defaults({})[FLAGS[k].key]).toBe(SETTINGS_LIMITS[k].default);
    expect(settingsInputError({ [k]: SETTINGS_LIMITS[k].default })).toBeNull();
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
