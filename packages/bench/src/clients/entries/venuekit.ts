import { VenuekitClient } from '../venuekit';
import { runClient } from '../run';

runClient(() => new VenuekitClient());
