import { createHash } from 'node:crypto';
import { qualified, quoteIdent } from '../db/sql';
import { CODECS } from '../schema/columns';
import type { Structure } from '../schema/structure';

/**
 * One multi-row INSERT per table and batch: every column travels as one array parameter and
 * `unnest` turns them back into rows, so a statement has as many parameters as the table has
 * columns whatever the batch size, is prepared once per connection, and can still say ON CONFLICT.
 */
export interface InsertStatement {
  readonly name: string;
  readonly text: string;
}

export function insertStatement(
  schema: string,
  structure: Structure,
  target: 'current' | 'history',
): InsertStatement {
  const table = target === 'history' ? (structure.historyTable as string) : structure.table;
  const columns = structure.columns;
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const params = columns.map((c, i) => `$${i + 1}::${CODECS[c.type].paramType}`).join(', ');
  const aliases = columns.map((_c, i) => `c${i}`).join(', ');
  const selects = columns.map((c, i) => CODECS[c.type].select(`u.c${i}`)).join(', ');
  let text = `INSERT INTO ${qualified(schema, table)} AS t (${names}) SELECT ${selects} FROM unnest(${params}) AS u(${aliases})`;
  if (target === 'current' && structure.mode !== 'append') {
    const key = structure.key.map(quoteIdent).join(', ');
    if (structure.mode === 'unique') {
      text += ` ON CONFLICT (${key}) DO NOTHING`;
    } else {
      const keys = new Set(structure.key);
      const updates = columns
        .filter((c) => !keys.has(c.name))
        .map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`)
        .join(', ');
      text += ` ON CONFLICT (${key}) DO UPDATE SET ${updates}`;
      if (structure.mode === 'state' && structure.versionColumn) {
        // An older state (a late or replayed event) never overwrites a newer one.
        const v = quoteIdent(structure.versionColumn);
        text += ` WHERE t.${v} <= EXCLUDED.${v}`;
      }
    }
  }
  const digest = createHash('sha1').update(text).digest('hex').slice(0, 12);
  return { name: `vkrec_${table}_${digest}`, text };
}
