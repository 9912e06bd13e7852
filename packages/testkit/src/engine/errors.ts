/**
 * Binance's rejections, with the exact codes and messages of errors.md
 * (binance/binance-spot-api-docs). The engine throws them; the servers send
 * `{code, msg}` with `httpStatus`; the in-memory adapter maps them to core errors.
 */
export class BinanceRejection extends Error {
  readonly httpStatus: number;
  readonly code: number;
  readonly msg: string;

  constructor(code: number, msg: string, httpStatus = 400) {
    super(msg);
    this.name = 'BinanceRejection';
    this.code = code;
    this.msg = msg;
    this.httpStatus = httpStatus;
  }

  /** The wire body: `{"code":-2010,"msg":"..."}`. */
  toJSON(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

export function isBinanceRejection(value: unknown): value is BinanceRejection {
  return value instanceof BinanceRejection;
}

/** Filters named in "Filter failure: X" messages. */
export type FilterName =
  | 'PRICE_FILTER'
  | 'PERCENT_PRICE'
  | 'PERCENT_PRICE_BY_SIDE'
  | 'LOT_SIZE'
  | 'MIN_NOTIONAL'
  | 'NOTIONAL'
  | 'MARKET_LOT_SIZE'
  | 'MAX_NUM_ORDERS'
  | 'MAX_NUM_ALGO_ORDERS'
  | 'MAX_NUM_ORDER_LISTS';

/** The engine's rejection messages (errors.md, "Messages for -1010, -2010 and -2011"). */
export const RejectMessage = {
  UNKNOWN_ORDER: 'Unknown order sent.',
  DUPLICATE_ORDER: 'Duplicate order sent.',
  MARKET_CLOSED: 'Market is closed.',
  INSUFFICIENT_BALANCE: 'Account has insufficient balance for requested action.',
  MARKET_NOT_SUPPORTED: 'Market orders are not supported for this symbol.',
  ICEBERG_NOT_SUPPORTED: 'Iceberg orders are not supported for this symbol.',
  STOP_LOSS_NOT_SUPPORTED: 'Stop loss orders are not supported for this symbol.',
  STOP_LOSS_LIMIT_NOT_SUPPORTED: 'Stop loss limit orders are not supported for this symbol.',
  TAKE_PROFIT_NOT_SUPPORTED: 'Take profit orders are not supported for this symbol.',
  TAKE_PROFIT_LIMIT_NOT_SUPPORTED: 'Take profit limit orders are not supported for this symbol.',
  PRICE_QTY_ZERO: 'Price * QTY is zero or less.',
  ACCOUNT_CANNOT_TRADE: 'This account may not place or cancel orders.',
  UNSUPPORTED_COMBINATION: 'Unsupported order combination',
  WOULD_TRIGGER_IMMEDIATELY: 'Order would trigger immediately.',
  CANCEL_INVALID: 'Cancel order is invalid. Check origClOrdId and orderId.',
  WOULD_MATCH: 'Order would immediately match and take.',
  OCO_BAD_PRICES: 'The relationship of the prices for the orders is not correct.',
  OCO_NOT_SUPPORTED: 'OCO orders are not supported for this symbol',
  QUOTE_QTY_NOT_SUPPORTED: 'Quote order qty market orders are not support for this symbol.',
  TRAILING_NOT_SUPPORTED: 'Trailing stop orders are not supported for this symbol.',
  CANCEL_RESTRICTED: 'Order was not canceled due to cancel restrictions.',
  NO_LIQUIDITY_LOT_SIZE: 'Order book liquidity is less than `LOT_SIZE` filter minimum quantity.',
  NO_LIQUIDITY_MARKET_LOT_SIZE:
    'Order book liquidity is less than `MARKET_LOT_SIZE` filter minimum quantity.',
  NO_LIQUIDITY: 'Order book liquidity is less than symbol minimum quantity.',
} as const;
export type RejectMessage = (typeof RejectMessage)[keyof typeof RejectMessage];

/** Constructors for every rejection the engine raises, so the codes stay in one place. */
export const reject = {
  /** -1013 `Filter failure: X`. */
  filter: (name: FilterName) => new BinanceRejection(-1013, `Filter failure: ${name}`),
  /** -2010: the matching engine refused a new order. */
  newOrder: (message: RejectMessage) => new BinanceRejection(-2010, message),
  /** -2011: the matching engine refused a cancel. */
  cancel: (message: RejectMessage) => new BinanceRejection(-2011, message),
  noSuchOrder: () => new BinanceRejection(-2013, 'Order does not exist.'),
  badSymbol: () => new BinanceRejection(-1121, 'Invalid symbol.'),
  badInterval: () => new BinanceRejection(-1120, 'Invalid interval.'),
  mandatory: (param: string) =>
    new BinanceRejection(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) =>
    new BinanceRejection(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  notRequired: (param: string) => new BinanceRejection(-1106, `Parameter '${param}' sent when not required.`),
  tifNotRequired: () => new BinanceRejection(-1114, 'TimeInForce parameter sent when not required.'),
  invalidTif: () => new BinanceRejection(-1115, 'Invalid timeInForce.'),
  invalidType: () => new BinanceRejection(-1116, 'Invalid orderType.'),
  invalidSide: () => new BinanceRejection(-1117, 'Invalid side.'),
  emptyNewClientOrderId: () => new BinanceRejection(-1118, 'New client order ID was empty.'),
  emptyOrigClientOrderId: () => new BinanceRejection(-1119, 'Original client order ID was empty.'),
  illegalChars: (param: string, legal: string) =>
    new BinanceRejection(
      -1100,
      `Illegal characters found in parameter '${param}'; legal range is '${legal}'.`,
    ),
  invalidParameter: (param: string) =>
    new BinanceRejection(-1130, `Data sent for parameter '${param}' is not valid.`),
  badPrecision: (param: string) =>
    new BinanceRejection(-1111, `Parameter '${param}' has too much precision.`),
  unsupportedCombination: () => new BinanceRejection(-1014, 'Unsupported order combination.'),
  invalidCancelRestrictions: () =>
    new BinanceRejection(
      -1145,
      '`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.',
    ),
  ocoTypeRejected: () => new BinanceRejection(-1158, 'Order type not supported in OCO.'),
  bothOcoLimit: () => new BinanceRejection(-1168, 'At least one OCO order must be contingent.'),
  unauthorizedKey: () => new BinanceRejection(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
} as const;
