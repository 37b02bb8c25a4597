import { describe, expect, it } from 'vitest';
import { headsOf, sameHeads } from './heads';

const primary = { id: 0, width: 1024, height: 768 };
const head = (monitorId: number, x: number, y: number, width: number, height: number, surfaceId = 0) => ({ monitorId, surfaceId, x, y, width, height, flags: 0 });

describe('headsOf', () => {
  it('is the whole primary as head 0 without a MONITORS_CONFIG', () => {
    expect(headsOf(primary, null)).toEqual([{ head: 0, x: 0, y: 0, width: 1024, height: 768 }]);
    expect(headsOf(null, null)).toEqual([]);
  });

  it('gives each configured head its rectangle, sorted by id', () => {
    const heads = headsOf({ id: 0, width: 2048, height: 768 }, { maxAllowed: 4, heads: [head(1, 1024, 0, 1024, 768), head(0, 0, 0, 1024, 768)] });
    expect(heads).toEqual([
      { head: 0, x: 0, y: 0, width: 1024, height: 768 },
      { head: 1, x: 1024, y: 0, width: 1024, height: 768 },
    ]);
  });

  it('clips heads to the surface and drops empty, foreign-surface and duplicate ones', () => {
    const heads = headsOf(primary, {
      maxAllowed: 4,
      heads: [head(0, 0, 0, 2000, 2000), head(0, 5, 5, 10, 10), head(1, 1024, 0, 100, 100), head(2, 0, 0, 50, 50, 7)],
    });
    expect(heads).toEqual([{ head: 0, x: 0, y: 0, width: 1024, height: 768 }]);
  });

  it('falls back to the whole surface when no configured head is usable', () => {
    expect(headsOf(primary, { maxAllowed: 1, heads: [head(0, 0, 0, 0, 0)] })).toEqual([{ head: 0, x: 0, y: 0, width: 1024, height: 768 }]);
  });

  it('compares layouts', () => {
    const a = headsOf(primary, null);
    expect(sameHeads(a, headsOf(primary, null))).toBe(true);
    expect(sameHeads(a, headsOf({ id: 0, width: 800, height: 600 }, null))).toBe(false);
  });
});
