import { BinanceAdapter } from '@venuekit/adapter-binance';
import {
  createLogger,
  Decimal,
  ExchangeRegistry,
  type Logger,
  type Order,
  type OrderRequestInput,
  type StreamStatus,
  telemetry,
} from '@venuekit/core';
import { StreamManager } from '@venuekit/streams';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import {
  type OrderUpdate,
  type SessionStatusEvent,
  type TradingSession,
  UserManager,
} from '@venuekit/trading';
import { registerTestSecret, scanForSecrets } from '../guard/secret-guard';
import { BookReference } from './book-reference';
import { ChaosMonkey } from './chaos';
import { type OrderFigures, type OrderIntent, OrderLedger } from './order-ledger';
import { SeededRandom } from './rng';
import { type TradeFigures, TradeLedger } from './trade-ledger';

export interface SoakOptions {
  /** Seeds the fault schedule, the users' orders and the simulated market. */
  readonly seed: number;
  /** How long faults are injected and users trade. */
  readonly durationMs: number;
  /** Default 10. */
  readonly users?: number;
  /** Native symbols, default BTCUSDT, ETHUSDT, BNBUSDT. */
  readonly symbols?: readonly string[];
  /** Mean pause between faults. Default 700 ms. */
  readonly faultIntervalMs?: number;
  /** Mean pause between one user's actions. Default 900 ms. */
  readonly actionIntervalMs?: number;
  /** How long the system may take to settle once faults stop. Default 60 s. */
  readonly settleTimeoutMs?: number;
  /** Every log line (info and above) is also written here, e.g. a file stream for `--log`. */
  readonly logSink?: { write(line: string): unknown };
  /** Log level of the system under test. Default `info`. */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn';
  /** Called every few seconds with the running figures. */
  readonly onProgress?: (progress: SoakProgress) => void;
}

export interface SoakProgress {
  readonly elapsedMs: number;
  readonly faults: number;
  readonly orders: number;
  readonly bookChecks: number;
  readonly trades: number;
  readonly heapMb: number;
  /** The adapter's rate governor: requests waiting, and whether a 429 back-off or a 418 ban holds them. */
  readonly rateLimit: string;
}

export interface SoakReport {
  readonly seed: number;
  readonly durationMs: number;
  readonly users: number;
  readonly symbols: readonly string[];
  readonly faults: { readonly total: number; readonly byKind: Readonly<Record<string, number>> };
  readonly reconnects: number;
  readonly connectionsClosed: number;
  readonly resyncs: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  readonly discardedFrames: number;
  readonly books: { readonly checks: number; readonly divergences: number; readonly finalChecks: number };
  readonly trades: TradeFigures;
  readonly orders: OrderFigures & { readonly cancels: number };
  readonly balances: { readonly checked: number; readonly divergences: number };
  readonly unhandled: { readonly rejections: number; readonly exceptions: number };
  readonly logLines: Readonly<Record<string, number>>;
  readonly secretFindings: number;
  readonly heap: {
    readonly samples: number;
    readonly afterWarmupMb: number;
    readonly endMb: number;
    readonly growthMb: number;
  };
  /** The first problems found; empty when the run passed. */
  readonly problems: readonly string[];
  readonly passed: boolean;
  readonly elapsedMs: number;
}

const DEFAULT_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];

/** Test credentials of the soak's users: recognisable (the LEAKCHECK marker) wherever they leak. */
export function soakCredentials(index: number): { apiKey: string; secretKey: string } {
  return {
    apiKey: `LEAKCHECKsoakApiKey${index}x`.padEnd(64, 'K'),
    secretKey: `LEAKCHECKsoakSecret${index}x`.padEnd(64, 'S'),
  };
}

interface SymbolRules {
  readonly native: string;
  readonly unified: string;
  readonly tick: Decimal;
  readonly step: Decimal;
  readonly minNotional: Decimal;
}

