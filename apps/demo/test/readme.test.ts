import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The root README is what a newcomer reads first: its code must compile against the sources as
// they are today, its Quick start must be the commands that work, and its sections must come in
// the order a newcomer needs them.

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Block {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence in README.md. */
  readonly line: number;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) body.push(lines[i] as string);
    blocks.push({ lang: open[1] ?? '', code: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

function headings(markdown: string, level: number): string[] {
  const marker = `${'#'.repeat(level)} `;
  let inFence = false;
  const out: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    else if (!inFence && line.startsWith(marker)) out.push(line.slice(marker.length).trim());
  }
  return out;
}

/** Type-checks each block as its own module, as if it were a file in apps/demo, against the workspace sources. */
function typeCheck(blocks: readonly Block[]): Map<Block, string[]> {
  const configPath = join(root, 'tsconfig.base.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
  };
  const files = new Map(
    blocks.map((block, i) => [join(root, 'apps/demo', `readme-sample-${i + 1}.ts`), block]),
  );
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const block = files.get(fileName);
    return block
      ? ts.createSourceFile(fileName, block.code, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  };
  host.fileExists = (fileName) => files.has(fileName) || fileExists(fileName);
  host.readFile = (fileName) => files.get(fileName)?.code ?? readFile(fileName);
  const program = ts.createProgram([...files.keys()], options, host);
  const results = new Map<Block, string[]>();
  for (const [fileName, block] of files) {
    const source = program.getSourceFile(fileName);
    if (!source) throw new Error(`${fileName} was not compiled`);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    results.set(
      block,
      diagnostics.map((d) => {
        const at = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
        return `README.md:${block.line + 1 + at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return results;
}

describe('the root README', () => {
  const blocks = fencedBlocks(readme);
  const samples = blocks.filter((block) => block.lang === 'ts' || block.lang === 'typescript');

  it('has its sections in the order a newcomer needs them', () => {
    const order = [
      'Quick start',
      'Packages',
      'Usage',
      'Registering a custom exchange adapter',
      'Using the testkit in your own tests',
      'Configuration and environment variables',
      'Errors',
      'Performance',
      'Security notes',
    ];
    const found = headings(readme, 2);
    const positions = order.map((name) => found.indexOf(name));
    expect(
      positions.every((p) => p >= 0),
      `missing: ${order.filter((_, i) => positions[i] === -1)}`,
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // What venuekit is comes before everything, under the title.
    expect(readme.indexOf('never silently stalls')).toBeLessThan(readme.indexOf('## Quick start'));
    expect(headings(readme, 3).slice(0, 3)).toEqual(['Market data', 'Trading', 'Health']);
    expect(readme).toContain('](packages/core/ERRORS.md)');
  });

  it('gives exactly the two Quick start commands, and they are the scripts that exist', () => {
    const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Packages'));
    const commands = fencedBlocks(section)
      .filter((block) => block.lang === 'sh')
      .flatMap((block) => block.code.split('\n'))
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm run demo', 'npm test']);
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.demo).toBe('node scripts/bootstrap.mjs demo');
    expect(scripts.test).toBe('node scripts/bootstrap.mjs test');
    expect(scripts['smoke:live']).toBeDefined();
    const demo = JSON.parse(readFileSync(join(root, 'apps/demo/package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(demo.scripts.start).toBe('tsx --conditions=@venuekit/source src/main.ts');
  });

  it('shows the figures of the latest benchmark run rather than inventing any', () => {
    const section = readme.slice(
      readme.indexOf('<!-- performance:start'),
      readme.indexOf('<!-- performance:end -->'),
    );
    expect(readme.indexOf('<!-- performance:start')).toBeGreaterThan(readme.indexOf('## Performance'));
    expect(section).toContain('pnpm bench');
    // Every row with a figure is one `pnpm bench` wrote to packages/bench/results/latest.md (the
    // README's copy is not laid out by the formatter, so cells are compared trimmed).
    const cells = (row: string) =>
      row
        .split('|')
        .map((cell) => cell.trim())
        .join('|');
    const results = readFileSync(join(root, 'packages/bench/results/latest.md'), 'utf8');
    const measured = new Set(
      results
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .map(cells),
    );
    const rows = section.split('\n').filter((line) => line.startsWith('|') && /\d/.test(line));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(measured).toContain(cells(row));
  });

  it('has code samples for market data, trading, health, a custom adapter and the testkit', () => {
    expect(samples.length).toBeGreaterThanOrEqual(6);
    const text = samples.map((s) => s.code).join('\n');
    for (const used of [
      'watchTrades',
      'placeOrder',
      'checkSystem',
      'registerAdapter',
      'startFakeBinance',
      'FakeExchange',
    ]) {
      expect(text).toContain(used);
    }
  });

  it('has code samples that type-check against the workspace sources', { timeout: 180_000 }, () => {
    const results = typeCheck(samples);
    const problems = [...results.values()].flat();
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('would notice a sample that stopped compiling', { timeout: 180_000 }, () => {
    // The checker itself must fail on a wrong API, or the test above proves nothing.
    const broken: Block = {
      lang: 'ts',
      line: 1,
      code: "import { createVenuekit } from '@venuekit/core';\ncreateVenuekit({ modules: [] }).streams.watchTrades('BTC/USDT');",
    };
    const [problems] = [...typeCheck([broken]).values()];
    expect(problems?.join('\n')).toMatch(/Property 'streams' does not exist/);
  });
});
