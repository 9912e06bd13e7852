import { inspect } from 'node:util';
import { Secret, ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { resolveDatabase } from './connection';

const PASSWORD = 'VKTEST-correct-horse-battery-staple';

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).context.field;
  }
  throw new Error('expected a ValidationError');
}

describe('resolveDatabase', () => {
  it('reads a url; the password stays in a Secret, out of the config, the description and inspection', async () => {
    const db = resolveDatabase({ url: `postgres://rec:${PASSWORD}@db.internal:6543/market?sslmode=require` });
    expect(db.description).toBe('postgres://rec@db.internal:6543/market');
    expect(db.schema).toBe('venuekit');
    const config = db.clientConfig();
    expect(config).toMatchObject({ host: 'db.internal', port: 6543, user: 'rec', database: 'market' });
    expect(config.ssl).toEqual({ rejectUnauthorized: false });
    expect(typeof config.password).toBe('function');
    expect(await (config.password as () => string)()).toBe(PASSWORD);
    for (const text of [
      JSON.stringify(config),
      inspect(config, { depth: 5 }),
      inspect(db, { depth: 5 }),
      db.description,
    ]) {
      expect(text).not.toContain(PASSWORD);
    }
  });

  it('accepts a Secret url and explicit fields over the url', () => {
    const db = resolveDatabase({
      url: new Secret(`postgresql://a:${PASSWORD}@h1:1111/d1`),
      host: 'h2',
      schema: 'research',
      applicationName: 'rec-1',
    });
    expect(db.clientConfig()).toMatchObject({ host: 'h2', port: 1111, user: 'a', application_name: 'rec-1' });
    expect(db.schema).toBe('research');
  });

  it('refuses bad options with a ValidationError naming the field', () => {
    expect(fieldOf(() => resolveDatabase({ schema: 'Bad-Name' }))).toBe('database.schema');
    expect(fieldOf(() => resolveDatabase({ schema: 'pg_catalog' }))).toBe('database.schema');
    expect(fieldOf(() => resolveDatabase({ url: 'mysql://x@y/z' }))).toBe('database.url');
    expect(fieldOf(() => resolveDatabase({ url: 'not a url' }))).toBe('database.url');
    expect(fieldOf(() => resolveDatabase({ port: 70_000 }))).toBe('database.port');
    expect(fieldOf(() => resolveDatabase({ connectTimeoutMs: 0 }))).toBe('database.connectTimeoutMs');
    expect(fieldOf(() => resolveDatabase({ host: '' }))).toBe('database.host');
  });
});
