/**
 * DRAW_ROP3 (spice-protocol.md §5.4): ternary raster op over pattern/brush P, source S and
 * destination D, as spice-common canvas_draw_rop3 + rop3.c. The code is the standard truth table:
 * result bit = bit ((P << 2) | (S << 1) | D) of the code (so 0xF0 = P, 0xCC = S, 0xAA = D), applied
 * bitwise to whole 32-bit pixels. rop3.c generates 219 of the 256 codes and logs "not
 * implemented" for the 37 codes that depend on at most two operands (0x00, 0x05, 0x0F, 0x33, 0x55,
 * 0xCC, 0xFF, …); we evaluate those from the same truth table instead.
 *
 * Exported:
 *   rop3Pixel(code, p, s, d): number
 *   drawRop3(surface, box, clip, src, srcOpaque, srcArea, paint, rop3, scaleMode, mask): void
 * Geometry as the canvas: the source is taken at srcArea (scaled to the box when sizes differ,
 * canvas_scale_surface), the pattern starts at ((box.left - pos.x) mod w, (box.top - pos.y) mod h)
 * at the box corner (positive modulo where C's % would go negative), a solid brush is its wire
 * colour. A source smaller than srcArea ("bad src bitmap size") draws nothing.
 */
import type { Clip, Rect } from '../../protocol/display-types';
import { ImageScaleMode } from '../../protocol/enums';
import type { Surface } from '../surface';
import { applyMask, type OpMask } from './mask';
import { drawRegion, opaqueMask, wirePixel, type Paint, type PixelSource } from './region';
import { Filter, Repeat, sampleAffine } from './sample';

export function rop3Pixel(code: number, p: number, s: number, d: number): number {
  let r = 0;
  if (code & 0x01) r |= ~p & ~s & ~d;
  if (code & 0x02) r |= ~p & ~s & d;
  if (code & 0x04) r |= ~p & s & ~d;
  if (code & 0x08) r |= ~p & s & d;
  if (code & 0x10) r |= p & ~s & ~d;
  if (code & 0x20) r |= p & ~s & d;
  if (code & 0x40) r |= p & s & ~d;
  if (code & 0x80) r |= p & s & d;
  return r >>> 0;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

export function drawRop3(surface: Surface, box: Rect, clip: Clip, src: PixelSource, srcOpaque: boolean, srcArea: Rect,
  paint: Paint, rop3: number, scaleMode: number, mask: OpMask | null): void {
  const region = applyMask(drawRegion(surface, box, clip), box, mask);
  const w = box.right - box.left, h = box.bottom - box.top;
  if (!region.length || w <= 0 || h <= 0) return;
  let s: PixelSource = src;
  let sx = srcArea.left, sy = srcArea.top;
  const aw = srcArea.right - srcArea.left, ah = srcArea.bottom - srcArea.top;
  if (aw !== w || ah !== h) {
    // canvas_scale_surface: double scale factors truncated to 16.16, source origin ROUND(left / sx)
    const fx = aw / w, fy = ah / h;
    const m: [number, number, number, number, number, number] = [Math.trunc(fx * 65536), 0, 0, 0, Math.trunc(fy * 65536), 0];
    const ox = Math.floor(srcArea.left / fx + 0.5), oy = Math.floor(srcArea.top / fy + 0.5);
    const filter = scaleMode === ImageScaleMode.NEAREST ? Filter.NEAREST : Filter.GOOD;
    s = { width: w, height: h, pixels: sampleAffine({ ...src, opaque: srcOpaque }, m, ox, oy, w, h, filter, Repeat.NONE) };
    sx = 0; sy = 0;
  }
  if (sx < 0 || sy < 0 || s.width - sx < w || s.height - sy < h) return;
  const px = surface.pixels, sw = surface.width, op = opaqueMask(surface);
  const solid = paint.kind === 'solid' ? wirePixel(paint.color) : 0;
  const tile = paint.kind === 'tile' ? paint.tile : null;
  if (tile && (tile.width <= 0 || tile.height <= 0)) return;
  const pox = tile && paint.kind === 'tile' ? mod(box.left - paint.offsetX, tile.width) : 0;
  const poy = tile && paint.kind === 'tile' ? mod(box.top - paint.offsetY, tile.height) : 0;
  const sp = s.pixels === px ? px.slice() : s.pixels;
  for (const r of region) for (let y = r.top; y < r.bottom; y++) {
    const j = y - box.top;
    const srow = (sy + j) * s.width + sx - box.left;
    const trow = tile ? ((poy + j) % tile.height) * tile.width : 0;
    for (let x = r.left; x < r.right; x++) {
      const p = tile ? tile.pixels[trow + ((pox + x - box.left) % tile.width)] : solid;
      const i = y * sw + x;
      px[i] = (rop3Pixel(rop3, p, sp[srow + x], px[i]) | op) >>> 0;
    }
  }
}
