import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, DEFAULT_REDIS_URL, DEFAULT_SYMBOLS, parseDemoArgs } from './options';

function options(argv: string[], env: Record<string, string> = {}) {
  const parsed = parseDemoArgs(argv, env);
  if (parsed.help) throw new Error('expected options, got --help');
  return parsed.options;
}

function rejection(argv: string[]): ValidationError {
  try {
    parseDemoArgs(argv, {});
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseDemoArgs', () => {
  it('defaults to the fake venue on 127.0.0.1 with four markets and no Redis', () => {
    expect(options([])).toEqual({
      venue: 'fake',
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      symbols: DEFAULT_SYMBOLS,
    });
  });

  it('reads every option, in both --name value and --name=value forms, past a pnpm "--"', () => {
    expect(
      options(['--', '--port', '0', '--symbols=btc/usdt, ETH/BTC', '--seed', '7', '--host=::1', '--redis']),
    ).toEqual({
      venue: 'fake',
      port: 0,
      host: '::1',
      symbols: ['BTC/USDT', 'ETH/BTC'],
      seed: 7,
      redisUrl: DEFAULT_REDIS_URL,
    });
    expect(options(['--live']).venue).toBe('live');
    expect(options(['--testnet', '--redis', 'redis://10.0.0.2:6380']).redisUrl).toBe('redis://10.0.0.2:6380');
  });

  it('takes the Redis url from REDIS_URL when --redis names none', () => {
    expect(options(['--redis'], { REDIS_URL: 'redis://cache:6379' }).redisUrl).toBe('redis://cache:6379');
    expect(options([], { REDIS_URL: 'redis://cache:6379' }).redisUrl).toBeUndefined();
  });

  it('answers --help without starting anything', () => {
    expect(parseDemoArgs(['--port', '1', '--help'])).toEqual({ help: true });
  });

  it.each([
    [['--port', '70000'], '--port', 'must be an integer from 0 to 65535'],
    [['--port'], '--port', 'needs a value'],
    [['--port', '--live'], '--port', 'needs a value'],
    [['--symbols', 'BTCUSDT'], '--symbols', 'must be markets written BASE/QUOTE (got "BTCUSDT")'],
    [['--symbols', ','], '--symbols', 'must list at least one market, e.g. BTC/USDT'],
    [['--redis', 'http://localhost'], '--redis', 'must be a redis:// or rediss:// url'],
    [['--live', '--testnet'], '--live', 'cannot be combined with --testnet: pick one venue'],
    [
      ['--live', '--seed', '3'],
      '--seed',
      'only applies to the embedded fake exchange (not with --live or --testnet)',
    ],
    [['--live=yes'], '--live', 'takes no value'],
    [['--verbose'], '--verbose', 'is not an option of the demo (see --help)'],
  ])('refuses %j naming the option and the rule', (argv, field, rule) => {
    const error = rejection(argv);
    expect(error.context.field).toBe(field);
    expect(error.context.rule).toBe(rule);
  });
});
