import { useEffect, useMemo, useState } from 'react';
import type { PresetsReply } from '../../shared/api/silent.js';
import { api } from '../api.js';
import { CheckEditor, timezoneList, type ChannelChoice, type EditableCheck } from '../components/CheckEditor.js';
import { linkProps, navigate } from '../router.js';
import { useCheck, useConsole } from '../store.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';

/** The editor as a page: a new check, or an existing one by uuid. */
export function EditorPage({ uuid }: { uuid?: string }) {
  const found = useCheck(uuid);
  const check = found.check as EditableCheck | undefined;
  const missing = found.missing;
  const now = useConsole((s) => s.now);
  // undefined while loading: a new check's default channels need the list first
  const [channels, setChannels] = useState<ChannelChoice[] | null | undefined>(undefined);
  const [presets, setPresets] = useState<PresetsReply | null | undefined>(undefined);
  const [pingBase, setPingBase] = useState<string | undefined>(undefined);
  const timezones = useMemo(timezoneList, []);
  const localTz = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', []);

  useEffect(() => {
    api.channels().then(setChannels, () => setChannels(null));
    api.presets().then(setPresets, () => setPresets(null));
    api.settings().then((s) => setPingBase(s.base_url), () => {});
  }, []);

  if (uuid && !check) return missing ? <p>Check not found. <a {...linkProps(CONSOLE_PATHS.overview)}>Back</a></p> : <p className="muted">Loading…</p>;
  if (channels === undefined || presets === undefined) return <p className="muted">Loading…</p>;
  return (
    <div className="editor-page">
      <p className="crumbs">
        <a {...linkProps(CONSOLE_PATHS.overview)}>Overview</a> /{' '}
        {check && (
          <>
            <a {...linkProps(CONSOLE_PATHS.check(check.uuid))}>{check.name}</a> /
          </>
        )}
      </p>
      <h1>{check ? `Edit “${check.name}”` : 'New check'}</h1>
      <CheckEditor
        key={uuid ?? 'new'}
        initial={check}
        channels={channels}
        presets={presets}
        now={now}
        localTz={localTz}
        timezones={timezones}
        pingBase={pingBase}
        onSubmit={(input) => (uuid ? api.update(uuid, input) : api.create(input))}
        onSaved={(c) => {
          useConsole.getState().upsert(c);
          navigate(CONSOLE_PATHS.check(c.uuid));
        }}
        onCancel={() => navigate(uuid ? CONSOLE_PATHS.check(uuid) : CONSOLE_PATHS.overview)}
      />
    </div>
  );
}
