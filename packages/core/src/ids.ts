import { randomBytes } from 'node:crypto';
import { ValidationError } from './errors';

const PREFIX = /^[A-Za-z0-9_-]{0,12}$/;

/**
 * A fresh client order id: `<prefix><time><random>`, at most 36 characters of
 * `[A-Za-z0-9_-]`, unique across processes without coordination.
 */
export function createClientOrderId(prefix = 'vk'): string {
  if (!PREFIX.test(prefix)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'clientOrderIdPrefix',
      rule: 'must be at most 12 characters of A-Z a-z 0-9 _ -',
    });
  }
  return `${prefix}${Date.now().toString(36)}${randomBytes(9).toString('base64url')}`;
}
