import { useEffect, useState } from 'react';
import type { ChannelInput } from '../../shared/alerts/channel-input.js';
import type { ChannelJson } from '../../shared/api/types.js';
import { api } from '../api.js';
import { ConfirmDialog } from './ConfirmDialog.js';

const KIND_WORDS: Record<ChannelJson['kind'], string> = { desktop: 'Desktop notification', webhook: 'Webhook (POST JSON)', ntfy: 'ntfy topic' };
/** ntfy's priorities 1-5 by their names; Lubdub sends problems at the channel's priority. */
const NTFY_PRIORITIES = [
  [1, 'min'],
  [2, 'low'],
  [3, 'default'],
  [4, 'high'],
  [5, 'urgent'],
] as const;

/**
 * Settings → Notification channels, against Lubdub's channel API: list, create,
 * edit, send a test (its outcome shown as the channel reported it), delete after a
 * confirmation (deleting takes the channel off every check).
 */
export function ChannelSettings() {
  const [list, setList] = useState<ChannelJson[] | null>(null);
  const [editing, setEditing] = useState<ChannelJson | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ChannelJson | null>(null);
  const [msg, setMsg] = useState<{ text: string; error: boolean } | null>(null);
  const load = () => api.channels().then(setList, (e) => setMsg({ text: (e as Error).message, error: true }));
  useEffect(() => void load(), []);

  if (list === null) return msg ? <p className="field-error">{msg.text}</p> : <p className="muted">Loading…</p>;
  const run = async (fn: () => Promise<{ text: string; error: boolean }>) => {
    setMsg(null);
    try {
      setMsg(await fn());
      await load();
    } catch (e) {
      setMsg({ text: (e as Error).message, error: true });
    }
  };
  const test = (c: ChannelJson) =>
    run(async () => {
      const r = await api.testChannel(c.id);
      return r.ok ? { text: `Test sent to ${c.name || c.kind}.`, error: false } : { text: `Test to ${c.name || c.kind} failed: ${r.error ?? 'no reason given'}`, error: true };
    });
  return (
    <>
      {list.length === 0 ? (
        <p className="muted">No channels yet: problems show only in this console.</p>
      ) : (
        <ul className="channels" aria-label="Channels">
          {list.map((c) => (
            <li key={c.id} data-channel={c.id}>
              <strong>{c.name || '(no name)'}</strong> <span className="muted">{KIND_WORDS[c.kind]}</span>
              {typeof c.config.url === 'string' && <code className="url">{c.config.url}</code>}
              {c.new_checks && <span className="tag" title="New checks notify this channel unless told otherwise">new checks</span>}
              <span className="row-actions">
                <button type="button" className="small" onClick={() => test(c)}>
                  Send test
                </button>
                <button type="button" className="small" onClick={() => setEditing(c)}>
                  Edit
                </button>
                <button type="button" className="small danger" onClick={() => setDeleting(c)}>
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {msg && (
        <p className={msg.error ? 'field-error' : 'hint'} role="status">
          {msg.text}
        </p>
      )}
      {editing ? (
        <ChannelForm
          initial={editing === 'new' ? undefined : editing}
          onDone={async (c) => {
            const saved = await (editing === 'new' ? api.createChannel(c) : api.updateChannel(editing.id, c));
            setEditing(null);
            setMsg({ text: `Saved ${saved.name || saved.kind}.`, error: false });
            await load();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <button type="button" onClick={() => setEditing('new')}>
          Add a channel
        </button>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the channel “${deleting.name || deleting.kind}”?`}
          confirmLabel="Delete channel"
          danger
          onConfirm={() => {
            const c = deleting;
            setDeleting(null);
            void run(async () => {
              await api.deleteChannel(c.id);
              return { text: `Deleted ${c.name || c.kind}.`, error: false };
            });
          }}
          onCancel={() => setDeleting(null)}
        >
          <p>Every check that notifies it stops doing so. Alerts not yet sent to it are dropped.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** Create or edit one channel; the API's refusal is shown beside the URL when it is about the URL. */
function ChannelForm({ initial, onDone, onCancel }: { initial?: ChannelJson; onDone: (c: ChannelInput) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<ChannelJson['kind']>(initial?.kind ?? 'webhook');
  const [url, setUrl] = useState(String(initial?.config.url ?? ''));
  const [priority, setPriority] = useState(Number(initial?.config.priority ?? 4));
  const [tags, setTags] = useState(String(initial?.config.tags ?? ''));
  const [token, setToken] = useState('');
  const [newChecks, setNewChecks] = useState(initial?.new_checks ?? true);
  const [allChecks, setAllChecks] = useState(false);
  const [error, setError] = useState<{ text: string; url: boolean } | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const config: Record<string, unknown> = kind === 'desktop' ? {} : { url: url.trim() };
    if (kind === 'ntfy') {
      config.priority = priority;
      if (tags.trim()) config.tags = tags.trim();
      // The token is write-only: left empty, an existing one is kept.
      if (token) config.token = token;
    }
    const input: ChannelInput = { name: name.trim(), config, new_checks: newChecks };
    if (!initial) {
      input.kind = kind;
      if (allChecks) input.assign_existing = true;
    }
    try {
      await onDone(input);
    } catch (err) {
      const text = (err as Error).message.replace(/^json validation error: /, '');
      setError({ text, url: /^config\.url/.test(text) });
    }
  };
  const urlError = error?.url ? error.text : null;
  return (
    <form className="channel-form" onSubmit={submit} aria-label={initial ? `Edit channel ${initial.name}` : 'New channel'} noValidate>
      <div className="field">
        <label htmlFor="ch-name">Name</label>
        <input id="ch-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor="ch-kind">Kind</label>
        <select id="ch-kind" value={kind} onChange={(e) => setKind(e.target.value as ChannelJson['kind'])} disabled={!!initial}>
          {(Object.keys(KIND_WORDS) as ChannelJson['kind'][]).map((k) => (
            <option key={k} value={k}>
              {KIND_WORDS[k]}
            </option>
          ))}
        </select>
      </div>
      {kind !== 'desktop' && (
        <div className="field">
          <label htmlFor="ch-url">{kind === 'ntfy' ? 'Topic URL' : 'URL'}</label>
          <input
            id="ch-url"
            type="url"
            value={url}
            placeholder={kind === 'ntfy' ? 'https://ntfy.sh/my-topic' : 'https://example.com/hook'}
            onChange={(e) => setUrl(e.target.value)}
            aria-invalid={urlError ? true : undefined}
            aria-describedby={urlError ? 'ch-url-error' : undefined}
          />
          {urlError && (
            <p className="field-error" id="ch-url-error" role="alert">
              {urlError}
            </p>
          )}
        </div>
      )}
      {kind === 'ntfy' && (
        <>
          <div className="field">
            <label htmlFor="ch-prio">Priority of problems</label>
            <select id="ch-prio" value={priority} onChange={(e) => setPriority(Number(e.target.value))}>
              {NTFY_PRIORITIES.map(([n, w]) => (
                <option key={n} value={n}>
                  {n} ({w})
                </option>
              ))}
            </select>
            <p className="hint">Recoveries are sent at 3 (default).</p>
          </div>
          <div className="field">
            <label htmlFor="ch-tags">Tags</label>
            <input id="ch-tags" value={tags} placeholder="backup,nas" onChange={(e) => setTags(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="ch-token">Access token</label>
            <input id="ch-token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
            <p className="hint">{initial?.config.has_token ? 'A token is set; leave empty to keep it.' : 'Only for a protected topic.'}</p>
          </div>
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={newChecks} onChange={(e) => setNewChecks(e.target.checked)} /> New checks notify this channel
      </label>
      {!initial && (
        <label className="check">
          <input type="checkbox" checked={allChecks} onChange={(e) => setAllChecks(e.target.checked)} /> Add it to every existing check too
        </label>
      )}
      {error && !error.url && (
        <p className="field-error" role="alert">
          {error.text}
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
