import { useMemo, useState } from 'react';
import { snippets, type Snippet, type SnippetCheck } from '../../shared/console/snippets.js';
import { CopyButton } from './CopyButton.js';

/** Usage snippets for a check's ping URL, one tab per platform, one click to copy. */
export function Snippets({ check, initial }: { check: SnippetCheck; initial?: Snippet['id'] }) {
  const all = useMemo(() => snippets(check), [check.pingUrl, check.kind, check.schedule, check.tz, check.timeout, check.name, check.slug]);
  const [sel, setSel] = useState<Snippet['id']>(initial ?? 'crontab');
  const cur = all.find((s) => s.id === sel) ?? all[0];
  const onKey = (e: React.KeyboardEvent) => {
    const i = all.findIndex((s) => s.id === sel);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const s = all[(next + all.length) % all.length];
    setSel(s.id);
    document.getElementById(`snippet-tab-${s.id}`)?.focus();
  };
  return (
    <section className="snippets" aria-label="Usage snippets">
      <div role="tablist" aria-label="Platform" className="tabs" onKeyDown={onKey}>
        {all.map((s) => (
          <button
            key={s.id}
            id={`snippet-tab-${s.id}`}
            role="tab"
            type="button"
            aria-selected={s.id === cur.id}
            aria-controls="snippet-panel"
            tabIndex={s.id === cur.id ? 0 : -1}
            onClick={() => setSel(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="snippet-panel" aria-labelledby={`snippet-tab-${cur.id}`} className="snippet-panel">
        <div className="snippet-bar">
          <CopyButton text={cur.code} label={`Copy ${cur.label}`} />
        </div>
        <pre className="code" data-snippet={cur.id}>
          <code>{cur.code}</code>
        </pre>
        {cur.note && <p className="hint">{cur.note}</p>}
      </div>
    </section>
  );
}
