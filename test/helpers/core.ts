import pino from 'pino';
import { FlipWriter } from '../../electron/service/core/flips.js';
import { CheckService, NO_CHANNELS, type ChannelResolver, type CheckFields } from '../../electron/service/core/checks.js';
import { IngestQueue, type PrepareStep } from '../../electron/service/core/ingest-queue.js';
import { PingPipeline, type IngestRequest, type PingStep } from '../../electron/service/core/pipeline.js';
import { readContextOf, Runtime } from '../../electron/service/core/runtime.js';
import type { Db } from '../../electron/service/db/open.js';
import { makeRepos } from '../../electron/service/db/repos.js';
import { Bus } from '../../electron/service/events.js';
import type { Clock } from '../../shared/domain/clock.js';

/** The core parts built by hand with their collaborators, as `startService` builds them. */
export function buildCore(
  db: Db,
  clock: Clock,
  opts: { steps?: PingStep[]; prepare?: PrepareStep[]; fields?: Partial<CheckFields>; channels?: ChannelResolver; pingLogLimit?: number } = {},
) {
  const repos = makeRepos(db);
  const bus = new Bus();
  const log = pino({ level: 'silent' });
  const runtime = new Runtime({
    baseUrl: 'http://nas.local:8420',
    defaultPingBase: 'http://x.local:8420',
    apiKey: 'key-0123456789abcdef',
    pingKey: 'k'.repeat(22),
    badgeKey: 'b'.repeat(32),
    bodyLimit: 100_000,
    catchupWindow: 600,
    pingLogLimit: opts.pingLogLimit,
  });
  runtime.setUiBase('http://127.0.0.1:8421');
  const readContext = readContextOf(clock, runtime);
  const flips = new FlipWriter(db, repos.checks);
  const checks = new CheckService({
    repos,
    clock,
    bus,
    fields: { rules: opts.fields?.rules ?? {}, asyncRules: opts.fields?.asyncRules ?? {} },
    channels: opts.channels ?? NO_CHANNELS,
    flips,
    readContext,
  });
  const pipeline = new PingPipeline({ steps: opts.steps ?? [], runStarts: repos.pings });
  const ingest = new IngestQueue({ repos, clock, bus, log, runtime, pipeline, checks, flips, readContext, prepare: opts.prepare });
  return { repos, bus, log, runtime, readContext, flips, checks, pipeline, ingest };
}

/** A received success ping to `uuid`, at the clock's time. */
export function pingTo(clock: Clock, uuid: string, over: Partial<IngestRequest> = {}): IngestRequest {
  const now = clock.now();
  return {
    target: { by: 'uuid', uuid },
    action: 'success',
    explicit: false,
    exitStatus: null,
    rid: null,
    at: now,
    received: now,
    method: 'GET',
    scheme: 'http',
    remoteAddr: '127.0.0.1',
    ua: 'test',
    body: Buffer.alloc(0),
    bodySize: 0,
    create: null,
    ...over,
  };
}
