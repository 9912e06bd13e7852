const CHUNK = 64;

function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A sorted set of numbers kept in chunks of at most 2·64: finding a key is a
 * binary search over chunks then within one, and inserting or deleting moves at
 * most one chunk's elements, so each costs O(log n + 64).
 */
export class SortedKeys {
  #chunks: number[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  first(): number | undefined {
    return this.#chunks[0]?.[0];
  }

  /** Adds `x`; the caller guarantees it is not present. */
  insert(x: number): void {
    const chunks = this.#chunks;
    this.#size++;
    if (chunks.length === 0) {
      chunks.push([x]);
      return;
    }
    const ci = this.#chunkFor(x);
    const chunk = chunks[ci] as number[];
    // Shifting by hand: for arrays this small it is several times cheaper than splice.
    const at = lowerBound(chunk, x);
    let j = chunk.length;
    chunk.push(x);
    for (; j > at; j--) chunk[j] = chunk[j - 1] as number;
    chunk[at] = x;
    if (chunk.length > 2 * CHUNK) chunks.splice(ci + 1, 0, chunk.splice(CHUNK));
  }

  delete(x: number): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) return false;
    const ci = this.#chunkFor(x);
    const chunk = chunks[ci] as number[];
    const i = lowerBound(chunk, x);
    if (chunk[i] !== x) return false;
    const last = chunk.length - 1;
    for (let j = i; j < last; j++) chunk[j] = chunk[j + 1] as number;
    chunk.pop();
    if (chunk.length === 0) chunks.splice(ci, 1);
    this.#size--;
    return true;
  }

  /** Keeps only the keys for which `keep` returns true, in one pass. */
  retainAll(keep: (key: number) => boolean): void {
    const kept: number[] = [];
    for (const chunk of this.#chunks) {
      for (const key of chunk) if (keep(key)) kept.push(key);
    }
    const chunks: number[][] = [];
    for (let i = 0; i < kept.length; i += CHUNK) chunks.push(kept.slice(i, i + CHUNK));
    this.#chunks = chunks;
    this.#size = kept.length;
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** Calls `visit` for keys in ascending order until it returns false. */
  visit(visit: (key: number) => boolean | undefined): void {
    for (const chunk of this.#chunks) {
      for (const key of chunk) {
        if (visit(key) === false) return;
      }
    }
  }

  // The first chunk whose last key is >= x, or the last chunk.
  #chunkFor(x: number): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as number[];
      if ((chunk[chunk.length - 1] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
