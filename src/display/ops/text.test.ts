import { describe, expect, it } from 'vitest';
import type { DrawText } from '../../protocol/display';
import { Ropd, SurfaceFmt } from '../../protocol/enums';
import { createSurface } from '../surface';
import { drawText, glyphMask } from './text';

const g = (x: number, y: number, w: number, h: number, data: number[]) =>
  ({ renderPos: { x, y }, glyphOrigin: { x: 0, y: 0 }, width: w, height: h, data: Uint8Array.from(data) });

describe('text', () => {
  it('A1 glyphs: MSB-first, bottom-up rows', () => {
    // 3x2 glyph, data row 0 (bottom) = 110, row 1 (top) = 001
    const m = glyphMask([g(0, 0, 3, 2, [0b11000000, 0b00100000])], 1)!;
    expect(Array.from(m.alpha)).toEqual([0, 0, 255, 255, 255, 0]);
  });
  it('A4: high nibble first, coverage n<<4, overlapping glyphs take the max', () => {
    const m = glyphMask([g(0, 0, 3, 1, [0x1f, 0x80]), g(1, 0, 1, 1, [0x30])], 4)!;
    expect(Array.from(m.alpha)).toEqual([0x10, 0xf0, 0x80]);
  });
  it('A8: rows one off as the canvas reads them (row r shows data row height - r, row 0 nothing)', () => {
    // data rows 0..2 (bottom-up order in memory) = 10, 20, 30
    const m = glyphMask([g(0, 0, 1, 3, [10, 20, 30])], 8)!;
    expect(Array.from(m.alpha)).toEqual([0, 30, 20]);
    // A4 and A1 have no such shift: row r shows data row height - 1 - r
    expect(Array.from(glyphMask([g(0, 0, 1, 3, [0x10, 0x20, 0x30])], 4)!.alpha)).toEqual([0x30, 0x20, 0x10]);
  });
  it('back area COPY then fore OVER through the mask (A8, pixman rounding)', () => {
    const s = createSurface(0, 3, 1, SurfaceFmt._32_xRGB);
    const text: DrawText = {
      surfaceId: 0, box: { left: 0, top: 0, right: 3, bottom: 1 }, clip: null, strFlags: 4,
      // A8's row 0 shows no data (next test): a 2-row glyph with its visible row 1 on y = 0
      glyphs: [g(0, -1, 2, 2, [0, 0, 0xff, 0x80])], backArea: { left: 0, top: 0, right: 3, bottom: 1 },
      foreBrush: { type: 1, color: 0xff0000 }, backBrush: { type: 1, color: 0x0000ff }, foreMode: Ropd.OP_PUT, backMode: Ropd.OP_PUT,
    };
    drawText(s, text.box, null, text, { kind: 'solid', color: 0xff0000 }, { kind: 'solid', color: 0x0000ff });
    // x0: full red. x1: red·128/255 = 128 over blue·(255-128)/255: R = 128, B = round(255·127/255) = 127
    expect(s.pixels[0]).toBe(0xff0000ff);
    expect(s.pixels[1]).toBe(0xff7f0080);
    expect(s.pixels[2]).toBe(0xffff0000);
  });
});
