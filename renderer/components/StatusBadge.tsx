import type { Status } from '../../shared/domain/types.js';
import { STATUS_WORDS } from '../../shared/console/check-list.js';

/** A shape per status, so status never rests on colour alone. */
function Shape({ status, offline }: { status: Status; offline: boolean }) {
  if (offline) {
    return (
      <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
        <circle cx="7" cy="7" r="6" className="fill" />
        <path d="M3 11 11 3" className="stroke-bg" />
      </svg>
    );
  }
  switch (status) {
    case 'up':
      return (
        <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
          <circle cx="7" cy="7" r="6.5" className="fill" />
          <path d="M4 7.2 6.2 9.4 10 5" className="stroke-bg" />
        </svg>
      );
    case 'grace':
      return (
        <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
          <path d="M7 1 13.5 12.5H.5Z" className="fill" />
          <path d="M7 5v3.5M7 10.2v.3" className="stroke-bg" />
        </svg>
      );
    case 'down':
      return (
        <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
          <rect x=".5" y=".5" width="13" height="13" rx="2.5" className="fill" />
          <path d="M4.5 4.5 9.5 9.5M9.5 4.5 4.5 9.5" className="stroke-bg" />
        </svg>
      );
    case 'started':
      return (
        <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
          <circle cx="7" cy="7" r="6.5" className="fill" />
          <path d="M5.5 4v6l4.5-3z" className="fill-bg" />
        </svg>
      );
    case 'paused':
      return (
        <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
          <rect x="2.5" y="1.5" width="3.2" height="11" rx="1" className="fill" />
          <rect x="8.3" y="1.5" width="3.2" height="11" rx="1" className="fill" />
        </svg>
      );
    default:
      return (
        <svg viewBox="0 0 14 14" aria-hidden="true" className="shape">
          <circle cx="7" cy="7" r="5.5" className="ring" />
        </svg>
      );
  }
}

/** Status colour, shape and word, used the same way everywhere. */
export function StatusBadge({ status, offline = false, compact = false }: { status: Status; offline?: boolean; compact?: boolean }) {
  const word = offline ? 'Late (Lubdub offline)' : STATUS_WORDS[status];
  return (
    <span className={`status status-${offline ? 'offline' : status}${compact ? ' compact' : ''}`} title={word}>
      <Shape status={status} offline={offline} />
      <span className="status-word">{compact && offline ? 'Late' : word}</span>
    </span>
  );
}
