/** Structured JSON logs (pino). Components take a `Logger` and default to a silent one, so tests stay quiet. */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Static fields on every line, e.g. `{ component: 'operator' }`. */
  base?: Record<string, unknown>;
}

/** A JSON logger to stdout (or `stream`), with error objects serialised as `err`. */
export function createLogger(opts: LoggerOptions = {}, stream?: DestinationStream): Logger {
  return pino({ level: opts.level ?? 'info', base: opts.base ?? null, serializers: { err: pino.stdSerializers.err } }, stream);
}

/** Discards everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
