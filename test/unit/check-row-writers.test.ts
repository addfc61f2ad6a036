/**
 * The overview keeps its reading of every check while `CheckRepo.listingWrites` stays, so every
 * statement that writes a listed column of `checks` must be one of CheckRepo's. This reads the
 * service's sources: a statement elsewhere may only write columns the listing does not read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVICE = path.resolve(import.meta.dirname, '../../electron/service');
/** Columns of `checks` that no listing reads (mutes, reminders, channels, the status-change announcement). */
const UNLISTED = new Set(['mute_until', 'next_reminder', 'channels', 'status_at']);

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** The columns each `UPDATE checks SET …` assigns, and every insert into or delete from checks. */
function checkWrites(text: string): { update: string[] }[] | 'insert-or-delete' {
  if (/\b(INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|REPLACE\s+INTO)\s+checks\b/i.test(text)) return 'insert-or-delete';
  return [...text.matchAll(/\bUPDATE\s+checks\s+SET\s+([\s\S]*?)\s+WHERE\b/gi)].map((m) => ({
    update: [...m[1].matchAll(/(\w+)\s*=/g)].map((c) => c[1].toLowerCase()),
  }));
}

describe('writers of the checks table', () => {
  it('finds the statements it looks for (its own rejection table)', () => {
    expect(checkWrites("p('UPDATE checks SET mute_until = ? WHERE id = ?')")).toEqual([{ update: ['mute_until'] }]);
    expect(checkWrites('`UPDATE checks SET status = ?, n_pings = ? WHERE id = ?`')).toEqual([{ update: ['status', 'n_pings'] }]);
    expect(checkWrites("db.prepare('DELETE FROM checks WHERE id = ?')")).toBe('insert-or-delete');
    expect(checkWrites('INSERT INTO checks (uuid) VALUES (?)')).toBe('insert-or-delete');
    expect(checkWrites("SELECT * FROM checks WHERE status = 'up'")).toEqual([]);
  });

  it('writes listed columns only through CheckRepo, which counts them for the overview', () => {
    const outside: string[] = [];
    for (const file of sources(SERVICE)) {
      if (file === path.join(SERVICE, 'db', 'repos.ts')) continue;
      const found = checkWrites(fs.readFileSync(file, 'utf8'));
      const rel = path.relative(SERVICE, file);
      if (found === 'insert-or-delete') outside.push(`${rel}: inserts or deletes checks`);
      else for (const w of found) for (const c of w.update) if (!UNLISTED.has(c)) outside.push(`${rel}: sets checks.${c}`);
    }
    expect(outside).toEqual([]);
  });
});
