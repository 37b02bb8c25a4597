import { describe, expect, it } from 'vitest';
import { MaskFlags, Ropd, SurfaceFmt } from '../../protocol/enums';
import { createSurface } from '../surface';
import { a1MaskFromBitmap, opMask } from './mask';
import { disjoint } from './region';
import { Rop, drawBlackness, drawCopy, drawFill, drawInvers, drawOpaque, drawWhiteness, ropPixel, ropdToRop } from './rop';

const box = (left: number, top: number, right: number, bottom: number) => ({ left, top, right, bottom });

describe('ropdToRop', () => {
  // X11 GX function tables written out by hand: f(src, dst) for (s,d) = (0,0),(0,1),(1,0),(1,1)
  const truth: Record<number, number[]> = {
    [Rop.CLEAR]: [0, 0, 0, 0], [Rop.AND]: [0, 0, 0, 1], [Rop.AND_REVERSE]: [0, 0, 1, 0], [Rop.COPY]: [0, 0, 1, 1],
    [Rop.AND_INVERTED]: [0, 1, 0, 0], [Rop.NOOP]: [0, 1, 0, 1], [Rop.XOR]: [0, 1, 1, 0], [Rop.OR]: [0, 1, 1, 1],
    [Rop.NOR]: [1, 0, 0, 0], [Rop.EQUIV]: [1, 0, 0, 1], [Rop.INVERT]: [1, 0, 1, 0], [Rop.OR_REVERSE]: [1, 0, 1, 1],
    [Rop.COPY_INVERTED]: [1, 1, 0, 0], [Rop.OR_INVERTED]: [1, 1, 0, 1], [Rop.NAND]: [1, 1, 1, 0], [Rop.SET]: [1, 1, 1, 1],
  };
  it('ropPixel follows the GX truth tables', () => {
    for (const [rop, t] of Object.entries(truth)) {
      // bit k of s=0b1100, d=0b1010 holds the pair (s,d) = (0,0),(0,1),(1,0),(1,1) for k = 0..3
      const r = ropPixel(Number(rop), 0b1100, 0b1010) & 0xf;
      expect([r & 1, (r >> 1) & 1, (r >> 2) & 1, (r >> 3) & 1]).toEqual(t);
    }
  });
  it('every OP with every inversion equals the boolean formula of the descriptor', () => {
    const ops: Array<[number, (a: number, b: number) => number]> = [
      [Ropd.OP_PUT, (s) => s], [Ropd.OP_OR, (s, d) => s | d], [Ropd.OP_AND, (s, d) => s & d], [Ropd.OP_XOR, (s, d) => s ^ d],
    ];
    for (const [op, f] of ops) for (let inv = 0; inv < 8; inv++) {
      const ropd = op | (inv & 1 ? Ropd.INVERS_SRC : 0) | (inv & 2 ? Ropd.INVERS_DEST : 0) | (inv & 4 ? Ropd.INVERS_RES : 0);
      const rop = ropdToRop(ropd, Ropd.INVERS_SRC, Ropd.INVERS_DEST);
      for (const s of [0, 1]) for (const d of [0, 1]) {
        let v = f(inv & 1 ? 1 - s : s, inv & 2 ? 1 - d : d);
        if (inv & 4) v = 1 - v;
        expect(truth[rop][s * 2 + d]).toBe(v);
      }
    }
    expect(ropdToRop(Ropd.OP_BLACKNESS, Ropd.INVERS_SRC, Ropd.INVERS_DEST)).toBe(Rop.CLEAR);
    expect(ropdToRop(Ropd.OP_WHITENESS, Ropd.INVERS_SRC, Ropd.INVERS_DEST)).toBe(Rop.SET);
    expect(ropdToRop(Ropd.OP_INVERS, Ropd.INVERS_SRC, Ropd.INVERS_DEST)).toBe(Rop.INVERT);
    // FILL reads the brush flag as its source
    expect(ropdToRop(Ropd.OP_PUT | Ropd.INVERS_BRUSH, Ropd.INVERS_BRUSH, Ropd.INVERS_DEST)).toBe(Rop.COPY_INVERTED);
    expect(ropdToRop(Ropd.OP_PUT | Ropd.INVERS_SRC, Ropd.INVERS_BRUSH, Ropd.INVERS_DEST)).toBe(Rop.COPY);
  });
});

describe('region', () => {
  it('overlapping clip rects become disjoint (XOR applied once)', () => {
    const s = createSurface(0, 6, 4, SurfaceFmt._32_xRGB);
    s.pixels.fill(0xff000000);
    drawFill(s, box(0, 0, 6, 4), [box(0, 0, 4, 3), box(2, 1, 6, 4)], { kind: 'solid', color: 0x0000ff }, Ropd.OP_XOR, null);
    const inside = (x: number, y: number) => (x < 4 && y < 3) || (x >= 2 && y >= 1);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) {
      expect(s.pixels[y * 6 + x]).toBe(inside(x, y) ? 0xffff0000 : 0xff000000); // wire 0x0000ff is blue = our B byte (bits 16-23)
    }
    expect(disjoint([box(0, 0, 4, 3), box(2, 1, 6, 4)]).length).toBe(3);
  });
});

