import { useId, useMemo } from 'react';
import { ALL_CHECKS_TAG, BADGE_FORMATS, badgeUrl } from '../../shared/domain/badges.js';
import { CopyButton } from './CopyButton.js';

/**
 * Status badges on the ping port (healthchecks-compatible): one per tag and one for all
 * checks, as an image, JSON or a shields.io endpoint. The badge key is the only secret of
 * these URLs; rotating it breaks every badge URL given out.
 */
export function BadgeSettings({ pingBase, badgeKey, tags, onRotate }: { pingBase: string; badgeKey: string; tags: string[]; onRotate: () => void }) {
  const uid = useId();
  const all = useMemo(() => [ALL_CHECKS_TAG, ...tags], [tags]);
  return (
    <section aria-labelledby={`${uid}-h`} data-testid="badge-settings">
      <h2 id={`${uid}-h`}>Status badges</h2>
      <p className="hint">For a wiki or a README on your network: up, late or down for a tag, or for all checks (*). Add -2 before the extension for two states only.</p>
      <table className="badge-urls">
        <thead>
          <tr>
            <th scope="col">Tag</th>
            {BADGE_FORMATS.map((f) => (
              <th key={f} scope="col">
                {f}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {all.map((tag) => (
            <tr key={tag}>
              <th scope="row">{tag === ALL_CHECKS_TAG ? '* (all checks)' : tag}</th>
              {BADGE_FORMATS.map((f) => {
                const u = badgeUrl(pingBase, badgeKey, tag, f);
                return (
                  <td key={f}>
                    <code className="url mono" data-testid={`badge-${tag}-${f}`}>
                      {u}
                    </code>{' '}
                    <CopyButton text={u} label={`Copy ${f}`} />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="small" onClick={onRotate}>
        Rotate badge key…
      </button>
    </section>
  );
}
