import { useState } from 'react';
import type { CheckInput } from '../../shared/api/check-input.js';
import type { CheckJson } from '../../shared/api/types.js';
import { formatSeconds, parseDuration } from '../../shared/domain/duration.js';
import { api } from '../api.js';
import { useConsole } from '../store.js';

/**
 * The schedule Lubdub learned from a check's pings, with Accept (the proposal as it is) and
 * Edit (change it first). Both are a normal check update that also ends learning.
 */
export function ScheduleSuggestion({ check }: { check: CheckJson }) {
  const s = check.schedule_suggestion;
  const [editing, setEditing] = useState(false);
  const [schedule, setSchedule] = useState('');
  const [tz, setTz] = useState('');
  const [period, setPeriod] = useState('');
  const [grace, setGrace] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!s) return null;

  const save = async (fields: { schedule?: string; tz?: string; timeout?: number; grace: number }) => {
    setError(null);
    try {
      const input: CheckInput = { ...fields, learn_schedule: false };
      useConsole.getState().upsert(await api.update(check.uuid, input));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const accept = () => save(s.kind === 'cron' ? { schedule: s.schedule, tz: s.tz, grace: s.grace } : { timeout: s.timeout, grace: s.grace });
  const edit = () => {
    setSchedule(s.schedule ?? '');
    setTz(s.tz ?? check.tz ?? 'UTC');
    setPeriod(s.timeout ? formatSeconds(s.timeout) : '');
    setGrace(formatSeconds(s.grace));
    setEditing(true);
  };
  const saveEdited = (e: React.FormEvent) => {
    e.preventDefault();
    const g = parseDuration(grace);
    if (g === null) return setError('grace: write it like "10 min"');
    if (s.kind === 'cron') return save({ schedule, tz, grace: g });
    const p = parseDuration(period);
    if (p === null) return setError('period: write it like "5 min"');
    return save({ timeout: p, grace: g });
  };

  return (
    <section className="suggestion" aria-labelledby="suggestion-h" data-testid="schedule-suggestion">
      <h2 id="suggestion-h">Learned schedule</h2>
      <p>
        From the last {s.runs} runs this job looks like it runs <strong>{s.text}</strong>
        {s.kind === 'cron' && (
          <>
            {' '}
            (<code>{s.schedule}</code>, {s.tz})
          </>
        )}
        ; grace {formatSeconds(s.grace)}. Nothing changes until you accept.
      </p>
      {!editing ? (
        <p>
          <button type="button" onClick={accept}>
            Accept
          </button>{' '}
          <button type="button" onClick={edit}>
            Edit
          </button>
        </p>
      ) : (
        <form onSubmit={saveEdited}>
          {s.kind === 'cron' ? (
            <>
              <label>
                Cron <input value={schedule} onChange={(e) => setSchedule(e.target.value)} />
              </label>{' '}
              <label>
                Time zone <input value={tz} onChange={(e) => setTz(e.target.value)} />
              </label>{' '}
            </>
          ) : (
            <label>
              Period <input value={period} onChange={(e) => setPeriod(e.target.value)} />
            </label>
          )}{' '}
          <label>
            Grace <input value={grace} onChange={(e) => setGrace(e.target.value)} />
          </label>{' '}
          <button type="submit">Save</button>{' '}
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      )}
      {error && (
        <p className="banner error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
