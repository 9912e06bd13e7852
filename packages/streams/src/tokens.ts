import { token } from '@venuekit/core';
import type { StreamManager } from './stream-manager';

export const StreamsTokens = {
  StreamManager: token<StreamManager>('@venuekit/streams/StreamManager'),
} as const;
