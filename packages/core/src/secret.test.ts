import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCredentials, disposeCredentials } from './credentials';
import { ValidationError } from './errors';
import { redact, Secret, scrubSecrets } from './secret';

describe('Secret and credentials', () => {
  it('never shows its value through inspect, JSON, string conversion or enumeration', () => {
    const secret = new Secret('s3cr3t-value-abcdef');
    expect(inspect(secret)).toBe('Secret([REDACTED])');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}');
    expect(`${secret}`).toBe('[REDACTED]');
    expect(Object.keys(secret)).toEqual([]);
    expect(secret.reveal()).toBe('s3cr3t-value-abcdef');
    secret.dispose();
    expect(() => secret.reveal()).toThrow(/disposed/);
    expect(scrubSecrets('s3cr3t-value-abcdef')).toBe('s3cr3t-value-abcdef');
  });

  it('scrubs credential-shaped values but leaves prose after the same words alone', () => {
    expect(scrubSecrets('GET /api/v3/account?timestamp=1&signature=c8db56825ae71d6d79447849e617')).toBe(
      'GET /api/v3/account?timestamp=1&signature=[REDACTED]',
    );
    expect(scrubSecrets('{"apiKey":"vmPUZE6mv9SD5VNHk4Hl"}')).toBe('{"apiKey":"[REDACTED]"}');
    expect(scrubSecrets('userDataStream.subscribe.signature: the venue refused it')).toBe(
      'userDataStream.subscribe.signature: the venue refused it',
    );
  });

  it('scrubs live secret values from any text', () => {
    const secret = new Secret('live-value-0123456789');
    expect(scrubSecrets('x live-value-0123456789 y')).toBe('x [REDACTED] y');
    secret.dispose();
  });

  it('scrubs with thousands of live secrets, including ones glued into longer text and PEM lines', () => {
    const secrets = Array.from(
      { length: 2000 },
      (_, i) => new Secret(`user${i}-secret-${'x'.repeat(8)}${i * 7919}`),
    );
    const pem = new Secret(
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPEMBODYLINE0123\n-----END PRIVATE KEY-----',
    );
    const text = `a ${secrets[1234]?.reveal()} b key=${secrets[5]?.reveal()} glued${secrets[42]?.reveal()}glued pem MC4CAQAwBQYDK2VwBCIEIPEMBODYLINE0123`;
    const scrubbed = scrubSecrets(text);
    for (const i of [1234, 5, 42]) expect(scrubbed).not.toContain(secrets[i]?.reveal());
    expect(scrubbed).not.toContain('PEMBODYLINE');
    expect(scrubbed).toContain('glued');
    expect(scrubSecrets('log line with nothing secret in it')).toBe('log line with nothing secret in it');
    for (const s of secrets) s.dispose();
    pem.dispose();
    expect(scrubSecrets(text)).toContain('user1234-secret');
  });

  it('accepts its own sealed credentials again', () => {
    const credentials = createCredentials({ apiKey: 'key-abcdefgh-456', secret: 'secret-abcdefgh-456' });
    expect(createCredentials(credentials)).toBe(credentials);
    disposeCredentials(credentials);
  });

  it('credentials validate input and print redacted', () => {
    const credentials = createCredentials({ apiKey: 'key-abcdefgh-123', secret: 'secret-abcdefgh-123' });
    expect(credentials.type).toBe('hmac');
    expect(inspect(credentials)).toBe('Credentials(hmac, [REDACTED])');
    expect(JSON.stringify(credentials)).not.toContain('abcdefgh');
    expect(() => createCredentials({ apiKey: '', secret: 'x' })).toThrow(ValidationError);
    expect(() => createCredentials({ apiKey: 'k', privateKey: 'not a pem' })).toThrow(
      /privateKey must be a PEM/,
    );
    disposeCredentials(credentials);
    expect(credentials.apiKey.disposed).toBe(true);
  });

  it('redact replaces sensitive keys at any depth and cuts cycles', () => {
    const value: Record<string, unknown> = { a: { b: { signature: 'sig', ok: 1 } }, list: [{ apiKey: 'k' }] };
    value.self = value;
    expect(redact(value)).toEqual({
      a: { b: { signature: '[REDACTED]', ok: 1 } },
      list: [{ apiKey: '[REDACTED]' }],
      self: '[Circular]',
    });
  });
});
