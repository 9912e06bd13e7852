import { randomBytes } from 'node:crypto';
import { BINANCE_URLS, BinanceAdapter, type BinanceUrls } from '@venuekit/adapter-binance';
import {
  type AccountClient,
  createVenuekit,
  Decimal,
  disposeCredentials,
  isTerminalStatus,
  isVenuekitError,
  type Logger,
  type OrderBookSnapshot,
  silentLogger,
  type Ticker,
  type Trade,
  type UnifiedSymbol,
} from '@venuekit/core';
import { streamsModule } from '@venuekit/streams';
import { binanceModule } from '@venuekit/adapter-binance';
import { type Env, productionKeysFromEnv, testnetUsersFromEnv } from './env';
import type { DemoUserKeys } from './user-desk';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was seen, or why it was skipped or failed. Never a key or a balance. */
  readonly detail: string;
  readonly durationMs: number;
}

export interface LiveChecksOptions {
  /** Where keys come from. Default process.env. */
  readonly env?: Env;
  /** Binance production. Default BINANCE_URLS.prod; tests point it at the fake exchange. */
  readonly production?: BinanceUrls;
  /** Binance's spot testnet. Default BINANCE_URLS.testnet. */
  readonly testnet?: BinanceUrls;
  readonly symbol?: UnifiedSymbol;
  /** How long a reachability probe may take. Default 5 s. */
  readonly probeTimeoutMs?: number;
  /** How long each check may wait for the venue. Default 30 s. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

/** Why `restUrl` cannot be reached (no internet, DNS, refused…), or undefined when it answers. */
export async function unreachable(restUrl: string, timeoutMs = 5_000): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('/api/v3/ping', restUrl), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.ok ? undefined : `${new URL(restUrl).host} answered HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return `${new URL(restUrl).host} is not reachable (${why})`;
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function describeError(error: unknown): string {
  if (isVenuekitError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function timed(
  name: string,
  run: () => Promise<Omit<CheckResult, 'name' | 'durationMs'>>,
): Promise<CheckResult> {
  const started = Date.now();
  try {
    return { name, ...(await run()), durationMs: Date.now() - started };
  } catch (error) {
    return { name, status: 'failed', detail: describeError(error), durationMs: Date.now() - started };
  }
}

/**
 * The release-time checks against real Binance, each gated on what the machine has: public
 * streams from production (internet), read-only private calls on production (and a key), a
 * non-marketable order placed and canceled on the testnet (and a testnet key), with the
 * cleanup confirmed. A part that cannot run says why it was skipped.
 */
export async function runLiveChecks(options: LiveChecksOptions = {}): Promise<CheckResult[]> {
  const env = options.env ?? process.env;
  const production = options.production ?? BINANCE_URLS.prod;
  const testnet = options.testnet ?? BINANCE_URLS.testnet;
  const symbol = options.symbol ?? 'BTC/USDT';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const probeMs = options.probeTimeoutMs ?? 5_000;
  const logger = options.logger ?? silentLogger;
  const [productionProblem, testnetProblem] = await Promise.all([
    unreachable(production.rest, probeMs),
    unreachable(testnet.rest, probeMs),
  ]);
  const results: CheckResult[] = [];

  results.push(
    await timed('public streams (production)', async () => {
      if (productionProblem) return { status: 'skipped', detail: `no internet: ${productionProblem}` };
      return publicStreams(production, symbol, timeoutMs, logger);
    }),
  );

  let productionKeys: DemoUserKeys | undefined;
  let testnetKeys: DemoUserKeys | undefined;
  let keyProblem: string | undefined;
  try {
    productionKeys = productionKeysFromEnv(env);
    testnetKeys = testnetUsersFromEnv(env)[0];
  } catch (error) {
    keyProblem = describeError(error);
  }

  try {
    await runKeyedChecks();
  } finally {
    // Keys that a skipped part never used are forgotten too.
    for (const keys of [productionKeys, testnetKeys]) if (keys) disposeCredentials(keys.credentials);
  }
  return results;

  async function runKeyedChecks(): Promise<void> {
    results.push(
      await timed('private read-only calls (production)', async () => {
        if (productionProblem) return { status: 'skipped', detail: `no internet: ${productionProblem}` };
        if (keyProblem) return { status: 'failed', detail: keyProblem };
        if (!productionKeys) {
          return {
            status: 'skipped',
            detail: 'no key: set BINANCE_API_KEY and BINANCE_SECRET_KEY (read-only is enough)',
          };
        }
        return privateReadOnly(production, productionKeys, symbol, timeoutMs, logger);
      }),
    );

    results.push(
      await timed('order placed and canceled (testnet)', async () => {
        if (testnetProblem) return { status: 'skipped', detail: `no internet: ${testnetProblem}` };
        if (keyProblem) return { status: 'failed', detail: keyProblem };
        if (!testnetKeys) {
          return {
            status: 'skipped',
            detail: 'no testnet key: set BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_SECRET_KEY',
          };
        }
        return testnetOrder(testnet, testnetKeys, symbol, timeoutMs, logger);
      }),
    );
  }
}

async function publicStreams(
  urls: BinanceUrls,
  symbol: UnifiedSymbol,
  timeoutMs: number,
  logger: Logger,
): Promise<Omit<CheckResult, 'name' | 'durationMs'>> {
  const venuekit = createVenuekit({ logger, modules: [binanceModule({ urls }), streamsModule()] });
  try {
    const started = Date.now();
    const first = <T>(
      kind: string,
      subscribe: (done: (value: T) => void) => { unsubscribe(): Promise<void> },
    ) =>
      withDeadline(
        new Promise<{ value: T; afterMs: number }>((resolve) => {
          const subscription = subscribe((value) => {
            resolve({ value, afterMs: Date.now() - started });
            void subscription.unsubscribe();
          });
        }),
        timeoutMs,
        `${symbol} ${kind}`,
      );
    const { streams } = venuekit;
    const [trade, ticker, book] = await Promise.all([
      first<Trade>('trade', (done) => streams.subscribe({ kind: 'trades', symbol }, done)),
      first<Ticker>('ticker', (done) => streams.subscribe({ kind: 'ticker', symbol }, done)),
      first<OrderBookSnapshot>('order book', (done) =>
        streams.subscribe({ kind: 'orderBook', symbol }, (update) => done(update.book.snapshot(1))),
      ),
    ]);
    const bid = book.value.bids[0]?.price;
    const ask = book.value.asks[0]?.price;
    if (!bid || !ask || bid.gte(ask)) {
      return {
        status: 'failed',
        detail: `the ${symbol} book is not sane: bid ${bid?.toString()} ask ${ask?.toString()}`,
      };
    }
    return {
      status: 'passed',
      detail:
        `${symbol}: first trade after ${trade.afterMs} ms (${trade.value.price.toString()}), ticker after ${ticker.afterMs} ms, ` +
        `book in sync after ${book.afterMs} ms (bid ${bid.toString()} < ask ${ask.toString()})`,
    };
  } finally {
    await venuekit.close();
  }
}

async function privateReadOnly(
  urls: BinanceUrls,
  keys: DemoUserKeys,
  symbol: UnifiedSymbol,
  timeoutMs: number,
  logger: Logger,
): Promise<Omit<CheckResult, 'name' | 'durationMs'>> {
  const adapter = new BinanceAdapter({ urls }, { logger });
  const { credentials } = keys;
  const account = adapter.createAccount(credentials, { userId: 'smoke' });
  try {
    await withDeadline(account.verifyCredentials(), timeoutMs, 'answer to the credentials check');
    const [balances, open, fills] = await withDeadline(
      Promise.all([
        account.getBalances(),
        account.getOpenOrders(symbol),
        account.getTrades(symbol, { limit: 5 }),
      ]),
      timeoutMs,
      'answer to the read-only calls',
    );
    // Counts only: the smoke output must not show anyone's money.
    return {
      status: 'passed',
      detail: `key accepted; ${balances.length} balances, ${open.length} open ${symbol} orders, ${fills.length} recent fills read`,
    };
  } finally {
    await account.close();
    disposeCredentials(credentials);
    await adapter.close();
  }
}

async function testnetOrder(
  urls: BinanceUrls,
  keys: DemoUserKeys,
  symbol: UnifiedSymbol,
  timeoutMs: number,
  logger: Logger,
): Promise<Omit<CheckResult, 'name' | 'durationMs'>> {
  const adapter = new BinanceAdapter({ urls }, { logger });
  const { credentials } = keys;
  const account = adapter.createAccount(credentials, { userId: 'smoke', clientOrderIdPrefix: 'vksmoke' });
  const clientOrderId = `vksmoke${randomBytes(6).toString('hex')}`;
  try {
    let result: Omit<CheckResult, 'name' | 'durationMs'>;
    try {
      result = await placeAndCancel(adapter, account, symbol, clientOrderId, timeoutMs);
    } catch (error) {
      result = { status: 'failed', detail: describeError(error) };
    }
    // Whatever happened, the smoke order must not stay on the venue: confirm it.
    const leftover = await cleanUp(account, symbol, clientOrderId, timeoutMs);
    if (leftover) return { status: 'failed', detail: `${result.detail}; cleanup: ${leftover}` };
    return result;
  } finally {
    await account.close();
    disposeCredentials(credentials);
    await adapter.close();
  }
}

async function placeAndCancel(
  adapter: BinanceAdapter,
  account: AccountClient,
  symbol: UnifiedSymbol,
  clientOrderId: string,
  timeoutMs: number,
): Promise<Omit<CheckResult, 'name' | 'durationMs'>> {
  const instrument = await withDeadline(adapter.instruments.get(symbol), timeoutMs, 'instrument');
  const book = await withDeadline(adapter.rest.fetchOrderBook(symbol, 5), timeoutMs, 'order book');
  const bestBid = book.bids[0]?.price;
  if (!bestBid) return { status: 'failed', detail: `the testnet ${symbol} book has no bids` };
  // 20 % under the best bid: inside Binance's price band, far from filling.
  const price = floorTo(bestBid.mul('0.8'), instrument.tickSize);
  const minNotional = instrument.minNotional.gt(0) ? instrument.minNotional : new Decimal(10);
  let quantity = ceilTo(minNotional.mul('1.2').div(price), instrument.stepSize);
  if (quantity.lt(instrument.minQuantity)) quantity = instrument.minQuantity;
  const placed = await withDeadline(
    account.placeOrder({
      symbol,
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      price,
      quantity,
      clientOrderId,
    }),
    timeoutMs,
    'answer to the order',
  );
  if (placed.status !== 'new')
    return { status: 'failed', detail: `the order is ${placed.status}, expected it to rest` };
  const seen = await withDeadline(account.getOrder({ symbol, clientOrderId }), timeoutMs, 'order query');
  if (seen.status !== 'new')
    return { status: 'failed', detail: `the venue reports the order ${seen.status}` };
  const canceled = await withDeadline(
    account.cancelOrder({ symbol, clientOrderId }),
    timeoutMs,
    'answer to the cancel',
  );
  if (canceled.status !== 'canceled')
    return { status: 'failed', detail: `after the cancel the order is ${canceled.status}` };
  return {
    status: 'passed',
    detail: `order ${placed.id} rested at ${price.toString()} for ${quantity.toString()} ${symbol}, canceled; cleanup confirmed (no open order left)`,
  };
}

/** Makes sure the smoke order is not open; returns what is wrong when that cannot be confirmed. */
async function cleanUp(
  account: AccountClient,
  symbol: UnifiedSymbol,
  clientOrderId: string,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const order = await withDeadline(account.getOrder({ symbol, clientOrderId }), timeoutMs, 'order query');
    if (!isTerminalStatus(order.status)) {
      await withDeadline(
        account.cancelOrder({ symbol, clientOrderId }),
        timeoutMs,
        'answer to the cleanup cancel',
      );
    }
    const open = await withDeadline(account.getOpenOrders(symbol), timeoutMs, 'open orders');
    if (open.some((o) => o.clientOrderId === clientOrderId))
      return `order ${clientOrderId} is still open: cancel it by hand`;
    return undefined;
  } catch (error) {
    // Never placed: nothing to clean.
    if (isVenuekitError(error) && error.code === 'ORDER_NOT_FOUND') return undefined;
    return `could not confirm that ${clientOrderId} is gone (${describeError(error)}): check the testnet account`;
  }
}

function floorTo(value: Decimal, step: Decimal): Decimal {
  return step.gt(0) ? value.div(step).floor().mul(step) : value;
}

function ceilTo(value: Decimal, step: Decimal): Decimal {
  return step.gt(0) ? value.div(step).ceil().mul(step) : value;
}
