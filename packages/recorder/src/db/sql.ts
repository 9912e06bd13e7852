import { ValidationError } from '@venuekit/core';

/** PostgreSQL identifiers are at most 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a schema name given by the user: lowercase letters, digits and `_`, so it never needs quoting tricks. */
export function validateSchemaName(schema: unknown, field = 'schema'): string {
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule: 'must be 1-63 characters of a-z, 0-9 and _, not starting with a digit',
    });
  }
  if (schema.startsWith('pg_')) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must not start with pg_ (reserved)' });
  }
  return schema;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `"schema"."table"` */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** The placeholder migrations use for the schema, replaced when they are applied. */
export const SCHEMA_PLACEHOLDER = '{{schema}}';

export function renderMigration(sql: string, schema: string): string {
  return sql.split(SCHEMA_PLACEHOLDER).join(quoteIdent(schema));
}
