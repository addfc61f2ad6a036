import { useEffect, useRef, useState } from 'react';
import type { OverviewReply, OverviewRow } from '../../shared/api/overview.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';
import { NO_FILTER, reasonText, scheduleText } from '../../shared/console/check-list.js';
import { api } from '../api.js';
import { Deadline } from '../components/CheckList.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { linkProps } from '../router.js';
import { useConsole } from '../store.js';

/** Rows per section: the tray is a glance; the overview has the rest. */
const TRAY_ROWS = 50;

/** One check on one line: status, name, why (or its schedule), next due; a click opens the detail. */
function TrayRow({ c, now }: { c: OverviewRow; now: number }) {
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

/** The first rows of the checks that need a look and of the others, read again after every change. */
function useTrayRows(): { problems: OverviewReply; rest: OverviewReply } | null {
  const seq = useConsole((s) => s.checksSeq);
  const [got, setGot] = useState<{ problems: OverviewReply; rest: OverviewReply } | null>(null);
  // one read at a time; changes announced meanwhile are read after it
  const reading = useRef({ busy: false, seq: -1, alive: true });
  const [reads, setReads] = useState(0);
  useEffect(() => {
    reading.current.alive = true;
    return () => {
      reading.current.alive = false;
    };
  }, []);
  useEffect(() => {
    const r = reading.current;
    if (r.busy || r.seq === seq) return;
    r.busy = true;
    r.seq = seq;
    const read = (status: 'attention' | 'fine') => api.overview({ ...NO_FILTER, status, offset: 0, limit: TRAY_ROWS });
    Promise.all([read('attention'), read('fine')])
      .then(([problems, rest]) => r.alive && setGot({ problems, rest }))
      .catch(() => {})
      .finally(() => {
        r.busy = false;
        if (r.alive) setReads((n) => n + 1);
      });
  }, [seq, reads]);
  return got;
}

/** One titled list of the tray view (nothing when it has no checks). */
function TraySection({ id, title, checks, now }: { id: string; title: string; checks: OverviewRow[]; now: number }) {
  if (checks.length === 0) return null;
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="minor">
        {title}
      </h2>
      <ul className="tray-list" aria-labelledby={id}>
        {checks.map((c) => (
          <TrayRow key={c.uuid} c={c} now={now} />
        ))}
      </ul>
    </section>
  );
}

/**
 * The compact view the tray opens (about 360 × 520): the worst state in one line, the
 * checks that need attention first, then the rest (the first few of each, in the overview's order).
 */
export function TrayView() {
  const now = useConsole((s) => s.now);
  const got = useTrayRows();
  const problems = got?.problems.rows ?? [];
  const rest = got?.rest.rows ?? [];
  const nProblems = got?.problems.total ?? 0;
  const worst = got?.problems.summary.worst ?? 'idle';
  const more = got ? got.problems.total - problems.length + got.rest.total - rest.length : 0;
  const headline =
    !got || got.problems.summary.total === 0
      ? 'No checks yet'
      : nProblems
        ? `${nProblems} ${nProblems === 1 ? 'check needs' : 'checks need'} a look`
        : 'All checks are fine';
  return (
    <div className="tray-view">
      <h1 className={`tray-head glance-${worst}`} data-testid="tray-headline">
        {headline}
      </h1>
      {!got ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <TraySection id="tray-problems" title="Needs attention" checks={problems} now={now} />
          <TraySection id="tray-rest" title={problems.length ? 'Everything else' : 'Checks'} checks={rest} now={now} />
          {more > 0 && <p className="muted">{more} more in the overview</p>}
        </>
      )}
      <p className="tray-foot">
        <a {...linkProps(CONSOLE_PATHS.overview)}>Full overview</a>
      </p>
    </div>
  );
}
