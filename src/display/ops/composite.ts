/**
 * DRAW_COMPOSITE (spice-protocol.md §5.4 "COMPOSITE flags"): X Render's Composite on premultiplied
 * ARGB, as spice-common's canvas_draw_composite hands it to pixman_image_composite32: the
 * destination box is composited with the source (and optional mask) sampled from src_origin /
 * mask_origin through their optional affine transforms, filters and repeat modes, and only
 * box ∩ clip is written back. Operators: combine.ts (pixman's 8-bit combiners) and
 * combine-float.ts (its float pipeline: SATURATE, DISJOINT_*, CONJOINT_*, COLOR_DODGE/BURN,
 * SOFT_LIGHT, HSL_*), after pixman's operator simplification (pixmanOp below). Checked bit-exact
 * against the system libpixman 0.42.2 (fixtures/pixman/composite.json, fixtures/README.md).
 *
 * Exported:
 *   CompositeFlag                  — flag bits (op = flags & 0xff, filters, repeats, CA, opaque)
 *   type CompositeParams = Pick<DrawComposite, 'flags' | 'srcTransform' | 'maskTransform' | 'srcOrigin' | 'maskOrigin'>
 *   drawComposite(s: Surface, box, clip, c: CompositeParams (DrawComposite from
 *                 src/protocol/display.ts parseDrawComposite), src: PixelSource, srcFormat,
 *                 mask: PixelSource | null, maskFormat): void
 *     srcFormat / maskFormat: the SpiceSurfaceFmt the pixels are read as — for a SURFACE image
 *     the source surface's own format (32_xRGB: alpha read as 255; 32_ARGB; 8_A: alpha only,
 *     colour 0); for a decoded image imageFormat(hasAlpha). Throws SpiceProtocolError for an
 *     operator number pixman does not define.
 *   imageFormat(hasAlpha): number  — 32_ARGB for images with alpha, else 32_xRGB
 *
 * Destination formats: 32_xRGB (and the 16-bit ones, which we keep in 32 bits) read alpha as
 * 255 and keep A = 255; 32_ARGB reads and stores all 32 bits; 8_A reads only alpha (colour 0) and
 * stores only alpha (R = G = B = 0), like a pixman a8 image.
 * Opaque flags: SOURCE/MASK/DEST_OPAQUE mean the X picture is x8r8g8b8, i.e. its alpha byte is
 * to be read as 255 (pixman's view of that format). spice-common applies only SOURCE_OPAQUE and
 * only to surface sources (its DEST_OPAQUE format is computed but unused, MASK_OPAQUE is not read);
 * the qxl driver sets these flags only for x8r8g8b8 pictures, which live on 32_xRGB surfaces whose
 * alpha already reads as 255, so honouring all three gives the same pixels on real streams and the
 * X server's own result otherwise. Pixels outside a REPEAT_NONE source are transparent (0) even
 * when the image is read as opaque, as in pixman.
 * Notes on what the qxl driver sends: X's filter ids (Nearest 0, Bilinear 1) where pixman reads
 * FAST 0 / GOOD 1 — both pairs sample the same, so we decode the bits as pixman_filter_t; and
 * it copies the *source* transform into mask_transform — we draw what the wire says, as the
 * canvas does.
 */
import type { DrawComposite } from '../../protocol/display';
import type { Clip, Rect } from '../../protocol/display-types';
import { SurfaceFmt } from '../../protocol/enums';
import { SpiceProtocolError } from '../../protocol/errors';
import type { Surface } from '../surface';
import { combine8, combine8ca, Op } from './combine';
import { combineFloat } from './combine-float';
import { drawRegion, type PixelSource } from './region';
import { sampleFloat } from './sample-float';
import { Filter, Repeat, sampleAffine, type Affine } from './sample';

export const CompositeFlag = {
  OP_MASK: 0xff, SRC_FILTER_SHIFT: 8, MASK_FILTER_SHIFT: 11, SRC_REPEAT_SHIFT: 14, MASK_REPEAT_SHIFT: 16,
  COMPONENT_ALPHA: 1 << 18, HAS_MASK: 1 << 19, HAS_SRC_TRANSFORM: 1 << 20, HAS_MASK_TRANSFORM: 1 << 21,
  SOURCE_OPAQUE: 1 << 22, MASK_OPAQUE: 1 << 23, DEST_OPAQUE: 1 << 24,
} as const;

