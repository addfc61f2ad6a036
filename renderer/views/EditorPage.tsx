import { useEffect, useMemo, useState } from 'react';
import type { CheckJson } from '../../shared/api/types.js';
import { api } from '../api.js';
import { CheckEditor, timezoneList, type ChannelChoice } from '../components/CheckEditor.js';
import { linkProps, navigate } from '../router.js';
import { useConsole } from '../store.js';

/** The editor as a page: a new check, or an existing one by uuid. */
export function EditorPage({ uuid }: { uuid?: string }) {
  const check = useConsole((s) => (uuid ? s.checks[uuid] : undefined)) as CheckJson | undefined;
  const loaded = useConsole((s) => s.loaded);
  const now = useConsole((s) => s.now);
  const [channels, setChannels] = useState<ChannelChoice[] | null>(null);
  const [pingBase, setPingBase] = useState<string | undefined>(undefined);
  const timezones = useMemo(timezoneList, []);
  const localTz = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', []);

  useEffect(() => {
    api.channelChoices().then(setChannels, () => setChannels(null));
    api.settings().then((s) => setPingBase(s.base_url), () => {});
  }, []);

  if (uuid && !check) return loaded ? <p>Check not found. <a {...linkProps('/')}>Back</a></p> : <p className="muted">Loading…</p>;
  return (
    <div className="editor-page">
      <p className="crumbs">
        <a {...linkProps('/')}>Overview</a> /{' '}
        {check && (
          <>
            <a {...linkProps(`/checks/${check.uuid}`)}>{check.name}</a> /
          </>
        )}
      </p>
      <h1>{check ? `Edit “${check.name}”` : 'New check'}</h1>
      <CheckEditor
        key={uuid ?? 'new'}
        initial={check}
        channels={channels}
        now={now}
        localTz={localTz}
        timezones={timezones}
        pingBase={pingBase}
        onSubmit={(input) => (uuid ? api.update(uuid, input) : api.create(input))}
        onSaved={(c) => {
          useConsole.getState().upsert(c);
          navigate(`/checks/${c.uuid}`);
        }}
        onCancel={() => navigate(uuid ? `/checks/${uuid}` : '/')}
      />
    </div>
  );
}
