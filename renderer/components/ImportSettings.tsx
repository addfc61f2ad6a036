import { useId, useState } from 'react';
import type { ImportReply } from '../../shared/api/integrations.js';
import { api } from '../api.js';

/** What each planned line means, before and after the import. */
const WORDS: Record<ImportReply['lines'][number]['action'], [string, string]> = {
  create: ['would create', 'created'],
  update: ['would update', 'updated'],
  same: ['unchanged', 'unchanged'],
  skip: ['skip', 'skipped'],
  refused: ['refused', 'refused'],
};

/**
 * Settings → Import: checks from healthchecks (hosted or self-hosted, or another Lubdub)
 * through the service's import, the same one `lubdub import healthchecks` runs. "Preview"
 * writes nothing; "Import" applies the previewed plan's source again (it is idempotent).
 */
export function ImportSettings() {
  const uid = useId();
  const [url, setUrl] = useState('https://healthchecks.io');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReply | null>(null);

  const run = async (dryRun: boolean) => {
    setError(null);
    if (!url.trim() || !key.trim()) {
      setError('Give the base URL and an API key of the other side.');
      return;
    }
    setBusy(true);
    try {
      setReport(await api.importHealthchecks({ url: url.trim(), remote_key: key.trim(), dry_run: dryRun }));
    } catch (e) {
      setReport(null);
      setError((e as Error).message.replace(/^json validation error: /, ''));
    } finally {
      setBusy(false);
    }
  };
  const count = (a: string) => report?.lines.filter((l) => l.action === a).length ?? 0;

  return (
    <section aria-labelledby={`${uid}-h`} data-testid="import-settings">
      <h2 id={`${uid}-h`}>Import from healthchecks</h2>
      <p className="hint">
        Copies the checks of a healthchecks project (API v3) here, keeping their UUIDs where they are free, so only the host of their ping URLs changes. A
        second import updates, never duplicates.
      </p>
      <div className="field">
        <label htmlFor={`${uid}-url`}>Base URL</label>
        <input id={`${uid}-url`} type="url" className="mono" value={url} onChange={(e) => (setUrl(e.target.value), setReport(null))} spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-key`}>Its API key (read-only is enough)</label>
        <input id={`${uid}-key`} type="password" className="mono" autoComplete="off" value={key} onChange={(e) => (setKey(e.target.value), setReport(null))} />
      </div>
      <div className="form-actions">
        <button type="button" onClick={() => void run(true)} disabled={busy}>
          Preview
        </button>
        <button type="button" className="primary" onClick={() => void run(false)} disabled={busy || !report?.dry_run}>
          Import
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
      {report && (
        <div role="status" data-testid="import-report">
          <p>
            {report.dry_run ? 'Preview, nothing written: ' : 'Imported: '}
            {count('create')} to create, {count('update')} to update, {count('same')} unchanged
            {count('skip') + count('refused') > 0 && `, ${count('skip') + count('refused')} not moved`}.
          </p>
          <ul className="import-lines">
            {report.lines.map((l, i) => (
              <li key={i}>
                <strong>{WORDS[l.action][report.dry_run ? 0 : 1]}</strong> {l.name}
                {l.detail && <span className="muted"> ({l.detail})</span>}
              </li>
            ))}
          </ul>
          <p className="hint">
            {report.channels === null
              ? 'Channels: not listed (a read-only key cannot list them). Set up alerts here.'
              : report.channels.length
                ? `Channels not carried over (set them up here): ${report.channels.map((c) => `${c.name} (${c.kind})`).join(', ')}.`
                : 'No channels there.'}
          </p>
        </div>
      )}
    </section>
  );
}
