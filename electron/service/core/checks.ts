import crypto from 'node:crypto';
import { checkInputError, slugify, type CheckInput } from '../../../shared/api/check-input.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { pause, resume } from '../../../shared/domain/check-state.js';
import { writeTx } from '../db/open.js';
import { newCheckRow, type CheckListing, type CheckRow, type Repos } from '../db/repos.js';
import type { FlipWriter } from './flips.js';
import type { Bus } from '../events.js';
import { checkJson, type ReadContext } from '../serialize.js';
import { ApiError } from './api-error.js';
import { timeRow } from './pipeline.js';

/** Validator of one Lubdub extension field: an error text after "json validation error: ", or null. */
export type FieldRule = (v: unknown, name: string) => string | null;

/** Lubdub's extension fields on checks, each registered by the part that owns it. */
export interface CheckFields {
  /** name → validator */
  rules: Readonly<Record<string, FieldRule>>;
  /**
   * Checks that must run off the main thread (user regexes in a worker): name → validator,
   * run by `validateAsync` after `rules` passed.
   */
  asyncRules: Readonly<Record<string, (v: unknown, name: string) => Promise<string | null>>>;
}

/** How a check's `channels` field is read (the alerts part knows the channels). */
export interface ChannelResolver {
  /** healthchecks' `channels` spec → stored uuid list; throws ApiError 400 for an unknown channel */
  resolve(spec: string): string;
  /** channels of a check created without a `channels` field */
  defaults(): string;
}

/** Without the alerts part there are no channels: only "" is accepted. */
export const NO_CHANNELS: ChannelResolver = {
  resolve(spec) {
    if (spec === '') return '';
    throw new ApiError(400, `invalid channel identifier: ${spec.split(',')[0]}`);
  },
  defaults: () => '',
};

/** What the check service needs. */
export interface CheckServiceDeps {
  repos: Repos;
  clock: Clock;
  bus: Bus;
  fields: CheckFields;
  channels: ChannelResolver;
  /** the only writer of flips and of the reminders they arm */
  flips: FlipWriter;
  readContext: () => ReadContext;
}

/** A filter of `list` and `pages`. */
export interface CheckFilter {
  tags?: string[];
  slug?: string;
}

/**
 * Checks as the API edits them: validation, create/update/delete/pause/resume, lookups.
 * Each edit is one SQLite transaction; the scheduler and the event stream are told after
 * the commit.
 */
export class CheckService {
  constructor(private readonly deps: CheckServiceDeps) {}

  /** Validates a create/update body; throws ApiError 400 with healthchecks' message. */
  validate(input: unknown): CheckInput {
    const err = checkInputError(input, this.deps.fields.rules);
    if (err) throw new ApiError(400, `json validation error: ${err}`);
    return input as CheckInput;
  }

  /**
   * Validates a create/update body including the asynchronous rules; throws ApiError 400.
   * Call before `create`/`update`, outside any transaction.
   */
  async validateAsync(input: unknown): Promise<void> {
    const valid = this.validate(input);
    for (const [k, rule] of Object.entries(this.deps.fields.asyncRules)) {
      if (valid[k] === undefined) continue;
      const err = await rule(valid[k], k);
      if (err) throw new ApiError(400, `json validation error: ${err}`);
    }
  }

  /**
   * Inserts a check from validated input; call inside a write transaction (API create, ping
   * with ?create=1, an import keeping a moved check's uuid when it is free).
   */
  insert(input: CheckInput, now: number, uuid: string = crypto.randomUUID()): CheckRow {
    const row = newCheckRow(uuid, now, {
      channels: input.channels === undefined ? this.deps.channels.defaults() : '',
    });
    if (input.slug === undefined && input.name) row.slug = slugify(input.name);
    const inserted = this.deps.repos.checks.insert(row);
    const withInput = this.applyInput(inserted, input);
    this.deps.repos.checks.update(withInput);
    return withInput;
  }

