/**
 * DRAW_TEXT (spice-protocol.md §5.4) as spice-common sw_canvas canvas_draw_text +
 * canvas_get_str_mask: the back area (if not empty) is filled with the back brush (COPY), then
 * the fore brush is composited OVER through the glyph mask, all inside box ∩ clip.
 *
 * Exported:
 *   StringFlags { RASTER_A1: 1, RASTER_A4: 2, RASTER_A8: 4, RASTER_TOP_DOWN: 8 }
 *   glyphMask(glyphs, bpp, limit?: Rect): { x, y, w, h, alpha: Uint8Array } | null
 *   drawText(surface, box, clip, text: DrawText, fore: Paint | null, back: Paint): void
 *     fore = null when the fore brush is NONE (the canvas then draws no glyphs)
 * Glyph raster as the canvas reads it: rows bottom-up (TOP_DOWN is ignored, a spice-common
 * todo), A1 MSB-first, A4 high nibble first with values n<<4 (so full coverage is 0xF0, not 0xFF),
 * overlapping glyphs OR'ed (A1) or MAX'ed (A4/A8). With a back area only fore_mode OP_PUT is
 * drawn; anything else makes the canvas give up on the whole op.
 * A8 rows are one off in the canvas (canvas_put_glyph_bits steps its source pointer after reading
 * a row, A1/A4 before): glyph row r shows data row height - r, and row 0 shows whatever follows
 * the glyph in the canvas's memory. We draw rows 1.. as the canvas does and leave row 0 empty;
 * spice-server's own rendering agrees on every other row (e2e/test-server.spec.ts).
 */
import type { Clip, DrawText, Glyph, Rect } from '../../protocol/display';
import { Ropd } from '../../protocol/enums';
import type { Surface } from '../surface';
import { drawRegion, opaqueMask, wirePixel, type Paint } from './region';
import { Rop, fillRects } from './rop';

export const StringFlags = { RASTER_A1: 1, RASTER_A4: 2, RASTER_A8: 4, RASTER_TOP_DOWN: 8 } as const;

export interface GlyphMask { x: number; y: number; w: number; h: number; alpha: Uint8Array }

/** The string's coverage (0..255) over the union of glyph boxes, optionally cut to `limit`. */
export function glyphMask(glyphs: Glyph[], bpp: number, limit?: Rect): GlyphMask | null {
  if (!glyphs.length) return null;
  let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
  for (const g of glyphs) {
    const gl = g.renderPos.x + g.glyphOrigin.x, gt = g.renderPos.y + g.glyphOrigin.y;
    l = Math.min(l, gl); t = Math.min(t, gt); r = Math.max(r, gl + g.width); b = Math.max(b, gt + g.height);
  }
  if (limit) { l = Math.max(l, limit.left); t = Math.max(t, limit.top); r = Math.min(r, limit.right); b = Math.min(b, limit.bottom); }
  if (l >= r || t >= b) return null;
  const w = r - l, h = b - t;
  const alpha = new Uint8Array(w * h);
  for (const g of glyphs) {
    const gl = g.renderPos.x + g.glyphOrigin.x, gt = g.renderPos.y + g.glyphOrigin.y;
    const stride = Math.ceil((bpp * g.width) / 8);
    for (let row = 0; row < g.height; row++) {
      const y = gt + row - t;
      if (y < 0 || y >= h) continue;
      // bottom-up rows; A8 one row further (see the header), its row 0 has no data
      if (bpp === 8 && row === 0) continue;
      const src = (bpp === 8 ? g.height - row : g.height - 1 - row) * stride;
      for (let col = 0; col < g.width; col++) {
        const x = gl + col - l;
        if (x < 0 || x >= w) continue;
        let v: number;
        if (bpp === 1) v = (g.data[src + (col >> 3)] >> (7 - (col & 7))) & 1 ? 255 : 0;
        else if (bpp === 4) v = col & 1 ? (g.data[src + (col >> 1)] << 4) & 0xf0 : g.data[src + (col >> 1)] & 0xf0;
        else v = g.data[src + col];
        const k = y * w + x;
        if (v > alpha[k]) alpha[k] = v;
      }
    }
  }
  return { x: l, y: t, w, h, alpha };
}

/** pixman MUL_UN8: a·b/255 rounded */
export function mulUn8(a: number, b: number): number {
  const t = a * b + 0x80;
  return ((t >> 8) + t) >> 8;
}

export function drawText(surface: Surface, box: Rect, clip: Clip, text: DrawText, fore: Paint | null, back: Paint): void {
  const region = drawRegion(surface, box, clip);
  if (!region.length) return;
  const ba = text.backArea;
  if (ba.top !== ba.bottom && ba.left !== ba.right) {
    if (text.foreMode !== Ropd.OP_PUT) return;
    const backRegion = drawRegion(surface, ba, region);
    if (backRegion.length) fillRects(surface, backRegion, back, Rop.COPY);
  }
  const f = text.strFlags;
  const bpp = f & StringFlags.RASTER_A1 ? 1 : f & StringFlags.RASTER_A4 ? 4 : f & StringFlags.RASTER_A8 ? 8 : 0;
  if (!bpp || !fore) return;
  // the mask spans the full glyph union: pattern brushes are anchored at its corner
  const m = glyphMask(text.glyphs, bpp);
  if (!m) return;
  const px = surface.pixels, sw = surface.width, op = opaqueMask(surface);
  const solid = fore.kind === 'solid' ? (wirePixel(fore.color) | 0xff000000) >>> 0 : 0;
  for (const r of region) {
    const y0 = Math.max(r.top, m.y), y1 = Math.min(r.bottom, m.y + m.h);
    const x0 = Math.max(r.left, m.x), x1 = Math.min(r.right, m.x + m.w);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      const a = m.alpha[(y - m.y) * m.w + x - m.x];
      if (!a) continue;
      let s = solid;
      if (fore.kind === 'tile') {
        const t = fore.tile;
        const tx = (((x - m.x - fore.offsetX) % t.width) + t.width) % t.width;
        const ty = (((y - m.y - fore.offsetY) % t.height) + t.height) % t.height;
        s = t.pixels[ty * t.width + tx];
      }
      const i = y * sw + x;
      const d = px[i] | op;
      const sa = mulUn8(s >>> 24, a);
      let out = 0;
      for (let k = 0; k < 32; k += 8) out |= Math.min(255, mulUn8((s >>> k) & 255, a) + mulUn8((d >>> k) & 255, 255 - sa)) << k;
      px[i] = (out | op) >>> 0;
    }
  }
}
