/** One Server-Sent Event as the wire carries it. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * An incremental `text/event-stream` parser (WHATWG HTML §9.2.6): feed it chunks as they
 * arrive, in any split; it calls `onMessage` once per complete event. Comments
 * (`: keep-alive`) and `retry:` are ignored; CRLF, CR and LF all end a line.
 */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id: string | null = null;
  private sawCr = false;

  constructor(private readonly onMessage: (m: SseMessage) => void) {}

  /** Feeds the next decoded chunk of the stream. */
  push(chunk: string): void {
    let text = chunk;
    // A CR at the end of the previous chunk and an LF at the start of this one are one line end.
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = text.endsWith('\r');
    this.buf += text;
    const lines = this.buf.split(/\r\n|\r|\n/);
    this.buf = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onMessage({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const i = line.indexOf(':');
    const field = i === -1 ? line : line.slice(0, i);
    let value = i === -1 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
  }
}
