/**
 * QMask (spice-protocol.md §5.4): a 1-bpp bitmap that restricts FILL/COPY/BLEND/OPAQUE/ROP3/
 * BLACKNESS/WHITENESS/INVERS to its set pixels (or, with INVERS, to its clear pixels), placed so
 * that mask pixel `pos` lies on the op's box top-left. Like canvas_mask_pixman, pixels outside
 * the bitmap are never drawn, with or without INVERS.
 *
 * Exported:
 *   interface A1Mask { width; height; stride; bits }  — top-down rows, LSB-first (pixman a1 on LE)
 *   a1MaskFromBitmap(bitmap: BitmapData): A1Mask      — 1BIT_LE as is, 1BIT_BE bit-reversed,
 *                                                       bottom-up rows flipped unless TOP_DOWN
 *   a1MaskFromSurface(s: PixelSource): A1Mask         — a mask that is a surface: set where A != 0
 *   interface OpMask { mask: A1Mask; pos: Point; invert: boolean }
 *   opMask(flags, pos, mask | null): OpMask | null    — flags: QMask.flags (MaskFlags.INVERS)
 *   applyMask(region, box, m | null): Rect[]          — region ∩ mask, as row runs
 * Cached masks (FROM_CACHE) are stored un-inverted by the core and inverted here on use, which is
 * what canvas_get_mask does for cached bitmaps.
 */
import type { BitmapData, Point, Rect } from '../../protocol/display-types';
import { BitmapFlags, BitmapFmt, MaskFlags } from '../../protocol/enums';
import { SpiceProtocolError } from '../../protocol/errors';
import type { PixelSource } from './region';

export interface A1Mask {
  width: number;
  height: number;
  stride: number;
  bits: Uint8Array;
}

function reverseBits(b: number): number {
  b = ((b & 0xf0) >> 4) | ((b & 0x0f) << 4);
  b = ((b & 0xcc) >> 2) | ((b & 0x33) << 2);
  return ((b & 0xaa) >> 1) | ((b & 0x55) << 1);
}

export function a1MaskFromBitmap(bm: BitmapData): A1Mask {
  if (bm.format !== BitmapFmt._1BIT_LE && bm.format !== BitmapFmt._1BIT_BE) {
    throw new SpiceProtocolError('malformed', `mask bitmap format ${bm.format}`);
  }
  const stride = (bm.width + 7) >> 3;
  if (bm.stride < stride || bm.data.length < bm.stride * bm.height) throw new SpiceProtocolError('truncated', 'mask bitmap data');
  const bits = new Uint8Array(stride * bm.height);
  const be = bm.format === BitmapFmt._1BIT_BE;
  const topDown = (bm.flags & BitmapFlags.TOP_DOWN) !== 0;
  for (let y = 0; y < bm.height; y++) {
    const src = y * bm.stride;
    const dst = (topDown ? y : bm.height - 1 - y) * stride;
    for (let k = 0; k < stride; k++) bits[dst + k] = be ? reverseBits(bm.data[src + k]) : bm.data[src + k];
  }
  return { width: bm.width, height: bm.height, stride, bits };
}

export function a1MaskFromSurface(s: PixelSource): A1Mask {
  const stride = (s.width + 7) >> 3;
  const bits = new Uint8Array(stride * s.height);
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) if (s.pixels[y * s.width + x] >>> 24) bits[y * stride + (x >> 3)] |= 1 << (x & 7);
  }
  return { width: s.width, height: s.height, stride, bits };
}

export interface OpMask {
  mask: A1Mask;
  pos: Point;
  invert: boolean;
}
export function opMask(flags: number, pos: Point, mask: A1Mask | null): OpMask | null {
  return mask ? { mask, pos, invert: (flags & MaskFlags.INVERS) !== 0 } : null;
}

export function maskBit(m: A1Mask, x: number, y: number): boolean {
  return ((m.bits[y * m.stride + (x >> 3)] >> (x & 7)) & 1) === 1;
}

export function applyMask(region: Rect[], box: Rect, m: OpMask | null): Rect[] {
  if (!m) return region;
  const out: Rect[] = [];
  const dx = m.pos.x - box.left, dy = m.pos.y - box.top; // dest → mask coordinates
  const inv = m.invert;
  for (const r of region) {
    const x0 = Math.max(r.left, -dx), x1 = Math.min(r.right, m.mask.width - dx);
    const y0 = Math.max(r.top, -dy), y1 = Math.min(r.bottom, m.mask.height - dy);
    for (let y = y0; y < y1; y++) {
      let start = -1;
      for (let x = x0; x <= x1; x++) {
        const on = x < x1 && maskBit(m.mask, x + dx, y + dy) !== inv;
        if (on && start < 0) start = x;
        else if (!on && start >= 0) { out.push({ top: y, bottom: y + 1, left: start, right: x }); start = -1; }
      }
    }
  }
  return out;
}
