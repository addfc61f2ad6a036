import { useEffect, useState } from 'react';
import type { SettingsJson } from '../../shared/api/settings.js';
import { formatSecondsExact, parseDuration } from '../../shared/domain/duration.js';
import type { OverviewReply } from '../../shared/api/overview.js';
import { API } from '../../shared/api/routes.js';
import { api, ApiFailure, call } from '../api.js';
import { BadgeSettings } from '../components/BadgeSettings.js';
import { ChannelSettings } from '../components/ChannelSettings.js';
import { HeartbeatSetting } from '../components/HeartbeatSetting.js';
import { ImportSettings } from '../components/ImportSettings.js';
import { HostGroupingSetting } from '../components/HostGroupingSetting.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { OfficeSettings } from '../components/OfficeSettings.js';
import { ThemeSetting } from '../components/ThemeSetting.js';
import { useConsole } from '../store.js';

/** A secret shown masked until revealed, with copy and rotate. */
function Secret({ label, value, locked, onRotate }: { label: string; value: string; locked: boolean; onRotate: () => void }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="field">
      <span className="label">{label}</span>
      <div className="input-row">
        <code className="secret" aria-label={label} data-testid={`secret-${label}`}>
          {shown ? value : '•'.repeat(Math.min(value.length, 32))}
        </code>
        <button type="button" className="small" onClick={() => setShown(!shown)} aria-pressed={shown}>
          {shown ? 'Hide' : 'Reveal'}
        </button>
        <CopyButton text={value} />
        <button type="button" className="small" onClick={onRotate} disabled={locked} title={locked ? 'Set by a flag or environment variable' : undefined}>
          Rotate…
        </button>
      </div>
    </div>
  );
}

/**
 * Settings: how ping URLs are shown, the keys, body limit, catch-up window and
 * channels. Values fixed by a flag or environment variable are shown read-only.
 */
