import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The service's secrets, kept in `<data dir>/keys.json` with mode 0600. */
export interface Keys {
  apiKey: string;
  pingKey: string;
  /** the unguessable part of status badge URLs on the ping port */
  badgeKey: string;
}

/** Random string over `alphabet` without modulo bias. */
function randomString(len: number, alphabet: string): string {
  let out = '';
  while (out.length < len) {
    for (const b of crypto.randomBytes(len * 2)) {
      if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
      if (out.length === len) break;
    }
  }
  return out;
}

const API_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const PING_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const newApiKey = () => randomString(32, API_ALPHABET);
export const newPingKey = () => randomString(22, PING_ALPHABET);
export const newBadgeKey = () => randomString(32, PING_ALPHABET);

/**
 * Loads the stored keys, generating missing ones on first start (SPEC §3).
 * Why a file with 0600 and not the database: the keys must stay private even when the
 * database is copied for a bug report.
 */
export function loadKeys(dataDir: string): Keys {
  const file = path.join(dataDir, 'keys.json');
  let stored: Partial<Keys> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const keys: Keys = { apiKey: stored.apiKey || newApiKey(), pingKey: stored.pingKey || newPingKey(), badgeKey: stored.badgeKey || newBadgeKey() };
  if (keys.apiKey !== stored.apiKey || keys.pingKey !== stored.pingKey || keys.badgeKey !== stored.badgeKey) saveKeys(dataDir, keys);
  return keys;
}

/** Writes the keys atomically with mode 0600. */
export function saveKeys(dataDir: string, keys: Keys): void {
  const file = path.join(dataDir, 'keys.json');
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}
