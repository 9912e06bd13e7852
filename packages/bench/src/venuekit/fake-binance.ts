// The testkit's fake Binance in a process of its own (the order round trip is not measured against
// a server sharing the client's event loop): a quiet market, one account with the keys the
// orchestrator chose (BENCH_API_KEY, BENCH_SECRET_KEY), limits out of the way.
import { startFakeBinance } from '@venuekit/testkit';
import { serve } from '../ipc';

async function main(): Promise<void> {
  const fake = await startFakeBinance({
    simulation: false,
    accounts: [
      {
        id: 'bench',
        apiKey: process.env.BENCH_API_KEY as string,
        secretKey: process.env.BENCH_SECRET_KEY as string,
        balances: { USDT: '100000000', BTC: '1000' },
      },
    ],
    limits: {
      connectionAttempts: 100_000,
      requestWeight: 10_000_000,
      ordersPer10s: 1_000_000,
      ordersPerDay: 100_000_000,
    },
  });
  serve(
    { close: () => fake.close() },
    { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`fake binance failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
