import { ManualClock } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import type { SymbolDefinition } from '../src/engine/types';
import { startFakeBinance } from '../src/start';
import { hmacHex } from './support/signing';
import { TestSocket } from './support/ws-client';

// The official signed examples sent byte for byte to the fake, whose clock stands at the
// examples' timestamps: rest-api.md and web-socket-api.md "SIGNED request example (HMAC)", with
// their non-ASCII variants (symbol １２３４５６, listed here with assets １２３ and ４５６). A client
// that signs like these passes; so must the fake, and the orders are placed.

const DOC_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

function market(symbol: string, baseAsset: string, quoteAsset: string, price: string): SymbolDefinition {
  return {
    symbol,
    baseAsset,
    quoteAsset,
    initialPrice: price,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: '0.00000100',
        maxPrice: '1000000.00000000',
        tickSize: '0.00000100',
      },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '100000.00000000', stepSize: '0.00001000' },
    ],
  };
}

describe('official signing vectors over the wire', () => {
  it('REST: the non-ASCII example, percent-encoded, passes the signature check', async () => {
    const fake = await startFakeBinance({
      clock: new ManualClock(1499827319559 + 100),
      simulation: false,
      symbols: [market('LTCBTC', 'LTC', 'BTC', '0.1'), market('１２３４５６', '１２３', '４５６', '0.1')],
      accounts: [
        { id: 'doc', apiKey: DOC_KEY, secretKey: DOC_SECRET, balances: { BTC: '10', '４５６': '1' } },
      ],
    });
    try {
      const query =
        'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
      const send = (signature: string) =>
        fetch(`${fake.restUrl}/api/v3/order?${query}&signature=${signature}`, {
          method: 'POST',
          headers: { 'X-MBX-APIKEY': DOC_KEY },
        }).then((answer) => answer.json());
      expect(await send('e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3')).toMatchObject({
        symbol: '１２３４５６',
        status: 'NEW',
        side: 'BUY',
        price: '0.10000000',
        origQty: '1.00000000',
      });
      const depth = await fetch(`${fake.restUrl}/api/v3/depth?symbol=${encodeURIComponent('１２３４５６')}`);
      expect(await depth.json()).toMatchObject({ bids: [['0.10000000', '1.00000000']], asks: [] });
      expect(
        fake.handle
          .balances('doc')
          .find((b) => b.asset === '４５６')
          ?.locked.toString(),
      ).toBe('0.1');
      // The signature over the decoded (un-encoded) text is refused, as on Binance since 2026-01-15.
      const overDecoded = hmacHex(DOC_SECRET, decodeURIComponent(query));
      expect(await send(overDecoded)).toEqual({
        code: -1022,
        msg: 'Signature for this request is not valid.',
      });
    } finally {
      await fake.close();
    }
  });

  it('WebSocket API: both documented order.place requests pass the signature check', async () => {
    const fake = await startFakeBinance({
      clock: new ManualClock(1645423376532 + 50),
      simulation: false,
      symbols: [market('BTCUSDT', 'BTC', 'USDT', '52000'), market('１２３４５６', '１２３', '４５６', '0.1')],
      accounts: [
        {
          id: 'doc',
          apiKey: DOC_KEY,
          secretKey: DOC_SECRET,
          balances: { BTC: '1', USDT: '100', '４５６': '1' },
        },
      ],
    });
    const socket = await TestSocket.open(fake.wsApiUrl);
    try {
      // web-socket-api.md: the first example set (ASCII only).
      const ascii = await socket.request<{ status: number }>({
        id: '4885f793-e5ad-4c3b-8f6c-55d891472b71',
        method: 'order.place',
        params: {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01000000',
          price: '52000.00',
          recvWindow: 100,
          timestamp: 1645423376532,
          apiKey: DOC_KEY,
          signature: 'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
        },
      });
      expect(ascii.status).toBe(200);
      // The second example set (some non-ASCII characters), signed over the raw UTF-8.
      const unicode = await socket.request<{ status: number; result: { symbol: string; status: string } }>({
        id: 'second',
        method: 'order.place',
        params: {
          symbol: '１２３４５６',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '1.00000000',
          price: '0.10000000',
          recvWindow: 5000,
          timestamp: 1645423376532,
          apiKey: DOC_KEY,
          signature: 'b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd',
        },
      });
      expect(unicode.status).toBe(200);
      expect(unicode.result).toMatchObject({ symbol: '１２３４５６', status: 'NEW' });
      expect(fake.handle.orders('doc').map((order) => order.symbol)).toEqual(['BTCUSDT', '１２３４５６']);
    } finally {
      await socket.close();
      await fake.close();
    }
  });
});
