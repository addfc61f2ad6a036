/** One Server-Sent Event as received. */
export interface SseEvent {
  type: string;
  data: any;
}

/** A live subscription to `GET /api/events`. */
export interface EventStream {
  events: SseEvent[];
  status: number;
  /** true once the stream has ended (closed by either side) */
  ended: boolean;
  close: () => void;
}

/** Opens the event stream with the given headers and collects events as they arrive. */
export async function openEvents(url: string, headers: Record<string, string>): Promise<EventStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const stream: EventStream = { events: [], status: res.status, ended: false, close: () => ac.abort() };
  if (!res.ok || !res.body) {
    stream.ended = true;
    return stream;
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i: number;
        while ((i = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data !== undefined) stream.events.push({ type, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
    stream.ended = true;
  })();
  return stream;
}
