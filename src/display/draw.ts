/**
 * Draw messages → the software ops of src/display/ops, with spice-common canvas_base.c's control
 * flow around them (spice-protocol.md §5.4):
 *   region = box ∩ surface ∩ clip rects (∩ mask), the mask read first;
 *   an op that draws nothing (empty region, NOOP rop, alpha 0) still "touches" its images so
 *   caches, palettes and the GLZ window follow the server (canvas_touch_image / touch_brush);
 *   otherwise images are resolved (source first, then the brush pattern, as the canvas does),
 *   the op runs, and the region's extents are reported to the sink as damage.
 * Every method may return a Promise (JPEG, ZLIB_GLZ, lossless wait); the caller awaits it
 * before the next message, which keeps draw order.
 */
import type {
  Brush, Clip, CopyBits, DrawAlphaBlend, DrawCopy, DrawFill, DrawMaskOnly, DrawOpaque, DrawRop3, DrawStroke, DrawText,
  DrawTransparent, Rect, SpiceImage,
} from '../protocol/display';
import { Ropd } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import { AlphaFlags, drawAlphaBlend, drawTransparent } from './ops/alpha';
import { applyMask, type OpMask } from './ops/mask';
import { drawRegion, paintFromBrush, type Paint } from './ops/region';
import { Rop, drawBlackness, drawCopy, drawFill, drawInvers, drawOpaque, drawWhiteness, ropdToRop } from './ops/rop';
import { drawRop3 } from './ops/rop3';
import { drawStroke } from './ops/stroke';
import { drawText } from './ops/text';
import { andThen, type ImageResolver, type MaybePromise, type SourceImage } from './images';
import type { DrawSink } from './sink';
import type { Surface } from './surface';
import type { SurfaceStore } from './surfaces';

export function extents(region: Rect[]): Rect | null {
  if (!region.length) return null;
  let top = Infinity, left = Infinity, bottom = -Infinity, right = -Infinity;
  for (const r of region) {
    if (r.top < top) top = r.top;
    if (r.left < left) left = r.left;
    if (r.bottom > bottom) bottom = r.bottom;
    if (r.right > right) right = r.right;
  }
  return { top, left, bottom, right };
}

function needSrc(src: SpiceImage | null, op: string): SpiceImage {
  if (!src) throw new SpiceProtocolError('malformed', `${op} without a source image`);
  return src;
}

/**
 * The text op rasterises the union of all glyph boxes (canvas_get_str_mask does the same), so a
 * string whose glyphs lie far apart would allocate without bound; real strings span a line.
 */
const MAX_SCRATCH_PIXELS = 1 << 24;
function checkGlyphUnion(m: DrawText): void {
  if (!m.glyphs.length) return;
  let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
  for (const g of m.glyphs) {
    const x = g.renderPos.x + g.glyphOrigin.x, y = g.renderPos.y + g.glyphOrigin.y;
    l = Math.min(l, x); t = Math.min(t, y); r = Math.max(r, x + g.width); b = Math.max(b, y + g.height);
  }
  if ((r - l) * (b - t) > MAX_SCRATCH_PIXELS) {
    throw new SpiceProtocolError('malformed', `text glyphs spread over ${r - l}x${b - t} pixels`);
  }
}

/**
 * A scaled ROP3 source is resampled to the whole box first (canvas_scale_surface does the same),
 * so the box must be of image size and the source area non-empty.
 */
function checkRop3Scale(m: DrawRop3): void {
  const w = m.box.right - m.box.left, h = m.box.bottom - m.box.top;
  const aw = m.srcArea.right - m.srcArea.left, ah = m.srcArea.bottom - m.srcArea.top;
  if (w <= 0 || h <= 0 || (aw === w && ah === h)) return;
  if (aw <= 0 || ah <= 0) throw new SpiceProtocolError('malformed', `DRAW_ROP3 scaled from an empty source area ${aw}x${ah}`);
  if (w * h > MAX_SCRATCH_PIXELS) throw new SpiceProtocolError('malformed', `DRAW_ROP3 scaled to a ${w}x${h} box`);
}

