import crypto from 'node:crypto';

/** Compares secrets in constant time (no timing oracle on the API key). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb) && a.length === b.length;
}

/** The cookie that carries a console session. */
export const SESSION_COOKIE = 'lubdub_session';
/** The header a cookie-authenticated state change must carry (CSRF: a cross-site form cannot set it). */
export const CSRF_HEADER = 'x-lubdub-csrf';

/**
 * Console sessions: one-time login tokens trade for an HttpOnly, SameSite=Strict cookie.
 * Kept in memory: a restart prints a new login URL and ends old sessions.
 */
export class Sessions {
  private loginTokens = new Set<string>();
  private sessions = new Map<string, number>();
  constructor(private ttlMs = SESSION_MAX_AGE_S * 1000) {}

  /** A fresh one-time login token (printed by the CLI as /login?token=…). */
  newLoginToken(): string {
    const t = crypto.randomBytes(24).toString('base64url');
    this.loginTokens.add(t);
    return t;
  }

  /** Trades a login token for a session id; the token then stops working. */
  redeem(token: string, now: number): string | null {
    if (!this.loginTokens.delete(token)) return null;
    return this.create(now);
  }

  /** A session created directly (the desktop shell, authenticated by the API key). */
  create(now: number): string {
    const id = crypto.randomBytes(32).toString('base64url');
    this.sessions.set(id, now + this.ttlMs);
    return id;
  }

  valid(id: string | undefined, now: number): boolean {
    if (!id) return false;
    const exp = this.sessions.get(id);
    if (exp === undefined) return false;
    if (exp < now) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session (key rotation, "log out everywhere"); returns how many ended. */
  endAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }
}

/** Session lifetime, for the cookie's Max-Age. */
export const SESSION_MAX_AGE_S = 30 * 86400;

/** The Set-Cookie value carrying session `sid`; an empty sid clears the cookie. */
export function sessionCookie(sid: string): string {
  return `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${sid ? SESSION_MAX_AGE_S : 0}`;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
