/** A markdown table as printed by the other packages' benchmarks: header cells and rows of cells. */
export interface MarkdownTable {
  readonly headers: string[];
  readonly rows: string[][];
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** Every table in `text` (a header line, a `---` line, then rows). */
export function parseTables(text: string): MarkdownTable[] {
  const lines = text.split('\n');
  const tables: MarkdownTable[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i] as string;
    const rule = lines[i + 1] as string;
    if (!header.trim().startsWith('|') || !/^\s*\|?\s*:?-{3,}/.test(rule)) continue;
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] as string).trim().startsWith('|'); j++)
      rows.push(cells(lines[j] as string));
    tables.push({ headers: cells(header), rows });
    i = j - 1;
  }
  return tables;
}

/** The cell of `row` under the first header that starts with `header`. */
export function cell(table: MarkdownTable, row: string[], header: string): string | undefined {
  const index = table.headers.findIndex((h) => h.startsWith(header));
  return index < 0 ? undefined : row[index];
}

/** The markdown tables of `text`, without the prose around them. */
export function tablesOnly(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .join('\n');
}
