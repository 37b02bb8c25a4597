/**
 * DRAW_COMPOSITE → ops/composite.ts, with canvas_draw_composite's control flow: the source and
 * the optional mask are always resolved (no touch shortcut: the canvas reads them before it
 * knows whether anything is visible), source first; a SURFACE image is read in that surface's
 * own format (32_xRGB alpha as 255, 32_ARGB, 8_A alpha only), a decoded image as ARGB when it
 * has alpha, else xRGB. An 8BIT_A *bitmap* reads as xRGB too (opaque black, so as a mask it masks
 * nothing): the canvas fetches composite images with want_original = FALSE, which converts every
 * pixman format but a8r8g8b8 to the canvas's x8r8g8b8 (canvas_get_image_internal); checked against
 * the server library's own rendering in e2e/test-server.spec.ts. Damage: box ∩ surface ∩ clip.
 */
import type { DrawComposite, SpiceImage } from '../protocol/display';
import { SurfaceFmt } from '../protocol/enums';
import { CompositeFlag, drawComposite, imageFormat } from './ops/composite';
import { drawRegion } from './ops/region';
import { andThen, type ImageResolver, type MaybePromise, type SourceImage } from './images';
import { extents } from './draw';
import type { DrawSink } from './sink';
import type { SurfaceStore } from './surfaces';

interface Input {
  src: SourceImage;
  format: number;
}

function input(images: ImageResolver, surfaces: SurfaceStore, img: SpiceImage): MaybePromise<Input> {
  return andThen(images.resolve(img, true), (src) => {
    const s = img.kind === 'surface' ? surfaces.get(img.surfaceId) : undefined;
    return { src: src!, format: s ? s.format : src!.alphaOnly ? SurfaceFmt._32_xRGB : imageFormat(src!.hasAlpha) };
  });
}

export function composite(m: DrawComposite, surfaces: SurfaceStore, images: ImageResolver, sink: DrawSink): MaybePromise<unknown> {
  const s = surfaces.target(m.surfaceId);
  return andThen(input(images, surfaces, m.src), (src) =>
    andThen(m.mask && m.flags & CompositeFlag.HAS_MASK ? input(images, surfaces, m.mask) : null, (mask) => {
      drawComposite(s, m.box, m.clip, m, src.src, src.format, mask ? mask.src : null, mask ? mask.format : 0);
      const e = extents(drawRegion(s, m.box, m.clip));
      if (e) sink.damage(s, e);
    }),
  );
}
