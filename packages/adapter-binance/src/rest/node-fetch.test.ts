import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import ky from 'ky';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceHttpClient } from './http';
import { nodeHttpFetch } from './node-fetch';

// ky over node:http against a real server on 127.0.0.1: what the REST client relies on.

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
});

async function serve(handler: (request: Seen, response: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const one = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(one);
      handler(one, response);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { seen, base: `http://127.0.0.1:${port}` };
}

describe('nodeHttpFetch', () => {
  it('sends method, headers and body; answers with status, every header and the decoded body', async () => {
    const { seen, base } = await serve((_request, response) => {
      response.writeHead(400, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'x-mbx-used-weight-1m': '7',
        'set-cookie': ['a=1', 'b=2'],
      });
      response.end(gzipSync('{"code":-1100,"msg":"Illegal characters found in parameter \'symbol\'."}'));
    });
    const client = ky.create({ fetch: nodeHttpFetch, retry: 0, throwHttpErrors: false });
    const response = await client.post(`${base}/api/v3/order?symbol=BTCUSDT`, {
      body: 'side=BUY&quantity=0.001',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mbx-apikey': 'key' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-mbx-used-weight-1m')).toBe('7');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.json()).toEqual({
      code: -1100,
      msg: "Illegal characters found in parameter 'symbol'.",
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/v3/order?symbol=BTCUSDT',
      body: 'side=BUY&quantity=0.001',
    });
    expect(seen[0]?.headers['x-mbx-apikey']).toBe('key');
    expect(seen[0]?.headers['content-length']).toBe(String('side=BUY&quantity=0.001'.length));
  });

  it('an abort destroys the request and rejects with the reason', async () => {
    const { seen, base } = await serve(() => {
      // never answers
    });
    const controller = new AbortController();
    const pending = nodeHttpFetch(`${base}/api/v3/time`, { signal: controller.signal });
    await expect.poll(() => seen.length).toBe(1);
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
  });
});

describe('BinanceHttpClient over nodeHttpFetch', () => {
  it('the timeout covers the body: headers sent, body stalled, the request times out', async () => {
    const { base } = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"serverTime":'); // and nothing more
    });
    const client = new BinanceHttpClient({ baseUrl: base, timeoutMs: 200 });
    await expect(client.request({ method: 'GET', path: '/api/v3/time', weight: 1 })).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
    });
  });

  it('a gzip answer is read, and its X-MBX headers reach the caller', async () => {
    const { base } = await serve((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'x-mbx-used-weight-1m': '3',
      });
      response.end(gzipSync('{"serverTime":1790000000000}'));
    });
    const client = new BinanceHttpClient({ baseUrl: base });
    const answer = await client.request<{ serverTime: number }>({
      method: 'GET',
      path: '/api/v3/time',
      weight: 1,
    });
    expect(answer.data).toEqual({ serverTime: 1790000000000 });
    expect(answer.headers['x-mbx-used-weight-1m']).toBe('3');
  });

  it("a caller's own ky instance is used, hooks and all", async () => {
    const { seen, base } = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    const sent: string[] = [];
    const own = ky.create({
      fetch: nodeHttpFetch,
      hooks: {
        beforeRequest: [
          (request) => {
            sent.push(`${request.method} ${new URL(request.url).pathname}`);
            request.headers.set('x-trace', 'abc');
          },
        ],
      },
    });
    const client = new BinanceHttpClient({ baseUrl: base, ky: own });
    await client.request({ method: 'GET', path: '/api/v3/ping', weight: 1 });
    expect(sent).toEqual(['GET /api/v3/ping']);
    expect(seen[0]?.headers['x-trace']).toBe('abc');
  });
});
