import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { startFakeBinance } from '../src/start';
import { CountingClock } from './support/counting-clock';
import { RestClient } from './support/rest-client';
import { waitFor } from './support/wait';
import { TestSocket } from './support/ws-client';

// Start, stop, leave nothing behind; survive garbage; the CLI.

const NETWORK = new Set(['TCPServerWrap', 'TCPSocketWrap']);

function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (NETWORK.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function leftovers(before: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [name, count] of resources()) {
    const extra = count - (before.get(name) ?? 0);
    if (extra > 0) out.push(`${extra} × ${name}`);
  }
  return out;
}

describe('lifecycle', () => {
  it('starts on ephemeral 127.0.0.1 ports, quickly', async () => {
    const started = performance.now();
    const fake = await startFakeBinance();
    const elapsed = performance.now() - started;
    try {
      expect(fake.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(fake.streamsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect(fake.wsApiUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws-api\/v3$/);
      // A loose bound only (shared CI machines); the startup time measured is in the README.
      expect(elapsed).toBeLessThan(5000);
    } finally {
      await fake.close();
    }
  });

  it('leaves no server, socket or timer behind after close()', async () => {
    const before = resources();
    const clock = new CountingClock();
    const fake = await startFakeBinance({
      clock,
      limits: { pingIntervalMs: 50, pongTimeoutMs: 1000 },
      streamTimings: { slowMs: 20, fastMs: 10, klineMs: 20, kline1sMs: 20 },
      simulation: { rate: 50 },
    });
    const streams = await TestSocket.open(
      `${fake.streamsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@ticker/btcusdt@kline_1m`,
    );
    const api = await TestSocket.open(fake.wsApiUrl);
    await streams.next((json) => 'stream' in json);
    await new RestClient(fake.restUrl).get('/api/v3/ping');
    // An unanswered request and a delayed message still pending at close.
    const unanswered = fake.handle.faults.failRequests({
      endpoint: '/api/v3/time',
      action: { type: 'noResponse' },
    });
    const pending = fetch(`${fake.restUrl}/api/v3/time`).catch(() => 'aborted');
    await unanswered.whenHit();
    fake.handle.faults.messages({ kind: 'streams', action: { type: 'delay', ms: 60_000 } });
    fake.handle.faults.serverShutdown({ closeAfterMs: 60_000 });
    await waitFor(() => fake.handle.connections().length === 2);
    expect(clock.liveTimers).toBeGreaterThan(5);

    await fake.close();
    expect(await pending).toBe('aborted');
    await streams.waitForClose();
    await api.waitForClose();
    // Every timer the fake scheduled (simulation, pings, pushes, delayed messages, shutdown) is gone.
    expect(clock.liveTimers).toBe(0);
    // Servers and sockets leave the active handle list once their close has run.
    await waitFor(() => leftovers(before).length === 0, {
      what: 'every handle to close',
      timeoutMs: 10_000,
    }).catch(() => undefined);
    expect(leftovers(before)).toEqual([]);
  });

  it('refuses bad options with a ValidationError naming the field, before starting anything', async () => {
    const before = resources();
    const invalid = async (options: Parameters<typeof startFakeBinance>[0]) => {
      try {
        await startFakeBinance(options);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).message;
      }
      throw new Error('expected a ValidationError');
    };
    expect(await invalid({ limits: { pingIntervalMs: -1 } })).toBe(
      'limits.pingIntervalMs must be a finite number, 0 or more',
    );
    expect(await invalid({ limits: { requestWeight: 0 } })).toBe(
      'limits.requestWeight must be greater than 0',
    );
    expect(await invalid({ limits: { requestWeightWindowMs: 1500 } })).toBe(
      'limits.requestWeightWindowMs must be whole seconds in ms, 1000 or more: Binance names windows in SECOND, MINUTE, HOUR, DAY',
    );
    expect(await invalid({ limits: { rawRequestsWindowMs: 500 } })).toMatch(
      /^limits\.rawRequestsWindowMs must be whole seconds/,
    );
    expect(await invalid({ streamTimings: { fastMs: 0 } })).toBe(
      'streamTimings.fastMs must be a number of milliseconds greater than 0',
    );
    expect(await invalid({ ports: { rest: 70000 } })).toBe(
      'ports.rest must be a port number from 0 to 65535',
    );
    expect(await invalid({ symbols: ['DOGEUSDT'] })).toMatch(
      /^symbols\[0\] must be a symbol definition or one of BTCUSDT/,
    );
    expect(await invalid({ simulation: { volatility: -1 } })).toBe(
      'simulation.volatility must be a number from 0 to 100',
    );
    expect(await invalid({ simulation: { volatility: { jumpPercent: 80 } } })).toBe(
      'simulation.volatility.jumpPercent must be a number from 0 to 50',
    );
    expect(await invalid({ simulation: { rate: 0 } })).toBe(
      'simulation.rate must be a number of actions per second greater than 0',
    );
    expect(await invalid({ history: { trades: 0.5 } })).toBe(
      'history.trades must be a whole number, 1 or more',
    );
    expect(leftovers(before)).toEqual([]);
  });

  it('tells a test about new connections', async () => {
    const fake = await startFakeBinance({ simulation: false });
    try {
      const next = fake.handle.waitForConnection('wsApi');
      const socket = await TestSocket.open(`${fake.wsApiUrl}?returnRateLimits=false`);
      const info = await next;
      expect(info).toMatchObject({
        kind: 'wsApi',
        path: '/ws-api/v3?returnRateLimits=false',
        remoteAddress: '127.0.0.1',
      });
      expect(fake.handle.connections().map((c) => c.id)).toEqual([info.id]);
      await socket.close();
      await waitFor(() => fake.handle.connections().length === 0, { what: 'the connection to be forgotten' });
    } finally {
      await fake.close();
    }
  });

  it('survives garbage on every port without crashing', async () => {
    const fake = await startFakeBinance({ simulation: false });
    try {
      for (const url of [fake.restUrl, fake.streamsUrl, fake.wsApiUrl]) {
        const port = Number(new URL(url).port);
        await new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write('\u0000\u0001 definitely not HTTP\r\n\r\n');
            socket.destroy();
          });
          socket.on('error', () => {});
          socket.on('close', () => resolve());
        });
      }
      const ping = await new RestClient(fake.restUrl).get('/api/v3/ping');
      expect(ping.status).toBe(200);
    } finally {
      await fake.close();
    }
  });
});

