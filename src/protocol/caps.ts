/** Capability bitmaps: capability N is bit N%32 of word N/32 (spice-protocol.md §1.3). */
export function capsWords(caps: readonly number[]): number[] {
  const words: number[] = [];
  for (const c of caps) {
    const w = c >>> 5;
    while (words.length <= w) words.push(0);
    words[w] = (words[w]! | (1 << (c & 31))) >>> 0;
  }
  return words;
}

export function hasCap(words: readonly number[], cap: number): boolean {
  const w = words[cap >>> 5];
  return w !== undefined && (w & (1 << (cap & 31))) !== 0;
}
