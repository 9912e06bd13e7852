/**
 * A Binance error answer: the HTTP status (or the WebSocket API's `status` field) and the
 * `{"code","msg"}` body. Thrown by request parsing and by the exchange behind the servers; the
 * servers turn it into the wire form of their transport.
 *
 * Messages are copied from the official errors.md (binance/binance-spot-api-docs).
 */
export class BinanceApiError extends Error {
  readonly httpStatus: number;
  readonly code: number;
  readonly msg: string;
  /** Extra `data` of the WebSocket API error form (e.g. `retryAfter` of a 418/429). */
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(httpStatus: number, code: number, msg: string, data?: Readonly<Record<string, unknown>>) {
    super(`${code} ${msg}`);
    this.name = 'BinanceApiError';
    this.httpStatus = httpStatus;
    this.code = code;
    this.msg = msg;
    this.data = data;
  }
}

/** Anything shaped like a Binance rejection (ours or the engine's `BinanceRejection`). */
export interface RejectionLike {
  readonly httpStatus: number;
  readonly code: number;
  readonly msg: string;
}

export function isRejectionLike(error: unknown): error is RejectionLike {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<RejectionLike>;
  return (
    typeof candidate.httpStatus === 'number' &&
    typeof candidate.code === 'number' &&
    typeof candidate.msg === 'string'
  );
}

/** The messages the servers themselves answer with (errors.md). */
export const Errors = {
  unknown: () => new BinanceApiError(500, -1000, 'An unknown error occurred while processing the request.'),
  disconnected: () =>
    new BinanceApiError(503, -1001, 'Internal error; unable to process your request. Please try again.'),
  unexpectedResponse: () =>
    new BinanceApiError(
      503,
      -1006,
      'An unexpected response was received from the message bus. Execution status unknown.',
    ),
  timeout: () =>
    new BinanceApiError(
      503,
      -1007,
      'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    ),
  serverBusy: () =>
    new BinanceApiError(
      503,
      -1008,
      'Server is currently overloaded with other requests. Please try again in a few minutes.',
    ),
  tooMuchWeight: (limit: number, interval: string) =>
    new BinanceApiError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per ${interval}. Please use WebSocket Streams for live updates to avoid polling the API.`,
    ),
  banned: (until: number) =>
    new BinanceApiError(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    ),
  tooManyOrders: (limit: number, interval: string) =>
    new BinanceApiError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`),
  timestampOutsideWindow: () =>
    new BinanceApiError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  timestampAhead: () =>
    new BinanceApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  badSignature: () => new BinanceApiError(400, -1022, 'Signature for this request is not valid.'),
  illegalChars: (param: string, range: string) =>
    new BinanceApiError(
      400,
      -1100,
      `Illegal characters found in parameter '${param}'; legal range is '${range}'.`,
    ),
  duplicateParam: () => new BinanceApiError(400, -1101, 'Duplicate values for a parameter detected.'),
  mandatory: (param: string) =>
    new BinanceApiError(
      400,
      -1102,
      `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`,
    ),
  eitherMandatory: (a: string, b: string) =>
    new BinanceApiError(400, -1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  tooLarge: (param: string, max: string) =>
    new BinanceApiError(400, -1102, `'${param}' contains unexpected value. Cannot be greater than '${max}'.`),
  unknownParam: () => new BinanceApiError(400, -1103, 'An unknown parameter was sent.'),
  unreadParams: (read: number, sent: number) =>
    new BinanceApiError(
      400,
      -1104,
      `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`,
    ),
  paramEmpty: (param: string) => new BinanceApiError(400, -1105, `Parameter '${param}' was empty.`),
  notRequired: (param: string) =>
    new BinanceApiError(400, -1106, `Parameter '${param}' sent when not required.`),
  overflow: (param: string) => new BinanceApiError(400, -1108, `Parameter '${param}' overflowed.`),
  precision: (param: string) =>
    new BinanceApiError(400, -1111, `Parameter '${param}' has too much precision.`),
  tifNotRequired: () => new BinanceApiError(400, -1114, 'TimeInForce parameter sent when not required.'),
  invalidTif: () => new BinanceApiError(400, -1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new BinanceApiError(400, -1116, 'Invalid orderType.'),
  invalidSide: () => new BinanceApiError(400, -1117, 'Invalid side.'),
  emptyNewClientOrderId: () => new BinanceApiError(400, -1118, 'New client order ID was empty.'),
  emptyOrigClientOrderId: () => new BinanceApiError(400, -1119, 'Original client order ID was empty.'),
  badInterval: () => new BinanceApiError(400, -1120, 'Invalid interval.'),
  badSymbol: () => new BinanceApiError(400, -1121, 'Invalid symbol.'),
  moreThanHours: (hours: number) =>
    new BinanceApiError(400, -1127, `More than ${hours} hours between startTime and endTime.`),
  badCombo: (fields: string) =>
    new BinanceApiError(400, -1128, `Fields [${fields}] must be sent together or omitted entirely.`),
  optionalBadCombo: () => new BinanceApiError(400, -1128, 'Combination of optional parameters invalid.'),
  invalidParameter: (param: string) =>
    new BinanceApiError(400, -1130, `Data sent for parameter '${param}' is not valid.`),
  badStrategyType: () => new BinanceApiError(400, -1134, '`strategyType` was less than 1000000.'),
  invalidJson: (param: string) =>
    new BinanceApiError(400, -1135, `JSON sent for parameter '${param}' is not valid`),
  invalidTickerType: () => new BinanceApiError(400, -1139, 'Invalid ticker type.'),
  invalidCancelRestrictions: () =>
    new BinanceApiError(
      400,
      -1145,
      '`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.',
    ),
  duplicateSymbols: () => new BinanceApiError(400, -1151, 'Symbol is present multiple times in the list.'),
  invalidTimeUnit: () =>
    new BinanceApiError(
      400,
      -1194,
      'Invalid value for time unit; expected either MICROSECOND or MILLISECOND.',
    ),
  badApiKeyFormat: () => new BinanceApiError(401, -2014, 'API-key format invalid.'),
  rejectedKey: () => new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  unauthorized: () => new BinanceApiError(401, -1002, 'You are not authorized to execute this request.'),
  subscriptionActive: () => new BinanceApiError(400, -2035, 'User Data Stream subscription already active.'),
  subscriptionInactive: () => new BinanceApiError(400, -2036, 'User Data Stream subscription not active.'),
} as const;
