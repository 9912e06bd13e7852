import { token } from '@venuekit/core';
import type { Recorder } from './recorder';

export const RecorderTokens = {
  Recorder: token<Recorder>('@venuekit/recorder/Recorder'),
} as const;
