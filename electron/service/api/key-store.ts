import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isoSeconds } from '../../../shared/api/format.js';
import type { OfficeKeyJson } from '../../../shared/api/office.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { newApiKey } from '../keys.js';
import type { Db } from '../db/open.js';

/** A stored key's scope: read-only, or a paired device's "watch + snooze". */
export type StoredScope = OfficeKeyJson['scope'];

/** A stored key as the auth hook sees it. */
export interface KeyRecord {
  id: string;
  name: string;
  scope: StoredScope;
  created: number;
  lastSeen: number | null;
  lastFrom: string;
}

interface Row {
  id: string;
  name: string;
  scope: StoredScope;
  key_hash: string;
  created: number;
  last_seen: number | null;
  last_from: string;
}

/** "Last seen" is written at most this often per key: a device's stream and polls do not write on every request. */
const SEEN_EVERY_MS = 60_000;

const hash = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

/**
 * Read-only and device keys (the only writer of `api_keys`). Only a SHA-256 of each key is
 * stored, and looked up by that hash: the keys are 192 random bits, so the hash lookup gives
 * no useful timing oracle. Kept in memory too, so a revoke is refused from the next request
 * on, and announced (`revoked`) so open event streams of that key end at once.
 */
export class KeyStore extends EventEmitter<{ revoked: [id: string] }> {
  private byHash = new Map<string, KeyRecord>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    super();
    this.setMaxListeners(1000);
    for (const r of db.prepare('SELECT * FROM api_keys').all() as Row[]) this.byHash.set(r.key_hash, fromRow(r));
  }

  /** A new key of `scope`; the key itself is returned once and never stored. */
  create(name: string, scope: StoredScope): { record: KeyRecord; key: string } {
    const key = newApiKey();
    const record: KeyRecord = { id: crypto.randomUUID(), name, scope, created: this.clock.now(), lastSeen: null, lastFrom: '' };
    this.db
      .prepare('INSERT INTO api_keys (id, name, scope, key_hash, created, last_seen, last_from) VALUES (?, ?, ?, ?, ?, NULL, ?)')
      .run(record.id, name, scope, hash(key), record.created, '');
    this.byHash.set(hash(key), record);
    return { record, key };
  }

  /** The stored key `key` is, or null. */
  find(key: string): KeyRecord | null {
    return this.byHash.get(hash(key)) ?? null;
  }

  /** Records that `rec` was used now from `from` (written at most once a minute per key). */
  seen(rec: KeyRecord, from: string): void {
    const now = this.clock.now();
    if (rec.lastSeen !== null && now - rec.lastSeen < SEEN_EVERY_MS && rec.lastFrom === from) return;
    rec.lastSeen = now;
    rec.lastFrom = from;
    try {
      this.db.prepare('UPDATE api_keys SET last_seen = ?, last_from = ? WHERE id = ?').run(now, from, rec.id);
    } catch {
      // "last seen" is informative: a full disk must not refuse the request it describes
    }
  }

  /** Every stored key, oldest first. */
  list(): KeyRecord[] {
    return [...this.byHash.values()].sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  /** Revokes key `id` at once; null when there is no such key. */
  revoke(id: string): KeyRecord | null {
    for (const [h, rec] of this.byHash) {
      if (rec.id !== id) continue;
      this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id);
      this.byHash.delete(h);
      this.emit('revoked', id);
      return rec;
    }
    return null;
  }
}

function fromRow(r: Row): KeyRecord {
  return { id: r.id, name: r.name, scope: r.scope, created: r.created, lastSeen: r.last_seen, lastFrom: r.last_from };
}

/** A stored key as Settings lists it. */
export function keyJson(r: KeyRecord): OfficeKeyJson {
  return { id: r.id, name: r.name, scope: r.scope, created: isoSeconds(r.created)!, last_seen: isoSeconds(r.lastSeen), last_from: r.lastFrom };
}
