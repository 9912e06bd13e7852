import { FloorClient } from '../floor';
import { runClient } from '../run';

runClient(() => new FloorClient());
