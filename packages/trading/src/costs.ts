/**
 * What each session operation costs in the fair queue, relative to one order
 * placement. The defaults follow Binance's documented request weights (rest-api.md),
 * the venue where weight is scarcest; other venues are served well by the same ratios.
 */
export interface RequestCosts {
  readonly verifyCredentials: number;
  readonly placeOrder: number;
  readonly testOrder: number;
  readonly placeOcoOrder: number;
  readonly cancelOrder: number;
  readonly cancelAllOrders: number;
  readonly getOrder: number;
  readonly getOpenOrders: number;
  readonly getOrderHistory: number;
  readonly getTrades: number;
  readonly getBalances: number;
}

export type SessionOperation = keyof RequestCosts;

export const DEFAULT_REQUEST_COSTS: RequestCosts = Object.freeze({
  verifyCredentials: 20,
  placeOrder: 1,
  testOrder: 1,
  placeOcoOrder: 1,
  cancelOrder: 1,
  cancelAllOrders: 1,
  getOrder: 4,
  getOpenOrders: 6,
  getOrderHistory: 20,
  getTrades: 20,
  getBalances: 20,
});
