import { useCallback, useEffect, useState } from 'react';
import type { OfficeJson, OfficeKeyJson } from '../../shared/api/office.js';
import { API, pathOf, type Body } from '../../shared/api/routes.js';
import { call } from '../api.js';
import { useConsole } from '../store.js';
import { ConfirmDialog } from './ConfirmDialog.js';

/** "123 456": a code read aloud in two halves. */
function spaced(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

/**
 * Office mode in Settings: sharing with other computers (and the certificate fingerprint a
 * desk pins), the mDNS switch, a desk waiting for its pairing code, and the paired devices
 * and read-only keys with Revoke. It reads its own routes, again whenever the console's
 * event stream says office mode changed.
 */
export function OfficeSettings() {
  const [office, setOffice] = useState<OfficeJson | null>(null);
  const [keys, setKeys] = useState<OfficeKeyJson[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<OfficeKeyJson | null>(null);

  const load = useCallback(() => {
    Promise.all([call<OfficeJson>(API.office.path), call<{ keys: OfficeKeyJson[] }>(API.officeKeys.path)]).then(
      ([o, k]) => {
        setOffice(o);
        setKeys(k.keys);
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  const officeSeq = useConsole((s) => s.officeSeq);
  useEffect(load, [load, officeSeq]);

  const save = async (input: Body<'saveOffice'>) => {
    setError(null);
    try {
      setOffice(await call<OfficeJson>(API.saveOffice.path, { method: API.saveOffice.method, json: input }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const revoke = async (k: OfficeKeyJson) => {
    setRevoking(null);
    try {
      await call(pathOf(API.revokeKey, { id: k.id }), { method: API.revokeKey.method });
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!office) return error ? <p className="field-error">{error}</p> : null;
  const lockNote = <span className="hint">Set by a flag or environment variable at start.</span>;
  return (
    <section aria-labelledby="office-h" data-testid="office-settings">
      <h2 id="office-h">Office mode</h2>
      <div className="field">
        <label>
          <input type="checkbox" checked={office.share.on} disabled={office.share.locked} onChange={(e) => void save({ share: e.target.checked })} /> Let other computers
          watch this Lubdub
        </label>
        {office.share.locked ? lockNote : <p className="hint">Desks pair with a six-digit code shown here, then watch and snooze over an encrypted connection.</p>}
        {office.share.on && office.share.port !== null && <p className="hint">Sharing on port {office.share.port} (HTTPS).</p>}
      </div>
      <div className="field">
        <span className="label">Certificate fingerprint (SHA-256)</span>
        <code className="mono" data-testid="office-fingerprint" style={{ wordBreak: 'break-all' }}>
          {office.share.fingerprint}
        </code>
        <p className="hint">A paired desk trusts this certificate only; it says so if it ever changes.</p>
      </div>
      <div className="field">
        <label>
          <input type="checkbox" checked={office.mdns.on} disabled={office.mdns.locked} onChange={(e) => void save({ mdns: e.target.checked })} /> Announce on this
          network (mDNS)
        </label>
        {office.mdns.locked ? lockNote : office.mdns.host && <p className="hint">Announced as {office.mdns.host}.</p>}
      </div>
      {office.pairing && (
        <div role="alert" className="notice" data-testid="pairing-notice">
          <strong>{office.pairing.desk}</strong> asks to watch this Lubdub. Type this code there:{' '}
          <code className="mono" data-testid="pairing-code" style={{ fontSize: '1.4em' }}>
            {spaced(office.pairing.code)}
          </code>{' '}
          <span className="hint">(valid until {new Date(office.pairing.expires_at).toLocaleTimeString()})</span>
        </div>
      )}
      {office.locked_until && (
        <p className="field-error" role="alert">
          Too many wrong codes: pairing is locked until {new Date(office.locked_until).toLocaleTimeString()}.
        </p>
      )}
      <h3>Paired devices and read-only keys</h3>
      {keys.length === 0 ? (
        <p className="hint">None yet.</p>
      ) : (
        <table aria-label="Paired devices">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Paired</th>
              <th scope="col">Last seen</th>
              <th scope="col">From</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{k.scope === 'device' ? 'desk (watch + snooze)' : 'read-only key'}</td>
                <td>{when(k.created)}</td>
                <td>{when(k.last_seen)}</td>
                <td className="mono">{k.last_from || '—'}</td>
                <td>
                  <button type="button" className="small danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {revoking && (
        <ConfirmDialog title={`Revoke "${revoking.name}"?`} confirmLabel="Revoke" danger onConfirm={() => void revoke(revoking)} onCancel={() => setRevoking(null)}>
          It stops working at once, also a stream it has open; the desk must pair again.
        </ConfirmDialog>
      )}
    </section>
  );
}
