import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from '../../../electron/app/sse.js';

function parse(chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const p = new SseParser((m) => out.push(m));
  for (const c of chunks) p.push(c);
  return out;
}

const STREAM = 'event: hello\ndata: {"a":1}\n\n: keep-alive\n\nevent: check\ndata: {"uuid":"x"}\n\n';

describe('SseParser', () => {
  it('reads named events and skips comments', () => {
    expect(parse([STREAM])).toEqual([
      { event: 'hello', data: '{"a":1}', id: null },
      { event: 'check', data: '{"uuid":"x"}', id: null },
    ]);
  });

  it('gives the same events however the stream is split, down to single characters', () => {
    const whole = parse([STREAM]);
    expect(parse(STREAM.split(''))).toEqual(whole);
    for (let i = 1; i < STREAM.length; i++) expect(parse([STREAM.slice(0, i), STREAM.slice(i)])).toEqual(whole);
  });

  it('CRLF and CR line ends, also split between chunks', () => {
    expect(parse(['event: a\r', '\ndata: 1\r\n\r', '\n'])).toEqual([{ event: 'a', data: '1', id: null }]);
    expect(parse(['event: a\rdata: 1\r\r'])).toEqual([{ event: 'a', data: '1', id: null }]);
  });

  it('multi-line data is joined with newlines; no space after the colon is fine', () => {
    expect(parse(['data:line1\ndata: line2\n\n'])).toEqual([{ event: 'message', data: 'line1\nline2', id: null }]);
  });

  it('an event without data is not dispatched; an unfinished one waits', () => {
    expect(parse(['event: x\n\n', 'event: y\ndata: 1\n'])).toEqual([]);
  });

  it('keeps the last id', () => {
    expect(parse(['id: 7\nevent: a\ndata: 1\n\n'])).toEqual([{ event: 'a', data: '1', id: '7' }]);
  });
});
