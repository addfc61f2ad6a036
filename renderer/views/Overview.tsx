import { useEffect, useState } from 'react';
import { summarize } from '../../shared/api/summary.js';
import { STATUS_WORDS } from '../../shared/console/check-list.js';
import { absoluteTime } from '../../shared/console/time-format.js';
import { SNOOZE_CHOICES, snoozeUntil } from '../../shared/domain/snooze.js';
import type { Status } from '../../shared/domain/types.js';
import { api, ApiFailure } from '../api.js';
import { CheckList, CheckListHeader } from '../components/CheckList.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { linkProps } from '../router.js';
import { useConsole } from '../store.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';

const ORDER: Status[] = ['down', 'grace', 'started', 'up', 'new', 'paused'];

/** The viewer's IANA zone: where "until tomorrow 09:00" is on the wall clock. */
const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The global snooze: mute notifications for a while, with the tray's choices. */
export function MuteControl({ timeZone = viewerZone() }: { timeZone?: string }) {
  const mutedUntil = useConsole((s) => s.mutedUntil);
  const available = useConsole((s) => s.muteAvailable);
  const now = useConsole((s) => s.now);
  const [error, setError] = useState<string | null>(null);
  const muted = mutedUntil !== null && Date.parse(mutedUntil) > now;
  const mute = async (until: number | null) => {
    setError(null);
    try {
      const r = await api.mute(until === null ? null : new Date(until).toISOString());
      useConsole.getState().setMuted(r.muted_until ?? null);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) useConsole.setState({ muteAvailable: false });
      else setError((e as Error).message);
    }
  };
  if (!available) {
    return (
      <div className="mute" role="group" aria-label="Mute notifications">
        <span className="muted">Snooze is not available from this service.</span>
      </div>
    );
  }
  return (
    <div className="mute" role="group" aria-label="Mute notifications">
      {muted ? (
        <>
          <span className="muted-note" title={absoluteTime(Date.parse(mutedUntil!))}>
            🔕 Notifications muted until {new Date(mutedUntil!).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}
          </span>
          <button type="button" className="small" onClick={() => mute(null)}>
            Unmute
          </button>
        </>
      ) : (
        <>
          <span>Mute notifications:</span>
          {SNOOZE_CHOICES.map((c) => (
            <button key={c.choice} type="button" className="small" onClick={() => mute(snoozeUntil(c.choice, now, timeZone))}>
              {c.label}
            </button>
          ))}
        </>
      )}
      {error && <span className="field-error">{error}</span>}
    </div>
  );
}

/**
 * The overview: is anything wrong, in one look (counts by status, the worst state, problems
 * pinned first), then the filterable list of every check with its heartbeat bar.
 */
export function Overview() {
  const win = useConsole((s) => s.overview);
  const beats = useConsole((s) => s.beats);
  const wantBeats = useConsole((s) => s.wantBeats);
  const wantRows = useConsole((s) => s.wantRows);
  const now = useConsole((s) => s.now);
  const loadError = useConsole((s) => s.loadError);
  const filter = useConsole((s) => s.filter);
  const setFilter = useConsole((s) => s.setFilter);
  // the service's counts of every check; before its first answer, none
  const summary = useConsole((s) => s.summary) ?? summarize([]);

  useEffect(() => {
    const { showOverview } = useConsole.getState();
    showOverview(true);
    return () => showOverview(false);
  }, []);

  // the list's rows, order and filter are the service's: the console shows a window of them
  const tags = win.tags;
  const attention = summary.counts.down + summary.counts.grace;

  const headline =
    summary.total === 0
      ? 'No checks yet'
      : summary.worst === 'down'
        ? `${summary.counts.down} ${summary.counts.down === 1 ? 'check is' : 'checks are'} down`
        : summary.worst === 'grace'
          ? `${summary.counts.grace} ${summary.counts.grace === 1 ? 'check is' : 'checks are'} late`
          : `All ${summary.total === 1 ? '' : summary.total + ' '}${summary.total === 1 ? 'check is' : 'checks are'} fine`;

  return (
    <div className="overview">
      <section className={`glance glance-${summary.worst}`} aria-label="Summary">
        <div className="glance-head">
          <h1 data-testid="headline">{headline}</h1>
          <MuteControl />
        </div>
        <ul className="counts" aria-label="Checks by status">
          {ORDER.map((s) => (
            <li key={s}>
              <button
                type="button"
                className={`count${filter.status === s ? ' active' : ''}${summary.counts[s] === 0 ? ' zero' : ''}`}
                aria-pressed={filter.status === s}
                onClick={() => setFilter({ status: filter.status === s ? 'all' : s })}
              >
                <StatusBadge status={s} compact />
                <span className="count-n" data-status={s}>
                  {summary.counts[s]}
                </span>
                <span className="sr-only"> {STATUS_WORDS[s]}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>

      <div className="toolbar" role="search">
        <label className="sr-only" htmlFor="search">
          Search checks
        </label>
        <input id="search" type="search" maxLength={200} placeholder="Search by name, slug or tag" value={filter.search} onChange={(e) => setFilter({ search: e.target.value })} />
        <label htmlFor="status-filter">Status</label>
        <select id="status-filter" value={filter.status} onChange={(e) => setFilter({ status: e.target.value as typeof filter.status })}>
          <option value="all">All</option>
          <option value="attention">Needs attention ({attention})</option>
          {ORDER.map((s) => (
            <option key={s} value={s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
        <label htmlFor="tag-filter">Tag</label>
        <select id="tag-filter" value={filter.tag} onChange={(e) => setFilter({ tag: e.target.value })}>
          <option value="">Any</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <span className="muted count-shown" aria-live="polite">
          {win.loaded ? `${win.total} of ${summary.total}` : ''}
        </span>
      </div>

      {loadError && (
        <p className="banner error" role="alert">
          Could not load checks: {loadError}
        </p>
      )}
      {!win.loaded ? (
        <p className="muted">Loading…</p>
      ) : summary.total === 0 ? (
        <div className="empty">
          <p>Nothing is being watched yet. Create a check, then ping its URL from your job.</p>
          <a className="button primary" {...linkProps(CONSOLE_PATHS.newCheck)}>
            Create your first check
          </a>
        </div>
      ) : win.total === 0 ? (
        <p className="empty muted">No check matches this filter.</p>
      ) : (
        <div className="list-box">
          <CheckListHeader />
          <CheckList checks={win.rows} offset={win.offset} total={win.total} beats={beats} now={now} onRange={wantRows} onRows={wantBeats} />
        </div>
      )}
    </div>
  );
}
