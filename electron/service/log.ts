import type { FastifyBaseLogger } from 'fastify';
import pino, { type LevelWithSilent } from 'pino';

/** The service's logger (pino), as Fastify's `loggerInstance` takes it. */
export type Log = FastifyBaseLogger;

/** Levels `--log-level` accepts, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * One JSON line per entry: warnings and errors on stderr, the rest on stdout (as a service
 * manager expects). Writes are synchronous so a line logged just before the process dies
 * (a fatal error, fault injection) is not lost; nothing on the ping path logs per request.
 */
export function createLog(level: LogLevel): Log {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(
      [
        { level: 'trace', stream: pino.destination({ dest: 1, sync: true }) },
        { level: 'warn', stream: pino.destination({ dest: 2, sync: true }) },
      ],
      { dedupe: true },
    ),
  );
}
