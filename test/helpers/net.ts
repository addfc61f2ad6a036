import http from 'node:http';
import net from 'node:net';

/** A reply read off a real socket. */
export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Options of `httpRequest`: anything fetch() refuses to send (raw paths, Host, source address). */
export interface RequestOptions {
  method?: string;
  /** sent as is: no normalisation of `..` or percent escapes */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** source address, e.g. 127.0.0.2 to play a second LAN host */
  localAddress?: string;
  timeoutMs?: number;
}

/** One HTTP/1.1 request on its own connection with node:http (no URL normalisation). */
export function httpRequest(base: string, o: RequestOptions): Promise<RawReply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: o.method ?? 'GET',
        path: o.path,
        headers: o.headers,
        setHost: !o.headers || !Object.keys(o.headers).some((h) => h.toLowerCase() === 'host'),
        localAddress: o.localAddress,
        agent: false,
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * Writes raw bytes to a fresh connection and collects what comes back until the server
 * closes it (or `timeoutMs`). For requests node:http refuses to build (NUL in the path…).
 */
export function rawExchange(base: string, bytes: Buffer | string, timeoutMs = 5_000): Promise<{ text: string; closedByServer: boolean }> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port) });
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closedByServer: false });
    }, timeoutMs);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true });
    });
  });
}

/** The status code of the first reply in raw response text, or 0. */
export function statusOf(text: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}
