import { cronWarnings, describeCron } from '../../shared/console/cron-describe.js';
import { scheduleTime } from '../../shared/console/time-format.js';
import { relativeTime } from '../../shared/domain/duration.js';
import { cronError, isValidTimezone, nextRuns } from '../../shared/domain/schedule.js';

/** What a cron expression means, as it is typed: a sentence, warnings and the next 5 runs in its zone. */
export function CronPreview({ schedule, tz, now }: { schedule: string; tz: string; now: number }) {
  const err = schedule.trim() === '' ? 'Enter a cron expression, e.g. "0 3 * * *".' : cronError(schedule.trim());
  if (err) {
    return (
      <div className="cron-preview" aria-live="polite">
        <p className="field-error" data-testid="cron-error">
          {err}
        </p>
      </div>
    );
  }
  const desc = describeCron(schedule) ?? schedule;
  const warnings = cronWarnings(schedule);
  const zoneOk = isValidTimezone(tz);
  const runs = zoneOk ? nextRuns(schedule.trim(), tz, now, 5) : [];
  return (
    <div className="cron-preview" aria-live="polite">
      <p className="cron-desc" data-testid="cron-desc">
        {desc} <span className="muted">({tz})</span>
      </p>
      {warnings.map((w) => (
        <p key={w} className="warning" role="note" data-testid="cron-warning">
          ⚠ {w}
        </p>
      ))}
      {zoneOk ? (
        <>
          <p className="hint">Next runs, {tz} time:</p>
          <ol className="next-runs" data-testid="next-runs">
            {runs.map((t) => (
              <li key={t}>
                <span className="mono">{scheduleTime(t, tz)}</span> <span className="muted">({relativeTime(t, now)})</span>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="field-error">Unknown timezone.</p>
      )}
    </div>
  );
}
