import diagnosticsChannel from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { type SecretFinding, SecretScanner, textOf } from './secret-scanner';

/**
 * The process-wide secret guard: everything the process prints (stdout, stderr, console), every
 * line a core logger writes (whatever its destination, through `venuekit:log:line`), the telemetry
 * channels that carry text from outside (urls, reasons, error messages), and whatever a test hands
 * to `scan` (error serializations) are scanned for test secrets. Installed once per process;
 * `@venuekit/reliability/guard/setup` installs it in every package's test run.
 */
export interface SecretGuard {
  /** Adds an exact secret value to look for (besides the markers every test secret carries). */
  register(secret: string): void;
  /** Scans a value: a string as it is, anything else as JSON, `String()` and `util.inspect`. */
  scan(value: unknown, source: string): SecretFinding[];
  /** Findings since the last `takeFindings`, then forgets them. */
  takeFindings(): SecretFinding[];
  /** Texts scanned so far. */
  readonly scanned: number;
}

/** Channels whose messages carry text from outside the library; all are rare (not per message). */
const TEXT_CHANNELS = [
  'venuekit:log:line',
  'venuekit:connection:started',
  'venuekit:connection:closed',
  'venuekit:connection:reconnecting',
  'venuekit:subscription:failed',
  'venuekit:request:rejected',
  'venuekit:message:discarded',
  'venuekit:user:session',
];

const GLOBAL_KEY = Symbol.for('venuekit.reliability.secretGuard');

type GlobalWithGuard = typeof globalThis & { [GLOBAL_KEY]?: SecretGuard };

/** The guard of this process, installing it on first use. */
export function installSecretGuard(): SecretGuard {
  const global = globalThis as GlobalWithGuard;
  const existing = global[GLOBAL_KEY];
  if (existing) return existing;
  const scanner = new SecretScanner();
  // While scanning, our own writes (none expected) must not recurse.
  let busy = false;
  const scanText = (text: string, source: string): SecretFinding[] => {
    if (busy) return [];
    busy = true;
    try {
      return scanner.scan(text, source);
    } finally {
      busy = false;
    }
  };

  for (const stream of [process.stdout, process.stderr]) {
    const name = stream === process.stdout ? 'stdout' : 'stderr';
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      scanText(textOf(chunk), name);
      return original(chunk, ...rest);
    }) as typeof stream.write;
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      for (const arg of args) scanText(typeof arg === 'string' ? arg : describe(arg), `console.${method}`);
      original(...args);
    };
  }
  for (const name of TEXT_CHANNELS) {
    diagnosticsChannel.subscribe(name, (message) => {
      const text = name === 'venuekit:log:line' ? (message as { line: string }).line : textOf(message);
      scanText(text, name === 'venuekit:log:line' ? 'log' : `telemetry:${name}`);
    });
  }
  process.on('unhandledRejection', (reason) => {
    scanText(describe(reason), 'unhandledRejection');
  });

  const guard: SecretGuard = {
    register: (secret) => scanner.register(secret),
    scan: (value, source) => scanText(describe(value), source),
    takeFindings: () => {
      const all = [...scanner.findings];
      scanner.clearFindings();
      return all;
    },
    get scanned() {
      return scanner.scanned;
    },
  };
  global[GLOBAL_KEY] = guard;
  return guard;
}

/** The installed guard, if any (helpers of other packages reach it without importing this one). */
export function currentSecretGuard(): SecretGuard | undefined {
  return (globalThis as GlobalWithGuard)[GLOBAL_KEY];
}

/** Registers a test secret with the installed guard; a no-op when none is installed. */
export function registerTestSecret(secret: string): void {
  currentSecretGuard()?.register(secret);
}

/** Scans a value (an error, a status, a log line) with the installed guard, when there is one. */
export function scanForSecrets(value: unknown, source: string): SecretFinding[] {
  return currentSecretGuard()?.scan(value, source) ?? [];
}

/** Every way a value is turned into text: as it is, JSON, `String()`, and a deep `util.inspect`. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  let inspected = '';
  try {
    inspected = inspect(value, { depth: 8, showHidden: false, getters: false });
  } catch {
    // a hostile getter
  }
  let stack = '';
  if (value instanceof Error && typeof value.stack === 'string') stack = value.stack;
  return `${textOf(value)}\n${inspected}\n${stack}`;
}

/** One line per finding kind, without the secret: `3 × log (marker LEAK…)`. */
export function summarizeFindings(findings: readonly SecretFinding[]): string {
  const counts = new Map<string, number>();
  for (const finding of findings) {
    const what = finding.what.startsWith('sha256:') ? finding.what : `marker ${finding.what.slice(0, 4)}…`;
    const key = `${finding.source} (${what})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${count} × ${key}`).join('; ');
}
