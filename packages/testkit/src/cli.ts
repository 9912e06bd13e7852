import { runCli } from './server/cli-main';

runCli(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`venuekit-fake-binance: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
