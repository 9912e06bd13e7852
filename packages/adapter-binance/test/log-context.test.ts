import { runWithContext, type UserDataEvent } from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness } from './trading-harness';

// A connection opened during one caller's work serves others after it: its later log lines must
// not carry that caller's context (a session id, a request id).

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('log context of shared connections', () => {
  it("lines of a connection's later life do not carry the context of the call that opened it", async () => {
    const events: UserDataEvent[] = [];
    const subscription = await runWithContext({ sessionId: 'session-of-the-opener', requestId: 'r-1' }, () =>
      h.account.subscribeUserData({ next: (event) => events.push(event) }),
    );
    try {
      const mark = h.logLines.length;
      h.fake.handle.faults.dropConnection({ kind: 'wsApi' });
      // The connection notices, reconnects, and the stream subscribes again: all logged.
      await eventually(
        () =>
          h.logLines.slice(mark).some((line) => line.includes('resubscribed') || line.includes('caught up')),
        15_000,
        'the user data stream back after the drop',
      );
      const later = h.logLines.slice(mark);
      expect(later.length).toBeGreaterThan(0);
      expect(
        later.filter((line) => line.includes('session-of-the-opener') || line.includes('"r-1"')),
      ).toEqual([]);
    } finally {
      await subscription.unsubscribe();
    }
  });
});
