import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCredentials } from './credentials';
import { AuthenticationError } from './errors';
import {
  clearContext,
  createLogger,
  getContext,
  runWithContext,
  runWithoutContext,
  setContext,
} from './logging';
import { Secret } from './secret';
import { telemetry } from './telemetry';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line));
      },
    },
  });
  return { logger, lines, raw };
}

describe('logging', () => {
  it('carries context across async calls, and runWithContext scopes it', async () => {
    const { logger, lines } = capture();
    await runWithContext({ userId: 'alice', requestId: 'r1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('inside', { symbol: 'BTC/USDT' });
      expect(getContext()).toEqual({ userId: 'alice', requestId: 'r1' });
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({
      msg: 'inside',
      userId: 'alice',
      requestId: 'r1',
      symbol: 'BTC/USDT',
      level: 30,
    });
    expect(lines[1]?.userId).toBeUndefined();
  });

  it("a child logger's own fields win over the context's: one key, the logger's value", async () => {
    const { logger, lines, raw } = capture();
    const bob = logger.child({ userId: 'bob' });
    await runWithContext({ userId: 'alice', sessionId: 's-alice' }, async () => {
      bob.info('a line of bob’s connection, logged during alice’s call');
    });
    expect(lines[0]).toMatchObject({ userId: 'bob', sessionId: 's-alice' });
    expect(raw[0]?.match(/"userId"/g)).toHaveLength(1);
  });

  it('runWithoutContext: what starts inside (a shared connection, its timers) carries no caller’s context', async () => {
    const { logger, lines } = capture();
    await runWithContext({ userId: 'alice', requestId: 'r1' }, async () => {
      let fire: () => void = () => {};
      const fired = new Promise<void>((resolve) => {
        fire = resolve;
      });
      runWithoutContext(() => {
        setTimeout(() => {
          logger.info('a later line of the shared resource');
          fire();
        }, 1);
      });
      await fired;
      logger.info('back in the caller');
    });
    expect(lines[0]?.userId).toBeUndefined();
    expect(lines[0]?.requestId).toBeUndefined();
    expect(lines[1]).toMatchObject({ userId: 'alice', requestId: 'r1' });
  });

  it('setContext / clearContext affect the current call chain', async () => {
    const { logger, lines } = capture();
    await (async () => {
      setContext({ sessionId: 's-1' });
      setContext({ userId: 'bob' });
      logger.warn('one');
      clearContext();
      logger.warn('two');
    })();
    expect(lines[0]).toMatchObject({ sessionId: 's-1', userId: 'bob' });
    expect(lines[1]?.sessionId).toBeUndefined();
  });

  it('withTiming logs duration and success, or the error, and passes results through', async () => {
    const { logger, lines } = capture();
    await expect(logger.withTiming('place order', { category: 'trading' }, async () => 42)).resolves.toBe(42);
    await expect(
      logger.withTiming('cancel order', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await logger.withTiming('query', {}, () => ({ ok: false, error: 'nope' }));
    expect(lines[0]).toMatchObject({ msg: 'place order', category: 'trading', status: 'success' });
    expect(typeof lines[0]?.durationMs).toBe('number');
    expect(lines[1]).toMatchObject({ msg: 'cancel order', status: 'error', level: 50 });
    expect(lines[1]?.err).toMatchObject({ message: 'boom' });
    expect(lines[2]).toMatchObject({ msg: 'query', status: 'error' });
  });

  it('errorWithException logs the stack and cause', () => {
    const { logger, lines } = capture();
    logger.errorWithException('failed', new Error('outer', { cause: new Error('inner') }), { symbol: 'X/Y' });
    const err = lines[0]?.err as { message: string; stack: string; cause: { message: string } };
    expect(err.message).toBe('outer');
    expect(err.stack).toContain('logging.test.ts');
    expect(err.cause.message).toBe('inner');
  });

  it('never writes api keys, secrets, private keys, signatures or listen tokens', () => {
    const { logger, raw } = capture();
    const apiKey = 'TESTAPIKEYvmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
    const secret = 'TESTSECRETNhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    const credentials = createCredentials({ apiKey, secret });
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJOkeyTESTPRIVATEKEYmaterial\n-----END PRIVATE KEY-----';
    const signature = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    logger.info(`request to /api/v3/order?symbol=BTCUSDT&signature=${signature}`, {
      credentials,
      apiKey,
      nested: { deeper: { secretKey: secret, privateKey: pem, listenToken: 'tok-abcdefgh12345678' } },
      headers: { 'X-MBX-APIKEY': apiKey },
      note: `the key is ${apiKey}`,
      wrapped: new Secret('another-secret-value-1234'),
    });
    logger.errorWithException(
      'auth failed',
      new AuthenticationError({ message: `bad key ${apiKey}`, context: { userId: 'u1' } }),
    );
    logger.info('inspected', { text: inspect(credentials), json: JSON.stringify({ credentials }) });
    const output = raw.join('\n');
    for (const leaked of [
      apiKey,
      secret,
      signature,
      'MC4CAQAwBQYDK2VwBCIEIJOkey',
      'tok-abcdefgh12345678',
      'another-secret-value-1234',
    ]) {
      expect(output).not.toContain(leaked);
    }
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('userId');
  });

  it('skips work for disabled levels', () => {
    const { lines } = capture();
    const quiet = createLogger({
      level: 'warn',
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    quiet.debug('hidden');
    quiet.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });

  it('publishes every written line, redacted, on venuekit:log:line while observed, whatever the destination', () => {
    const { logger, raw } = capture();
    const published: string[] = [];
    logger.info('before anyone listens');
    const off = telemetry.logLine.subscribe((event) => published.push(event.line));
    const secret = new Secret('log-line-secret-0123456789');
    try {
      logger
        .child({ userId: 'alice' })
        .warn('signed', { apiKey: 'plain-key-9876543210', note: secret.reveal() });
      logger.debug('second');
    } finally {
      off();
      secret.dispose();
    }
    logger.info('after');
    expect(published).toEqual(raw.slice(1, 3));
    expect(published[0]).toContain('"userId":"alice"');
    expect(published.join('')).not.toContain('plain-key-9876543210');
    expect(published.join('')).not.toContain('log-line-secret-0123456789');
  });
});
