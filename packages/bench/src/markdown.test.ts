import { describe, expect, it } from 'vitest';
import { cell, parseTables, tablesOnly } from './markdown';

// As packages/streams/bench/fanout.ts prints it.
const FANOUT = `
## Fan-out (smoke run, Node v20.20.2, 2 CPUs, load 1.9)

| path | consumer | subscribers | events | delivered | dropped | elapsed ms | deliveries/s | events/s per subscriber |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| in-process | callback | 1 | 2000 | 2000 | 0 | 3 | 669,963 | 669,963 |
| redis | callback | 100 | 1000 | 100000 | 0 | 9 | 11,542,463 | 115,425 |

Redis rows skipped: no server.
`;

describe('markdown tables', () => {
  it('are read by header, as the other packages print them', () => {
    const [table] = parseTables(FANOUT);
    expect(table?.headers[0]).toBe('path');
    expect(table?.rows).toHaveLength(2);
    const redis = table?.rows[1] as string[];
    expect(cell(table!, redis, 'deliveries/s')).toBe('11,542,463');
    expect(cell(table!, redis, 'subscribers')).toBe('100');
    expect(cell(table!, redis, 'no such column')).toBeUndefined();
  });

  it('can be kept without the prose around them', () => {
    expect(tablesOnly(FANOUT).split('\n')).toHaveLength(4);
  });
});