  /**
   * Creates a check from validated input, optionally with a chosen uuid (an import keeping
   * a moved check's uuid when it is free), and announces it.
   */
  add(input: CheckInput, uuid?: string): CheckRow {
    const row = writeTx(this.deps.repos.db, () => this.insert(input, this.deps.clock.now(), uuid));
    this.afterEdit(row);
    return row;
  }

  /** Copies validated input fields onto a row (no I/O except the channel/push-token checks). */
  private applyInput(c: CheckRow, input: CheckInput): CheckRow {
    const next: CheckRow = { ...c, extra: { ...c.extra } };
    if (input.name !== undefined) next.name = input.name;
    if (input.slug !== undefined) next.slug = input.slug;
    if (input.tags !== undefined) next.tags = input.tags.split(' ').filter(Boolean).join(' ');
    if (input.desc !== undefined) next.desc = input.desc;
    if (input.grace !== undefined) next.grace = Math.round(input.grace);
    if (input.timeout !== undefined) {
      next.timeout = Math.round(input.timeout);
      if (input.schedule === undefined) next.kind = 'simple';
    }
    if (input.schedule !== undefined) {
      next.schedule = input.schedule.trim().split(/\s+/).join(' ');
      next.kind = 'cron';
    }
    if (input.tz !== undefined) next.tz = input.tz;
    if (input.manual_resume !== undefined) next.manualResume = input.manual_resume;
    if (input.methods !== undefined) next.methods = input.methods;
    if (input.success_kw !== undefined) next.successKw = input.success_kw;
    if (input.failure_kw !== undefined) next.failureKw = input.failure_kw;
    if (input.start_kw !== undefined) next.startKw = input.start_kw;
    if (input.filter_http_body !== undefined) next.filterHttpBody = input.filter_http_body;
    if (input.filter_default_fail !== undefined) next.filterDefaultFail = input.filter_default_fail;
    if (input.push_token !== undefined) {
      const other = input.push_token === null ? null : this.deps.repos.checks.byPushToken(input.push_token);
      if (other && other.id !== c.id) throw new ApiError(400, 'json validation error: push_token is already in use');
      next.pushToken = input.push_token;
    }
    if (input.channels !== undefined) next.channels = this.deps.channels.resolve(input.channels);
    for (const k of Object.keys(this.deps.fields.rules)) if (input[k] !== undefined) next.extra[k] = input[k];
    timeRow(next, this.deps.clock.now());
    return next;
  }

  /** Lists checks, optionally filtered by tags (all must match) and slug. */
  list(filter: CheckFilter = {}): CheckRow[] {
    return [...this.pages(filter)].flat();
  }

  /**
   * The same checks a page at a time, each page read when asked for. Why: with 10,000
   * checks, building every row and its JSON at once costs tens of MB of heap for a moment
   * and leaves the process that much bigger; a page at a time keeps it to a few hundred.
   * Each page is one complete query, so other statements may run between pages.
   */
  *pages(filter: CheckFilter = {}, size = 500): Generator<CheckRow[]> {
    const keep = (c: CheckRow) => {
      if (filter.slug !== undefined && c.slug !== filter.slug) return false;
      if (filter.tags?.length) {
        const have = new Set(c.tags.split(' '));
        if (!filter.tags.every((t) => have.has(t))) return false;
      }
      return true;
    };
    for (let after = 0; ; ) {
      const page = this.deps.repos.checks.page(after, size);
      if (page.length === 0) return;
      after = page[page.length - 1].id;
      yield page.filter(keep);
    }
  }

  /**
   * Every check with only what a listing reads (`CheckListing`), a page at a time in id order.
   * A page of 250 is a few ms even on a busy machine: a reading that lets other work in between
   * pages holds nothing up for longer than that.
   */
  *listingPages(size = 250): Generator<CheckListing[]> {
    for (let after = 0; ; ) {
      const page = this.deps.repos.checks.listingPage(after, size);
      if (page.length === 0) return;
      after = page[page.length - 1].id;
      yield page;
    }
  }

