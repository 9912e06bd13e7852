// Runs around every test file: whatever the suite prints (console, stdout, stderr) must not contain
// a test credential. Every credential the suite creates starts with this marker (see helpers.ts).
import { afterAll } from 'vitest';

const MARKER = 'LEAKCHECK';
const printed: string[] = [];

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    printed.push(args.map((arg) => (typeof arg === 'string' ? arg : safe(arg))).join(' '));
    original(...args);
  };
}
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return original(chunk, ...rest);
  }) as typeof stream.write;
}

afterAll(() => {
  const leaked = printed.filter((text) => text.includes(MARKER));
  if (leaked.length > 0) {
    // The text itself is not repeated: it holds the credential.
    throw new Error(`a test credential was printed ${leaked.length} time(s)`);
  }
});

function safe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
