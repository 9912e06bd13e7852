import { createLogger, isVenuekitError } from '@venuekit/core';
import { startDemo } from './demo';
import { logLevelFromEnv } from './env';
import { parseDemoArgs, USAGE } from './options';

// `npm run demo` → scripts/bootstrap.mjs → `pnpm --filter @venuekit/demo start` → here.
async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseDemoArgs>;
  let level: ReturnType<typeof logLevelFromEnv>;
  try {
    parsed = parseDemoArgs(process.argv.slice(2), process.env);
    level = logLevelFromEnv(process.env);
  } catch (error) {
    console.error(isVenuekitError(error) ? error.message : String(error));
    console.error('Run with --help for the options.');
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const { options } = parsed;
  const where =
    options.venue === 'fake'
      ? 'the embedded fake Binance (no keys, no network)'
      : options.venue === 'live'
        ? 'Binance production market data'
        : 'the Binance spot testnet';
  console.log(
    `venuekit demo: starting ${where}${options.redisUrl ? `, market data over Redis at ${options.redisUrl}` : ''}…`,
  );
  const demo = await startDemo({
    ...options,
    logger: createLogger({ level, name: 'venuekit-demo' }),
  });

  const users = demo.users.map(
    (desk) => `${desk.userId}${desk.ready ? '' : ' (could not connect: see the page)'}`,
  );
  console.log('');
  console.log(`  Dashboard:  ${demo.url}`);
  console.log(`  Health:     ${demo.url}ops/health   (also /ops/ready, /ops/live, /ops/metrics)`);
  console.log(`  Markets:    ${demo.market.symbols.join(', ')}`);
  console.log(
    `  Users:      ${users.length > 0 ? users.join(', ') : (demo.system.tradingNote ?? 'none (no trading)')}`,
  );
  if (demo.system.fake) console.log(`  Fake REST:  ${demo.system.fake.restUrl}`);
  if (!demo.marketReady) console.log('  Market data is not flowing yet: see the health panel.');
  console.log('');
  console.log('Press Ctrl+C to stop.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log('Forced exit.');
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: closing venuekit${demo.system.fake ? ' and the fake exchange' : ''}…`);
    demo.close().then(
      () => {
        console.log('Stopped.');
        process.exitCode = 0;
      },
      (error: unknown) => {
        console.error('The demo did not close cleanly:', error);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    const port = (error as { port?: number }).port;
    console.error(
      `The demo could not start: port ${port ?? ''} is in use. Try --port 0 (any free port) or another one.`,
    );
  } else if (isVenuekitError(error)) {
    console.error(`The demo could not start: ${error.userMessage}`);
    console.error(error.message);
  } else {
    console.error('The demo could not start:', error);
  }
  process.exitCode = 1;
});
