import crypto from 'node:crypto';
import type { Status } from '../../../shared/domain/types.js';

/** A check as the metrics page reads it. */
export interface MetricsCheck {
  uuid: string;
  name: string;
  tags: string;
  status: Status;
  /** a run is in progress (healthchecks: `last_start` is set) */
  started: boolean;
}

/** Lubdub's own figures, beside healthchecks' series. */
export interface ServiceFigures {
  /** pings the receiver handed on since this process started */
  pingsReceived: number;
  alertsSent: number;
  alertsFailed: number;
  /** alert deliveries waiting or in flight */
  outboxDepth: number;
  /** seconds from the last sent alert's creation to its delivery, or null before the first */
  lastAlertLatency: number | null;
  /** relayed pings waiting for their upstream, when the relay runs */
  relayDepth?: number;
}

/**
 * healthchecks' `unique_key`: a stable id of a check that does not reveal its ping URL
 * (the SHA-1 of the first half of the uuid's hex), so dashboards can join on it safely.
 */
export function uniqueKey(uuid: string): string {
  return crypto.createHash('sha1').update(uuid.replace(/-/g, '').slice(0, 16)).digest('hex');
}

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function family(name: string, type: 'gauge' | 'counter', help: string, rows: string[]): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${rows.join('')}\n`;
}

/**
 * The Prometheus text exposition: healthchecks' series with its names and labels
 * (hc_check_up, hc_check_started, hc_check_grace, hc_check_paused, hc_tag_up,
 * hc_checks_total, hc_checks_down_total), then Lubdub's own (lubdub_*).
 */
export function renderMetrics(checks: readonly MetricsCheck[], figures: ServiceFigures): string {
  // No space after the commas (healthchecks writes one): the same labels, and stricter parsers read it too.
  const labels = checks.map((c) => `{name="${esc(c.name)}",tags="${esc(c.tags)}",unique_key="${uniqueKey(c.uuid)}"}`);
  const perCheck = (metric: string, value: (c: MetricsCheck) => boolean) => checks.map((c, i) => `${metric}${labels[i]} ${value(c) ? 1 : 0}\n`);
  const allTags = new Set<string>();
  const downTags = new Set<string>();
  let down = 0;
  for (const c of checks) {
    const tags = c.tags.split(' ').filter(Boolean);
    tags.forEach((t) => allTags.add(t));
    if (c.status === 'down') {
      down++;
      tags.forEach((t) => downTags.add(t));
    }
  }
  const parts = [
    family('hc_check_up', 'gauge', 'Whether the check is currently up (1 for yes, 0 for no).', perCheck('hc_check_up', (c) => c.status !== 'down')),
    family('hc_check_started', 'gauge', 'Whether the check is currently started (1 for yes, 0 for no).', perCheck('hc_check_started', (c) => c.started)),
    family('hc_check_grace', 'gauge', 'Whether the check is currently in the grace period (1 for yes, 0 for no).', perCheck('hc_check_grace', (c) => c.status === 'grace')),
    family('hc_check_paused', 'gauge', 'Whether the check is currently paused (1 for yes, 0 for no).', perCheck('hc_check_paused', (c) => c.status === 'paused')),
    family(
      'hc_tag_up',
      'gauge',
      'Whether all checks with this tag are up (1 for yes, 0 for no).',
      [...allTags].sort().map((t) => `hc_tag_up{tag="${esc(t)}"} ${downTags.has(t) ? 0 : 1}\n`),
    ),
    family('hc_checks_total', 'gauge', 'The total number of checks.', [`hc_checks_total ${checks.length}\n`]),
    family('hc_checks_down_total', 'gauge', 'The number of checks currently down.', [`hc_checks_down_total ${down}\n`]),
    family('lubdub_pings_received_total', 'counter', 'Pings received since the service started.', [`lubdub_pings_received_total ${figures.pingsReceived}\n`]),
    family('lubdub_alerts_sent_total', 'counter', 'Alert deliveries sent.', [`lubdub_alerts_sent_total ${figures.alertsSent}\n`]),
    family('lubdub_alerts_failed_total', 'counter', 'Alert deliveries given up after their retries.', [`lubdub_alerts_failed_total ${figures.alertsFailed}\n`]),
    family('lubdub_outbox_depth', 'gauge', 'Alert deliveries waiting or being sent.', [`lubdub_outbox_depth ${figures.outboxDepth}\n`]),
  ];
  if (figures.lastAlertLatency !== null) {
    parts.push(
      family('lubdub_last_alert_latency_seconds', 'gauge', 'Seconds from the last sent alert being queued to its delivery.', [
        `lubdub_last_alert_latency_seconds ${figures.lastAlertLatency}\n`,
      ]),
    );
  }
  if (figures.relayDepth !== undefined) {
    parts.push(family('lubdub_relay_depth', 'gauge', 'Pings waiting to be relayed upstream.', [`lubdub_relay_depth ${figures.relayDepth}\n`]));
  }
  return parts.join('');
}
