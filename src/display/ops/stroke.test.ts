import { describe, expect, it } from 'vitest';
import type { DrawStroke } from '../../protocol/display';
import { Ropd, SurfaceFmt } from '../../protocol/enums';
import { createSurface } from '../surface';
import { drawStroke, fixToInt, flattenPath, PathFlags, zeroLinePixels } from './stroke';

const all = { left: -1000, top: -1000, right: 1000, bottom: 1000 };
const pixels = (x1: number, y1: number, x2: number, y2: number, lim = all) => {
  const out: string[] = [];
  zeroLinePixels(x1, y1, x2, y2, lim, (x, y) => out.push(`${x},${y}`));
  return out;
};

describe('stroke', () => {
  it('Bresenham pixels worked by hand from miZeroLine (e1=4, e2=-4, e3=-8), end point excluded', () => {
    expect(pixels(0, 0, 4, 2)).toEqual(['0,0', '1,1', '2,1', '3,2']);
    // octant 4 is in X's default bias: a tie steps the major axis only
    expect(pixels(4, 2, 0, 0)).toEqual(['4,2', '3,2', '2,1', '1,1']);
    expect(pixels(0, 0, 0, 3)).toEqual(['0,0', '0,1', '0,2']);
    expect(pixels(2, 2, 2, 2)).toEqual([]);
  });
  it('clipping keeps exactly the unclipped pixels inside the limit', () => {
    const full = pixels(-7, -3, 20, 9);
    const lim = { left: 0, top: 0, right: 10, bottom: 5 };
    const inside = full.filter((p) => { const [x, y] = p.split(',').map(Number); return x >= 0 && x < 10 && y >= 0 && y < 5; });
    expect(pixels(-7, -3, 20, 9, lim)).toEqual(inside);
  });
  it('fix_to_int rounds 28.4 with ties down', () => {
    expect([fixToInt(0x18), fixToInt(0x19), fixToInt(-8), fixToInt(-7)]).toEqual([1, 2, -1, 0]);
  });
  it('closed path, XOR rop, CapNotLast: each vertex drawn once', () => {
    const s = createSurface(0, 4, 4, SurfaceFmt._32_ARGB);
    const pt = (x: number, y: number) => ({ x: x << 4, y: y << 4 });
    const stroke: DrawStroke = {
      surfaceId: 0, box: { left: 0, top: 0, right: 4, bottom: 4 }, clip: null, lineFlags: 0, style: [],
      path: [{ flags: PathFlags.BEGIN | PathFlags.END | PathFlags.CLOSE, points: [pt(0, 0), pt(3, 0), pt(3, 3), pt(0, 3)] }],
      brush: { type: 1, color: 0x0000ff }, foreMode: Ropd.OP_XOR, backMode: Ropd.OP_PUT,
    };
    expect(flattenPath(stroke.path)).toEqual([[{ x: 0, y: 0 }, { x: 3, y: 0 }, { x: 3, y: 3 }, { x: 0, y: 3 }, { x: 0, y: 0 }]]);
    drawStroke(s, stroke.box, null, stroke, { kind: 'solid', color: 0x0000ff });
    const img = Array.from({ length: 4 }, (_, y) => Array.from({ length: 4 }, (_, x) => (s.pixels[y * 4 + x] ? 1 : 0)).join(''));
    expect(img).toEqual(['1111', '1001', '1001', '1111']);
  });
});
