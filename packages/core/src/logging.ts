import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redact, scrubSecrets } from './secret';
import { telemetry } from './telemetry';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogMeta = Record<string, unknown>;

/** Fields that follow a unit of work through async calls and appear on every log line inside it. */
export interface LogContext {
  userId?: string;
  sessionId?: string;
  requestId?: string;
  [key: string]: string | number | boolean | undefined;
}

export interface Logger {
  readonly level: LogLevel;
  isLevelEnabled(level: Exclude<LogLevel, 'silent'>): boolean;
  trace(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  fatal(message: string, meta?: LogMeta): void;
  /** A logger whose lines all carry `bindings`. */
  child(bindings: LogMeta): Logger;
  /**
   * Runs `fn`, then logs `message` with `durationMs` and `status` (`success`, or
   * `error` with the error when it throws or returns `{ ok: false }`). Returns
   * what `fn` returns and rethrows what it throws.
   */
  withTiming<T>(message: string, meta: LogMeta, fn: () => T | Promise<T>): Promise<T>;
  /** Logs an error with its stack and cause chain. */
  errorWithException(message: string, error: unknown, meta?: LogMeta): void;
}

export interface LoggerOptions {
  /** Default `warn`, or the VENUEKIT_LOG_LEVEL the host passes in. */
  level?: LogLevel;
  name?: string;
  /** Where lines go; default stdout. Any stream with `write(line)`. */
  destination?: DestinationStream;
  /** Fields on every line. */
  base?: LogMeta;
}

const contextStore = new AsyncLocalStorage<LogContext>();

/** Adds fields to the log context of the current async call chain. */
export function setContext(context: LogContext): void {
  contextStore.enterWith({ ...contextStore.getStore(), ...context });
}

export function getContext(): LogContext {
  return contextStore.getStore() ?? {};
}

export function clearContext(): void {
  contextStore.enterWith({});
}

/** Runs `fn` with `context` added to the log context, for that call chain only. */
export function runWithContext<T>(context: LogContext, fn: () => T): T {
  return contextStore.run({ ...contextStore.getStore(), ...context }, fn);
}

/**
 * Runs `fn` with no log context, for that call chain only: for a long-lived resource opened
 * during one caller's work and serving others after it (a shared connection, its timers), so
 * that its later lines do not carry that caller's user, session or request id.
 */
export function runWithoutContext<T>(fn: () => T): T {
  return contextStore.exit(fn);
}

type LineLevel = Exclude<LogLevel, 'silent'>;

const NO_KEYS: ReadonlySet<string> = new Set();

class PinoBackedLogger implements Logger {
  readonly #pino: PinoLogger;
  /** Fields bound by `child` (and `base`): they win over the async context's fields of the same name. */
  readonly #bound: ReadonlySet<string>;

  constructor(instance: PinoLogger, bound: ReadonlySet<string> = NO_KEYS) {
    this.#pino = instance;
    this.#bound = bound;
  }

  get level(): LogLevel {
    return this.#pino.level as LogLevel;
  }

  isLevelEnabled(level: LineLevel): boolean {
    return this.#pino.isLevelEnabled(level);
  }

  trace(message: string, meta?: LogMeta): void {
    this.#write('trace', message, meta);
  }
  debug(message: string, meta?: LogMeta): void {
    this.#write('debug', message, meta);
  }
  info(message: string, meta?: LogMeta): void {
    this.#write('info', message, meta);
  }
  warn(message: string, meta?: LogMeta): void {
    this.#write('warn', message, meta);
  }
  error(message: string, meta?: LogMeta): void {
    this.#write('error', message, meta);
  }
  fatal(message: string, meta?: LogMeta): void {
    this.#write('fatal', message, meta);
  }

  child(bindings: LogMeta): Logger {
    const bound = new Set(this.#bound);
    for (const key of Object.keys(bindings)) bound.add(key);
    return new PinoBackedLogger(this.#pino.child(redact(bindings) as LogMeta), bound);
  }

  async withTiming<T>(message: string, meta: LogMeta, fn: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      const durationMs = round(performance.now() - started);
      if (isFailedResult(result)) {
        this.#write('warn', message, { ...meta, durationMs, status: 'error', error: result.error });
      } else {
        this.#write('info', message, { ...meta, durationMs, status: 'success' });
      }
      return result;
    } catch (error) {
      this.#write('error', message, {
        ...meta,
        durationMs: round(performance.now() - started),
        status: 'error',
        err: error,
      });
      throw error;
    }
  }

  errorWithException(message: string, error: unknown, meta?: LogMeta): void {
    this.#write('error', message, { ...meta, err: error });
  }

  #write(level: LineLevel, message: string, meta: LogMeta | undefined): void {
    if (!this.#pino.isLevelEnabled(level)) return;
    let context = contextStore.getStore();
    // A field this logger was bound to is its own (a user's logger stays that user's, whatever
    // call chain it logs in); the context's field of the same name would repeat the key.
    if (context !== undefined && this.#bound.size > 0) context = withoutBound(context, this.#bound);
    const fields = context || meta ? (redact({ ...context, ...meta }) as LogMeta) : {};
    this.#pino[level](fields, scrubSecrets(message));
  }
}

function withoutBound(context: LogContext, bound: ReadonlySet<string>): LogContext {
  let overlap = false;
  for (const key in context) {
    if (bound.has(key)) {
      overlap = true;
      break;
    }
  }
  if (!overlap) return context;
  const kept: Record<string, unknown> = {};
  for (const key in context) if (!bound.has(key)) kept[key] = (context as Record<string, unknown>)[key];
  return kept as LogContext;
}

function isFailedResult(value: unknown): value is { ok: false; error?: unknown } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const instance = pino(
    {
      level: options.level ?? 'warn',
      ...(options.name ? { name: options.name } : {}),
      base: options.base ? (redact(options.base) as LogMeta) : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors were already turned into plain objects by `redact` (type, message, stack, cause);
      // pino's own error serializer would fold the cause into the message.
      serializers: { err: (value: unknown) => value },
      // Every line, whatever its destination, also goes to venuekit:log:line while someone listens.
      hooks: { streamWrite: publishLine },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
  return new PinoBackedLogger(instance, options.base ? new Set(Object.keys(options.base)) : NO_KEYS);
}

function publishLine(line: string): string {
  if (telemetry.logLine.hasSubscribers) telemetry.logLine.publish({ line });
  return line;
}

/** A logger that writes nothing. */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write() {} } });
