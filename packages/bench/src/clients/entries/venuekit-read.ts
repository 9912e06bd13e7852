import { VenuekitClient } from '../venuekit';
import { runClient } from '../run';

// venuekit with a subscriber that reads what it gets (prices, quantities, best bid and ask).
runClient(() => new VenuekitClient({ read: true }));