export type CompositeParams = Pick<DrawComposite, 'flags' | 'srcTransform' | 'maskTransform' | 'srcOrigin' | 'maskOrigin'>;

export function imageFormat(hasAlpha: boolean): number {
  return hasAlpha ? SurfaceFmt._32_ARGB : SurfaceFmt._32_xRGB;
}

const IDENTITY: Affine = [65536, 0, 0, 0, 65536, 0];
/** pixman stores an identity matrix as "no transform" (pixman_image_set_transform) */
function affine(t: Affine | null): Affine {
  return !t || t.every((v, i) => v === IDENTITY[i]) ? IDENTITY : t;
}

/**
 * pixman first replaces an operator by a cheaper equivalent (pixman.c optimize_operator); this
 * matters where the two take different arithmetic paths: DISJOINT/CONJOINT CLEAR, SRC and DST
 * are always the 8-bit CLEAR/SRC/DST, and SATURATE with an opaque source (and mask) is the
 * 8-bit OVER_REVERSE. (Our destinations never count as opaque: pixman requires a repeat mode
 * on the destination for that.)
 */
function pixmanOp(op: number, srcOpaque: () => boolean): number {
  if ((op >= 0x10 && op <= 0x12) || (op >= 0x20 && op <= 0x22)) return op & 0x0f;
  if (op === Op.SATURATE && srcOpaque()) return Op.OVER_REVERSE;
  return op;
}

/** pixels as pixman reads them for a format: 8_A has no colour, opaque formats read alpha 255 */
function view(img: PixelSource, format: number, forceOpaque: boolean): { img: PixelSource; opaque: boolean } {
  let pixels = img.pixels;
  if (format === SurfaceFmt._8_A) {
    // whatever our buffer holds in R, G, B reads as 0; forced opaque it is 0xff000000 via `opaque`
    pixels = new Uint32Array(img.pixels.length);
    if (!forceOpaque) for (let i = 0; i < pixels.length; i++) pixels[i] = img.pixels[i] & 0xff000000;
  }
  const opaque = forceOpaque || (format !== SurfaceFmt._32_ARGB && format !== SurfaceFmt._8_A);
  return { img: { width: img.width, height: img.height, pixels }, opaque };
}

interface Layer { img: PixelSource; opaque: boolean; t: Affine; ox: number; oy: number; filter: number; repeat: number }

/**
 * Whether pixman sees an image as opaque: a format without alpha, no component alpha, and either
 * a repeat mode or every sample of the w×h grid (both taps when bilinear) inside the image.
 * The grid is affine, so its four corner samples bound it.
 */
function opaqueImage(img: PixelSource, format: number, forceOpaque: boolean, t: Affine | null, ox: number, oy: number,
  w: number, h: number, filter: number, repeat: number): boolean {
  if (!forceOpaque && (format === SurfaceFmt._32_ARGB || format === SurfaceFmt._8_A)) return false;
  if (repeat !== Repeat.NONE) return true;
  const m = t ?? IDENTITY;
  const bilinear = filter === Filter.BILINEAR || filter === Filter.GOOD || filter === Filter.BEST;
  for (const [i, j] of [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]]) {
    const cx = (ox + i) * 65536 + 0x8000, cy = (oy + j) * 65536 + 0x8000;
    const x = (m[0] * cx + m[1] * cy) / 65536 + m[2], y = (m[3] * cx + m[4] * cy) / 65536 + m[5];
    const lo = (v: number) => (bilinear ? Math.floor((v - 0x8000) / 65536) : Math.floor((v - 1) / 65536));
    const hi = (v: number) => (bilinear ? lo(v) + 1 : lo(v));
    if (lo(x) < 0 || lo(y) < 0 || hi(x) >= img.width || hi(y) >= img.height) return false;
  }
  return true;
}