export function Settings() {
  const [s, setS] = useState<SettingsJson | null>(null);
  const [base, setBase] = useState('');
  const [limit, setLimit] = useState('');
  const [window, setWindow] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [rotate, setRotate] = useState<'api_key' | 'ping_key' | 'badge_key' | null>(null);
  // the tags in use, as the service lists them for the overview (no rows asked for)
  const checksSeq = useConsole((x) => x.checksSeq);
  const [tags, setTags] = useState<string[]>([]);
  useEffect(() => {
    call<OverviewReply>(`${API.overview.path}?limit=0`).then(
      (o) => setTags(o.tags),
      () => {},
    );
  }, [checksSeq]);
  const [logoutAll, setLogoutAll] = useState(false);
  const settingsSeq = useConsole((x) => x.settingsSeq);

  const fill = (v: SettingsJson) => {
    setS(v);
    setBase(v.base_url);
    setLimit(String(v.ping_body_limit));
    setWindow(formatSecondsExact(v.catchup_window));
  };
  useEffect(() => {
    api.settings().then(fill, (e) => setErrors({ general: (e as Error).message }));
  }, [settingsSeq]);

  if (!s) return errors.general ? <p className="banner error">{errors.general}</p> : <p className="muted">Loading…</p>;
  const isLocked = (k: SettingsJson['locked'][number]) => s.locked.includes(k);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const input: Record<string, unknown> = {};
    const errs: Record<string, string> = {};
    if (!isLocked('base_url') && base !== s.base_url) input.base_url = base === s.base_url_default ? '' : base;
    if (!isLocked('ping_body_limit')) {
      if (!/^\d+$/.test(limit.trim())) errs.ping_body_limit = 'A number of bytes, e.g. 100000.';
      else input.ping_body_limit = Number(limit);
    }
    if (!isLocked('catchup_window')) {
      const w = parseDuration(window);
      if (w === null) errs.catchup_window = 'A duration such as "10 min".';
      else input.catchup_window = w;
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    try {
      fill(await api.saveSettings(input));
      setSaved('Saved.');
    } catch (err) {
      const f = err instanceof ApiFailure ? err.field : null;
      setErrors({ [f ?? 'general']: (err as Error).message.replace(/^json validation error: /, '') });
    }
  };

  const doRotate = async () => {
    if (!rotate) return;
    const which = rotate;
    setRotate(null);
    try {
      await api.rotateKey(which);
      fill(await api.settings());
      setSaved(
        which === 'api_key'
          ? 'New API key made: update your scripts. Every other console session was logged out.'
          : which === 'badge_key'
            ? 'New badge key made: badge URLs changed.'
            : 'New ping key made: slug URLs changed.',
      );
    } catch (e) {
      setErrors({ general: (e as Error).message });
    }
  };

  const doLogoutAll = async () => {
    setLogoutAll(false);
    try {
      await api.logout(true);
      // this session ended too: the app says how to log in again
      useConsole.setState({ unauthorized: true, live: 'offline' });
    } catch (e) {
      setErrors({ general: (e as Error).message });
    }
  };

  const lockNote = <span className="hint">Set by a flag or environment variable at start.</span>;
  return (
    <div className="settings">
      <h1>Settings</h1>
      <ThemeSetting />
      <form onSubmit={save} aria-label="Settings">
        <fieldset>
          <legend>Ping URLs</legend>
          <div className="field">
            <label htmlFor="base-url">Base URL shown in snippets and ping URLs</label>
            <input id="base-url" list="base-urls" value={base} onChange={(e) => setBase(e.target.value)} disabled={isLocked('base_url')} aria-describedby="base-url-hint" />
            <datalist id="base-urls">
              {s.detected_urls.map((u) => (
                <option key={u} value={u} />
              ))}
            </datalist>
            {isLocked('base_url') ? lockNote : (
              <p className="hint" id="base-url-hint">
                How your jobs reach this machine. Detected:{' '}
                {s.detected_urls.map((u, i) => (
                  <span key={u}>
                    {i > 0 && ', '}
                    <button type="button" className="link mono" onClick={() => setBase(u)}>
                      {u}
                    </button>
                  </span>
                ))}
              </p>
            )}
            {errors.base_url && <p className="field-error">{errors.base_url}</p>}
          </div>
          <div className="field">
            <label htmlFor="body-limit">Ping body limit (bytes)</label>
            <input id="body-limit" inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} disabled={isLocked('ping_body_limit')} />
            {isLocked('ping_body_limit') ? lockNote : <p className="hint">Bytes of each ping body kept; the rest is cut.</p>}
            {errors.ping_body_limit && <p className="field-error">{errors.ping_body_limit}</p>}
          </div>
        </fieldset>
        <fieldset>
          <legend>When Lubdub was not running</legend>
          <div className="field">
            <label htmlFor="catchup">Catch-up window</label>
            <input id="catchup" value={window} onChange={(e) => setWindow(e.target.value)} disabled={isLocked('catchup_window')} />
            {isLocked('catchup_window') ? (
              lockNote
            ) : (
              <p className="hint">After a sleep or restart, deadlines that passed meanwhile wait this long for late pings before they count as missed.</p>
            )}
            {errors.catchup_window && <p className="field-error">{errors.catchup_window}</p>}
          </div>
          <p className="hint">Repeat reminders while a check is down are set per check, in its editor.</p>
        </fieldset>
        {errors.general && (
          <p className="field-error" role="alert">
            {errors.general}
          </p>
        )}
        <div className="form-actions">
          <span role="status" className="hint">
            {saved}
          </span>
          <button type="submit" className="primary">
            Save settings
          </button>
        </div>
      </form>

      <section aria-labelledby="keys-h">
        <h2 id="keys-h">Keys</h2>
        <Secret label="API key" value={s.api_key} locked={isLocked('api_key')} onRotate={() => setRotate('api_key')} />
        <p className="hint">For scripts: header X-Api-Key on the management API (healthchecks v3).</p>
        <Secret label="Ping key" value={s.ping_key} locked={isLocked('ping_key')} onRotate={() => setRotate('ping_key')} />
        <p className="hint">Part of slug ping URLs: /ping/&lt;ping key&gt;/&lt;slug&gt;.</p>
      </section>

      <section aria-labelledby="sessions-h">
        <h2 id="sessions-h">Console sessions</h2>
        <p className="hint">Every browser or window logged in to this console, this one included. Making a new API key also logs them all out.</p>
        <button type="button" className="danger" onClick={() => setLogoutAll(true)}>
          Log out everywhere…
        </button>
      </section>

      <BadgeSettings pingBase={s.base_url} badgeKey={s.badge_key} tags={tags} onRotate={() => setRotate('badge_key')} />
      <HeartbeatSetting />
      <ImportSettings />

      <OfficeSettings />
      <section aria-labelledby="channels-h">
        <h2 id="channels-h">Notification channels</h2>
        <ChannelSettings />
        <HostGroupingSetting />
      </section>

      {logoutAll && (
        <ConfirmDialog title="Log out everywhere?" confirmLabel="Log out everywhere" danger onConfirm={doLogoutAll} onCancel={() => setLogoutAll(false)}>
          <p>Every console session ends, this one too. Log in again with a new login link (printed when Lubdub starts) or from the desktop app.</p>
        </ConfirmDialog>
      )}
      {rotate && (
        <ConfirmDialog
          title={rotate === 'api_key' ? 'Make a new API key?' : rotate === 'badge_key' ? 'Make a new badge key?' : 'Make a new ping key?'}
          confirmLabel="Rotate"
          danger
          onConfirm={doRotate}
          onCancel={() => setRotate(null)}
        >
          <p>
            {rotate === 'api_key'
              ? 'Scripts using the old key stop working at once.'
              : rotate === 'badge_key'
                ? 'Badges using the old key stop showing at once.'
                : 'Slug ping URLs with the old key stop working at once; UUID URLs keep working.'}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
