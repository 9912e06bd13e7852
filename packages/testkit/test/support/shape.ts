/**
 * Differences between two JSON values' shapes: keys missing or extra, and JSON types that differ
 * (string vs number vs boolean vs null vs array vs object). Arrays compare their first element.
 * `optional` lists paths (`$.stopPrice`) that either side may lack: Binance's conditional fields.
 */
export function shapeDiff(
  ours: unknown,
  doc: unknown,
  optional: readonly string[] = [],
  path = '$',
): string[] {
  const kind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
  if (kind(ours) !== kind(doc)) return [`${path}: ${kind(ours)} where the docs have ${kind(doc)}`];
  if (Array.isArray(ours) && Array.isArray(doc)) {
    if (ours.length === 0 || doc.length === 0) return [];
    return shapeDiff(ours[0], doc[0], optional, `${path}[0]`);
  }
  if (kind(ours) !== 'object') return [];
  const a = ours as Record<string, unknown>;
  const b = doc as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const at = `${path}.${key}`;
    if (!(key in a)) {
      if (!optional.includes(at)) out.push(`${at}: missing (the docs have it)`);
      continue;
    }
    if (!(key in b)) {
      if (!optional.includes(at)) out.push(`${at}: extra (not in the docs' example)`);
      continue;
    }
    out.push(...shapeDiff(a[key], b[key], optional, at));
  }
  return out;
}
