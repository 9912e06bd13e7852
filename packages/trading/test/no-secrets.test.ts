import { FakeExchange } from '@venuekit/testkit';
import { describe, it } from 'vitest';
import { capturingLogger, captureProcessOutput } from './helpers';
import { expectNoSecret, runLeakScenario } from './leak-scan';

describe('no secret in any output (in-memory fake exchange)', () => {
  it('keeps every API key, secret and private key out of logs, events, telemetry, errors, statuses and inspections', async () => {
    const output = captureProcessOutput();
    const { logger, lines } = capturingLogger();
    const fake = new FakeExchange({ logger });
    try {
      const { texts, secrets } = await runLeakScenario({
        adapter: fake,
        engine: fake.engine,
        revokeApiKey: (apiKey) => fake.market.revokeApiKey(apiKey),
        logger,
        lines,
      });
      expectNoSecret([...texts, ...output.output], secrets);
    } finally {
      output.restore();
      await fake.close();
    }
  });
});
