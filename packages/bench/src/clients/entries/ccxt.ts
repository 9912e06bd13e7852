import { CcxtProClient } from '../ccxt-pro';
import { runClient } from '../run';

runClient(() => new CcxtProClient());
