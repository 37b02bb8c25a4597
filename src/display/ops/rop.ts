/**
 * The Ropd-based ops of the software canvas (spice-common canvas_base.c ropd_descriptor_to_rop,
 * pixman_utils.c solid/tiled/copy rops, sw_canvas.c blit/scale): FILL, COPY, BLEND (= COPY),
 * OPAQUE, BLACKNESS, WHITENESS, INVERS (spice-protocol.md §5.4). ROPs are bitwise on the whole
 * 32-bit pixel, so our byte order (0xAABBGGRR) gives the same result as spice's xRGB.
 *
 * Exported:
 *   Rop                                  — SpiceROP / X11 GX codes: CLEAR 0 … COPY 3 … NOOP 5 … SET 15
 *   ropdToRop(ropd, srcFlag, dstFlag)    — srcFlag/dstFlag: Ropd.INVERS_SRC | INVERS_BRUSH | INVERS_DEST
 *   ropPixel(rop, s, d): number
 *   fillRects(surface, region, paint, rop)                   — draw_brush
 *   blitRects(surface, region, src, offsetX, offsetY, rop)   — dest(x,y) ∘= src(x-offX, y-offY)
 *   scaleRects(surface, region, src, srcArea, box, scaleMode, rop) — __scale_image(_rop)
 *   drawFill(surface, box, clip, paint, ropd, mask)
 *   drawCopy(surface, box, clip, src, srcArea, ropd, scaleMode, mask)   — also DRAW_BLEND
 *   drawOpaque(surface, box, clip, src, srcArea, paint, ropd, scaleMode, mask)
 *   drawBlackness / drawWhiteness / drawInvers(surface, box, clip, mask)
 * `src` is any PixelSource (DecodedImage, Surface); pass `srcOpaque` = true where spice would
 * read it as x8r8g8b8 (surfaces without alpha). mask: OpMask from mask.ts or null.
 */
import type { Clip, Rect } from '../../protocol/display-types';
import { ImageScaleMode, Ropd } from '../../protocol/enums';
import type { Surface } from '../surface';
import { applyMask, type OpMask } from './mask';
import { drawRegion, opaqueMask, wirePixel, type Paint, type PixelSource } from './region';
import { Filter, Repeat, sampleAffine, scaleAffine } from './sample';

export const Rop = {
  CLEAR: 0, AND: 1, AND_REVERSE: 2, COPY: 3, AND_INVERTED: 4, NOOP: 5, XOR: 6, OR: 7,
  NOR: 8, EQUIV: 9, INVERT: 10, OR_REVERSE: 11, COPY_INVERTED: 12, OR_INVERTED: 13, NAND: 14, SET: 15,
} as const;

/**
 * Map a Ropd to a SpiceROP. The descriptor's inversion flags are renamed so that `srcFlag` marks
 * the op's source and `dstFlag` its destination (FILL: brush/dest, COPY: src/dest, OPAQUE:
 * brush/src), then OP_* with INVERS_RES is folded into one of the 16 boolean functions.
 */
export function ropdToRop(ropd: number, srcFlag: number, dstFlag: number): number {
  const invS = (ropd & srcFlag) !== 0;
  const invD = (ropd & dstFlag) !== 0;
  const invR = (ropd & Ropd.INVERS_RES) !== 0;
  let table: number[] | null = null;
  // index: invS*2 + invD → rop before INVERS_RES; second table with INVERS_RES
  if (ropd & Ropd.OP_PUT) return invS !== invR ? Rop.COPY_INVERTED : Rop.COPY;
  if (ropd & Ropd.OP_OR) table = invR ? [Rop.NOR, Rop.AND_INVERTED, Rop.AND_REVERSE, Rop.AND] : [Rop.OR, Rop.OR_REVERSE, Rop.OR_INVERTED, Rop.NAND];
  else if (ropd & Ropd.OP_AND) table = invR ? [Rop.NAND, Rop.OR_INVERTED, Rop.OR_REVERSE, Rop.OR] : [Rop.AND, Rop.AND_REVERSE, Rop.AND_INVERTED, Rop.NOR];
  else if (ropd & Ropd.OP_XOR) table = invR ? [Rop.EQUIV, Rop.XOR, Rop.XOR, Rop.EQUIV] : [Rop.XOR, Rop.EQUIV, Rop.EQUIV, Rop.XOR];
  else if (ropd & Ropd.OP_BLACKNESS) return Rop.CLEAR;
  else if (ropd & Ropd.OP_WHITENESS) return Rop.SET;
  else if (ropd & Ropd.OP_INVERS) return Rop.INVERT;
  else return Rop.COPY;
  return table[(invS ? 2 : 0) + (invD ? 1 : 0)];
}

