import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';

/** A ping body as the receiver keeps it: the first bytes up to the body limit, and the size as sent. */
export interface PingBody {
  kept: Buffer;
  size: number;
}

/** An error Fastify answers with its status code (413 here). */
function tooLarge(): Error {
  return Object.assign(new Error('request body too large'), { statusCode: 413 });
}

/**
 * Reads every ping body as opaque bytes, whatever its content type, keeping only the first
 * `limit()` bytes and counting the rest. Why streaming instead of buffering the whole body:
 * a LAN client sending 10 MB bodies on many connections must not cost 10 MB of memory each;
 * what is kept is bounded by the body limit. Above `cap` bytes (declared or sent) → 413.
 */
export function addPingBodyParser(app: FastifyInstance, limit: () => number, cap: number): void {
  app.removeAllContentTypeParsers();
  const parse = (req: FastifyRequest, payload: Readable, done: (err: Error | null, body?: PingBody) => void) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > cap) {
      payload.resume();
      return done(tooLarge(), undefined);
    }
    const keep = limit();
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    let finished = false;
    const finish = (err: Error | null) => {
      if (finished) return;
      finished = true;
      payload.removeListener('data', onData);
      if (err) return done(err, undefined);
      const body: PingBody = { kept: Buffer.concat(chunks, kept), size };
      done(null, body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        // Stop storing; the reply is sent and the connection closed by Node.
        payload.resume();
        return finish(tooLarge());
      }
      if (kept < keep) {
        const part = chunk.length <= keep - kept ? chunk : chunk.subarray(0, keep - kept);
        chunks.push(part);
        kept += part.length;
      }
    };
    payload.on('data', onData);
    payload.on('end', () => finish(null));
    // A client that goes away mid-body gets a 400 nobody reads, not a logged 500.
    payload.on('error', (e) => finish(Object.assign(e, { statusCode: 400 })));
  };
  app.addContentTypeParser('*', parse);
  // The content type says nothing to us, but a malformed one ("garbage", ";;;") makes Fastify
  // answer 415 before any parser runs: a heartbeat must never be lost to a sloppy header.
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.headers['content-type'] !== undefined) req.headers['content-type'] = 'application/octet-stream';
    done();
  });
}
