import { useId, useMemo, useState, type ReactNode } from 'react';
import { slugify, type CheckInput } from '../../shared/api/check-input.js';
import type { CheckSilentFields, PresetsReply } from '../../shared/api/silent.js';
import type { ChannelJson, CheckJson } from '../../shared/api/types.js';
import { formatSeconds, formatSecondsExact, parseDuration } from '../../shared/domain/duration.js';
import { silentDraftOf, silentInput, type SilentDraft } from '../../shared/console/silent.js';
import { cronError } from '../../shared/domain/schedule.js';
import { UPSTREAM_FIELD, upstreamError } from '../../shared/domain/upstream.js';
import { ApiFailure } from '../api.js';
import { AssertionsEditor } from './AssertionsEditor.js';
import { CronPreview } from './CronPreview.js';

/** A channel a check can notify: Lubdub's channel list (`new_checks` preselects it on a new check). */
export type ChannelChoice = Pick<ChannelJson, 'id' | 'name' | 'kind'> & { new_checks?: boolean };

/** A check as the editor reads it: v3 fields plus the Lubdub ones it edits. */
export type EditableCheck = CheckJson & CheckSilentFields & { reminder_every?: number };

interface Draft {
  name: string;
  slug: string;
  tags: string;
  desc: string;
  kind: 'simple' | 'cron';
  period: string;
  grace: string;
  schedule: string;
  tz: string;
  success_kw: string;
  failure_kw: string;
  start_kw: string;
  filter_http_body: boolean;
  filter_default_fail: boolean;
  post_only: boolean;
  manual_resume: boolean;
  channels: string[];
  push_token: string;
  remind: string;
  upstream: string;
  silent: SilentDraft;
}

/** The check field for repeat reminders (seconds, at least 60, 0 = off), as the alerts module names it. */
export const REMIND_FIELD = 'reminder_every';

function draftOf(c: EditableCheck | undefined, localTz: string, channels: ChannelChoice[] | null): Draft {
  const remind = c?.[REMIND_FIELD];
  return {
    name: c?.name ?? '',
    slug: c?.slug ?? '',
    tags: c?.tags ?? '',
    desc: c?.desc ?? '',
    kind: c?.kind ?? 'simple',
    period: formatSecondsExact(c?.timeout ?? 86400),
    grace: formatSecondsExact(c?.grace ?? 3600),
    schedule: c?.schedule ?? '0 3 * * *',
    tz: c?.tz ?? localTz,
    success_kw: c?.success_kw ?? '',
    failure_kw: c?.failure_kw ?? '',
    start_kw: c?.start_kw ?? '',
    filter_http_body: c?.filter_http_body ?? false,
    filter_default_fail: c?.filter_default_fail ?? false,
    post_only: c?.methods === 'POST',
    manual_resume: c?.manual_resume ?? false,
    // A new check gets the channels marked for new checks, as one made through the API does.
    channels: c ? c.channels.split(',').filter(Boolean) : (channels ?? []).filter((x) => x.new_checks).map((x) => x.id),
    push_token: c?.push_token ?? '',
    remind: typeof remind === 'number' && remind > 0 ? formatSecondsExact(remind) : '',
    upstream: c?.upstream ?? '',
    silent: silentDraftOf(c),
  };
}

