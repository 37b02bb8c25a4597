import { describe, expect, it } from 'vitest';
import { SurfaceFmt } from '../../protocol/enums';
import { createSurface } from '../surface';
import { drawRop3, rop3Pixel } from './rop3';

describe('rop3', () => {
  it('all 256 codes: the standard test operands P=0xF0, S=0xCC, D=0xAA give the code itself', () => {
    for (let c = 0; c < 256; c++) expect(rop3Pixel(c, 0xf0, 0xcc, 0xaa) & 0xff).toBe(c);
  });
  it('named codes match their Windows formulas', () => {
    const p = 0x12345678, s = 0x0f0f00ff, d = 0x33cc55aa;
    expect(rop3Pixel(0xcc, p, s, d)).toBe(s >>> 0); // SRCCOPY
    expect(rop3Pixel(0x66, p, s, d)).toBe((s ^ d) >>> 0); // SRCINVERT
    expect(rop3Pixel(0x88, p, s, d)).toBe((s & d) >>> 0); // SRCAND
    expect(rop3Pixel(0xb8, p, s, d)).toBe((((p ^ d) & s) ^ p) >>> 0); // PSDPxax
    expect(rop3Pixel(0x5a, p, s, d)).toBe((p ^ d) >>> 0); // PATINVERT
    expect(rop3Pixel(0xe2, p, s, d)).toBe((((d ^ p) & s) ^ d) >>> 0); // DSPDxax
  });
  it('draws over the box with source area, tiled pattern and dest', () => {
    const s = createSurface(0, 3, 2, SurfaceFmt._32_ARGB);
    s.pixels.set([0x10, 0x20, 0x30, 0x40, 0x50, 0x60]);
    const src = { width: 3, height: 2, pixels: Uint32Array.from([1, 2, 3, 4, 5, 6]) };
    const tile = { width: 2, height: 1, pixels: Uint32Array.from([0x100, 0x200]) };
    // box (1,0)-(3,2), src area (0,0)-(2,2); pattern pos (0,0): pattern x at dest x is x mod 2
    drawRop3(s, { left: 1, top: 0, right: 3, bottom: 2 }, null, src, false, { left: 0, top: 0, right: 2, bottom: 2 },
      { kind: 'tile', tile, offsetX: 0, offsetY: 0 }, 0x96 /* P^S^D */, 1, null);
    expect(Array.from(s.pixels)).toEqual([0x10, 0x200 ^ 1 ^ 0x20, 0x100 ^ 2 ^ 0x30, 0x40, 0x200 ^ 4 ^ 0x50, 0x100 ^ 5 ^ 0x60]);
  });
});
