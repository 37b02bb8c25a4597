/**
 * DRAW_ALPHA_BLEND and DRAW_TRANSPARENT (spice-protocol.md §5.4) as sw_canvas __blend_image /
 * __colorkey_image. (Not in core.ts at the time of writing; the core calls these.)
 *
 * Exported:
 *   AlphaFlags { DEST_HAS_ALPHA: 1, SRC_SURFACE_HAS_ALPHA: 2 }
 *   drawAlphaBlend(surface, box, clip, src, srcHasAlpha, srcArea, alphaFlags, alpha): void
 *     srcHasAlpha: DecodedImage.hasAlpha for images; for a surface source, alphaFlags &
 *     SRC_SURFACE_HAS_ALPHA. pixman OVER (premultiplied) with the global alpha as a solid mask,
 *     scaled sources sampled NEAREST, REPEAT_NONE.
 *   drawTransparent(surface, box, clip, src, srcArea, trueColor): void
 *     copies source pixels whose RGB differs from trueColor (0x00RRGGBB); scaled NEAREST.
 */
import type { Clip, Rect } from '../../protocol/display-types';
import type { Surface } from '../surface';
import { drawRegion, opaqueMask, wirePixel, type PixelSource } from './region';
import { Filter, Repeat, sampleAffine, scaleAffine } from './sample';
import { mulUn8 } from './text';

export const AlphaFlags = { DEST_HAS_ALPHA: 1, SRC_SURFACE_HAS_ALPHA: 2 } as const;

/** Source pixels for the region's extents: blit (same size) or nearest-scaled, 0 outside. */
function sourceFor(region: Rect[], box: Rect, src: PixelSource, opaque: boolean, srcArea: Rect) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of region) { x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom); }
  const dw = box.right - box.left, dh = box.bottom - box.top;
  const sw = srcArea.right - srcArea.left, sh = srcArea.bottom - srcArea.top;
  const m = sw === dw && sh === dh
    ? [65536, 0, srcArea.left * 65536, 0, 65536, srcArea.top * 65536] as [number, number, number, number, number, number]
    : scaleAffine(sw, sh, dw, dh, srcArea.left, srcArea.top);
  const img = { width: src.width, height: src.height, pixels: src.pixels, opaque };
  return { x0, y0, w: x1 - x0, pixels: sampleAffine(img, m, x0 - box.left, y0 - box.top, x1 - x0, y1 - y0, Filter.NEAREST, Repeat.NONE) };
}

export function drawAlphaBlend(surface: Surface, box: Rect, clip: Clip, src: PixelSource, srcHasAlpha: boolean, srcArea: Rect,
  alphaFlags: number, alpha: number): void {
  const region = drawRegion(surface, box, clip);
  if (alpha === 0 || !region.length || box.right <= box.left || box.bottom <= box.top) return;
  const s = sourceFor(region, box, src, !srcHasAlpha, srcArea);
  const destAlpha = (alphaFlags & AlphaFlags.DEST_HAS_ALPHA) !== 0;
  const px = surface.pixels, w = surface.width;
  const op = opaqueMask(surface);
  const keepA = op !== 0 && !destAlpha ? op : 0; // x8r8g8b8 dest: alpha ignored on read, ours stays 255
  for (const r of region) for (let y = r.top; y < r.bottom; y++) for (let x = r.left; x < r.right; x++) {
    let sp = s.pixels[(y - s.y0) * s.w + x - s.x0];
    if (!sp) continue; // outside the source (REPEAT_NONE) or fully transparent: OVER keeps dest
    if (alpha !== 255) {
      let t = 0;
      for (let k = 0; k < 32; k += 8) t |= mulUn8((sp >>> k) & 255, alpha) << k;
      sp = t >>> 0;
    }
    const i = y * w + x;
    const d = destAlpha ? px[i] : (px[i] | 0xff000000) >>> 0;
    const ia = 255 - (sp >>> 24);
    let out = 0;
    for (let k = 0; k < 32; k += 8) out |= Math.min(255, ((sp >>> k) & 255) + mulUn8((d >>> k) & 255, ia)) << k;
    px[i] = (out | keepA) >>> 0;
  }
}

export function drawTransparent(surface: Surface, box: Rect, clip: Clip, src: PixelSource, srcArea: Rect, trueColor: number): void {
  const region = drawRegion(surface, box, clip);
  if (!region.length || box.right <= box.left || box.bottom <= box.top) return;
  const key = wirePixel(trueColor) & 0xffffff;
  const sameSize = srcArea.right - srcArea.left === box.right - box.left && srcArea.bottom - srcArea.top === box.bottom - box.top;
  const px = surface.pixels, w = surface.width, op = opaqueMask(surface);
  if (sameSize) {
    // colorkey blit: the source rectangle is clipped to the image
    const ox = box.left - srcArea.left, oy = box.top - srcArea.top;
    for (const r of region) for (let y = Math.max(r.top, oy); y < Math.min(r.bottom, src.height + oy); y++) {
      for (let x = Math.max(r.left, ox); x < Math.min(r.right, src.width + ox); x++) {
        const v = src.pixels[(y - oy) * src.width + x - ox];
        if ((v & 0xffffff) !== key) px[y * w + x] = (v | op) >>> 0;
      }
    }
    return;
  }
  const s = sourceFor(region, box, src, false, srcArea);
  for (const r of region) for (let y = r.top; y < r.bottom; y++) for (let x = r.left; x < r.right; x++) {
    const v = s.pixels[(y - s.y0) * s.w + x - s.x0];
    if ((v & 0xffffff) !== key) px[y * w + x] = (v | op) >>> 0;
  }
}
