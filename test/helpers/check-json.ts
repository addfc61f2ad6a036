import type { CheckJson } from '../../shared/api/types.js';

/** A check as the API returns it, with overrides. */
export function checkJson(over: Partial<CheckJson> = {}): CheckJson {
  const uuid = over.uuid ?? '00000000-0000-4000-8000-000000000001';
  return {
    uuid,
    name: 'nightly backup',
    slug: 'nightly-backup',
    tags: 'nas backup',
    desc: '',
    grace: 3600,
    n_pings: 1,
    status: 'up',
    started: false,
    last_ping: '2024-03-05T02:57:00+00:00',
    next_ping: '2024-03-06T02:57:00+00:00',
    manual_resume: false,
    methods: '',
    subject: '',
    subject_fail: '',
    start_kw: '',
    success_kw: '',
    failure_kw: '',
    filter_subject: false,
    filter_body: false,
    filter_http_body: false,
    filter_default_fail: false,
    ping_url: `http://nas.local:8420/ping/${uuid}`,
    update_url: '',
    pause_url: '',
    resume_url: '',
    channels: '',
    timeout: 86400,
    push_token: null,
    kind: 'simple',
    alert_after: '2024-03-06T03:57:00+00:00',
    down_reason: '',
    monitor_offline: false,
    slug_url: null,
    created: '2024-03-01T00:00:00+00:00',
    ...over,
  };
}
