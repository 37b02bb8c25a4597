/**
 * DRAW_STROKE (spice-protocol.md §5.4) as spice-common canvas_draw_stroke: the path is flattened
 * (28.4 points rounded by fix_to_int, Béziers subdivided until flat as subdivide_bezier does) and
 * every polyline is drawn as a zero-width X11 line (miZeroLine: Bresenham with the default
 * octant bias, CapNotLast, each segment without its end point), clipped to the surface and to
 * box ∩ clip, with the fore ROP and the brush. The canvas always draws width-0 lines and never
 * uses back_mode.
 *
 * Exported:
 *   PathFlags { BEGIN: 1, END: 2, CLOSE: 8, BEZIER: 16 }, LineFlags { START_WITH_GAP: 4, STYLED: 8 }
 *   flattenPath(path): Point[][]                       — integer polylines
 *   zeroLinePixels(x1, y1, x2, y2, clip, out)          — one segment's pixels, end point excluded
 *   drawStroke(surface, box, clip, stroke: DrawStroke, paint: Paint): void
 * STYLED (dashed) lines: spice-common's zero-width dash routine draws them as width-1 wide dashed
 * lines (miWideDash), not along the Bresenham pixels: wide-dash.ts does the same, with the
 * canvas's dash list (lengths fix_to_int and truncated to 8 bits; START_WITH_GAP rotates the list
 * and starts at offset list[0]). Found and checked against spice-server's own rendering
 * (e2e/test-server.spec.ts). Bézier subdivision is capped at depth 16.
 */
import type { Clip, DrawStroke, PathSegment, Point, Rect } from '../../protocol/display';
import { Ropd } from '../../protocol/enums';
import type { Surface } from '../surface';
import { covers, coverage, drawRegion, opaqueMask, wirePixel, type Coverage, type Paint } from './region';
import { ropPixel, ropdToRop, Rop } from './rop';
import { isCarefulRop, wideDashPolyline } from './wide-dash';

export const PathFlags = { BEGIN: 1, END: 2, CLOSE: 8, BEZIER: 16 } as const;
export const LineFlags = { START_WITH_GAP: 4, STYLED: 8 } as const;

export function fixToInt(f: number): number {
  return (f & 0x0f) > 8 ? (f >> 4) + 1 : f >> 4;
}

const MAX_DEPTH = 16;
function bezier(out: Point[], p0: Point, p1: Point, p2: Point, p3: Point, depth: number): void {
  const dot = (x1: number, y1: number, x2: number, y2: number) => (BigInt(x1) * BigInt(x2) + BigInt(y1) * BigInt(y2)) >> 4n;
  const A2 = dot(p1.x - p0.x, p1.y - p0.y, p1.x - p0.x, p1.y - p0.y);
  const B2 = dot(p3.x - p0.x, p3.y - p0.y, p3.x - p0.x, p3.y - p0.y);
  const C2 = dot(p2.x - p3.x, p2.y - p3.y, p2.x - p3.x, p2.y - p3.y);
  const AB = dot(p1.x - p0.x, p1.y - p0.y, p3.x - p0.x, p3.y - p0.y);
  const CB = dot(p2.x - p3.x, p2.y - p3.y, p0.x - p3.x, p0.y - p3.y);
  const h1 = (A2 * B2 - AB * AB) >> 3n, h2 = (C2 * B2 - CB * CB) >> 3n;
  if ((h1 < B2 && h2 < B2) || depth >= MAX_DEPTH) { out.push({ x: fixToInt(p3.x), y: fixToInt(p3.y) }); return; }
  const mid = (a: Point, b: Point) => ({ x: Math.trunc((a.x + b.x) / 2), y: Math.trunc((a.y + b.y) / 2) });
  const p01 = mid(p0, p1), p12 = mid(p1, p2), p23 = mid(p2, p3);
  const p012 = mid(p01, p12), p123 = mid(p12, p23), p0123 = mid(p012, p123);
  bezier(out, p0, p01, p012, p0123, depth + 1);
  bezier(out, p0123, p123, p23, p3, depth + 1);
}

export function flattenPath(path: PathSegment[]): Point[][] {
  const lines: Point[][] = [];
  let cur: Point[] = [];
  const flush = () => { if (cur.length) lines.push(cur); cur = []; };
  for (const seg of path) {
    let k = 0;
    if (seg.flags & PathFlags.BEGIN && seg.points.length) {
      flush();
      cur.push({ x: fixToInt(seg.points[0].x), y: fixToInt(seg.points[0].y) });
      k = 1;
    }
    if (seg.flags & PathFlags.BEZIER) {
      if ((seg.points.length - k) % 3 !== 0) return lines; // the canvas gives up on the rest
      for (; k + 2 < seg.points.length; k += 3) {
        if (!cur.length) return lines;
        const last = cur[cur.length - 1];
        bezier(cur, { x: last.x << 4, y: last.y << 4 }, seg.points[k], seg.points[k + 1], seg.points[k + 2], 0);
      }
    } else {
      for (; k < seg.points.length; k++) cur.push({ x: fixToInt(seg.points[k].x), y: fixToInt(seg.points[k].y) });
    }
    if (seg.flags & PathFlags.END) {
      if (seg.flags & PathFlags.CLOSE && cur.length) cur.push({ ...cur[0] });
      flush();
    }
  }
  flush();
  return lines;
}

