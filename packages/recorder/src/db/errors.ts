/**
 * What a database failure means for the rows being written:
 * - `connection`: the connection is gone or unusable (the outcome of a COMMIT in flight is unknown);
 *   reconnect, then retry the same batch after checking the batch ledger.
 * - `transient`: the statement failed but may succeed later (timeouts, deadlocks, a server starting);
 *   retry the same batch.
 * - `schema`: the tables are missing or older than this recorder: nothing can be written until
 *   `venuekit-recorder migrate` runs; keep the rows.
 * - `data`: the database refuses these rows (a value it cannot store); isolate the rows it refuses.
 */
export type FailureKind = 'connection' | 'transient' | 'schema' | 'data';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection is closed',
  'not queryable',
  'Query read timeout',
  'timeout expired',
  'Connection closed',
  'server closed the connection',
];

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function classifyFailure(error: unknown): FailureKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'connection';
  const state = sqlState(error);
  if (state === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    if (CONNECTION_MESSAGES.some((m) => message.includes(m))) return 'connection';
    return 'transient';
  }
  const cls = state.slice(0, 2);
  // 08: connection exception; 57P01-03: the server shut down or is starting; 28: authentication;
  // 53: out of resources (too many connections, disk full).
  if (cls === '08' || state === '57P01' || state === '57P02' || state === '57P03' || cls === '28') {
    return 'connection';
  }
  if (cls === '53') return 'transient';
  // 42P01 undefined table, 42703 undefined column, 3F000 invalid schema, 42883 undefined function.
  if (state === '42P01' || state === '42703' || state === '3F000' || state === '42883') return 'schema';
  // 22: data exception (a value out of range, bad text encoding, malformed json); 23: a constraint.
  if (cls === '22' || cls === '23') return 'data';
  // 54000: a row or value too large.
  if (state === '54000') return 'data';
  return 'transient';
}

/** A short description of a database error for logs and health: message and SQLSTATE, nothing else. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  return state ? `${message} (SQLSTATE ${state})` : message;
}
