// A fake Binance in a process of its own, for measurements that must see only the client's memory.
// Started by fake-child.ts with the options as JSON; prints its urls as one JSON line; stops when
// its stdin closes (so it never outlives the test that started it).
import { type FakeBinanceOptions, startFakeBinance } from '@venuekit/testkit';

const options = JSON.parse(process.argv[2] ?? '{}') as FakeBinanceOptions;
const fake = await startFakeBinance(options);
process.stdout.write(
  `${JSON.stringify({ restUrl: fake.restUrl, streamsUrl: fake.streamsUrl, wsApiUrl: fake.wsApiUrl })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => {
  void fake.close().then(() => process.exit(0));
});
