import { ValidationError } from '@venuekit/core';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '../start';

export interface CliOptions {
  readonly restPort: number;
  readonly streamsPort: number;
  readonly wsApiPort: number;
  readonly symbols: readonly string[] | undefined;
  readonly seed: number | undefined;
  /** Simulated participants' actions per second per symbol; 0: no simulation. */
  readonly rate: number | undefined;
  /** The fair price's random walk, in percent per hour (standard deviation). */
  readonly volatility: number | undefined;
  readonly help: boolean;
}

export const CLI_USAGE = `Usage: venuekit-fake-binance [--port <n>] [--streams-port <n>] [--ws-api-port <n>]
                            [--seed <n>] [--rate <n>] [--volatility <percent>]
                            [--symbols BTCUSDT,ETHUSDT]

Runs the testkit's fake Binance (REST, market streams, WebSocket API) on 127.0.0.1.
  --port <n>          REST port (default 0: any free port). Streams use n+1 and the
                      WebSocket API n+2 unless given.
  --streams-port <n>  market streams port
  --ws-api-port <n>   WebSocket API port
  --seed <n>          seed of the market simulation (same seed, same market)
  --rate <n>          simulated participants' actions per second per symbol (default 5; 0: none)
  --volatility <p>    how much prices move: a random walk of p % per hour plus occasional
                      larger moves (default 1; 0: a still fair price)
  --symbols <list>    comma-separated default markets to list (BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC)
`;

function port(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: flag,
      rule: 'must be a port number from 0 to 65535',
    });
  }
  return value;
}

/** Parses the command line; throws a ValidationError naming the flag at fault. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let restPort = 0;
  let streamsPort: number | undefined;
  let wsApiPort: number | undefined;
  let symbols: string[] | undefined;
  let seed: number | undefined;
  let rate: number | undefined;
  let volatility: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        restPort = port(flag, value());
        break;
      case '--streams-port':
        streamsPort = port(flag, value());
        break;
      case '--ws-api-port':
        wsApiPort = port(flag, value());
        break;
      case '--symbols': {
        const list = (value() ?? '')
          .split(',')
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean);
        if (list.length === 0) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: flag,
            rule: 'must list at least one symbol',
          });
        }
        symbols = list;
        break;
      }
      case '--seed': {
        const text = value();
        const parsed = Number(text);
        if (text === undefined || !Number.isSafeInteger(parsed)) {
          throw new ValidationError('INVALID_PARAMETER', { field: flag, rule: 'must be an integer' });
        }
        seed = parsed;
        break;
      }
      case '--rate': {
        const text = value();
        const parsed = Number(text);
        if (text === undefined || !Number.isFinite(parsed) || parsed < 0) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: flag,
            rule: 'must be a number of actions per second, 0 or more',
          });
        }
        rate = parsed;
        break;
      }
      case '--volatility': {
        const text = value();
        const parsed = Number(text);
        if (
          text === undefined ||
          text.trim() === '' ||
          !Number.isFinite(parsed) ||
          parsed < 0 ||
          parsed > 100
        ) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: flag,
            rule: 'must be a percentage per hour from 0 to 100',
          });
        }
        volatility = parsed;
        break;
      }
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new ValidationError('INVALID_PARAMETER', { field: arg, rule: 'is not a known option' });
    }
  }
  const next = (offset: number) => (restPort === 0 ? 0 : restPort + offset);
  return {
    restPort,
    streamsPort: streamsPort ?? next(1),
    wsApiPort: wsApiPort ?? next(2),
    symbols,
    seed,
    rate,
    volatility,
    help,
  };
}

export function startOptions(cli: CliOptions): FakeBinanceOptions {
  return {
    ports: { rest: cli.restPort, streams: cli.streamsPort, wsApi: cli.wsApiPort },
    ...(cli.symbols !== undefined && { symbols: cli.symbols }),
    ...(cli.seed !== undefined && { seed: cli.seed }),
    simulation:
      cli.rate === 0
        ? false
        : {
            ...(cli.rate !== undefined && { rate: cli.rate }),
            ...(cli.volatility !== undefined && { volatility: cli.volatility }),
          },
  };
}

/** What the CLI prints once the servers are up: the urls and the demo accounts' keys. */
export function banner(fake: FakeBinance): string {
  const lines = [
    'venuekit fake Binance is running',
    `  REST             ${fake.restUrl}/api/v3`,
    `  market streams   ${fake.streamsUrl}/ws  ${fake.streamsUrl}/stream`,
    `  WebSocket API    ${fake.wsApiUrl}`,
    '',
    'Accounts (test keys for this fake only):',
  ];
  const participants = new Set(fake.handle.simulation?.participants ?? []);
  for (const account of fake.handle.accounts()) {
    if (participants.has(account.id)) continue;
    lines.push(`  ${account.id}`);
    lines.push(`    api key     ${account.apiKey}`);
    const secret = account.hmacSecret();
    if (secret !== undefined) lines.push(`    HMAC secret ${secret}`);
  }
  lines.push('', 'Press Ctrl+C to stop.');
  return lines.join('\n');
}

/** Runs the CLI until SIGINT / SIGTERM. */
export async function runCli(argv: readonly string[]): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${CLI_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (cli.help) {
    process.stdout.write(CLI_USAGE);
    return;
  }
  const fake = await startFakeBinance(startOptions(cli));
  process.stdout.write(`${banner(fake)}\n`);
  const stop = () => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
