import net from 'node:net';

/** One request the shell made, as its fetch saw it. */
export interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** the answer's status; null while pending or when no answer came (refused, dropped) */
  status: number | null;
}

/**
 * The fetch handed to the shell in tests: every request goes to the real service and is
 * recorded. `failNext` stands for the path between shell and service failing (a proxy
 * answering 500); `hold` delays an answer the service already gave, to order it after an
 * event.
 */
export interface ShellFetch {
  fetch: typeof fetch;
  sent: Sent[];
  /** the requests to `path`, in order */
  to: (path: string) => Sent[];
  /** the next `times` requests to `path` get `status` without reaching the service */
  failNext: (path: string, status: number, times?: number) => void;
  /** the next request to `path` is sent, its answer kept until `release()` */
  hold: (path: string) => { arrived: () => boolean; release: () => void };
}

export function shellFetch(): ShellFetch {
  const sent: Sent[] = [];
  const failures = new Map<string, { status: number; times: number }>();
  const holds = new Map<string, { arrived: boolean; gate: Promise<void>; open: () => void }>();

  const recorded: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    const s: Sent = { method: init?.method ?? 'GET', path: url.pathname, headers, body, status: null };
    sent.push(s);
    const f = failures.get(url.pathname);
    if (f && f.times > 0) {
      f.times--;
      s.status = f.status;
      return new Response(JSON.stringify({ error: 'injected failure' }), { status: f.status, headers: { 'content-type': 'application/json' } });
    }
    const h = holds.get(url.pathname);
    if (h) holds.delete(url.pathname);
    const res = await fetch(input, init);
    s.status = res.status;
    if (h) {
      h.arrived = true;
      await h.gate;
    }
    return res;
  };

  return {
    fetch: recorded,
    sent,
    to: (path) => sent.filter((s) => s.path === path),
    failNext(path, status, times = 1) {
      failures.set(path, { status, times });
    },
    hold(path) {
      let open!: () => void;
      const entry = { arrived: false, gate: new Promise<void>((r) => (open = r)), open: () => open() };
      holds.set(path, entry);
      return { arrived: () => entry.arrived, release: () => entry.open() };
    },
  };
}

/** A loopback port nothing listens on right now (for a service that is started later). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