const XDEC = 4, YDEC = 2, YMAJOR = 1;
const BIAS = (1 << (YDEC | YMAJOR)) | (1 << (XDEC | YDEC | YMAJOR)) | (1 << (XDEC | YDEC)) | (1 << XDEC); // octants 2,3,4,5

/**
 * miZeroLine's pixels of one segment, end point excluded, limited to `lim` (x0,y0,x1,y1 exclusive).
 * Bresenham in closed form: minor offset at major step i = floor((2·minor·i + major − bias) / (2·major)),
 * identical to the incremental loop and to miZeroClipLine's clipped restart.
 */
export function zeroLinePixels(x1: number, y1: number, x2: number, y2: number, lim: Rect, out: (x: number, y: number) => void): void {
  let oct = 0;
  const adx = Math.abs(x2 - x1), ady = Math.abs(y2 - y1);
  const sx = x2 < x1 ? -1 : 1, sy = y2 < y1 ? -1 : 1;
  if (sx < 0) oct |= XDEC;
  if (sy < 0) oct |= YDEC;
  const xMajor = adx > ady;
  if (!xMajor) oct |= YMAJOR;
  const major = xMajor ? adx : ady, minor = xMajor ? ady : adx;
  if (major === 0) return;
  const f = (BIAS >> oct) & 1;
  // major-axis steps that can fall inside the limit
  const [m0, mLo, mHi, s] = xMajor ? [x1, lim.left, lim.right - 1, sx] : [y1, lim.top, lim.bottom - 1, sy];
  let iLo = s > 0 ? mLo - m0 : m0 - mHi, iHi = s > 0 ? mHi - m0 : m0 - mLo;
  iLo = Math.max(0, iLo); iHi = Math.min(major - 1, iHi);
  for (let i = iLo; i <= iHi; i++) {
    const n = Math.floor((2 * minor * i + major - f) / (2 * major));
    const x = xMajor ? x1 + sx * i : x1 + sx * n;
    const y = xMajor ? y1 + sy * n : y1 + sy * i;
    if (x >= lim.left && x < lim.right && y >= lim.top && y < lim.bottom) out(x, y);
  }
}

export function drawStroke(surface: Surface, box: Rect, clip: Clip, stroke: DrawStroke, paint: Paint): void {
  const region = drawRegion(surface, box, clip);
  if (!region.length) return;
  const cov: Coverage = coverage(region);
  const lim = { left: cov.x0, top: cov.y0, right: cov.x0 + cov.w, bottom: cov.y0 + cov.h };
  const rop = ropdToRop(stroke.foreMode, Ropd.INVERS_BRUSH, Ropd.INVERS_DEST);
  const px = surface.pixels, w = surface.width, op = opaqueMask(surface);
  const solid = paint.kind === 'solid' ? wirePixel(paint.color) : 0;
  let dash: number[] | null = null;
  let dashOffset = 0;
  if (stroke.lineFlags & LineFlags.STYLED && stroke.style.length) {
    const d = stroke.style.map((v) => fixToInt(v) & 0xff);
    dash = stroke.lineFlags & LineFlags.START_WITH_GAP ? [...d.slice(1), d[0]] : d;
    if (stroke.lineFlags & LineFlags.START_WITH_GAP) dashOffset = dash[0];
    // an all-zero list would loop forever in X's dash stepping: draw the line solid instead
    if (dash.every((v) => v === 0)) dash = null;
  }
  const plot = (x: number, y: number) => {
    if (!covers(cov, x, y)) return;
    let s = solid;
    if (paint.kind === 'tile') {
      const t = paint.tile;
      s = t.pixels[(((y - paint.offsetY) % t.height) + t.height) % t.height * t.width + ((((x - paint.offsetX) % t.width) + t.width) % t.width)];
    }
    const i = y * w + x;
    px[i] = (ropPixel(rop, s, px[i]) | op) >>> 0;
  };
  if (rop === Rop.NOOP) return;
  const span = (y: number, x0: number, x1: number) => {
    if (y < lim.top || y >= lim.bottom) return;
    for (let x = Math.max(x0, lim.left), e = Math.min(x1, lim.right); x < e; x++) plot(x, y);
  };
  const careful = isCarefulRop(rop);
  for (const line of flattenPath(stroke.path)) {
    // the dash polygons are scan-converted whole (work bounded by the line's extent)
    const far = line.some((p) => Math.abs(p.x) > 1 << 16 || Math.abs(p.y) > 1 << 16);
    if (dash && !far) { wideDashPolyline(line, dash, dashOffset, careful, span, [lim.top, lim.bottom]); continue; }
    for (let k = 0; k + 1 < line.length; k++) zeroLinePixels(line[k].x, line[k].y, line[k + 1].x, line[k + 1].y, lim, plot);
  }
}
