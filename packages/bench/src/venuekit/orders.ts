// Order round trip over the local fake Binance (another process, 127.0.0.1): venuekit's
// `account.placeOrder` over REST and over the WebSocket API, against the same order as a raw signed
// request (fetch + HMAC-SHA256 for REST, a `ws` message for the WebSocket API), in turns, so drift
// hits all four alike. Each order rests far from the market and is canceled at once (not timed).
import { createHmac } from 'node:crypto';
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { createCredentials, normalizeOrderRequest } from '@venuekit/core';
import WebSocket from 'ws';
import { serve } from '../ipc';
import { type LatencyStats, latencyStats } from '../stats';

export interface OrdersResult {
  readonly orders: number;
  readonly rawRest: LatencyStats;
  readonly venuekitRest: LatencyStats;
  readonly rawWs: LatencyStats;
  readonly venuekitWs: LatencyStats;
}

interface Endpoints {
  readonly rest: string;
  readonly wsApi: string;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** rest-api.md "SIGNED endpoint security": HMAC-SHA256 of the query string, hex. */
function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function orderParams(n: number): Record<string, string> {
  return {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.001',
    price: (20000 + (n % 500)).toFixed(2),
    newClientOrderId: `raw${process.pid}x${n}`,
  };
}

/** A raw REST client: POST /api/v3/order and DELETE /api/v3/order, signed by hand. */
async function rawRest(endpoints: Endpoints, apiKey: string, secret: string, n: number): Promise<number> {
  const send = async (method: 'POST' | 'DELETE', params: Record<string, string>) => {
    const query = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
    const response = await fetch(`${endpoints.rest}/api/v3/order?${query}&signature=${sign(secret, query)}`, {
      method,
      headers: { 'X-MBX-APIKEY': apiKey },
    });
    const body = (await response.json()) as { orderId?: number; msg?: string };
    if (!response.ok) throw new Error(`raw ${method} refused: ${body.msg}`);
    return body;
  };
  const start = performance.now();
  const placed = await send('POST', orderParams(n));
  const elapsed = performance.now() - start;
  await send('DELETE', { symbol: 'BTCUSDT', orderId: String(placed.orderId) });
  return elapsed;
}

/** A raw WebSocket API client (web-socket-api.md): params signed sorted, answers matched by id. */
class RawWsApi {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, (message: { status: number; result?: { orderId: number } }) => void>();
  #next = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        id: string;
        status: number;
        result?: { orderId: number };
      };
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
  }

  static async open(url: string): Promise<RawWsApi> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawWsApi(ws);
  }

  call(method: string, params: Record<string, string>, apiKey: string, secret: string) {
    const withKey: Record<string, string> = { ...params, apiKey, timestamp: String(Date.now()) };
    const payload = Object.keys(withKey)
      .sort()
      .map((key) => `${key}=${withKey[key]}`)
      .join('&');
    const id = String(this.#next++);
    const answer = new Promise<{ status: number; result?: { orderId: number } }>((resolve) =>
      this.#pending.set(id, resolve),
    );
    this.#ws.send(JSON.stringify({ id, method, params: { ...withKey, signature: sign(secret, payload) } }));
    return answer;
  }

  close(): void {
    this.#ws.close();
  }
}

async function measure({ orders, warmup }: { orders: number; warmup: number }): Promise<OrdersResult> {
  const endpoints: Endpoints = { rest: env('BENCH_REST'), wsApi: env('BENCH_WS_API') };
  const apiKey = env('BENCH_API_KEY');
  const secret = env('BENCH_SECRET_KEY');
  const adapter = new BinanceAdapter({
    urls: { rest: endpoints.rest, streams: env('BENCH_STREAMS'), wsApi: endpoints.wsApi },
  });
  const account = adapter.createAccount(createCredentials({ apiKey, secret }), { userId: 'bench' });
  await account.verifyCredentials();
  const rawWs = await RawWsApi.open(endpoints.wsApi);
  const times = {
    rawRest: [] as number[],
    venuekitRest: [] as number[],
    rawWs: [] as number[],
    venuekitWs: [] as number[],
  };
  for (let n = 0; n < warmup + orders; n++) {
    const record = n >= warmup;
    const params = orderParams(n);
    const request = normalizeOrderRequest({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      quantity: params.quantity as string,
      price: params.price as string,
    });

    const rest = await rawRest(endpoints, apiKey, secret, n);

    let start = performance.now();
    const viaRest = await account.placeOrder(request);
    const venuekitRest = performance.now() - start;
    await account.cancelOrder({ symbol: 'BTC/USDT', orderId: viaRest.id });

    start = performance.now();
    const placed = await rawWs.call(
      'order.place',
      { ...params, newClientOrderId: `rawws${process.pid}x${n}` },
      apiKey,
      secret,
    );
    const ws = performance.now() - start;
    if (placed.status !== 200 || !placed.result)
      throw new Error(`raw order.place refused (${placed.status})`);
    await rawWs.call(
      'order.cancel',
      { symbol: 'BTCUSDT', orderId: String(placed.result.orderId) },
      apiKey,
      secret,
    );

    start = performance.now();
    const viaWs = await account.placeOrder(request, { transport: 'websocket' });
    const venuekitWs = performance.now() - start;
    await account.cancelOrder({ symbol: 'BTC/USDT', orderId: viaWs.id }, { transport: 'websocket' });

    if (record) {
      times.rawRest.push(rest * 1000);
      times.venuekitRest.push(venuekitRest * 1000);
      times.rawWs.push(ws * 1000);
      times.venuekitWs.push(venuekitWs * 1000);
    }
  }
  rawWs.close();
  await account.close();
  await adapter.close();
  const stats = (values: number[]) => latencyStats(Float64Array.from(values));
  return {
    orders,
    rawRest: stats(times.rawRest),
    venuekitRest: stats(times.venuekitRest),
    rawWs: stats(times.rawWs),
    venuekitWs: stats(times.venuekitWs),
  };
}

serve({ measure }, { pid: process.pid });
