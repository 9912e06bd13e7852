/**
 * Microseconds on the machine's monotonic clock (CLOCK_MONOTONIC through libuv): the same clock in
 * every process, so a time stamped by the server process can be subtracted in a client process.
 * Binance's `E` and `T` fields carry it in place of epoch milliseconds (see feed/messages.ts).
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