/**
 * The chaos soak: several symbols' order books and trades streaming, users trading, while the fake
 * Binance injects faults at random but reproducibly. Checked throughout and at the end: books that
 * say they are in sync equal the exchange's, trades are neither doubled nor silently lost, every
 * order intent is placed at most once and ends as the exchange has it, balances match, nothing is
 * unhandled, and the heap stays flat.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const seed = options.seed;
  const root = new SeededRandom(seed);
  const userCount = options.users ?? 10;
  const symbols = options.symbols ?? DEFAULT_SYMBOLS;
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 60) problems.push(text);
  };
  const closers: Array<() => unknown> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        problem(`closing: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  // Everything unhandled is counted (and under vitest also fails the run).
  const unhandled = { rejections: 0, exceptions: 0 };
  const onRejection = (reason: unknown) => {
    unhandled.rejections++;
    problem(`unhandled rejection: ${describe(reason)}`);
  };
  const onException = (error: unknown) => {
    unhandled.exceptions++;
    problem(`uncaught exception (an 'error' event nobody handled?): ${describe(error)}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  closers.push(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });

  // Telemetry figures.
  const counters = { reconnects: 0, closed: 0, resyncs: 0, discarded: 0 };
  const resyncReasons: Record<string, number> = {};
  const offs = [
    telemetry.connectionReconnecting.subscribe(() => counters.reconnects++),
    telemetry.connectionClosed.subscribe(() => counters.closed++),
    telemetry.bookResync.subscribe((event) => {
      counters.resyncs++;
      resyncReasons[event.reason] = (resyncReasons[event.reason] ?? 0) + 1;
    }),
    telemetry.messageDiscarded.subscribe(() => counters.discarded++),
  ];
  closers.push(() => {
    for (const off of offs) off();
  });

  // Every log line at info and above, counted by level; the guard scans them for secrets.
  const logLines: Record<string, number> = {};
  const logger: Logger = createLogger({
    level: options.logLevel ?? 'info',
    destination: {
      write(line: string) {
        options.logSink?.write(line);
        const level = /"level":(\d+)/.exec(line)?.[1] ?? '?';
        const name = LEVELS[level] ?? level;
        logLines[name] = (logLines[name] ?? 0) + 1;
      },
    },
  });
  let secretFindings = 0;
  const scan = (value: unknown, source: string) => {
    secretFindings += scanForSecrets(value, source).length;
  };

  const credentials = Array.from({ length: userCount }, (_, i) => soakCredentials(i));
  for (const { apiKey, secretKey } of credentials) {
    registerTestSecret(apiKey);
    registerTestSecret(secretKey);
  }

  let fake: FakeBinance;
  try {
    fake = await startFakeBinance({
      symbols,
      seed,
      simulation: { rate: 8 },
      // Bounded history reaches its bound within the warm-up, so what the heap still gains after it is growth.
      history: { trades: 1000, perAccount: 200 },
      accounts: credentials.map((keys, i) => ({
        id: `u${i}`,
        ...keys,
        balances: { BTC: '20', ETH: '400', BNB: '4000', USDT: '2000000' },
      })),
      // Binance's hours shrunk to seconds, so a short run sees every timer fire many times.
      limits: {
        pingIntervalMs: 2000,
        pongTimeoutMs: 4000,
        maxConnectionLifetimeMs: 20_000,
        connectionAttempts: 100_000,
        // Hours of reconnect storms (each a catch-up over REST per user) happen here in minutes.
        requestWeight: 60_000,
        firstBanMs: 2000,
        maxBanMs: 4000,
      },
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  closers.push(() => fake.close());
  const engine = fake.handle.engine;

  const adapter = new BinanceAdapter(
    {
      urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
      rest: { timeoutMs: 3000 },
      streams: {
        pingIntervalMs: 1000,
        pongTimeoutMs: 1500,
        silenceTimeoutMs: 2500,
        maxLifetimeMs: 15_000,
        requestTimeoutMs: 3000,
        connectTimeoutMs: 3000,
        reorderWindowMs: 300,
        maxConnectionAttempts: 100_000,
        reconnect: { initialDelayMs: 50, maxDelayMs: 1000, circuitFailureThreshold: 50, circuitOpenMs: 1000 },
      },
      orderBook: { snapshotLimit: 1000, resyncInitialDelayMs: 100, resyncMaxDelayMs: 2000 },
    },
    {
      logger,
      trading: {
        requestTimeoutMs: 3000,
        unknownOrderTimeoutMs: 6000,
        reconcileInitialDelayMs: 100,
        reconcileMaxDelayMs: 1000,
        reconcileSettleMarginMs: 1000,
        wsApiConnection: {
          pingIntervalMs: 1000,
          pongTimeoutMs: 1500,
          silenceTimeoutMs: 2500,
          backoff: { initialMs: 50, maxMs: 1000 },
          circuit: { failureThreshold: 50, openMs: 1000 },
          // The fake's bans last seconds, not Binance's minutes.
          refusedRetryMs: 1500,
        },
      },
    },
  );
  closers.push(() => adapter.close());
  const registry = new ExchangeRegistry([adapter]);
  const streams = new StreamManager({ registry, logger });
  closers.push(() => streams.close());
  const manager = new UserManager({
    adapters: adapter,
    logger,
    maxClosedOrders: 200,
    maxRememberedFills: 500,
  });
  closers.push(() => manager.close());

  const rules: SymbolRules[] = symbols.map((native) => {
    const info = engine.symbol(native);
    const filter = (type: string) =>
      info.filters.find((f) => (f as { filterType: string }).filterType === type) as
        | Record<string, string>
        | undefined;
    return {
      native,
      unified: `${info.baseAsset}/${info.quoteAsset}`,
      tick: new Decimal(filter('PRICE_FILTER')?.tickSize ?? '0.01'),
      step: new Decimal(filter('LOT_SIZE')?.stepSize ?? '0.0001'),
      minNotional: new Decimal(filter('NOTIONAL')?.minNotional ?? '5'),
    };
  });

  // Books: subscribed on the adapter itself, so each update is checked the moment it is applied.
  const books = rules.map((rule) => ({
    rule,
    reference: new BookReference(engine, rule.native),
    inSync: false,
    live: undefined as Parameters<BookReference['compare']>[0] | undefined,
    checks: 0,
    divergences: 0,
    lastCheckedAt: 0,
  }));
  closers.push(() => {
    for (const book of books) book.reference.close();
  });
  for (const book of books) {
    const subscription = adapter.marketData.subscribe(
      { kind: 'orderBook', symbol: book.rule.unified },
      {
        next: (update) => {
          book.live = update.book;
          if (update.resynced) book.inSync = true;
          if (!book.inSync) return;
          const difference = book.reference.compare(update.book);
          book.checks++;
          book.lastCheckedAt = Date.now();
          if (difference !== undefined) {
            book.divergences++;
            problem(`${book.rule.native} book at ${update.book.updateId} (says in sync): ${difference}`);
            // Keep checking later updates rather than reporting every one after this.
            book.inSync = false;
          }
        },
        status: (status: StreamStatus) => {
          if (status.type === 'stale' || status.type === 'reconnecting') book.inSync = false;
          if (status.type === 'resynced') book.inSync = true;
        },
        error: (error) => problem(`${book.rule.native} book stream failed: ${error.message}`),
      },
    );
    closers.push(() => subscription.unsubscribe());
    await subscription.ready;
  }

  // Trades: through the streams package's fan-out, with a queue large enough never to drop.
  const ledgers = rules.map((rule) => new TradeLedger(engine, rule.native));
  closers.push(() => {
    for (const ledger of ledgers) ledger.close();
  });
  const tradeSubscriptions = rules.map((rule, i) => {
    const ledger = ledgers[i] as TradeLedger;
    return streams.subscribe(
      { kind: 'trades', symbol: rule.unified },
      {
        next: (trade) => ledger.onTrade(trade),
        status: (status) => ledger.onStatus(status),
        error: (error) => problem(`${rule.native} trade stream failed: ${error.message}`),
      },
      { policy: 'drop_oldest', capacity: 1_000_000, id: `soak-trades-${rule.native}` },
    );
  });
  for (const subscription of tradeSubscriptions) {
    closers.push(() => subscription.unsubscribe());
    await subscription.ready;
  }

  // Users.
  const sessions = new Map<string, TradingSession>();
  for (let i = 0; i < userCount; i++) {
    const { apiKey, secretKey } = credentials[i] as { apiKey: string; secretKey: string };
    const session = await manager.connectUser(`u${i}`, apiKey, secretKey, { clientOrderIdPrefix: `s${i}` });
    // The tracker's starting balances; the user data stream keeps them current from here.
    await session.getBalances();
    sessions.set(`u${i}`, session);
  }
  const chaos = new ChaosMonkey(fake, root.fork('faults'), {
    symbols,
    meanIntervalMs: options.faultIntervalMs ?? 700,
  });
  closers.push(() => chaos.stop());
  const userEvents: { at: number; text: string }[] = [];
  const orders = new OrderLedger(engine, new Set(sessions.keys()), (from, to) => {
    const faults = chaos.faultsBetween(from, to).join(', ');
    const users = userEvents.filter((e) => e.at >= from && e.at <= to).map((e) => e.text);
    return `faults [${faults}] sessions [${users.join(', ')}]`;
  });
  closers.push(() => orders.close());
  for (const [userId, session] of sessions) {
    const subscription = await session.subscribe('orders', (event) => {
      const update = event.data as OrderUpdate;
      orders.noteTracked(userId, update.order, update.source);
    });
    closers.push(() => subscription.unsubscribe());
    const statuses = await session.subscribe('status', (event) => {
      const status = event.data as SessionStatusEvent;
      userEvents.push({
        at: Date.now(),
        text: `${userId} ${status.state}/${status.userData}${status.reason ? ` (${status.reason})` : ''}`,
      });
      if (userEvents.length > 4000) userEvents.splice(0, 2000);
    });
    closers.push(() => statuses.unsubscribe());
  }
  let cancels = 0;
  const lookup = (intent: OrderIntent): Order | undefined =>
    sessions.get(intent.userId)?.trackedOrder({ symbol: intent.symbol, clientOrderId: intent.clientOrderId });

  // Heap: sampled after a forced collection when the process allows it (--expose-gc).
  const heapSamples: { at: number; mb: number }[] = [];
  const sampleHeap = () => {
    (globalThis as { gc?: () => void }).gc?.();
    heapSamples.push({ at: Date.now(), mb: process.memoryUsage().heapUsed / 1048576 });
  };

  let running = true;
  const actionMean = options.actionIntervalMs ?? 900;
  const userLoops = [...sessions].map(async ([userId, session], index) => {
    const rng = root.fork(`user-${index}`);
    let sequence = 0;
    while (running) {
      await pause(Math.min(5000, rng.exponential(actionMean)), () => running);
      if (!running) break;
      const rule = rng.pick(rules);
      const open = session.trackedOpenOrders();
      const action = open.length > 12 ? 'cancel' : rng.weighted(ACTIONS);
      if (action === 'cancel') {
        const target = open.length > 0 ? rng.pick(open) : undefined;
        if (!target) continue;
        cancels++;
        try {
          await session.cancelOrder({ symbol: target.symbol, orderId: target.id });
        } catch (error) {
          scan(error, 'cancel error');
        }
        continue;
      }
      const request = orderRequest(
        action,
        rule,
        rng,
        engine.bookTicker(rule.native),
        engine.lastPrice(rule.native)?.price,
      );
      if (!request) continue;
      const clientOrderId = `s${seed % 1000}u${index}n${sequence++}`;
      const transport = rng.chance(0.5) ? 'websocket' : 'rest';
      const intent: OrderIntent = {
        userId,
        accountId: userId,
        symbol: rule.unified,
        nativeSymbol: rule.native,
        clientOrderId,
        transport,
        sentAt: Date.now(),
        history: [],
      };
      orders.add(intent);
      try {
        const order = await session.placeOrder({ ...request, clientOrderId }, { transport });
        orders.settle(intent, { order });
      } catch (error) {
        scan(error, 'order error');
        orders.settle(intent, { error });
      }
    }
  });

  // The run.
  sampleHeap();
  chaos.start();
  const chaosEnds = started + options.durationMs;
  // Long enough for the bounded histories (engine, trackers) to fill: about three minutes of orders.
  const warmupEnds = started + Math.min(options.durationMs * 0.3, 240_000);
  let lastProgress = 0;
  while (Date.now() < chaosEnds) {
    await sleep(Math.min(2000, Math.max(0, chaosEnds - Date.now())));
    sampleHeap();
    orders.verify(lookup, { minAgeMs: 15_000, final: false });
    if (options.onProgress && Date.now() - lastProgress >= 10_000) {
      lastProgress = Date.now();
      options.onProgress({
        elapsedMs: Date.now() - started,
        faults: chaos.total,
        orders: orders.figures.intents,
        bookChecks: books.reduce((sum, book) => sum + book.checks, 0),
        trades: ledgers.reduce((sum, ledger) => sum + ledger.figures.delivered, 0),
        heapMb: heapSamples.at(-1)?.mb ?? 0,
        rateLimit: describeRateLimit(adapter, fake),
      });
    }
  }
  running = false;
  chaos.stop();
  await Promise.all(userLoops);

  // Settling: every book back in sync and checked, every trade stream caught up, every session
  // connected with nothing left to reconcile.
  const settleDeadline = Date.now() + (options.settleTimeoutMs ?? 60_000);
  const stoppedAt = Date.now();
  const settled = () =>
    books.every((book) => book.inSync && book.lastCheckedAt > stoppedAt) &&
    ledgers.every((ledger) => ledger.caughtUp) &&
    [...sessions.values()].every(
      (s) => s.status().unknownOrders === 0 && s.status().userData === 'connected',
    );
  while (!settled() && Date.now() < settleDeadline) await sleep(100);
  if (!settled()) {
    for (const book of books) {
      if (!(book.inSync && book.lastCheckedAt > stoppedAt))
        problem(`${book.rule.native} book never came back in sync`);
    }
    for (const ledger of ledgers) {
      if (!ledger.caughtUp) {
        problem(
          `${ledger.symbol} trades stopped at ${ledger.lastDelivered}; the exchange is at ${ledger.engineLast}`,
        );
      }
    }
    for (const [userId, session] of sessions) {
      const status = session.status();
      if (status.unknownOrders !== 0 || status.userData !== 'connected') {
        problem(`${userId}: user data ${status.userData}, ${status.unknownOrders} orders still unknown`);
      }
    }
  }

  // The final comparison with the market still: the simulation paused, the trackers given time.
  fake.handle.simulation?.pause();
  const finalDeadline = Date.now() + 20_000;
  while (orders.verify(lookup, { minAgeMs: 0, final: false }) > 0 && Date.now() < finalDeadline)
    await sleep(200);
  orders.verify(lookup, { minAgeMs: 0, final: true });

  let finalChecks = 0;
  for (const book of books) {
    const until = Date.now() + 10_000;
    const exchangeAt = engine.depth(book.rule.native).lastUpdateId;
    let difference: string | undefined = 'not checked';
    while (Date.now() < until) {
      const current = book.live;
      if (current && book.inSync && Number(current.updateId) === exchangeAt) {
        difference = book.reference.compare(current);
        break;
      }
      await sleep(100);
    }
    finalChecks++;
    if (difference !== undefined) {
      book.divergences++;
      problem(`${book.rule.native} book after the run: ${difference}`);
    }
  }

  let balancesChecked = 0;
  let balanceDivergences = 0;
  for (const [userId, session] of sessions) {
    const truth = balanceMap(
      engine.balances(userId).map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
    );
    const until = Date.now() + 10_000;
    let tracked = '';
    while (Date.now() < until) {
      tracked = balanceMap(
        session.trackedBalances().map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
      );
      if (tracked === truth) break;
      await sleep(100);
    }
    balancesChecked++;
    if (tracked !== truth) {
      balanceDivergences++;
      problem(`${userId}: tracked balances ${tracked}, exchange ${truth}`);
    }
    try {
      const fetched = balanceMap(
        (await session.getBalances()).map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
      );
      if (fetched !== truth) {
        balanceDivergences++;
        problem(`${userId}: fetched balances ${fetched}, exchange ${truth}`);
      }
    } catch (error) {
      problem(`${userId}: getBalances failed after the run: ${describe(error)}`);
    }
  }

  const dropped = tradeSubscriptions.reduce((sum, s) => sum + s.figures().dropped, 0);
  if (dropped > 0) problem(`the streams queue dropped ${dropped} trades`);
  for (const ledger of ledgers) problems.push(...ledger.problems.slice(0, 10));
  problems.push(...orders.problems.slice(0, 20));

  sampleHeap();
  await closeAll();

  const trades = ledgers.reduce<TradeFigures>(
    (sum, ledger) => {
      const f = ledger.figures;
      return {
        delivered: sum.delivered + f.delivered,
        duplicates: sum.duplicates + f.duplicates,
        lost: sum.lost + f.lost,
        reportedMissing: sum.reportedMissing + f.reportedMissing,
        backfilled: sum.backfilled + f.backfilled,
        wrongValues: sum.wrongValues + f.wrongValues,
      };
    },
    { delivered: 0, duplicates: 0, lost: 0, reportedMissing: 0, backfilled: 0, wrongValues: 0 },
  );
  const afterWarmup = heapSamples.filter((s) => s.at >= warmupEnds);
  const base = average(afterWarmup.slice(0, 3).map((s) => s.mb));
  const end = average(heapSamples.slice(-3).map((s) => s.mb));
  const orderFigures = orders.figures;
  const bookDivergences = books.reduce((sum, book) => sum + book.divergences, 0);
  const passed =
    problems.length === 0 &&
    trades.duplicates === 0 &&
    trades.lost === 0 &&
    trades.wrongValues === 0 &&
    orderFigures.doubled === 0 &&
    orderFigures.divergent === 0 &&
    bookDivergences === 0 &&
    balanceDivergences === 0 &&
    unhandled.rejections + unhandled.exceptions === 0 &&
    secretFindings === 0;
  return {
    seed,
    durationMs: options.durationMs,
    users: userCount,
    symbols,
    faults: { total: chaos.total, byKind: Object.fromEntries(chaos.counts) },
    reconnects: counters.reconnects,
    connectionsClosed: counters.closed,
    resyncs: { total: counters.resyncs, byReason: resyncReasons },
    discardedFrames: counters.discarded,
    books: {
      checks: books.reduce((sum, book) => sum + book.checks, 0),
      divergences: bookDivergences,
      finalChecks,
    },
    trades,
    orders: { ...orderFigures, cancels },
    balances: { checked: balancesChecked, divergences: balanceDivergences },
    unhandled,
    logLines,
    secretFindings,
    heap: {
      samples: heapSamples.length,
      afterWarmupMb: round(base),
      endMb: round(end),
      growthMb: round(end - base),
    },
    problems,
    passed,
    elapsedMs: Date.now() - started,
  };
}

const LEVELS: Readonly<Record<string, string>> = {
  '10': 'trace',
  '20': 'debug',
  '30': 'info',
  '40': 'warn',
  '50': 'error',
  '60': 'fatal',
};

type Action = 'passive' | 'marketable' | 'market' | 'cancel';
const ACTIONS: readonly (readonly [Action, number])[] = [
  ['passive', 45],
  ['marketable', 15],
  ['market', 10],
  ['cancel', 30],
];

function orderRequest(
  action: Exclude<Action, 'cancel'>,
  rule: SymbolRules,
  rng: SeededRandom,
  top: { bidPrice: Decimal; askPrice: Decimal },
  last: Decimal | undefined,
): OrderRequestInput | undefined {
  const mid = top.bidPrice.gt(0) && top.askPrice.gt(0) ? top.bidPrice.plus(top.askPrice).div(2) : last;
  if (!mid || mid.lte(0)) return undefined;
  const side = rng.chance(0.5) ? 'buy' : 'sell';
  const notional = rule.minNotional.times(rng.int(2, 8));
  const quantity = notional.div(mid).div(rule.step).ceil().times(rule.step);
  if (action === 'market')
    return { symbol: rule.unified, side, type: 'market', quantity: quantity.toString() };
  const ticks = rule.tick.times(rng.int(0, 40));
  const reference =
    side === 'buy' ? (top.bidPrice.gt(0) ? top.bidPrice : mid) : top.askPrice.gt(0) ? top.askPrice : mid;
  const price =
    action === 'passive'
      ? side === 'buy'
        ? reference.minus(ticks)
        : reference.plus(ticks)
      : side === 'buy'
        ? (top.askPrice.gt(0) ? top.askPrice : mid).plus(rule.tick.times(3))
        : (top.bidPrice.gt(0) ? top.bidPrice : mid).minus(rule.tick.times(3));
  if (price.lte(0)) return undefined;
  return {
    symbol: rule.unified,
    side,
    type: 'limit',
    timeInForce: 'GTC',
    price: price.toDecimalPlaces(8).toString(),
    quantity: quantity.toString(),
  };
}

function describeRateLimit(adapter: BinanceAdapter, fake: FakeBinance): string {
  const status = adapter.status().rateLimit;
  if (!status) return '';
  const now = Date.now();
  const parts = [`weight ${status.usedWeight}/${status.weightLimit} (fake ${fake.handle.usedWeight()})`];
  if (status.queued > 0) parts.push(`${status.queued} queued`);
  if (status.backoffUntil !== undefined && status.backoffUntil > now)
    parts.push(`429 back-off ${status.backoffUntil - now} ms`);
  if (status.bannedUntil !== undefined && status.bannedUntil > now)
    parts.push(`banned ${status.bannedUntil - now} ms`);
  return parts.join(', ');
}

function balanceMap(entries: readonly (readonly [string, string, string])[]): string {
  const trim = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  return entries
    .map(([asset, free, locked]) => [asset, trim(free), trim(locked)] as const)
    .filter(([, free, locked]) => free !== '0' || locked !== '0')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([asset, free, locked]) => `${asset}=${free}/${locked}`)
    .join(' ');
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps up to `ms`, waking early (checked every 100 ms) once `keepGoing` turns false. */
async function pause(ms: number, keepGoing: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (keepGoing() && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
}