export function ropPixel(rop: number, s: number, d: number): number {
  switch (rop) {
    case 0: return 0;
    case 1: return (s & d) >>> 0;
    case 2: return (s & ~d) >>> 0;
    case 3: return s >>> 0;
    case 4: return (~s & d) >>> 0;
    case 5: return d >>> 0;
    case 6: return (s ^ d) >>> 0;
    case 7: return (s | d) >>> 0;
    case 8: return (~s & ~d) >>> 0;
    case 9: return (~s ^ d) >>> 0;
    case 10: return ~d >>> 0;
    case 11: return (s | ~d) >>> 0;
    case 12: return ~s >>> 0;
    case 13: return (~s | d) >>> 0;
    case 14: return (~s | ~d) >>> 0;
    default: return 0xffffffff;
  }
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

export function fillRects(surface: Surface, region: Rect[], paint: Paint, rop: number): void {
  const px = surface.pixels, w = surface.width, op = opaqueMask(surface);
  if (paint.kind === 'solid') {
    const c = wirePixel(paint.color);
    for (const r of region) for (let y = r.top; y < r.bottom; y++) {
      for (let i = y * w + r.left, e = y * w + r.right; i < e; i++) px[i] = (ropPixel(rop, c, px[i]) | op) >>> 0;
    }
    return;
  }
  const { tile, offsetX, offsetY } = paint;
  if (tile.width <= 0 || tile.height <= 0) return;
  for (const r of region) for (let y = r.top; y < r.bottom; y++) {
    const trow = mod(y - offsetY, tile.height) * tile.width;
    let tx = mod(r.left - offsetX, tile.width);
    for (let i = y * w + r.left, e = y * w + r.right; i < e; i++) {
      px[i] = (ropPixel(rop, tile.pixels[trow + tx], px[i]) | op) >>> 0;
      if (++tx === tile.width) tx = 0;
    }
  }
}

/** Source pixels outside `src` are skipped (spice_pixman_blit clips the source rectangle). */
export function blitRects(surface: Surface, region: Rect[], src: PixelSource, offsetX: number, offsetY: number, rop: number): void {
  const px = surface.pixels, w = surface.width, op = opaqueMask(surface);
  const sp = src.pixels === px ? px.slice() : src.pixels; // self-copy: read the old pixels
  for (const r of region) {
    const y0 = Math.max(r.top, offsetY), y1 = Math.min(r.bottom, src.height + offsetY);
    const x0 = Math.max(r.left, offsetX), x1 = Math.min(r.right, src.width + offsetX);
    for (let y = y0; y < y1; y++) {
      let s = (y - offsetY) * src.width + x0 - offsetX;
      for (let i = y * w + x0, e = y * w + x1; i < e; i++, s++) px[i] = (ropPixel(rop, sp[s], px[i]) | op) >>> 0;
    }
  }
}

/**
 * Scaled source: pixman SRC composite of src through scale(srcW/dstW, srcH/dstH) + translate(
 * srcArea.left, srcArea.top), REPEAT_NONE (outside → 0), NEAREST or (INTERPOLATE) GOOD filtering,
 * then the ROP into the destination.
 */
export function scaleRects(surface: Surface, region: Rect[], src: PixelSource, srcOpaque: boolean, srcArea: Rect, box: Rect,
  scaleMode: number, rop: number): void {
  const dw = box.right - box.left, dh = box.bottom - box.top;
  if (!region.length || dw <= 0 || dh <= 0) return;
  const m = scaleAffine(srcArea.right - srcArea.left, srcArea.bottom - srcArea.top, dw, dh, srcArea.left, srcArea.top);
  const filter = scaleMode === ImageScaleMode.NEAREST ? Filter.NEAREST : Filter.GOOD;
  // sample only the region's extents (a pure function of the dest position)
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of region) { x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom); }
  const img = { width: src.width, height: src.height, pixels: src.pixels, opaque: srcOpaque };
  const scaled = sampleAffine(img, m, x0 - box.left, y0 - box.top, x1 - x0, y1 - y0, filter, Repeat.NONE);
  const px = surface.pixels, w = surface.width, sw = x1 - x0, op = opaqueMask(surface);
  for (const r of region) for (let y = r.top; y < r.bottom; y++) {
    let s = (y - y0) * sw + r.left - x0;
    for (let i = y * w + r.left, e = y * w + r.right; i < e; i++, s++) px[i] = (ropPixel(rop, scaled[s], px[i]) | op) >>> 0;
  }
}

