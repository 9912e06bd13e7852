import type { StreamStatus, Trade } from '@venuekit/core';
import type { ExchangeEngine, TradeRecord } from '@venuekit/testkit';

/** What one subscriber's trade stream showed, against what the exchange printed. */
export interface TradeFigures {
  readonly delivered: number;
  /** Trades delivered twice, or after a later id. */
  readonly duplicates: number;
  /** Ids skipped without the subscriber being told (a `gap` status naming them). */
  readonly lost: number;
  /** Ids the subscriber was told are missing (gap, not backfilled). */
  readonly reportedMissing: number;
  /** Ids recovered from REST after an outage (gap, backfilled). */
  readonly backfilled: number;
  /** Trades whose price or quantity differs from the exchange's, or that it never printed. */
  readonly wrongValues: number;
}

/**
 * Checks one symbol's delivered trades against the engine's: every id at most once and in order,
 * every skipped id announced by a `gap` status, every value equal to the exchange's. The truth is
 * forgotten as the subscriber passes it, so memory stays flat however long the soak runs.
 */
export class TradeLedger {
  readonly symbol: string;
  readonly #truth = new Map<number, { readonly price: string; readonly quantity: string }>();
  /** Ranges (inclusive) the subscriber was told are missing and not coming. */
  #told: Array<readonly [number, number]> = [];
  #last: number | undefined;
  #startId: number;
  #engineLast: number;
  readonly #off: () => void;
  readonly problems: string[] = [];
  #figures = { delivered: 0, duplicates: 0, lost: 0, reportedMissing: 0, backfilled: 0, wrongValues: 0 };

  constructor(engine: ExchangeEngine, symbol: string) {
    this.symbol = symbol;
    this.#startId = engine.lastPrice(symbol)?.id ?? 0;
    this.#engineLast = this.#startId;
    this.#off = engine.on('trade', (trade: TradeRecord) => {
      if (trade.symbol !== symbol) return;
      this.#truth.set(trade.id, { price: trade.price.toString(), quantity: trade.qty.toString() });
      this.#engineLast = trade.id;
    });
  }

  get figures(): TradeFigures {
    return { ...this.#figures };
  }

  /** The subscriber has every trade the exchange printed (delivered or announced missing). */
  get caughtUp(): boolean {
    return this.#last !== undefined && this.#last >= this.#engineLast;
  }

  get lastDelivered(): number | undefined {
    return this.#last;
  }

  get engineLast(): number {
    return this.#engineLast;
  }

  onTrade(trade: Trade): void {
    const id = Number(trade.id);
    this.#figures.delivered++;
    if (!Number.isSafeInteger(id)) {
      this.#problem(`trade id ${trade.id} is not an integer`, 'wrongValues');
      return;
    }
    const last = this.#last;
    if (last !== undefined && id <= last) {
      this.#problem(`trade ${id} delivered after ${last}`, 'duplicates');
      return;
    }
    if (last !== undefined) {
      for (let missing = last + 1; missing < id; missing++) {
        if (this.#wasTold(missing)) this.#figures.reportedMissing++;
        else this.#problem(`trade ${missing} skipped without a gap status`, 'lost');
        this.#truth.delete(missing);
      }
    }
    const truth = this.#truth.get(id);
    if (truth === undefined) {
      if (id > this.#startId) this.#problem(`trade ${id} was never printed by the exchange`, 'wrongValues');
    } else if (
      !sameDecimal(trade.price.toString(), truth.price) ||
      !sameDecimal(trade.quantity.toString(), truth.quantity)
    ) {
      this.#problem(
        `trade ${id}: ${trade.quantity.toString()} @ ${trade.price.toString()} delivered, ${truth.quantity} @ ${truth.price} printed`,
        'wrongValues',
      );
    }
    // Everything up to here is accounted for.
    for (const known of this.#truth.keys()) {
      if (known > id) break;
      this.#truth.delete(known);
    }
    this.#last = id;
    if (this.#told.length > 0) this.#told = this.#told.filter(([, to]) => to > id);
  }

  onStatus(status: StreamStatus): void {
    if (status.type !== 'gap') return;
    const from = Number(status.fromId);
    const to = Number(status.toId);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
      this.#problem(`gap status with a bad range ${status.fromId}..${status.toId}`, 'wrongValues');
      return;
    }
    if (status.backfilled) this.#figures.backfilled += to - from + 1;
    else this.#told.push([from, to]);
  }

  close(): void {
    this.#off();
    this.#truth.clear();
  }

  #wasTold(id: number): boolean {
    for (const [from, to] of this.#told) if (id >= from && id <= to) return true;
    return false;
  }

  #problem(text: string, kind: 'duplicates' | 'lost' | 'wrongValues'): void {
    this.#figures[kind]++;
    if (this.problems.length < 20) this.problems.push(`${this.symbol}: ${text}`);
  }
}

function sameDecimal(a: string, b: string): boolean {
  return trimZeros(a) === trimZeros(b);
}

function trimZeros(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}