describe('draw ops', () => {
  const src = { width: 2, height: 2, pixels: Uint32Array.from([0xff000001, 0xff000002, 0xff000003, 0xff000004]) };
  it('COPY puts the src area at the box; COPY with INVERS_SRC inverts (A forced on xRGB)', () => {
    const s = createSurface(0, 4, 3, SurfaceFmt._32_xRGB);
    drawCopy(s, box(1, 1, 3, 3), null, src, true, box(0, 0, 2, 2), Ropd.OP_PUT, 1, null);
    expect(Array.from(s.pixels)).toEqual([0, 0, 0, 0, 0, 0xff000001, 0xff000002, 0, 0, 0xff000003, 0xff000004, 0]);
    drawCopy(s, box(0, 0, 1, 1), null, src, true, box(1, 1, 2, 2), Ropd.OP_PUT | Ropd.INVERS_SRC, 1, null);
    expect(s.pixels[0]).toBe(0xfffffffb); // ~0xff000004 = 0x00fffffb, then A = 255
  });
  it('NEAREST scale 2x2 → 4x4 duplicates pixels (pixman nearest at pixel centres)', () => {
    const s = createSurface(0, 4, 4, SurfaceFmt._32_xRGB);
    drawCopy(s, box(0, 0, 4, 4), null, src, true, box(0, 0, 2, 2), Ropd.OP_PUT, 1, null);
    const e = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4].map((v) => (0xff000000 | v) >>> 0);
    expect(Array.from(s.pixels)).toEqual(e);
  });
  it('pattern FILL tiles from the brush position', () => {
    const s = createSurface(0, 3, 1, SurfaceFmt._32_ARGB);
    drawFill(s, box(0, 0, 3, 1), null, { kind: 'tile', tile: src, offsetX: 1, offsetY: 0 }, Ropd.OP_PUT, null);
    // x=0 → tile x (0-1) mod 2 = 1, x=1 → 0, x=2 → 1; row 0
    expect(Array.from(s.pixels)).toEqual([0xff000002, 0xff000001, 0xff000002]);
  });
  it('OPAQUE: image first, then brush ROP onto it; BLACKNESS/WHITENESS/INVERS', () => {
    const s = createSurface(0, 2, 1, SurfaceFmt._32_ARGB);
    drawOpaque(s, box(0, 0, 2, 1), null, src, true, box(0, 0, 2, 1), { kind: 'solid', color: 0x00000f }, Ropd.OP_OR, 1, null);
    expect(Array.from(s.pixels)).toEqual([0xff0f0001, 0xff0f0002]); // wire blue 0x0f lands in our B byte
    drawInvers(s, box(0, 0, 1, 1), null, null);
    expect(s.pixels[0]).toBe(0x00f0fffe);
    drawBlackness(s, box(1, 0, 2, 1), null, null);
    expect(s.pixels[1]).toBe(0);
    drawWhiteness(s, box(0, 0, 1, 1), null, null);
    expect(s.pixels[0]).toBe(0xffffffff);
  });
  it('QMask limits the op to set bits; INVERS to clear bits, never outside the bitmap', () => {
    // 1BIT_BE, bottom-up, 3x2: top row 101, bottom row 011 (MSB first)
    const bm = { format: 2, flags: 0, width: 3, height: 2, stride: 1, palette: null, paletteId: null, data: Uint8Array.from([0b01100000, 0b10100000]) };
    const m = a1MaskFromBitmap(bm);
    const run = (flags: number) => {
      const s = createSurface(0, 4, 2, SurfaceFmt._32_ARGB);
      drawFill(s, box(0, 0, 4, 2), null, { kind: 'solid', color: 0xff000001 }, Ropd.OP_PUT, opMask(flags, { x: 0, y: 0 }, m));
      return Array.from(s.pixels, (v) => (v ? 1 : 0));
    };
    expect(run(0)).toEqual([1, 0, 1, 0, 0, 1, 1, 0]);
    expect(run(MaskFlags.INVERS)).toEqual([0, 1, 0, 0, 1, 0, 0, 0]);
    // pos shifts the mask: pos.x = 1 → dest x=0 reads mask x=1
    const s = createSurface(0, 4, 1, SurfaceFmt._32_ARGB);
    drawFill(s, box(0, 0, 4, 1), null, { kind: 'solid', color: 0xff000001 }, Ropd.OP_PUT, opMask(0, { x: 1, y: 0 }, m));
    expect(Array.from(s.pixels, (v) => (v ? 1 : 0))).toEqual([0, 1, 0, 0]);
  });
});
