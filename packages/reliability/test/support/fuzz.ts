import fc from 'fast-check';

export { waitFor } from './wait';

/** A fuzzed frame: built from a valid payload for a stream, and a description for the report. */
export interface Mutation {
  frame(stream: string, payload: Record<string, unknown>): string;
  readonly describe: string;
}

/** Values of every JSON type and the classic troublemakers: signs, huge, fractional, unicode. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0.5,
    1e300,
    -1e300,
    2 ** 53 + 2,
    '',
    ' ',
    '-1',
    '-0.001',
    '0',
    '0.00000000',
    'abc',
    'NaN',
    'Infinity',
    '1e400',
    '1e-5',
    '0x1F',
    '١٢٣',
    '６０',
    '💥',
    '12.34.56',
    '1,000',
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

/**
 * The payload with one field removed or replaced; a dotted name (`k.o`) reaches into a nested
 * object, which is copied, not changed.
 */
export function withField(
  payload: Record<string, unknown>,
  name: string,
  value: unknown,
): Record<string, unknown> {
  const data: Record<string, unknown> = { ...payload };
  const dot = name.indexOf('.');
  if (dot > 0) {
    const outer = name.slice(0, dot);
    const inner = data[outer];
    data[outer] = withField(
      typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {},
      name.slice(dot + 1),
      value,
    );
    return data;
  }
  if (value === 'delete') delete data[name];
  else data[name] = value;
  return data;
}

/**
 * Mutations that break a payload for sure: a field the adapter reads removed or given a value it
 * must refuse (`valid` says which values it may accept; a dotted name is a nested field), the
 * payload replaced by something else, or the stream name garbled.
 */
export function mutate(
  fields: Readonly<Record<string, (value: unknown) => boolean>>,
): fc.Arbitrary<Mutation> {
  const names = Object.keys(fields);
  const fieldMutation = fc
    .tuple(fc.constantFrom(...names), fc.oneof(fc.constant<'delete'>('delete'), junkValue))
    .filter(([name, value]) => value === 'delete' || !(fields[name] as (v: unknown) => boolean)(value))
    .map(
      ([name, value]): Mutation => ({
        describe: value === 'delete' ? `${name} removed` : `${name} = ${JSON.stringify(value)}`,
        frame: (stream, payload) => JSON.stringify({ stream, data: withField(payload, name, value) }),
      }),
    );
  const envelope = fc.oneof(
    junkValue.map(
      (value): Mutation => ({
        describe: `data = ${JSON.stringify(value)}`,
        frame: (stream) => JSON.stringify({ stream, data: value }),
      }),
    ),
    fc
      .constantFrom(
        'BTCUSDT@trade',
        'btcusdt@tradé',
        'btcusdt@trade ',
        '',
        'btcusdt@depth@1ms',
        'ethusdt@trade',
      )
      .map(
        (name): Mutation => ({
          describe: `stream name ${JSON.stringify(name)}`,
          frame: (_stream, payload) => JSON.stringify({ stream: name, data: payload }),
        }),
      ),
  );
  return fc.oneof({ weight: 4, arbitrary: fieldMutation }, { weight: 1, arbitrary: envelope });
}

/** Text that is not a frame at all: truncated JSON, other JSON values, garbage. */
export const notAFrame: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        '',
        'null',
        '[]',
        '42',
        '"text"',
        '{',
        '{"stream":',
        '{"stream":"btcusdt@trade","data":{',
        '\u0000',
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    ),
    fc.nat({ max: 200 }),
  )
  .map(
    ([text, cut]): Mutation => ({
      describe: `not a frame: ${JSON.stringify(text).slice(0, 40)} (cut at ${cut})`,
      frame: (stream, payload) => {
        if (text !== '') return text;
        // A real frame cut short.
        const whole = JSON.stringify({ stream, data: payload });
        return whole.slice(0, Math.min(cut, whole.length - 1));
      },
    }),
  );

/**
 * fast-check settings: a fixed seed in CI (reproducible), more runs and another seed on demand:
 * `FUZZ_SEED=7 FUZZ_RUNS=10 npx vitest run test/fuzz-*` runs ten times as many cases with seed 7.
 */
export function fuzzRuns(runs: number): { numRuns: number; seed: number } {
  const factor = Number(process.env.FUZZ_RUNS ?? '1');
  const seed = Number(process.env.FUZZ_SEED ?? '1121');
  return { numRuns: Math.max(1, Math.round(runs * (factor > 0 ? factor : 1))), seed };
}

// The documented enums an order answer may carry (enums.md "Order status", "Order types"): the fuzz
// tests' own oracle, written from the docs rather than taken from the adapter under test.
export const WIRE_ORDER_STATUSES: readonly string[] = [
  'NEW',
  'PENDING_NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'PENDING_CANCEL',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
];
export const WIRE_ORDER_TYPES: readonly string[] = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];
