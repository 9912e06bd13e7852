import { describe, expect, it } from 'vitest';
import {
  exchangeFilterExamples,
  exchangeInfo,
  filterExamples,
  rateLimitExamples,
} from '@venuekit/testkit/docs-examples';
import {
  parseExchangeInfo,
  parseSymbolInfo,
  type WireExchangeInfo,
  type WireSymbolInfo,
} from './instruments';

// The docs' exchangeInfo shows only comments where its rate limits and filters go: this one fills
// them with the examples of enums.md and filters.md, so that every filter the parser reads is here.
const info = {
  ...exchangeInfo,
  rateLimits: [rateLimitExamples.REQUEST_WEIGHT, rateLimitExamples.ORDERS, rateLimitExamples.RAW_REQUESTS],
  exchangeFilters: [exchangeFilterExamples.EXCHANGE_MAX_NUM_ORDERS],
  symbols: [
    {
      ...exchangeInfo.symbols[0],
      filters: [
        filterExamples.PRICE_FILTER,
        filterExamples.PERCENT_PRICE,
        filterExamples.LOT_SIZE,
        filterExamples.NOTIONAL,
        filterExamples.ICEBERG_PARTS,
        filterExamples.MARKET_LOT_SIZE,
        filterExamples.MAX_NUM_ORDERS,
      ],
    },
  ],
} as unknown as WireExchangeInfo;
const ethbtc = info.symbols[0] as WireSymbolInfo;

describe('exchangeInfo → Instrument (rest-api.md, filters.md)', () => {
  it('maps symbol, precision and every filter', () => {
    const { instruments, serverTime, rateLimits } = parseExchangeInfo(info);
    expect(serverTime).toBe(1565246363776);
    expect(rateLimits[0]).toMatchObject({ rateLimitType: 'REQUEST_WEIGHT', limit: 6000 });
    const eth = instruments[0];
    expect(eth).toMatchObject({
      exchange: 'binance',
      symbol: 'ETH/BTC',
      nativeSymbol: 'ETHBTC',
      base: 'ETH',
      quote: 'BTC',
      status: 'trading',
      active: true,
      pricePrecision: 6,
      quantityPrecision: 3,
      basePrecision: 8,
      quotePrecision: 8,
      applyMinNotionalToMarket: false,
      applyMaxNotionalToMarket: false,
      ocoAllowed: true,
      quoteOrderQuantityMarketAllowed: true,
    });
    expect(eth?.orderTypes).toEqual([
      'limit',
      'limit_maker',
      'market',
      'stop_loss',
      'stop_loss_limit',
      'take_profit',
      'take_profit_limit',
    ]);
    const text = (d: unknown) => String(d);
    expect([eth?.tickSize, eth?.minPrice, eth?.maxPrice].map(text)).toEqual([
      '0.000001',
      '0.000001',
      '100000',
    ]);
    expect([eth?.stepSize, eth?.minQuantity, eth?.maxQuantity].map(text)).toEqual([
      '0.001',
      '0.001',
      '100000',
    ]);
    expect([eth?.marketStepSize, eth?.marketMinQuantity].map(text)).toEqual(['0.001', '0.001']);
    expect([eth?.minNotional, eth?.maxNotional].map(text)).toEqual(['10', '10000']);
    expect([eth?.priceBand?.multiplierUp, eth?.priceBand?.multiplierDown].map(text)).toEqual(['1.3', '0.7']);
  });

  it('reads the older MIN_NOTIONAL filter and takes the widest band of PERCENT_PRICE_BY_SIDE', () => {
    const filters = ethbtc.filters.filter(
      (f) =>
        f.filterType !== 'NOTIONAL' && f.filterType !== 'PERCENT_PRICE' && f.filterType !== 'MARKET_LOT_SIZE',
    );
    const instrument = parseSymbolInfo({
      ...ethbtc,
      filters: [...filters, filterExamples.MIN_NOTIONAL, filterExamples.PERCENT_PRICE_BY_SIDE],
    });
    expect(String(instrument.minNotional)).toBe('0.001');
    expect(instrument.applyMinNotionalToMarket).toBe(true);
    expect(instrument.maxNotional).toBeUndefined();
    expect(instrument.marketStepSize).toBeUndefined();
    expect(String(instrument.priceBand?.multiplierUp)).toBe('5');
    expect(String(instrument.priceBand?.multiplierDown)).toBe('0.2');
  });

  it('a halted or unknown status is not active; missing filters leave rules unconstrained', () => {
    const halted = parseSymbolInfo({ ...ethbtc, status: 'HALT', filters: [] });
    expect(halted).toMatchObject({ status: 'halted', active: false, pricePrecision: 0 });
    expect(String(halted.tickSize)).toBe('0');
    expect(parseSymbolInfo({ ...ethbtc, status: 'AUCTION_MATCH' }).status).toBe('unknown');
    expect(parseSymbolInfo({ ...ethbtc, isSpotTradingAllowed: false }).active).toBe(false);
  });

  it('keeps non-ASCII assets (testnet lists such symbols)', () => {
    const instrument = parseSymbolInfo({
      ...ethbtc,
      symbol: '这是测试币456USDT',
      baseAsset: '这是测试币456',
      quoteAsset: 'USDT',
    });
    expect(instrument.symbol).toBe('这是测试币456/USDT');
    expect(instrument.nativeSymbol).toBe('这是测试币456USDT');
  });
});
