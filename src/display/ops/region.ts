/**
 * Shared helpers of the software raster ops (src/display/ops/*): the destination region of a
 * draw op, pixel sources and the colour conventions. Mirrors spice-common canvas_base.c, where
 * every op starts from a pixman region = bbox ∩ canvas ∩ clip rects (spice-protocol.md §5.4).
 *
 * Exported:
 *   interface PixelSource { width; height; pixels: Uint32Array }   — DecodedImage and Surface fit
 *   type Paint = { kind: 'solid'; color } | { kind: 'tile'; tile: PixelSource; offsetX; offsetY }
 *   paintFromBrush(brush, resolveTile): Paint          — Brush NONE paints colour 0 (as the canvas)
 *   drawRegion(surface, box, clip): Rect[]             — disjoint rects: box ∩ surface ∩ clip
 *   wirePixel(c): number                               — wire 0xAARRGGBB → our 0xAABBGGRR
 *   opaqueMask(surface): number                        — 0xff000000 for surfaces without alpha, else 0
 *
 * Alpha convention: spice's x8r8g8b8 canvases carry garbage in the X byte (a ROP inverts it, a
 * fill writes the colour's top byte). Our surfaces without alpha keep A = 255 (src/codecs/types.ts),
 * so every op ORs opaqueMask(surface) into what it writes; ARGB surfaces keep the exact 32 bits.
 */
import type { Brush, Clip, Rect } from '../../protocol/display-types';
import { SurfaceFmt } from '../../protocol/enums';
import type { Surface } from '../surface';

export interface PixelSource {
  width: number;
  height: number;
  pixels: Uint32Array;
}

export type Paint =
  | { kind: 'solid'; color: number }
  | { kind: 'tile'; tile: PixelSource; offsetX: number; offsetY: number };

/** A pattern brush's image must be decoded by the caller (core owns caches/decoders). */
export function paintFromBrush(brush: Brush, resolveTile: (b: Extract<Brush, { type: 2 }>) => PixelSource): Paint {
  if (brush.type === 1) return { kind: 'solid', color: brush.color >>> 0 };
  if (brush.type === 2) return { kind: 'tile', tile: resolveTile(brush), offsetX: brush.pos.x, offsetY: brush.pos.y };
  return { kind: 'solid', color: 0 };
}

export function wirePixel(c: number): number {
  return ((c & 0xff000000) | ((c & 0xff) << 16) | (c & 0xff00) | ((c >>> 16) & 0xff)) >>> 0;
}

export function opaqueMask(surface: Surface): number {
  return surface.format === SurfaceFmt._32_ARGB ? 0 : 0xff000000;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const top = Math.max(a.top, b.top);
  const left = Math.max(a.left, b.left);
  const bottom = Math.min(a.bottom, b.bottom);
  const right = Math.min(a.right, b.right);
  return top < bottom && left < right ? { top, left, bottom, right } : null;
}

/**
 * box ∩ surface ∩ union(clip) as disjoint rects (y-bands, x-merged), so that a ROP such as XOR is
 * applied once per pixel even when the server's clip rects overlap (pixman unions them).
 */
export function drawRegion(surface: { width: number; height: number }, box: Rect, clip: Clip): Rect[] {
  const base = intersect(box, { top: 0, left: 0, bottom: surface.height, right: surface.width });
  if (!base) return [];
  if (!clip) return [base];
  const rs: Rect[] = [];
  for (const c of clip) {
    const r = intersect(c, base);
    if (r) rs.push(r);
  }
  return disjoint(rs);
}

/** Union of rects as disjoint y-banded rects (sweep with an active list). */
export function disjoint(rs: Rect[]): Rect[] {
  if (rs.length <= 1) return rs.slice();
  const ys = new Set<number>();
  for (const r of rs) { ys.add(r.top); ys.add(r.bottom); }
  const edges = [...ys].sort((a, b) => a - b);
  const byTop = rs.slice().sort((a, b) => a.top - b.top);
  let next = 0;
  let active: Rect[] = [];
  const out: Rect[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const y0 = edges[i], y1 = edges[i + 1];
    active = active.filter((r) => r.bottom > y0);
    while (next < byTop.length && byTop[next].top <= y0) active.push(byTop[next++]);
    if (!active.length) continue;
    const xs = active.map((r) => [r.left, r.right] as const).sort((a, b) => a[0] - b[0]);
    let [l, r] = xs[0];
    for (let k = 1; k <= xs.length; k++) {
      if (k < xs.length && xs[k][0] <= r) { r = Math.max(r, xs[k][1]); continue; }
      out.push({ top: y0, left: l, bottom: y1, right: r });
      if (k < xs.length) [l, r] = xs[k];
    }
  }
  return out;
}

/** Region with a per-pixel coverage test (lines, glyph masks): a byte map over its extents. */
export interface Coverage { x0: number; y0: number; w: number; h: number; map: Uint8Array }
export function coverage(region: Rect[]): Coverage {
  if (!region.length) return { x0: 0, y0: 0, w: 0, h: 0, map: new Uint8Array(0) };
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of region) { x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom); }
  const w = x1 - x0, h = y1 - y0;
  const map = new Uint8Array(w * h);
  for (const r of region) for (let y = r.top; y < r.bottom; y++) map.fill(1, (y - y0) * w + r.left - x0, (y - y0) * w + r.right - x0);
  return { x0, y0, w, h, map };
}
export function covers(c: Coverage, x: number, y: number): boolean {
  const dx = x - c.x0, dy = y - c.y0;
  return dx >= 0 && dy >= 0 && dx < c.w && dy < c.h && c.map[dy * c.w + dx] === 1;
}
