/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE } from '@venuekit/core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/demo';

// The dashboard in a real headless Chromium (Debian's package; .ci/run installs it), driven by
// playwright-core: what a newcomer sees after `npm run demo`. Nothing is downloaded.

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = fileURLToPath(new URL('../e2e-artifacts/', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`e2e: ${CHROMIUM} is missing, the browser test is skipped (apt-get install -y chromium)`);
}

let demo: Demo;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(!hasChromium)('the dashboard in headless Chromium', () => {
  beforeAll(async () => {
    demo = await startDemo({ port: 0, seed: 3 });
    // A fresh profile per run: nothing from an earlier run (or from a user's browser) leaks in.
    userDataDir = await mkdtemp(join(tmpdir(), 'venuekit-e2e-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1600, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // The browser logs every non-2xx answer; the rejected order's 422 is one the test asks for.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    page.setDefaultTimeout(60_000);
    await page.goto(demo.url);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await demo?.close();
  });

  it('shows live prices, candles, the book and the trade tape', async () => {
    const price = page.getByTestId('last-price');
    await expectText(price, /^\d{1,3}(,\d{3})*\.\d{2}$/);
    const first = await price.getAttribute('data-value');
    // Live: the price the page shows moves with the market.
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="last-price"]')?.getAttribute('data-value') !== before,
      first,
      { timeout: 60_000 },
    );
    await page.waitForFunction(
      () => Number(document.querySelector('#candles')?.getAttribute('data-count')) > 2,
    );
    await page.waitForFunction(() => document.querySelectorAll('#bids .row:not([hidden])').length >= 5);
    await page.waitForFunction(() => document.querySelectorAll('#asks .row:not([hidden])').length >= 5);
    await page.waitForFunction(() => document.querySelectorAll('#tape .trade').length >= 3);
    await expectText(page.getByTestId('book-state'), /^in sync$/);
    // Every market tab has a price.
    for (const symbol of ['BTC/USDT', 'ETH/USDT', 'BNB/USDT', 'ETH/BTC']) {
      await expectText(page.locator(`[data-symbol="${symbol}"] .px`), /\d/);
    }
  });

  it('places an order for alice that appears in her open orders, and cancels it', async () => {
    const desk = page.getByTestId('desk-alice');
    await expectText(desk.locator('.session-badge'), /session active/);
    // 10 % under the market: it rests on the book instead of filling.
    const last = Number(await page.getByTestId('last-price').getAttribute('data-value'));
    const price = (Math.floor(last * 0.9 * 100) / 100).toFixed(2);
    await desk.locator('input[name="price"]').fill(price);
    await desk.locator('input[name="quantity"]').fill('0.01');
    await desk.locator('button.place').click();
    await expectText(desk.locator('.outcome'), /^order \d+ new: buy 0\.01 BTC\/USDT @ /);
    const orderId = /^order (\d+)/.exec((await desk.locator('.outcome').textContent()) ?? '')?.[1];
    const row = desk.locator(`.open-orders tr[data-order="${orderId}"]`);
    await row.waitFor();
    await expectText(row, /BTC\/USDT/);
    expect(Number(await row.getAttribute('data-price'))).toBe(Number(price));
    // The order is really on the (fake) exchange's book.
    const onVenue = demo.system.fake?.handle.orders('alice') ?? [];
    expect(onVenue.some((order) => String(order.orderId) === orderId && order.price.eq(price))).toBe(true);

    await row.locator('button.cancel').click();
    await row.waitFor({ state: 'detached' });
    await expectText(desk.locator('.outcome'), /canceled$/);
    expect(demo.system.fake?.handle.orders('alice').some((order) => String(order.orderId) === orderId)).toBe(
      false,
    );
  });

  it("shows a rejected order's user message", async () => {
    const desk = page.getByTestId('desk-bob');
    await expectText(desk.locator('.session-badge'), /session active/);
    // Bob holds 40 000 USDT: 5 BTC at the market is far beyond it.
    await desk.locator('input[name="quantity"]').fill('5');
    await desk.locator('button.place').click();
    const outcome = desk.locator('.outcome');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="desk-bob"] .outcome')?.classList.contains('error'),
    );
    expect(await outcome.textContent()).toContain(ERROR_CATALOGUE.INSUFFICIENT_FUNDS.userMessage);
    expect(demo.system.fake?.handle.orders('bob')).toEqual([]);
  });

  it('shows an injected fault in the health panel, then its recovery', async () => {
    const component = (name: string) => page.getByTestId(`component-${name}`);
    // Start from a fresh, fully connected market.
    await waitForAttribute(component('marketData'), 'data-status', 'healthy');
    await waitForAttribute(component('websocketConnections'), 'data-status', 'healthy');
    const reconnectsBefore = Number(await page.getByTestId('reconnects').getAttribute('data-count'));

    // A stalled connection: the socket stays open, nothing arrives, not even pongs.
    await page.locator('button.fault[data-fault="stall"]').click();
    await expectText(page.locator('#fault-note'), /^stalled \d+ market-data connection/);
    // The health panel calls the streams stale, and the book says it stopped changing.
    await Promise.all([
      page.waitForFunction(
        () =>
          document.querySelector('[data-testid="component-marketData"]')?.getAttribute('data-status') !==
          'healthy',
        undefined,
        { timeout: 60_000 },
      ),
      page.waitForFunction(
        () =>
          /^no update for|resyncing/.test(
            document.querySelector('[data-testid="book-state"]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 60_000 },
      ),
    ]);
    await screenshot('dashboard-fault.png');

    // venuekit notices the silence, replaces the connection and the streams are fresh again.
    await page.waitForFunction(
      (before) =>
        Number(document.querySelector('[data-testid="reconnects"]')?.getAttribute('data-count')) > before,
      reconnectsBefore,
      { timeout: 60_000 },
    );
    await waitForAttribute(component('marketData'), 'data-status', 'healthy');
    await waitForAttribute(component('websocketConnections'), 'data-status', 'healthy');
    await expectText(page.getByTestId('book-state'), /^in sync$/);
    await expectText(page.getByTestId('incidents'), /market data connection \S+ closed by venuekit/);
  });

  it('shows a book being rebuilt after a depth gap injected from the page, then in sync again', async () => {
    const marketData = page.getByTestId('component-marketData');
    const summary = marketData.locator('.summary');
    await waitForAttribute(marketData, 'data-status', 'healthy');
    await expectText(summary, /^\d+\/\d+ fresh/);
    expect(await summary.textContent()).not.toContain('rebuilding');
    const fake = demo.system.fake;
    if (!fake) throw new Error('the demo runs against the fake venue');
    // Snapshots are refused until the page has shown the rebuild, so that it outlasts a health check.
    const snapshots = fake.handle.faults.failRequests({
      endpoint: '/api/v3/depth',
      times: Number.POSITIVE_INFINITY,
      action: { type: 'error', status: 503 },
    });
    try {
      await page.locator('.market[data-symbol="BTC/USDT"]').click();
      await page.locator('button.fault[data-fault="depthGap"]').click();
      await expectText(page.locator('#fault-note'), /^the next BTC\/USDT depth update will be skipped$/);
      // Diffs keep arriving for the broken book, yet the panel does not call it fresh.
      await expectText(summary, /^\d+\/\d+ fresh · 1 rebuilding/);
      await waitForAttribute(marketData, 'data-status', 'degraded');
      // The streams' own contributor judges the shared book by the same rule.
      await expectText(page.getByTestId('component-marketDataStreams').locator('.summary'), /· 1 rebuilding/);
      await expectText(page.locator('#freshness [data-rebuilding="true"]'), /^rebuilding$/);
      await screenshot('dashboard-rebuilding.png');
    } finally {
      snapshots.remove();
    }
    expect(snapshots.hits).toBeGreaterThan(0);

    // Snapshots answer again: the book is rebuilt, and the panel says so.
    await waitForAttribute(marketData, 'data-status', 'healthy');
    await expectText(summary, /^(?!.*rebuilding)\d+\/\d+ fresh/);
    await page.locator('#freshness [data-rebuilding]').waitFor({ state: 'detached' });
    await expectText(page.getByTestId('book-state'), /^in sync$/);
  });

  it('looks right: a screenshot of the whole page, and no script errors', async () => {
    await page.locator('.market[data-symbol="BTC/USDT"]').click();
    await page.waitForFunction(
      () => Number(document.querySelector('#candles')?.getAttribute('data-count')) > 2,
    );
    await screenshot('dashboard.png');
    expect(existsSync(join(ARTIFACTS, 'dashboard.png'))).toBe(true);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});

/** A full-page screenshot from the top (the header is sticky). */
async function screenshot(name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 60_000;
  let text = '';
  while (Date.now() < deadline) {
    text = ((await locator.first().textContent({ timeout: 60_000 })) ?? '').trim();
    if (pattern.test(text)) return;
    await locator.page().waitForTimeout(100);
  }
  throw new Error(`expected ${pattern} but the page shows "${text}"`);
}

async function waitForAttribute(
  locator: ReturnType<Page['locator']>,
  name: string,
  value: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let current: string | null = null;
  while (Date.now() < deadline) {
    current = await locator.first().getAttribute(name, { timeout: timeoutMs });
    if (current === value) return;
    await locator.page().waitForTimeout(100);
  }
  throw new Error(`expected ${name}="${value}" but it is "${current}"`);
}