export class Drawer {
  constructor(
    private readonly surfaces: SurfaceStore,
    private readonly images: ImageResolver,
    private readonly sink: DrawSink,
  ) {}

  damage(s: Surface, region: Rect[]): void {
    const e = extents(region);
    if (e) this.sink.damage(s, e);
  }

  /** decode what an undrawn image would change (canvas_touch_image) */
  private touch(img: SpiceImage | null): MaybePromise<unknown> {
    return img ? this.images.resolve(img, false) : undefined;
  }

  private touchBrush(b: Brush): MaybePromise<unknown> {
    return b.type === 2 ? this.touch(b.pattern) : undefined;
  }

  private source(img: SpiceImage): MaybePromise<SourceImage> {
    return andThen(this.images.resolve(img, true), (s) => s!);
  }

  private paint(b: Brush): MaybePromise<Paint> {
    if (b.type !== 2) return paintFromBrush(b, () => { throw new Error('unreachable'); });
    return andThen(this.source(b.pattern), (tile) => paintFromBrush(b, () => tile));
  }

  /** mask first (canvas_mask_pixman), then the region the op may touch */
  private masked(s: Surface, box: Rect, clip: Clip, q: DrawFill['mask'], f: (mask: OpMask | null, region: Rect[]) => MaybePromise<unknown>): MaybePromise<unknown> {
    return andThen(this.images.mask(q), (mask) => f(mask, applyMask(drawRegion(s, box, clip), box, mask)));
  }

  copyBits(m: CopyBits): void {
    const s = this.surfaces.target(m.surfaceId);
    const dx = m.box.left - m.srcPos.x, dy = m.box.top - m.srcPos.y;
    if (dx === 0 && dy === 0) return;
    // the destination region, cut so the source (region − (dx, dy)) lies inside the surface
    const region = drawRegion(s, m.box, m.clip)
      .map((r) => ({ top: Math.max(r.top, dy), left: Math.max(r.left, dx), bottom: Math.min(r.bottom, s.height + dy), right: Math.min(r.right, s.width + dx) }))
      .filter((r) => r.top < r.bottom && r.left < r.right);
    const e = extents(region);
    if (!e) return;
    // snapshot the source extents, then write: overlap-safe like the canvas' ordered copy_region
    const sw = e.right - e.left, sh = e.bottom - e.top, W = s.width, px = s.pixels;
    const tmp = new Uint32Array(sw * sh);
    for (let y = 0; y < sh; y++) {
      const o = (y + e.top - dy) * W + e.left - dx;
      tmp.set(px.subarray(o, o + sw), y * sw);
    }
    for (const r of region) {
      for (let y = r.top; y < r.bottom; y++) {
        const o = (y - e.top) * sw + r.left - e.left;
        px.set(tmp.subarray(o, o + r.right - r.left), y * W + r.left);
      }
    }
    this.sink.damage(s, e);
  }