function sameSize(a: Rect, b: Rect): boolean {
  return a.right - a.left === b.right - b.left && a.bottom - a.top === b.bottom - b.top;
}

function putSource(surface: Surface, region: Rect[], box: Rect, src: PixelSource, srcOpaque: boolean, srcArea: Rect, scaleMode: number, rop: number): void {
  if (sameSize(box, srcArea)) blitRects(surface, region, src, box.left - srcArea.left, box.top - srcArea.top, rop);
  else scaleRects(surface, region, src, srcOpaque, srcArea, box, scaleMode, rop);
}

export function drawFill(surface: Surface, box: Rect, clip: Clip, paint: Paint, ropd: number, mask: OpMask | null): void {
  const region = applyMask(drawRegion(surface, box, clip), box, mask);
  const rop = ropdToRop(ropd, Ropd.INVERS_BRUSH, Ropd.INVERS_DEST);
  if (rop === Rop.NOOP || !region.length) return;
  fillRects(surface, region, paint, rop);
}

/** DRAW_COPY and DRAW_BLEND (the canvas draws both the same way). */
export function drawCopy(surface: Surface, box: Rect, clip: Clip, src: PixelSource, srcOpaque: boolean, srcArea: Rect,
  ropd: number, scaleMode: number, mask: OpMask | null): void {
  const region = applyMask(drawRegion(surface, box, clip), box, mask);
  const rop = ropdToRop(ropd, Ropd.INVERS_SRC, Ropd.INVERS_DEST);
  if (rop === Rop.NOOP || !region.length) return;
  putSource(surface, region, box, src, srcOpaque, srcArea, scaleMode, rop);
}

/** OPAQUE: copy the source, then combine the brush with it (brush is the ROP's source, the image its destination). */
export function drawOpaque(surface: Surface, box: Rect, clip: Clip, src: PixelSource, srcOpaque: boolean, srcArea: Rect,
  paint: Paint, ropd: number, scaleMode: number, mask: OpMask | null): void {
  const region = applyMask(drawRegion(surface, box, clip), box, mask);
  const rop = ropdToRop(ropd, Ropd.INVERS_BRUSH, Ropd.INVERS_SRC);
  if (rop === Rop.NOOP || !region.length) return;
  putSource(surface, region, box, src, srcOpaque, srcArea, scaleMode, Rop.COPY);
  fillRects(surface, region, paint, rop);
}

export function drawBlackness(surface: Surface, box: Rect, clip: Clip, mask: OpMask | null): void {
  fillRects(surface, applyMask(drawRegion(surface, box, clip), box, mask), { kind: 'solid', color: 0 }, Rop.COPY);
}
export function drawWhiteness(surface: Surface, box: Rect, clip: Clip, mask: OpMask | null): void {
  fillRects(surface, applyMask(drawRegion(surface, box, clip), box, mask), { kind: 'solid', color: 0xffffffff }, Rop.COPY);
}
export function drawInvers(surface: Surface, box: Rect, clip: Clip, mask: OpMask | null): void {
  fillRects(surface, applyMask(drawRegion(surface, box, clip), box, mask), { kind: 'solid', color: 0 }, Rop.INVERT);
}
