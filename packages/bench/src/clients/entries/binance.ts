import { BinanceSdkClient } from '../binance-sdk';
import { runClient } from '../run';

runClient(() => new BinanceSdkClient());