function randomToken(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

/** The timezone list for the picker: the runtime's IANA zones, UTC first. */
export function timezoneList(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

/** A labelled field with its hint and the error the API gave for it. */
function Field(props: { label: string; id: string; error?: string | null; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.error && (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * The check editor: name, slug, tags, description, schedule (period + grace,
 * or cron + timezone with a live description and the next runs), keyword filters,
 * POST-only, manual resume, channels, push token. Errors from the API appear beside
 * the field they name.
 */
export function CheckEditor(props: {
  initial?: EditableCheck;
  channels: ChannelChoice[] | null;
  /** assertion and extraction presets (null: not loaded; the lists stay editable) */
  presets?: PresetsReply | null;
  now: number;
  localTz: string;
  timezones: string[];
  pingBase?: string;
  onSubmit: (input: CheckInput) => Promise<CheckJson>;
  onSaved: (c: CheckJson) => void;
  onCancel: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(props.initial, props.localTz, props.channels));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [general, setGeneral] = useState<string | null>(null);
  const uid = useId();
  const id = (k: string) => `${uid}-${k}`;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));

  const period = parseDuration(d.period);
  const grace = parseDuration(d.grace);
  const remind = d.remind.trim() === '' || d.remind.trim() === 'off' ? 0 : parseDuration(d.remind);
  const zones = useMemo(() => (props.timezones.includes(d.tz) ? props.timezones : [d.tz, ...props.timezones]), [props.timezones, d.tz]);

  const localErrors: Record<string, string> = {};
  if (d.name.trim() === '') localErrors.name = 'Give the check a name.';
  if (d.kind === 'simple' && period === null) localErrors.timeout = 'Write a duration such as "15 min", "2 h" or "1 day".';
  if (grace === null) localErrors.grace = 'Write a duration such as "15 min" or "1 h".';
  if (d.kind === 'cron' && cronError(d.schedule.trim())) localErrors.schedule = cronError(d.schedule.trim())!;
  if (remind === null) localErrors[REMIND_FIELD] = 'Write a duration such as "1 h", or leave empty for no reminders.';
  const upstreamBad = upstreamError(d.upstream.trim(), 'The upstream');
  if (upstreamBad) localErrors[UPSTREAM_FIELD] = `${upstreamBad}.`;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setGeneral(null);
    if (Object.keys(localErrors).length) {
      setErrors(localErrors);
      document.getElementById(id(Object.keys(localErrors)[0]))?.focus();
      return;
    }
    const input: CheckInput = {
      name: d.name.trim(),
      tags: d.tags.trim(),
      desc: d.desc,
      grace: grace!,
      success_kw: d.success_kw,
      failure_kw: d.failure_kw,
      start_kw: d.start_kw,
      filter_http_body: d.filter_http_body,
      filter_default_fail: d.filter_default_fail,
      methods: d.post_only ? 'POST' : '',
      manual_resume: d.manual_resume,
      channels: d.channels.join(','),
      push_token: d.push_token.trim() === '' ? null : d.push_token.trim(),
      [REMIND_FIELD]: remind ?? 0,
      // "" turns relaying off (only sent when set or when turning it off, so other checks stay as they are)
      ...(d.upstream.trim() !== '' || props.initial?.upstream ? { [UPSTREAM_FIELD]: d.upstream.trim() } : {}),
      ...silentInput(d.silent),
    };
    if (d.slug.trim() !== '' || props.initial) input.slug = d.slug.trim();
    if (d.kind === 'simple') input.timeout = period!;
    else {
      input.schedule = d.schedule.trim();
      input.tz = d.tz;
    }
    setBusy(true);
    setErrors({});
    try {
      const saved = await props.onSubmit(input);
      props.onSaved(saved);
    } catch (err) {
      if (err instanceof ApiFailure && err.field) {
        // "assertions[1]: cannot read …" is shown under that row, without its address
        setErrors({ [err.field]: err.message.replace(/^json validation error: /, '').replace(/^[a-z_]+\[\d+\]: /, '') });
        document.getElementById(id(err.field))?.focus();
      } else setGeneral((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const err = (k: string) => errors[k] ?? null;
  const aria = (k: string) => ({ id: id(k), 'aria-invalid': err(k) ? true : undefined, 'aria-describedby': err(k) ? `${id(k)}-error` : `${id(k)}-hint` });

  return (
    <form className="editor" onSubmit={submit} noValidate aria-label={props.initial ? `Edit ${props.initial.name}` : 'New check'}>
      <fieldset>
        <legend>About</legend>
        <Field label="Name" id={id('name')} error={err('name')}>
          <input {...aria('name')} value={d.name} onChange={(e) => set('name', e.target.value)} autoFocus maxLength={100} />
        </Field>
        <Field label="Slug" id={id('slug')} error={err('slug')} hint={<>For ping URLs by name: /ping/&lt;ping-key&gt;/{d.slug || slugify(d.name) || 'slug'}</>}>
          <input {...aria('slug')} value={d.slug} placeholder={slugify(d.name)} onChange={(e) => set('slug', e.target.value)} maxLength={100} />
        </Field>
        <Field label="Tags" id={id('tags')} error={err('tags')} hint="Separated by spaces, e.g. “nas backup”.">
          <input {...aria('tags')} value={d.tags} onChange={(e) => set('tags', e.target.value)} />
        </Field>
        <Field label="Description" id={id('desc')} error={err('desc')}>
          <textarea {...aria('desc')} value={d.desc} rows={2} onChange={(e) => set('desc', e.target.value)} />
        </Field>
      </fieldset>

      <fieldset>
        <legend>Schedule</legend>
        <div className="radio-row" role="radiogroup" aria-label="Schedule kind">
          <label>
            <input type="radio" name={id('kind')} checked={d.kind === 'simple'} onChange={() => set('kind', 'simple')} /> Simple period
          </label>
          <label>
            <input type="radio" name={id('kind')} checked={d.kind === 'cron'} onChange={() => set('kind', 'cron')} /> Cron schedule
          </label>
        </div>
        {d.kind === 'simple' ? (
          <Field label="Period" id={id('timeout')} error={err('timeout')} hint={period !== null ? `Expect a ping every ${formatSeconds(period)}.` : 'e.g. 15 min, 2 h, 1 day'}>
            <input {...aria('timeout')} value={d.period} onChange={(e) => set('period', e.target.value)} />
          </Field>
        ) : (
          <>
            <Field label="Cron expression" id={id('schedule')} error={err('schedule')}>
              <input {...aria('schedule')} className="mono" value={d.schedule} onChange={(e) => set('schedule', e.target.value)} spellCheck={false} />
            </Field>
            <Field label="Timezone" id={id('tz')} error={err('tz')} hint="The schedule runs on this zone's wall clock, DST included.">
              <select {...aria('tz')} value={d.tz} onChange={(e) => set('tz', e.target.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                    {z === props.localTz ? ' (this computer)' : ''}
                  </option>
                ))}
              </select>
            </Field>
            <CronPreview schedule={d.schedule} tz={d.tz} now={props.now} />
          </>
        )}
        <Field label="Grace" id={id('grace')} error={err('grace')} hint={grace !== null ? `Wait ${formatSeconds(grace)} after a missed deadline before alerting.` : undefined}>
          <input {...aria('grace')} value={d.grace} onChange={(e) => set('grace', e.target.value)} />
        </Field>
      </fieldset>

      <fieldset>
        <legend>Pings</legend>
        <Field label="Success keywords" id={id('success_kw')} error={err('success_kw')} hint="Comma-separated; a body with one of these counts as success.">
          <input {...aria('success_kw')} value={d.success_kw} onChange={(e) => set('success_kw', e.target.value)} />
        </Field>
        <Field label="Failure keywords" id={id('failure_kw')} error={err('failure_kw')} hint="A body containing one of these is a failure, even with exit 0.">
          <input {...aria('failure_kw')} value={d.failure_kw} onChange={(e) => set('failure_kw', e.target.value)} />
        </Field>
        <Field label="Start keywords" id={id('start_kw')} error={err('start_kw')}>
          <input {...aria('start_kw')} value={d.start_kw} onChange={(e) => set('start_kw', e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={d.filter_http_body} onChange={(e) => set('filter_http_body', e.target.checked)} /> Look for the keywords in the request body
        </label>
        <label className="check">
          <input type="checkbox" checked={d.filter_default_fail} onChange={(e) => set('filter_default_fail', e.target.checked)} /> A body with no keyword is a failure
        </label>
        <label className="check">
          <input type="checkbox" checked={d.post_only} onChange={(e) => set('post_only', e.target.checked)} /> Only POST counts (GET and HEAD are logged and ignored: link previews and scanners)
        </label>
        <label className="check">
          <input type="checkbox" checked={d.manual_resume} onChange={(e) => set('manual_resume', e.target.checked)} /> Stay down until resumed by hand (pings do not bring it back up)
        </label>
        <Field
          label="Push token (Uptime Kuma)"
          id={id('push_token')}
          error={err('push_token')}
          hint={d.push_token ? `${props.pingBase ?? ''}/api/push/${d.push_token}?status=up&msg=OK` : 'Optional: lets Uptime Kuma push URLs ping this check.'}
        >
          <div className="input-row">
            <input {...aria('push_token')} className="mono" value={d.push_token} onChange={(e) => set('push_token', e.target.value)} />
            <button type="button" onClick={() => set('push_token', randomToken())}>
              Generate
            </button>
          </div>
        </Field>
      </fieldset>

      <fieldset>
        <legend>Notifications</legend>
        {props.channels === null ? (
          <p className="hint">Channels are not available from this service yet.</p>
        ) : props.channels.length === 0 ? (
          <p className="hint">No channels yet: add one in Settings.</p>
        ) : (
          <div className="channel-list" role="group" aria-label="Channels">
            {props.channels.map((c) => (
              <label key={c.id} className="check">
                <input
                  type="checkbox"
                  checked={d.channels.includes(c.id)}
                  onChange={(e) => set('channels', e.target.checked ? [...d.channels, c.id] : d.channels.filter((x) => x !== c.id))}
                />{' '}
                {c.name} <span className="muted">({c.kind})</span>
              </label>
            ))}
          </div>
        )}
        {err('channels') && <p className="field-error">{err('channels')}</p>}
        <Field label="Repeat reminder while down" id={id(REMIND_FIELD)} error={err(REMIND_FIELD)} hint="Empty = no reminders; e.g. “1 h” repeats the alert every hour until it is fixed.">
          <input {...aria(REMIND_FIELD)} value={d.remind} placeholder="off" onChange={(e) => set('remind', e.target.value)} />
        </Field>
        <Field
          label="Relay pings to (upstream ping URL)"
          id={id(UPSTREAM_FIELD)}
          error={err(UPSTREAM_FIELD)}
          hint="Optional: every start, success and failure is forwarded to this healthchecks-compatible ping URL, so an always-on watcher alerts while this computer sleeps."
        >
          <input {...aria(UPSTREAM_FIELD)} className="mono" type="url" value={d.upstream} placeholder="https://hc-ping.com/<uuid>" onChange={(e) => set('upstream', e.target.value)} spellCheck={false} />
        </Field>
      </fieldset>

      <AssertionsEditor value={d.silent} onChange={(v) => set('silent', v)} presets={props.presets ?? null} errors={errors} idOf={id} />

      {general && (
        <p className="field-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {props.initial ? 'Save changes' : 'Create check'}
        </button>
      </div>
    </form>
  );
}
