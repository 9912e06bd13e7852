/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4, written from the
 * official rules (prometheus/docs, content/docs/instrumenting/exposition_formats.md, "Text format
 * details"). It throws on anything a compliant exposition must not contain, so a test that parses
 * our output proves it is valid, not just that it looks right.
 */

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp?: number;
}

export interface PromFamily {
  readonly name: string;
  type: PromType;
  help?: string;
  readonly samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Go's strconv.ParseFloat, decimal forms (the ones an exposition uses). */
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf|NaN|nan|Infinity|infinity)$/;
const INT64 = /^-?\d+$/;

export class PromParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

function parseFloatGo(text: string, line: number): number {
  if (!FLOAT.test(text)) throw new PromParseError(line, `"${text}" is not a float`);
  const lower = text.toLowerCase();
  if (lower.endsWith('nan')) return Number.NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) {
    return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return Number(text);
}

/** The family a sample name belongs to, given the TYPEs declared so far. */
function familyOf(name: string, families: Map<string, PromFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const family = families.get(base);
      if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) {
        return base;
      }
    }
  }
  return name;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new PromParseError(0, 'the last line must end with \\n');
  const families = new Map<string, PromFamily>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: string | undefined;
  const enter = (name: string, line: number) => {
    if (current === name) return;
    if (finished.has(name))
      throw new PromParseError(line, `lines of ${name} are not one uninterrupted group`);
    if (current !== undefined) finished.add(current);
    current = name;
  };
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((raw, index) => {
    const n = index + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const tokens = line
        .slice(1)
        .trim()
        .split(/[ \t]+/);
      const keyword = tokens[0];
      if (keyword !== 'HELP' && keyword !== 'TYPE') return;
      const name = tokens[1];
      if (name === undefined || !METRIC_NAME.test(name))
        throw new PromParseError(n, `bad metric name in ${keyword}`);
      enter(name, n);
      let family = families.get(name);
      if (!family) {
        family = { name, type: 'untyped', samples: [] };
        families.set(name, family);
      }
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new PromParseError(n, `second HELP for ${name}`);
        const doc = line.replace(/^#\s*HELP\s+\S+\s?/, '');
        family.help = doc.replace(/\\(.?)/g, (_m, c: string) => {
          if (c === 'n') return '\n';
          if (c === '\\') return '\\';
          throw new PromParseError(n, 'HELP may only escape \\\\ and \\n');
        });
      } else {
        if (tokens.length !== 3) throw new PromParseError(n, 'TYPE takes exactly a name and a type');
        if (!TYPES.has(tokens[2] as string)) throw new PromParseError(n, `unknown type ${tokens[2]}`);
        if (seen.has(`type:${name}`)) throw new PromParseError(n, `second TYPE for ${name}`);
        if (family.samples.length > 0) throw new PromParseError(n, `TYPE for ${name} after its samples`);
        seen.add(`type:${name}`);
        family.type = tokens[2] as PromType;
      }
      return;
    }
    const sample = parseSample(line, n);
    const familyName = familyOf(sample.name, families);
    enter(familyName, n);
    let family = families.get(familyName);
    if (!family) {
      family = { name: familyName, type: 'untyped', samples: [] };
      families.set(familyName, family);
    }
    const identity = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(identity)) throw new PromParseError(n, `duplicate sample ${identity}`);
    seen.add(identity);
    if (family.type === 'counter' && !(sample.value >= 0))
      throw new PromParseError(n, 'a counter cannot be negative');
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, n: number): PromSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new PromParseError(n, 'a sample must start with a metric name');
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  while (line[i] === ' ' || line[i] === '\t') i++;
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!labelMatch || !LABEL_NAME.test(labelMatch[0])) throw new PromParseError(n, 'bad label name');
      const label = labelMatch[0];
      i += label.length;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') throw new PromParseError(n, `expected = after ${label}`);
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') throw new PromParseError(n, `expected " to open the value of ${label}`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new PromParseError(n, `unterminated value of ${label}`);
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const e = line[i + 1];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else throw new PromParseError(n, `invalid escape \\${e ?? ''} in ${label}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (label in labels) throw new PromParseError(n, `label ${label} given twice`);
      labels[label] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      throw new PromParseError(n, 'expected , or } after a label');
    }
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '')
    throw new PromParseError(n, 'expected a value and an optional timestamp');
  const value = parseFloatGo(rest[0] as string, n);
  if (rest.length === 2 && !INT64.test(rest[1] as string))
    throw new PromParseError(n, 'the timestamp must be an int64');
  return rest.length === 2 ? { name, labels, value, timestamp: Number(rest[1]) } : { name, labels, value };
}

/** A histogram must have increasing `le` buckets ending with +Inf, cumulative, with +Inf equal to _count. */
function checkHistogram(family: PromFamily): void {
  const groups = new Map<string, { les: number[]; counts: number[]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let group = groups.get(key);
    if (!group) {
      group = { les: [], counts: [] };
      groups.set(key, group);
    }
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.les.push(parseFloatGo(le, 0));
      group.counts.push(sample.value);
    } else if (sample.name === `${family.name}_count`) {
      group.count = sample.value;
    } else if (sample.name === `${family.name}_sum`) {
      group.sum = sample.value;
    } else {
      throw new Error(`${family.name}: unexpected sample ${sample.name} in a histogram`);
    }
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`;
    if (group.les.at(-1) !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < group.les.length; i++) {
      if (!((group.les[i] as number) > (group.les[i - 1] as number)))
        throw new Error(`${where}: le not increasing`);
      if ((group.counts[i] as number) < (group.counts[i - 1] as number))
        throw new Error(`${where}: buckets not cumulative`);
    }
    if (group.count === undefined || group.sum === undefined)
      throw new Error(`${where}: missing _count or _sum`);
    if (group.counts.at(-1) !== group.count) throw new Error(`${where}: +Inf bucket differs from _count`);
  }
}

/** The value of one sample, by name and a subset of its labels; undefined if there is none. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  return undefined;
}
