/** SQLite result codes that mean "the store cannot take writes now" (not a bug, not bad input). */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|PERM|CORRUPT|NOTADB)/;

/** Is this error the disk or the database file failing (answered 503), rather than a bug (500)? */
export function isStorageError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

/** A storage error as a log line a user can act on. */
export function storageHint(message: string): string {
  if (/full|ENOSPC/i.test(message)) return `disk full (${message})`;
  if (/readonly|read-only|EROFS|EACCES|EPERM/i.test(message)) return `database not writable (${message})`;
  return message;
}
