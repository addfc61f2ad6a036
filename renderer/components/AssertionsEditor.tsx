import type { PresetsReply } from '../../shared/api/silent.js';
import { applyPreset, missingSources, presetApplied, type SilentDraft } from '../../shared/console/silent.js';
import type { AssertionSpec } from '../../shared/domain/assertions.js';
import type { ExtractEntry, ExtractMode, ExtractRule } from '../../shared/domain/extract.js';

const MODES: { id: ExtractMode; label: string }[] = [
  { id: 'first', label: 'first match' },
  { id: 'last', label: 'last match' },
  { id: 'sum', label: 'sum of matches' },
  { id: 'count', label: 'count of matching lines' },
];

/** An error under a row; `role=alert` so it is read out when it appears. */
function RowError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <p className="field-error" id={`${id}-error`} role="alert">
      {text}
    </p>
  );
}

/**
 * The editor's silent-failure section: assertion presets from the API, the
 * check's assertions and extraction rules as editable lists, and the API's validation
 * errors under the row they name (`errors["assertions[1]"]`, `errors["extract[0]"]`).
 * `idOf(key)` gives the element id of a row's first control, so the form can focus it.
 */
export function AssertionsEditor(props: {
  value: SilentDraft;
  onChange: (d: SilentDraft) => void;
  presets: PresetsReply | null;
  errors: Record<string, string>;
  idOf: (key: string) => string;
}) {
  const { value: d, onChange, presets, errors, idOf } = props;
  const setAssertion = (i: number, patch: Partial<AssertionSpec>) =>
    onChange({ ...d, assertions: d.assertions.map((a, k) => (k === i ? { ...a, ...patch } : a)) });
  const setRule = (i: number, patch: Partial<ExtractRule>) =>
    onChange({ ...d, extract: d.extract.map((e, k) => (k === i && !('preset' in e) ? { ...e, ...patch } : e)) });
  const addExtract = (e: ExtractEntry) => onChange({ ...d, extract: [...d.extract, e] });
  const presetLabel = (id: string) => presets?.extract.find((p) => p.id === id);
  const missing = presets ? missingSources(d, presets) : [];
  const err = (k: string) => errors[k];
  const invalid = (k: string) => ({ 'aria-invalid': err(k) ? true : undefined, 'aria-describedby': err(k) ? `${idOf(k)}-error` : undefined });

  return (
    <fieldset className="silent">
      <legend>Assertions: catch runs that “succeed” while failing</legend>
      <p className="hint">
        Each assertion states what a healthy run looks like. A success ping that breaks one counts as a failure, with the reason in the alert. Baselines such as “median(10)” wait
        until the check has that many passing runs.
      </p>
      {presets && (
        <div className="presets" role="group" aria-label="Assertion presets">
          {presets.assertions.map((p) => {
            const done = presetApplied(d, p);
            return (
              <button key={p.id} type="button" className="small" title={p.description.replace(/`/g, '')} disabled={done} onClick={() => onChange(applyPreset(d, p))} data-preset={p.id}>
                {done ? '✓ ' : '+ '}
                {p.label}
              </button>
            );
          })}
        </div>
      )}
      {missing.map((m) => (
        <p key={m.metric} className="warning" data-testid="metric-source">
          Nothing produces <code>{m.metric}</code> yet. Read it from the job’s output with{' '}
          {m.presets.map((p, i) => (
            <span key={p.id}>
              {i > 0 && ' or '}
              <button type="button" className="small" onClick={() => addExtract({ preset: p.id })}>
                {p.label}
              </button>
            </span>
          ))}
          , or send <code>?metric={m.metric}:&lt;n&gt;</code> with the ping.
        </p>
      ))}

      <h2 className="minor">Assertions</h2>
      {err('assertions') && <p className="field-error" role="alert">{err('assertions')}</p>}
      {d.assertions.length === 0 && <p className="muted">None: every success counts as a success.</p>}
      <ol className="rows assertion-rows">
        {d.assertions.map((a, i) => {
          const key = `assertions[${i}]`;
          const n = i + 1;
          return (
            <li key={i} className={err(key) ? 'has-error' : undefined}>
              <div className="row-fields">
                <div className="field grow">
                  <label htmlFor={idOf(key)}>Assertion {n}</label>
                  <input id={idOf(key)} className="mono" value={a.expr} placeholder="written_bytes > 0" spellCheck={false} {...invalid(key)} onChange={(e) => setAssertion(i, { expr: e.target.value })} />
                </div>
                <div className="field grow">
                  <label htmlFor={`${idOf(key)}-msg`}>Reason for assertion {n}</label>
                  <input id={`${idOf(key)}-msg`} value={a.message ?? ''} placeholder="backup wrote {value}" onChange={(e) => setAssertion(i, { message: e.target.value })} />
                </div>
                <button type="button" className="small danger" aria-label={`Remove assertion ${n}`} onClick={() => onChange({ ...d, assertions: d.assertions.filter((_, k) => k !== i) })}>
                  Remove
                </button>
              </div>
              <label className="check">
                <input type="checkbox" checked={a.missing === 'fail'} onChange={(e) => setAssertion(i, { missing: e.target.checked ? 'fail' : undefined })} /> A run without this metric fails
                too
              </label>
              <RowError id={idOf(key)} text={err(key)} />
            </li>
          );
        })}
      </ol>
      <button type="button" className="small" onClick={() => onChange({ ...d, assertions: [...d.assertions, { expr: '' }] })}>
        Add an assertion
      </button>
      <p className="hint">
        <code>bytes &gt; 0</code> · <code>count &gt;= 20% of median(10)</code> · <code>duration &lt;= 3x median(10)</code> · <code>warnings not rising(5)</code>. In the reason,{' '}
        <code>{'{value}'}</code> and <code>{'{baseline}'}</code> are filled in.
      </p>

      <h2 className="minor">Metrics from the output</h2>
      {err('extract') && <p className="field-error" role="alert">{err('extract')}</p>}
      {d.extract.length === 0 && <p className="muted">None: metrics come from the ping (?metric=) and Lubdub (bytes, duration).</p>}
      <ol className="rows extract-rows">
        {d.extract.map((e, i) => {
          const key = `extract[${i}]`;
          const n = i + 1;
          const remove = (
            <button type="button" className="small danger" aria-label={`Remove extraction ${n}`} onClick={() => onChange({ ...d, extract: d.extract.filter((_, k) => k !== i) })}>
              Remove
            </button>
          );
          if ('preset' in e) {
            const p = presetLabel(e.preset);
            return (
              <li key={i} className={err(key) ? 'has-error' : undefined}>
                <div className="row-fields">
                  <span id={idOf(key)} tabIndex={-1} className="grow" data-extract-preset={e.preset}>
                    <strong>{p?.label ?? e.preset}</strong> <span className="muted">preset</span>
                    {p && <span className="hint block">{p.description.replace(/`/g, '')}</span>}
                  </span>
                  {remove}
                </div>
                <RowError id={idOf(key)} text={err(key)} />
              </li>
            );
          }
          return (
            <li key={i} className={err(key) ? 'has-error' : undefined}>
              <div className="row-fields">
                <div className="field">
                  <label htmlFor={idOf(key)}>Metric name {n}</label>
                  <input id={idOf(key)} className="mono" value={e.name} placeholder="rows" size={12} {...invalid(key)} onChange={(ev) => setRule(i, { name: ev.target.value })} />
                </div>
                <div className="field grow">
                  <label htmlFor={`${idOf(key)}-re`}>Regular expression {n}</label>
                  <input id={`${idOf(key)}-re`} className="mono" value={e.regex} placeholder="^loaded (\d+) rows" spellCheck={false} onChange={(ev) => setRule(i, { regex: ev.target.value })} />
                </div>
                <div className="field">
                  <label htmlFor={`${idOf(key)}-mode`}>Takes</label>
                  <select id={`${idOf(key)}-mode`} value={e.mode ?? 'first'} onChange={(ev) => setRule(i, { mode: ev.target.value as ExtractMode })}>
                    {MODES.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.label}
                      </option>
                    ))}
                  </select>
                </div>
                <label className="check inline">
                  <input type="checkbox" checked={(e.flags ?? '').includes('i')} onChange={(ev) => setRule(i, { flags: ev.target.checked ? 'i' : undefined })} /> any case
                </label>
                {remove}
              </div>
              <RowError id={idOf(key)} text={err(key)} />
            </li>
          );
        })}
      </ol>
      <div className="input-row">
        {presets && (
          <select
            aria-label="Add an extraction preset"
            value=""
            onChange={(ev) => {
              if (ev.target.value) addExtract({ preset: ev.target.value });
            }}
          >
            <option value="">Add a preset…</option>
            {presets.extract.map((p) => (
              <option key={p.id} value={p.id} title={p.description}>
                {p.label}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="small" onClick={() => addExtract({ name: '', regex: '' })}>
          Add a custom rule
        </button>
      </div>
      <p className="hint">A rule's regular expression needs one capture group ( ) around the number; units such as “1.2 MiB” or “30m” are understood.</p>
    </fieldset>
  );
}
