/** Host names a loopback-bound console answers to. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * DNS-rebinding guard: while the UI port is bound to loopback, only a `Host` of
 * localhost, 127.0.0.1 or [::1] with our port is served. A page on evil.example that
 * re-resolves its name to 127.0.0.1 still sends `Host: evil.example` and is refused.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host || host.length > 300) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return false;
  const name = m[1].toLowerCase();
  if (!LOOPBACK_NAMES.has(name)) return false;
  if (m[2] === undefined) return port === 80;
  return Number(m[2]) === port;
}

/** Is this listen address a loopback one (the Host guard applies)? */
export function isLoopbackAddress(addr: string): boolean {
  return addr === 'localhost' || addr === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(addr);
}