describe('the CLI', () => {
  it('runs the server standalone, prints the urls and the demo keys, and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=@venuekit/source',
        '--import',
        `file://${tsx}`,
        cli,
        '--seed',
        '7',
        '--symbols',
        'BTCUSDT',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('Press Ctrl+C'), { timeoutMs: 20_000, what: 'the CLI banner' });
      const rest = /REST\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v3/.exec(output)?.[1];
      const apiKey = /api key\s+(\w+)/.exec(output)?.[1];
      expect(rest).toBeDefined();
      expect(apiKey).toHaveLength(64);
      expect(output).toMatch(/HMAC secret\s+\w+/);
      const info = await new RestClient(rest!).get<{ symbols: Array<{ symbol: string }> }>(
        '/api/v3/exchangeInfo',
      );
      expect(info.body.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses an unknown option with the usage', async () => {
    const { parseCliArgs } = await import('../src/server/cli-main');
    expect(() => parseCliArgs(['--prot', '1'])).toThrow('--prot is not a known option');
    expect(parseCliArgs(['--port', '9000'])).toMatchObject({
      restPort: 9000,
      streamsPort: 9001,
      wsApiPort: 9002,
    });
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow('--port must be a port number from 0 to 65535');
  });

  it('passes --volatility and --rate to the simulation', async () => {
    const { parseCliArgs, startOptions } = await import('../src/server/cli-main');
    expect(startOptions(parseCliArgs(['--volatility', '2.5', '--rate', '8'])).simulation).toEqual({
      rate: 8,
      volatility: 2.5,
    });
    expect(startOptions(parseCliArgs(['--volatility=0'])).simulation).toEqual({ volatility: 0 });
    expect(startOptions(parseCliArgs(['--rate', '0', '--volatility', '3'])).simulation).toBe(false);
    expect(() => parseCliArgs(['--volatility', 'lots'])).toThrow(
      '--volatility must be a percentage per hour from 0 to 100',
    );
    expect(() => parseCliArgs(['--volatility', '-1'])).toThrow(
      '--volatility must be a percentage per hour from 0 to 100',
    );
  });
});