  /** The check with this uuid; throws ApiError 404. */
  get(uuid: string): CheckRow {
    const c = this.deps.repos.checks.byUuid(uuid);
    if (!c) throw new ApiError(404, 'not found');
    return c;
  }

  /** POST /api/v3/checks/: create, or update the check matching `unique` fields. */
  create(body: unknown): { check: CheckRow; created: boolean } {
    const input = this.validate(body);
    const { repos, clock } = this.deps;
    const result = writeTx(repos.db, () => {
      if (input.unique?.length) {
        const match = repos.checks.all().find((c) =>
          input.unique!.every((f) => {
            const want = input[f];
            const have = (c as unknown as Record<string, unknown>)[f];
            return want === undefined || want === have;
          }),
        );
        if (match) {
          const next = this.applyInput(match, input);
          repos.checks.update(next);
          this.deps.flips.edited(next);
          return { check: next, created: false };
        }
      }
      return { check: this.insert(input, clock.now()), created: true };
    });
    this.afterEdit(result.check);
    return result;
  }

  /** POST /api/v3/checks/<uuid>: partial update. */
  update(uuid: string, body: unknown): CheckRow {
    const input = this.validate(body);
    const next = writeTx(this.deps.repos.db, () => {
      const next = this.applyInput(this.get(uuid), input);
      this.deps.repos.checks.update(next);
      this.deps.flips.edited(next);
      return next;
    });
    this.afterEdit(next);
    return next;
  }

  delete(uuid: string): CheckRow {
    const { repos, bus } = this.deps;
    const c = writeTx(repos.db, () => {
      const c = this.get(uuid);
      repos.checks.delete(c.id);
      return c;
    });
    bus.emit('deadlines');
    bus.emit('public', { type: 'check-deleted', data: { uuid } });
    return c;
  }

  pause(uuid: string): CheckRow {
    return this.setPaused(uuid, (c, now) => pause(c, now));
  }

  resume(uuid: string): CheckRow {
    return this.setPaused(uuid, (c, now) => {
      if (c.status !== 'paused') throw new ApiError(409, 'check is not paused');
      return resume(c, now);
    });
  }

  /** Pause or resume in one transaction; the step (from shared/domain) decides the new state. */
  private setPaused(uuid: string, step: (c: CheckRow, now: number) => ReturnType<typeof pause>): CheckRow {
    const { repos, clock } = this.deps;
    const next = writeTx(repos.db, () => {
      const c = this.get(uuid);
      const now = clock.now();
      const out = step(c, now);
      const next: CheckRow = { ...c, ...out.next, downReason: '', downReasonCode: '' };
      timeRow(next, now);
      // Pause/resume flips are history only: they are never delivered as alerts.
      if (out.flip) this.deps.flips.history(next, out.flip, now);
      repos.checks.update(next);
      return next;
    });
    this.afterEdit(next);
    return next;
  }

  /**
   * Adds a channel to every check's list, or takes it off every list (a channel made with
   * "assign to existing checks", or deleted). Runs inside the caller's transaction.
   */
  setChannelEverywhere(uuid: string, on: boolean): void {
    const { repos } = this.deps;
    for (const r of repos.checks.channelLists()) {
      const list = r.channels.split(',').filter(Boolean);
      const next = on ? (list.includes(uuid) ? list : [...list, uuid]) : list.filter((u) => u !== uuid);
      if (next.length !== list.length) repos.checks.setChannels(r.id, next.join(','));
    }
  }

  private afterEdit(c: CheckRow): void {
    this.deps.bus.emit('deadlines');
    this.deps.bus.emit('public', { type: 'check', data: checkJson(c, this.deps.readContext()) });
  }
}
