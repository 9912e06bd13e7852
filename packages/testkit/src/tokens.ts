import { token } from '@venuekit/core';
import type { FakeExchange } from './in-memory/fake-exchange';
import type { FakeMarket } from './simulation/fake-market';

/** The testkit's container tokens. */
export const TestkitTokens = {
  /** The in-memory FakeExchange adapter bound by `fakeExchangeModule()` (also bound as an ExchangeAdapter). */
  FakeExchange: token<FakeExchange>('@venuekit/testkit/FakeExchange'),
  /** The market behind it: engine, simulation, clock and the test handle. */
  FakeMarket: token<FakeMarket>('@venuekit/testkit/FakeMarket'),
} as const;