  fill(m: DrawFill): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    return this.masked(s, m.box, m.clip, m.mask, (mask, region) => {
      const rop = ropdToRop(m.ropd, Ropd.INVERS_BRUSH, Ropd.INVERS_DEST);
      if (rop === Rop.NOOP || !region.length) return this.touchBrush(m.brush);
      return andThen(this.paint(m.brush), (p) => {
        drawFill(s, m.box, m.clip, p, m.ropd, mask);
        this.damage(s, region);
      });
    });
  }

  /** DRAW_COPY and DRAW_BLEND */
  copy(m: DrawCopy): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    const srcImg = needSrc(m.src, 'DRAW_COPY');
    return this.masked(s, m.box, m.clip, m.mask, (mask, region) => {
      const rop = ropdToRop(m.ropd, Ropd.INVERS_SRC, Ropd.INVERS_DEST);
      if (rop === Rop.NOOP || !region.length) return this.touch(srcImg);
      return andThen(this.source(srcImg), (src) => {
        drawCopy(s, m.box, m.clip, src, src.opaque, m.srcArea, m.ropd, m.scaleMode, mask);
        this.damage(s, region);
      });
    });
  }

  opaque(m: DrawOpaque): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    const srcImg = needSrc(m.src, 'DRAW_OPAQUE');
    return this.masked(s, m.box, m.clip, m.mask, (mask, region) => {
      const rop = ropdToRop(m.ropd, Ropd.INVERS_BRUSH, Ropd.INVERS_SRC);
      if (rop === Rop.NOOP || !region.length) return andThen(this.touch(srcImg), () => this.touchBrush(m.brush));
      return andThen(this.source(srcImg), (src) =>
        andThen(this.paint(m.brush), (p) => {
          drawOpaque(s, m.box, m.clip, src, src.opaque, m.srcArea, p, m.ropd, m.scaleMode, mask);
          this.damage(s, region);
        }),
      );
    });
  }

  /** BLACKNESS, WHITENESS, INVERS */
  maskOnly(m: DrawMaskOnly, op: 'black' | 'white' | 'invert'): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    return this.masked(s, m.box, m.clip, m.mask, (mask, region) => {
      if (!region.length) return;
      if (op === 'black') drawBlackness(s, m.box, m.clip, mask);
      else if (op === 'white') drawWhiteness(s, m.box, m.clip, mask);
      else drawInvers(s, m.box, m.clip, mask);
      this.damage(s, region);
    });
  }

  rop3(m: DrawRop3): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    const srcImg = needSrc(m.src, 'DRAW_ROP3');
    checkRop3Scale(m);
    return this.masked(s, m.box, m.clip, m.mask, (mask, region) => {
      if (!region.length) return andThen(this.touch(srcImg), () => this.touchBrush(m.brush));
      return andThen(this.source(srcImg), (src) =>
        andThen(this.paint(m.brush), (p) => {
          drawRop3(s, m.box, m.clip, src, src.opaque, m.srcArea, p, m.rop3, m.scaleMode, mask);
          this.damage(s, region);
        }),
      );
    });
  }

  stroke(m: DrawStroke): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    const region = drawRegion(s, m.box, m.clip);
    if (!region.length) return this.touchBrush(m.brush);
    return andThen(this.paint(m.brush), (p) => {
      drawStroke(s, m.box, m.clip, m, p);
      this.damage(s, region);
    });
  }

  text(m: DrawText): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    checkGlyphUnion(m);
    const region = drawRegion(s, m.box, m.clip);
    if (!region.length) return andThen(this.touchBrush(m.foreBrush), () => this.touchBrush(m.backBrush));
    return andThen(m.foreBrush.type === 0 ? null : this.paint(m.foreBrush), (fore) =>
      andThen(this.paint(m.backBrush), (back) => {
        drawText(s, m.box, m.clip, m, fore, back);
        this.damage(s, region);
      }),
    );
  }

  transparent(m: DrawTransparent): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    const srcImg = needSrc(m.src, 'DRAW_TRANSPARENT');
    const region = drawRegion(s, m.box, m.clip);
    if (!region.length) return this.touch(srcImg);
    return andThen(this.source(srcImg), (src) => {
      drawTransparent(s, m.box, m.clip, src, m.srcArea, m.trueColor);
      this.damage(s, region);
    });
  }

  alphaBlend(m: DrawAlphaBlend): MaybePromise<unknown> {
    const s = this.surfaces.target(m.surfaceId);
    const srcImg = needSrc(m.src, 'DRAW_ALPHA_BLEND');
    const region = drawRegion(s, m.box, m.clip);
    if (m.alpha === 0 || !region.length) return this.touch(srcImg);
    return andThen(this.source(srcImg), (src) => {
      // a surface source has alpha only when the message says so (canvas_draw_alpha_blend)
      const hasAlpha = srcImg.kind === 'surface' ? (m.alphaFlags & AlphaFlags.SRC_SURFACE_HAS_ALPHA) !== 0 : src.hasAlpha;
      drawAlphaBlend(s, m.box, m.clip, src, hasAlpha, m.srcArea, m.alphaFlags, m.alpha);
      this.damage(s, region);
    });
  }
}
