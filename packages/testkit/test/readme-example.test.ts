// The example of the README ("A test you can copy"), kept here so it stays true.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeBinance, startFakeBinance } from '../src/index';

let fake: FakeBinance;

beforeAll(async () => {
  fake = await startFakeBinance({ simulation: false });
});

afterAll(async () => {
  await fake.close();
});

it('an order whose answer is lost still went through', async () => {
  const demo = fake.handle.accounts().find((account) => account.id === 'demo')!;
  // The next order is executed, then answered 503 / -1007 "execution status unknown".
  fake.handle.faults.failRequests({ endpoint: 'POST /api/v3/order', action: { type: 'unknownOutcome' } });

  const query = new URLSearchParams({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.001',
    price: '50000',
    newClientOrderId: 'my-order-1',
    timestamp: String(Date.now()),
  }).toString();
  const signature = createHmac('sha256', demo.hmacSecret()!).update(query).digest('hex');
  const answer = await fetch(`${fake.restUrl}/api/v3/order?${query}&signature=${signature}`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': demo.apiKey },
  });

  expect(answer.status).toBe(503);
  expect(((await answer.json()) as { code: number }).code).toBe(-1007);
  // The truth: the order is on the book, so a client must reconcile, never blindly resend.
  expect(fake.handle.orders('demo').map((order) => order.clientOrderId)).toEqual(['my-order-1']);
});
