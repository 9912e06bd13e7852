import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { currentSecretGuard, registerTestSecret } from '../src/guard/secret-guard';
import { SecretScanner } from '../src/guard/secret-scanner';

describe('secret scanner', () => {
  it('finds the markers and registered values, and pieces of them, without keeping the secret', () => {
    const scanner = new SecretScanner();
    const registered = 'plain-registered-secret-value-0123456789abcdef';
    scanner.register(registered);
    expect(scanner.scan('nothing to see here', 'a')).toEqual([]);
    const marker = scanner.scan('{"key":"LEAKCHECKapikeyalice"}', 'b');
    expect(marker).toHaveLength(1);
    expect(marker[0]).toMatchObject({ source: 'b', what: 'LEAKCHECK', offset: 8 });
    const exact = scanner.scan(`signed with ${registered}`, 'c');
    expect(exact).toHaveLength(1);
    expect(exact[0]?.what).toMatch(/^sha256:[0-9a-f]{12}$/);
    // A truncated copy (24 characters of it) is still a leak.
    expect(scanner.scan(`...${registered.slice(9, 40)}...`, 'd')).toHaveLength(1);
    expect(JSON.stringify(scanner.findings)).not.toContain(registered.slice(0, 20));
    expect(() => scanner.register('short')).toThrow(TypeError);
  });
});

describe('the installed guard (this file runs under it)', () => {
  it('sees process output, console and every core logger line, whatever the destination', () => {
    const guard = currentSecretGuard();
    expect(guard).toBeDefined();
    if (!guard) return;
    registerTestSecret('registered-for-the-guard-test-0000');
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(line) },
    });
    logger.info('a message', { note: 'registered-for-the-guard-test-0000' });
    logger.info('redacted', { secret: 'registered-for-the-guard-test-0000' });
    console.warn('warned about VKTESTAPIKEY-not-a-real-key');
    guard.scan(new Error('an error naming LEAKCHECKsecretbob'), 'error');
    const findings = guard.takeFindings();
    expect(findings.map((finding) => finding.source).sort()).toEqual(['console.warn', 'error', 'log']);
    expect(lines).toHaveLength(2);
    expect(guard.takeFindings()).toEqual([]);
  });
});

describe('the shared setup file, in a real vitest run', () => {
  it('fails a file that logs a secret, one whose failing test names one, one that leaves a server open; passes a clean one', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const config = fileURLToPath(new URL('./fixtures/guard/vitest.config.ts', import.meta.url));
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [`${root}node_modules/vitest/vitest.mjs`, 'run', '--config', config, '--reporter', 'verbose'],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: { ...process.env, NO_COLOR: '1', CI: '1' },
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(
      /logs-a-secret\.fixture\.ts[\s\S]*a test secret appeared 1 time\(s\)[^\n]*log \(marker LEAK…\)/,
    );
    expect(run.output).toMatch(
      /leaves-a-server\.fixture\.ts[\s\S]*left open after the file's tests: 1 × TCPServerWrap/,
    );
    expect(run.output).toMatch(
      /fails-with-a-secret\.fixture\.ts[\s\S]*a test secret appeared 1 time\(s\)[^\n]*error in "fails with an error/,
    );
    expect(run.output).toMatch(/✓ clean\.fixture\.ts/);
    // The guard's report does not repeat the secret.
    expect(run.output).not.toContain('LEAKCHECKapikeyfixture');
  }, 120_000);
});
