import { useEffect, useId, useState } from 'react';
import { heartbeatInputError, type HeartbeatJson } from '../../shared/api/settings.js';
import { api } from '../api.js';
import { useConsole } from '../store.js';
import { RelTime } from './RelTime.js';

/**
 * "Lubdub itself": a ping URL (e.g. a check on healthchecks.io) the service pings every few
 * minutes while it runs, so someone learns when this monitor is down. Applied at once.
 */
export function HeartbeatSetting() {
  const now = useConsole((s) => s.now);
  const uid = useId();
  const [hb, setHb] = useState<HeartbeatJson | null>(null);
  const [url, setUrl] = useState('');
  const [minutes, setMinutes] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const fill = (h: HeartbeatJson) => {
    setHb(h);
    setUrl(h.url);
    setMinutes(String(h.minutes));
  };
  useEffect(() => {
    api.heartbeat().then(fill, (e) => setError((e as Error).message));
  }, []);
  // last sent / last error follow the console's clock tick; the fields being edited stay as typed
  useEffect(() => {
    if (hb) api.heartbeat().then(setHb, () => undefined);
  }, [now]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const input = { url: url.trim(), minutes: /^\d+$/.test(minutes.trim()) ? Number(minutes) : NaN };
    const bad = heartbeatInputError(input);
    if (bad) {
      setError(bad);
      return;
    }
    setError(null);
    try {
      fill(await api.saveHeartbeat(input));
      setSaved(input.url ? 'Saved: the first heartbeat goes now.' : 'Saved: the heartbeat is off.');
    } catch (err) {
      setError((err as Error).message.replace(/^json validation error: /, ''));
    }
  };

  if (!hb) return error ? <p className="banner error">{error}</p> : null;
  return (
    <form onSubmit={save} aria-labelledby={`${uid}-h`} data-testid="heartbeat-settings">
      <h2 id={`${uid}-h`}>Lubdub itself</h2>
      <p className="hint">
        While it runs, Lubdub pings this URL (a check on an always-on healthchecks or another Lubdub), and sends /fail when it cannot write its database.
        Empty turns it off.
      </p>
      <div className="field">
        <label htmlFor={`${uid}-url`}>Heartbeat ping URL</label>
        <input id={`${uid}-url`} type="url" className="mono" value={url} placeholder={hb.default_url || 'https://hc-ping.com/<uuid>'} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-min`}>Every (minutes)</label>
        <input id={`${uid}-min`} inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} />
      </div>
      <p className="hint" data-testid="heartbeat-status">
        {hb.url === '' ? (
          'Off.'
        ) : (
          <>
            Last sent: <RelTime iso={hb.last_sent} now={now} empty="not yet" />
            {hb.last_error && <>; last error: {hb.last_error}</>}.
          </>
        )}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <span role="status" className="hint">
          {saved}
        </span>
        <button type="submit">Save heartbeat</button>
      </div>
    </form>
  );
}
