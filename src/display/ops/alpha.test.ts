import { describe, expect, it } from 'vitest';
import { SurfaceFmt } from '../../protocol/enums';
import { createSurface } from '../surface';
import { drawAlphaBlend, drawTransparent } from './alpha';

const box = { left: 0, top: 0, right: 2, bottom: 1 };
describe('alpha blend / transparent', () => {
  it('OVER with premultiplied source and global alpha (pixman MUL_UN8 rounding, worked by hand)', () => {
    const s = createSurface(0, 2, 1, SurfaceFmt._32_xRGB);
    s.pixels.fill(0xff0000ff); // red
    // src x0: premultiplied half-transparent green (A=128, G=128); x1: opaque blue
    const src = { width: 2, height: 1, pixels: Uint32Array.from([0x80008000, 0xffff0000]) };
    drawAlphaBlend(s, box, null, src, true, box, 0, 255);
    // x0: G = 128, R = 255·127/255 = 127
    expect(s.pixels[0]).toBe(0xff00807f);
    expect(s.pixels[1]).toBe(0xffff0000);
    s.pixels.fill(0xff0000ff);
    drawAlphaBlend(s, box, null, src, true, box, 0, 128);
    // x1: blue·128 → 128, alpha 128; R = 255·127/255 = 127
    expect(s.pixels[1]).toBe(0xff80007f);
  });
  it('colour key skips pixels whose RGB equals true_color', () => {
    const s = createSurface(0, 2, 1, SurfaceFmt._32_xRGB);
    const src = { width: 2, height: 1, pixels: Uint32Array.from([0xff0000ff, 0xff00ff00]) };
    drawTransparent(s, box, null, src, box, 0xff0000); // wire red
    expect(Array.from(s.pixels)).toEqual([0, 0xff00ff00]);
  });
});
