import { useMemo } from 'react';
import type { CheckJson } from '../../shared/api/types.js';
import { summarize } from '../../shared/api/summary.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';
import { filterChecks, needsAttention, NO_FILTER, reasonText, scheduleText } from '../../shared/console/check-list.js';
import { Deadline } from '../components/CheckList.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { linkProps } from '../router.js';
import { useConsole } from '../store.js';

/** One check on one line: status, name, why (or its schedule), next due; a click opens the detail. */
function TrayRow({ c, now }: { c: CheckJson; now: number }) {
  const why = reasonText(c, now);
  return (
    <li>
      <a className={`tray-row row-${c.status}`} {...linkProps(CONSOLE_PATHS.check(c.uuid))} data-uuid={c.uuid}>
        <StatusBadge status={c.status} offline={c.monitor_offline} compact />
        <span className="tray-main">
          <span className="name">{c.name || 'unnamed'}</span>
          {why ? <span className="why">{why}</span> : <span className="muted">{scheduleText(c)}</span>}
        </span>
        <span className="tray-next">
          <Deadline c={c} now={now} />
        </span>
      </a>
    </li>
  );
}

/**
 * The compact view the tray opens (about 360 × 520): the worst state in one line, the
 * checks that need attention first, then the rest.
 */
export function TrayView() {
  const checksMap = useConsole((s) => s.checks);
  const now = useConsole((s) => s.now);
  const loaded = useConsole((s) => s.loaded);
  const mutedUntil = useConsole((s) => s.mutedUntil);
  const checks = useMemo(() => filterChecks(Object.values(checksMap), NO_FILTER), [checksMap]);
  const summary = useMemo(() => summarize(checks, mutedUntil), [checks, mutedUntil]);
  const problems = checks.filter(needsAttention);
  const rest = checks.filter((c) => !needsAttention(c));
  const headline =
    summary.total === 0 ? 'No checks yet' : problems.length ? `${problems.length} ${problems.length === 1 ? 'check needs' : 'checks need'} a look` : 'All checks are fine';
  return (
    <div className="tray-view">
      <h1 className={`tray-head glance-${summary.worst}`} data-testid="tray-headline">
        {headline}
      </h1>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          {problems.length > 0 && (
            <section aria-labelledby="tray-problems">
              <h2 id="tray-problems" className="minor">
                Needs attention
              </h2>
              <ul className="tray-list" aria-labelledby="tray-problems">
                {problems.map((c) => (
                  <TrayRow key={c.uuid} c={c} now={now} />
                ))}
              </ul>
            </section>
          )}
          {rest.length > 0 && (
            <section aria-labelledby="tray-rest">
              <h2 id="tray-rest" className="minor">
                {problems.length ? 'Everything else' : 'Checks'}
              </h2>
              <ul className="tray-list" aria-labelledby="tray-rest">
                {rest.map((c) => (
                  <TrayRow key={c.uuid} c={c} now={now} />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      <p className="tray-foot">
        <a {...linkProps(CONSOLE_PATHS.overview)}>Full overview</a>
      </p>
    </div>
  );
}