export function drawComposite(s: Surface, box: Rect, clip: Clip, c: CompositeParams, src: PixelSource, srcFormat: number,
  mask: PixelSource | null, maskFormat: number): void {
  const f = c.flags >>> 0;
  const hasMask = mask !== null && (f & CompositeFlag.HAS_MASK) !== 0;
  const ca = hasMask && (f & CompositeFlag.COMPONENT_ALPHA) !== 0;
  const srcOpaque = (f & CompositeFlag.SOURCE_OPAQUE) !== 0, maskOpaque = (f & CompositeFlag.MASK_OPAQUE) !== 0;
  const bw = box.right - box.left, bh = box.bottom - box.top;
  const sl: Layer = { ...view(src, srcFormat, srcOpaque), t: affine(c.srcTransform), ox: c.srcOrigin.x, oy: c.srcOrigin.y,
    filter: (f >>> CompositeFlag.SRC_FILTER_SHIFT) & 7, repeat: (f >>> CompositeFlag.SRC_REPEAT_SHIFT) & 3 };
  const ml: Layer | null = hasMask ? { ...view(mask, maskFormat, maskOpaque), t: affine(c.maskTransform), ox: c.maskOrigin.x,
    oy: c.maskOrigin.y, filter: (f >>> CompositeFlag.MASK_FILTER_SHIFT) & 7, repeat: (f >>> CompositeFlag.MASK_REPEAT_SHIFT) & 3 } : null;
  const op = pixmanOp(f & CompositeFlag.OP_MASK, () =>
    opaqueImage(src, srcFormat, srcOpaque, c.srcTransform, sl.ox, sl.oy, bw, bh, sl.filter, sl.repeat)
    && (!ml || (!ca && opaqueImage(mask!, maskFormat, maskOpaque, c.maskTransform, ml.ox, ml.oy, bw, bh, ml.filter, ml.repeat))));
  const c8 = ca ? combine8ca(op) : combine8(op);
  const cf = c8 ? null : combineFloat(op, ca);
  if (!c8 && !cf) throw new SpiceProtocolError('malformed', `composite operator ${op}`);
  const region = drawRegion(s, box, clip);
  if (!region.length) return;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of region) { x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom); }
  if (cf && ml) {
    // the float path may carry source values from row to row (sample-float.ts skip), so it
    // samples the op's whole temporary image from its top-left corner, as pixman does
    x0 = box.left; y0 = box.top; x1 = box.right; y1 = box.bottom;
  }
  const w = x1 - x0, h = y1 - y0;
  // destination pixel (x, y) is pixel (x - box.left, y - box.top) of the op's temporary image
  const dx = x0 - box.left, dy = y0 - box.top;
  const fmt = s.format;
  const a8 = fmt === SurfaceFmt._8_A;
  const argb = fmt === SurfaceFmt._32_ARGB && (f & CompositeFlag.DEST_OPAQUE) === 0;
  const px = s.pixels, sw = s.width;
  const store = (i: number, v: number) => { px[i] = (argb ? v : a8 ? v & 0xff000000 : v | 0xff000000) >>> 0; };
  const dest = (i: number) => { const dv = px[i]; return (argb ? dv : a8 ? dv & 0xff000000 : dv | 0xff000000) >>> 0; };
  if (c8) {
    const sample8 = (l: Layer) => sampleAffine({ ...l.img, opaque: l.opaque }, l.t, l.ox + dx, l.oy + dy, w, h, l.filter, l.repeat);
    const sp = sample8(sl), mp = ml ? sample8(ml) : null;
    for (const r of region) for (let y = r.top; y < r.bottom; y++) {
      const row = (y - y0) * w - x0;
      for (let x = r.left; x < r.right; x++) {
        const m = mp ? (ca ? mp[row + x] : mp[row + x] >>> 24) : 255;
        store(y * sw + x, c8(sp[row + x], m, dest(y * sw + x)));
      }
    }
    return;
  }
  const sampleF = (l: Layer, skip?: Float32Array) => sampleFloat(l.img, l.opaque, l.t, l.ox + dx, l.oy + dy, w, h, l.filter, l.repeat, skip);
  const mp = ml ? sampleF(ml) : null;
  // pixman's untransformed fetcher (no transform, REPEAT_NONE/NORMAL) fetches every source pixel
  const plain = sl.t === IDENTITY && (sl.repeat === Repeat.NONE || sl.repeat === Repeat.NORMAL);
  const sp = sampleF(sl, plain ? undefined : mp ?? undefined);
  for (const r of region) for (let y = r.top; y < r.bottom; y++) {
    const row = (y - y0) * w - x0;
    for (let x = r.left; x < r.right; x++) store(y * sw + x, cf!(sp, (row + x) * 4, mp, (row + x) * 4, dest(y * sw + x)));
  }
}
