import { inspect } from 'node:util';
import {
  createCredentials,
  createLogger,
  Decimal,
  type Logger,
  type StreamObserver,
  systemClock,
  type UserDataEvent,
} from '@venuekit/core';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '@venuekit/testkit';
import ky from 'ky';
import { BinanceInstruments } from '../src/instruments';
import { BinanceHttpClient } from '../src/rest/http';
import { BinancePublicApi } from '../src/rest/public';
import { BinanceRateGovernor, type RateLimitRule, rulesFromRateLimits } from '../src/rest/rate-governor';
import { BinanceTimeSync } from '../src/rest/time-sync';
import { BinanceAccount, type BinanceAccountOptions } from '../src/trading';

// Recognisable test credentials: no log line or error of the suite may ever contain them.
export const TRADER_API_KEY = 'VKTESTAPIKEY0trader0aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9';
export const TRADER_SECRET = 'VKTESTSECRET0trader0Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6';
export const MAKER_API_KEY = 'VKTESTAPIKEY0maker00aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9';
export const MAKER_SECRET = 'VKTESTSECRET0maker00Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6';
export const SECRETS = [TRADER_API_KEY, TRADER_SECRET, MAKER_API_KEY, MAKER_SECRET];

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string and body as sent, signature removed. */
  readonly params: Record<string, string>;
}

export interface HarnessOptions {
  readonly fake?: FakeBinanceOptions;
  readonly account?: BinanceAccountOptions;
  /** Governor limits instead of exchangeInfo's. */
  readonly limits?: readonly RateLimitRule[];
  readonly boundaryGuardMs?: number;
}

export interface Harness {
  readonly fake: FakeBinance;
  readonly account: BinanceAccount;
  readonly governor: BinanceRateGovernor;
  readonly timeSync: BinanceTimeSync;
  readonly instruments: BinanceInstruments;
  readonly logger: Logger;
  /** Signed REST requests the account sent, in order. */
  readonly requests: CapturedRequest[];
  /** Every log line written during the test. */
  readonly logLines: string[];
  /** Errors a test saw, to be checked for secrets. */
  readonly errors: unknown[];
  /** Runs `fn` and returns the error it rejects with (recorded for the secrets check). */
  failure(fn: () => Promise<unknown>): Promise<unknown>;
  /** A resting order of the maker account: the liquidity the trader's orders take. */
  makerOrder(side: 'BUY' | 'SELL', price: string, quantity: string, symbol?: string): void;
  /** The trader's every order on a symbol at the fake, whatever its state. */
  allOrders(symbol?: string): ReturnType<FakeBinance['handle']['engine']['allOrders']>;
  balance(asset: string): { free: string; locked: string };
  close(): Promise<void>;
}

const harnesses = new Set<Harness>();
/** Everything any harness of this file logged or saw, for the suite-wide secrets check. */
export const seen = { logLines: [] as string[], errors: [] as unknown[] };

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeBinance({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    accounts: [
      {
        id: 'trader',
        apiKey: TRADER_API_KEY,
        secretKey: TRADER_SECRET,
        balances: { BTC: '10', ETH: '100', USDT: '1000000' },
      },
      {
        id: 'maker',
        apiKey: MAKER_API_KEY,
        secretKey: MAKER_SECRET,
        balances: { BTC: '1000', ETH: '10000', USDT: '100000000' },
      },
    ],
    ...options.fake,
  });
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: {
      write: (line: string) => {
        logLines.push(line);
        seen.logLines.push(line);
      },
    },
  });
  const clock = systemClock;
  let timeSync: BinanceTimeSync | undefined;
  const governor = new BinanceRateGovernor({
    clock,
    logger,
    offsetMs: () => timeSync?.offsetMs ?? 0,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.boundaryGuardMs === undefined ? {} : { boundaryGuardMs: options.boundaryGuardMs }),
  });
  const http = new BinanceHttpClient({ baseUrl: fake.restUrl, gate: governor, clock, logger });
  const publicApi = new BinancePublicApi(http);
  const instruments = new BinanceInstruments(publicApi, {
    clock,
    ...(options.limits ? {} : { onRateLimits: (limits) => governor.configure(rulesFromRateLimits(limits)) }),
  });
  timeSync = new BinanceTimeSync({
    fetchServerTime: async () => (await publicApi.getTime()).serverTime,
    clock,
    logger,
    samples: 3,
  });
  const requests: CapturedRequest[] = [];
  const capture = ky.create({
    hooks: {
      beforeRequest: [
        async (request) => {
          const url = new URL(request.url);
          const body = request.body ? await request.clone().text() : '';
          const params = Object.fromEntries(new URLSearchParams(`${url.search.slice(1)}&${body}`));
          delete params.signature;
          delete params[''];
          requests.push({ method: request.method, path: url.pathname, params });
        },
      ],
    },
  });
  const account = new BinanceAccount(
    createCredentials({ apiKey: TRADER_API_KEY, secret: TRADER_SECRET }),
    {
      restUrl: fake.restUrl,
      wsApiUrl: fake.wsApiUrl,
      gate: governor,
      instruments,
      venueClock: timeSync,
      clock,
      logger,
      ky: capture,
    },
    { userId: 'alice', ...options.account },
  );
  const errors: unknown[] = [];
  const engine = fake.handle.engine;
  const harness: Harness = {
    fake,
    account,
    governor,
    timeSync,
    instruments,
    logger,
    requests,
    logLines,
    errors,
    async failure(fn) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
        seen.errors.push(error);
        return error;
      }
      throw new Error('expected a rejection');
    },
    makerOrder(side, price, quantity, symbol = 'BTCUSDT') {
      engine.placeOrder('maker', {
        symbol,
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: new Decimal(price),
        quantity: new Decimal(quantity),
      });
    },
    allOrders(symbol = 'BTCUSDT') {
      return engine.allOrders('trader', { symbol, orderId: 0, limit: 1000 });
    },
    balance(asset) {
      const found = fake.handle.balances('trader').find((b) => b.asset === asset);
      return { free: found?.free.toString() ?? '0', locked: found?.locked.toString() ?? '0' };
    },
    async close() {
      harnesses.delete(harness);
      await account.close();
      governor.close();
      timeSync?.close();
      await fake.close();
    },
  };
  harnesses.add(harness);
  return harness;
}

/** Collects user data events; `until` waits for a condition over them. */
export function collector() {
  const events: UserDataEvent[] = [];
  const waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  const observer: StreamObserver<UserDataEvent> = {
    next(event) {
      events.push(event);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.test()) waiters.splice(i, 1)[0]!.resolve();
      }
    },
  };
  return {
    events,
    observer,
    fills: () => events.flatMap((e) => (e.type === 'fill' ? [e.fill] : [])),
    orders: () => events.flatMap((e) => (e.type === 'order' ? [e] : [])),
    until(test: () => boolean, timeoutMs = 20_000): Promise<void> {
      if (test()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`condition not met within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** Polls `test` until it holds, with a deadline: no fixed sleeps. */
export async function eventually(
  test: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asserts that no secret appears in any log line or error collected so far. */
export function leakedSecrets(): string[] {
  const texts = [
    ...seen.logLines,
    ...seen.errors.flatMap((error) => [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      error instanceof Error ? (error.stack ?? '') : '',
    ]),
  ];
  const leaks: string[] = [];
  for (const text of texts) {
    for (const secret of SECRETS)
      if (text.includes(secret)) leaks.push(`${secret.slice(0, 16)}… in ${text.slice(0, 200)}`);
  }
  return leaks;
}
