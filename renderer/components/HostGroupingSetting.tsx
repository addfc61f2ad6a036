import { useEffect, useState } from 'react';
import { API, type Reply } from '../../shared/api/routes.js';
import { formatSecondsExact, parseDuration } from '../../shared/domain/duration.js';
import { call } from '../api.js';

type Grouping = Reply<'hostGrouping'>;

/**
 * The host-quiet window: jobs of one source address that go down (or come back) within it
 * make one alert. Off sends one alert per check.
 */
export function HostGroupingSetting() {
  const [value, setValue] = useState<Grouping | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call<Grouping>(API.hostGrouping.path).then(
      (g) => {
        setValue(g);
        setText(g.window_seconds ? formatSecondsExact(g.window_seconds) : '2 min');
      },
      (e) => setError((e as Error).message),
    );
  }, []);
  const save = async (seconds: number) => {
    setError(null);
    try {
      setValue(await call<Grouping>(API.saveHostGrouping.path, { method: 'POST', json: { window_seconds: seconds } }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (!value) return error ? <p className="banner error">{error}</p> : null;
  const on = value.window_seconds > 0;
  return (
    <fieldset data-testid="host-grouping">
      <legend>When a whole host goes quiet</legend>
      <p className="muted">
        {on
          ? `Checks whose pings come from the same address and go down within ${formatSecondsExact(value.window_seconds)} of each other make one alert ("nas.local (192.168.1.20) went quiet: 3 jobs missed"); their recoveries too.`
          : 'Off: one alert per check.'}
      </p>
      <div className="input-row">
        <label>
          Window{' '}
          <input value={text} onChange={(e) => setText(e.target.value)} aria-label="Grouping window" />
        </label>{' '}
        <button
          type="button"
          onClick={() => {
            const s = parseDuration(text);
            if (s === null || s < 1 || s > 3600) setError('window: between 1 s and 1 h, like "2 min"');
            else void save(s);
          }}
        >
          {on ? 'Save window' : 'Turn on'}
        </button>{' '}
        {on && (
          <button type="button" onClick={() => void save(0)}>
            Turn off
          </button>
        )}
      </div>
      {value.hosts.length > 0 ? (
        <>
          <p className="muted">{on ? 'Grouped now:' : 'Would be grouped:'}</p>
          <ul data-testid="host-groups">
            {value.hosts.map((host) => (
              <li key={host.address}>
                <strong>{host.name ? `${host.name} (${host.address})` : host.address}</strong>: {host.checks.join(', ')}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">No host has two or more jobs pinging from it yet.</p>
      )}
      {error && (
        <p className="banner error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
