import { useEffect, useState } from 'react';
import type { SettingsJson } from '../../shared/api/settings.js';
import { formatDuration, parseDuration } from '../../shared/console/duration.js';
import { api, ApiFailure, type ChannelJson } from '../api.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
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

/** Notification channels (issue 3's API): list, create, edit, test, delete; a clear note when absent. */
function Channels() {
  const [list, setList] = useState<ChannelJson[] | null | 'absent'>(null);
  const [editing, setEditing] = useState<ChannelJson | 'new' | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const load = () =>
    api.channels().then(setList, (e) => {
      if (e instanceof ApiFailure && e.status === 404) setList('absent');
      else setMsg((e as Error).message);
    });
  useEffect(() => void load(), []);

  if (list === 'absent') {
    return <p className="muted">This Lubdub has no notification channels API yet: alerts use the desktop notification only.</p>;
  }
  if (list === null) return <p className="muted">Loading…</p>;
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg(ok);
      await load();
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <>
      {list.length === 0 ? (
        <p className="muted">No channels yet.</p>
      ) : (
        <ul className="channels">
          {list.map((c) => (
            <li key={c.id}>
              <strong>{c.name}</strong> <span className="muted">{c.kind}</span>
              {typeof c.config.url === 'string' && <code className="url">{c.config.url}</code>}
              <span className="row-actions">
                <button type="button" className="small" onClick={() => run(() => api.testChannel(c.id), `Test sent to ${c.name}.`)}>
                  Send test
                </button>
                <button type="button" className="small" onClick={() => setEditing(c)}>
                  Edit
                </button>
                <button type="button" className="small danger" onClick={() => run(() => api.deleteChannel(c.id), `Deleted ${c.name}.`)}>
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {msg && (
        <p className="hint" role="status">
          {msg}
        </p>
      )}
      {editing ? (
        <ChannelForm
          initial={editing === 'new' ? undefined : editing}
          onDone={async (c) => {
            await (editing === 'new' ? api.createChannel(c) : api.updateChannel(editing.id, c));
            setEditing(null);
            await load();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <button type="button" onClick={() => setEditing('new')}>
          Add a channel
        </button>
      )}
    </>
  );
}

function ChannelForm({ initial, onDone, onCancel }: { initial?: ChannelJson; onDone: (c: Omit<ChannelJson, 'id'>) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<ChannelJson['kind']>(initial?.kind ?? 'webhook');
  const [url, setUrl] = useState(String(initial?.config.url ?? ''));
  const [priority, setPriority] = useState(String(initial?.config.priority ?? 'default'));
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const config: Record<string, unknown> = kind === 'desktop' ? {} : { url };
    if (kind === 'ntfy') config.priority = priority;
    try {
      await onDone({ name, kind, config });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="channel-form" onSubmit={submit} aria-label={initial ? `Edit channel ${initial.name}` : 'New channel'}>
      <div className="field">
        <label htmlFor="ch-name">Name</label>
        <input id="ch-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor="ch-kind">Kind</label>
        <select id="ch-kind" value={kind} onChange={(e) => setKind(e.target.value as ChannelJson['kind'])}>
          <option value="desktop">Desktop notification</option>
          <option value="webhook">Webhook (POST JSON)</option>
          <option value="ntfy">ntfy topic</option>
        </select>
      </div>
      {kind !== 'desktop' && (
        <div className="field">
          <label htmlFor="ch-url">{kind === 'ntfy' ? 'Topic URL' : 'URL'}</label>
          <input id="ch-url" type="url" value={url} placeholder={kind === 'ntfy' ? 'https://ntfy.sh/my-topic' : 'https://example.com/hook'} onChange={(e) => setUrl(e.target.value)} required />
        </div>
      )}
      {kind === 'ntfy' && (
        <div className="field">
          <label htmlFor="ch-prio">Priority</label>
          <select id="ch-prio" value={priority} onChange={(e) => setPriority(e.target.value)}>
            {['min', 'low', 'default', 'high', 'urgent'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary">
          {initial ? 'Save channel' : 'Add channel'}
        </button>
      </div>
    </form>
  );
}

/**
 * Settings (issue 4 §7): how ping URLs are shown, the keys, body limit, catch-up window and
 * channels. Values fixed by a flag or environment variable are shown read-only.
 */
export function Settings() {
  const [s, setS] = useState<SettingsJson | null>(null);
  const [base, setBase] = useState('');
  const [limit, setLimit] = useState('');
  const [window, setWindow] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [rotate, setRotate] = useState<'api_key' | 'ping_key' | null>(null);
  const settingsSeq = useConsole((x) => x.settingsSeq);

  const fill = (v: SettingsJson) => {
    setS(v);
    setBase(v.base_url);
    setLimit(String(v.ping_body_limit));
    setWindow(formatDuration(v.catchup_window));
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
      setSaved(which === 'api_key' ? 'New API key made: update your scripts.' : 'New ping key made: slug URLs changed.');
    } catch (e) {
      setErrors({ general: (e as Error).message });
    }
  };

  const lockNote = <span className="hint">Set by a flag or environment variable at start.</span>;
  return (
    <div className="settings">
      <h1>Settings</h1>
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

      <section aria-labelledby="channels-h">
        <h2 id="channels-h">Notification channels</h2>
        <Channels />
      </section>

      {rotate && (
        <ConfirmDialog title={rotate === 'api_key' ? 'Make a new API key?' : 'Make a new ping key?'} confirmLabel="Rotate" danger onConfirm={doRotate} onCancel={() => setRotate(null)}>
          <p>{rotate === 'api_key' ? 'Scripts using the old key stop working at once.' : 'Slug ping URLs with the old key stop working at once; UUID URLs keep working.'}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
