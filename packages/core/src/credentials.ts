import { inspect } from 'node:util';
import { ValidationError } from './errors';
import { Secret } from './secret';

/** API credentials. Every value is a Secret: it never prints, serialises or logs. */
export type Credentials =
  | { readonly type: 'hmac'; readonly apiKey: Secret; readonly secret: Secret }
  | { readonly type: 'ed25519'; readonly apiKey: Secret; readonly privateKey: Secret }
  | { readonly type: 'rsa'; readonly apiKey: Secret; readonly privateKey: Secret };

/** What users pass: an api key with either an HMAC secret or a PEM private key (Ed25519 or RSA). */
export type CredentialsInput =
  | { apiKey: string; secret: string }
  | { apiKey: string; privateKey: string; type?: 'ed25519' | 'rsa' }
  | Credentials;

/**
 * Validates credentials and wraps every value in a Secret. The object is frozen
 * and prints as redacted.
 */
export function createCredentials(input: CredentialsInput): Credentials {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('MISSING_PARAMETER', {
      field: 'credentials',
      rule: 'must be an object with apiKey and secret or privateKey',
    });
  }
  const raw = input as Record<string, unknown>;
  if (raw.apiKey instanceof Secret) {
    if (raw.type === 'hmac' && raw.secret instanceof Secret) return seal(input as Credentials);
    if ((raw.type === 'ed25519' || raw.type === 'rsa') && raw.privateKey instanceof Secret)
      return seal(input as Credentials);
  }
  const apiKey = text(raw.apiKey, 'apiKey');
  if (raw.secret !== undefined && raw.privateKey !== undefined) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'credentials',
      rule: 'must have either secret or privateKey, not both',
    });
  }
  if (raw.secret !== undefined) {
    return seal({ type: 'hmac', apiKey: new Secret(apiKey), secret: new Secret(text(raw.secret, 'secret')) });
  }
  const privateKey = text(raw.privateKey, 'privateKey', true);
  if (!privateKey.includes('PRIVATE KEY')) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'privateKey',
      rule: 'must be a PEM-encoded PKCS#8 private key',
    });
  }
  const type =
    raw.type === 'rsa' ? 'rsa' : raw.type === undefined || raw.type === 'ed25519' ? 'ed25519' : null;
  if (!type)
    throw new ValidationError('INVALID_PARAMETER', { field: 'type', rule: 'must be ed25519 or rsa' });
  return seal({ type, apiKey: new Secret(apiKey), privateKey: new Secret(privateKey) });
}

/** Forgets every value of the credentials (and stops scrubbing them from logs). */
export function disposeCredentials(credentials: Credentials): void {
  credentials.apiKey.dispose();
  if (credentials.type === 'hmac') credentials.secret.dispose();
  else credentials.privateKey.dispose();
}

function text(value: unknown, field: string, multiline = false): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError('MISSING_PARAMETER', { field, rule: 'must be a non-empty string' });
  }
  if (!multiline && /\s/.test(value))
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must not contain whitespace' });
  return value;
}

function seal(credentials: Credentials): Credentials {
  // Already sealed (createCredentials given its own result): it is frozen, so return it as is.
  if (Object.isFrozen(credentials)) return credentials;
  Object.defineProperty(credentials, inspect.custom, {
    value: () => `Credentials(${credentials.type}, [REDACTED])`,
  });
  Object.defineProperty(credentials, 'toJSON', {
    value: () => ({ type: credentials.type, apiKey: '[REDACTED]' }),
  });
  return Object.freeze(credentials);
}
