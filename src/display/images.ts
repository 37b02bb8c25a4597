/**
 * SpiceImage → pixels (spice-protocol.md §5.5), as spice-common canvas_get_image_internal does:
 * decode by type, keep palettes the image asks to cache, store CACHE_ME images (lossy for
 * JPEG/JPEG_ALPHA), replace on CACHE_REPLACE_ME, read FROM_CACHE / FROM_CACHE_LOSSLESS, and use
 * another surface's live pixels for SURFACE.
 *
 * Sync where the codec is sync (BITMAP, QUIC, LZ, GLZ, LZ4, cache hits); a Promise for JPEG,
 * JPEG_ALPHA, ZLIB_GLZ (inflate) and a lossless wait, so the channel can keep message order.
 *
 * "Touch" (realGet = false): when an op draws nothing (clipped away, NOOP rop) the canvas still
 * decodes images that carry state — CACHE_ME, CACHE_REPLACE_ME, a palette to cache, GLZ — so
 * the cache and the GLZ window stay in step with the server (canvas_touch_image).
 *
 * HIGH_BITS_SET needs no pass here: every decoder already writes A = 255 for images without
 * alpha (src/codecs/types.ts), which is what the flag asks for.
 */
import { decodeBitmap } from '../codecs/bitmap';
import { CodecError } from '../codecs/errors';
import { GlzWindow, decodeGlz } from '../codecs/glz';
import { applyLzAlpha } from '../codecs/jpeg-alpha';
import { decodeLz } from '../codecs/lz';
import { decodeLz4 } from '../codecs/lz4';
import { decodeQuic } from '../codecs/quic';
import type { DecodedImage } from '../codecs/types';
import { decodeZlibGlz, type Inflate } from '../codecs/zlib-glz';
import type { Palette, QMask, SpiceImage } from '../protocol/display-types';
import { BitmapFlags, ImageFlags, ImageType, SurfaceFmt } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import type { ImageCache, CacheValue, PaletteCache } from './caches';
import { a1MaskFromBitmap, opMask, type A1Mask, type OpMask } from './ops/mask';
import type { PixelSource } from './ops/region';
import type { Surface } from './surface';

/** Decodes one baseline JPEG to our pixel format (worker: ImageDecoder; Node tests: jpeg-js). */
export type JpegDecoder = (data: Uint8Array) => Promise<DecodedImage>;

/** Pixels ready for an op: a decoded image or a surface's live buffer. */
export interface SourceImage extends PixelSource {
  hasAlpha: boolean;
  /** read as x8r8g8b8 (alpha ignored): images without alpha, surfaces without an alpha format */
  opaque: boolean;
  /** decoded from an 8BIT_A bitmap (DecodedImage.alphaOnly) */
  alphaOnly?: boolean;
}

export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

export function andThen<T, U>(v: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(v) ? v.then(f) : f(v);
}

/** CodecError → SpiceProtocolError('codec'); everything else unchanged. */
export function codecToProtocol(e: unknown): never {
  if (e instanceof CodecError) throw new SpiceProtocolError('codec', e.message);
  throw e;
}

function guard<T>(f: () => MaybePromise<T>): MaybePromise<T> {
  try {
    const v = f();
    return isPromise(v) ? v.catch(codecToProtocol) : v;
  } catch (e) {
    return codecToProtocol(e);
  }
}

/**
 * zlib inflate on DecompressionStream('deflate') (RFC 1950, as ZLIB_GLZ_RGB carries it), which
 * browsers, workers and Node 20 have. Stops with an error as soon as the output would exceed
 * `expectedSize`, so a zlib bomb cannot allocate more than the header promised.
 */
export const inflateZlib: Inflate = async (data, expectedSize) => {
  const ds = new DecompressionStream('deflate');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const written = writer.write(data as Uint8Array<ArrayBuffer>).then(() => writer.close()).catch(() => undefined);
  const out = new Uint8Array(expectedSize);
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > expectedSize) throw new CodecError('zlib-glz', `inflates past glz_data_size ${expectedSize}`);
      out.set(value, n);
      n += value.length;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  await written;
  return n === expectedSize ? out : out.subarray(0, n);
};

export interface ImageResolverOptions {
  images: ImageCache;
  palettes: PaletteCache;
  glz: GlzWindow;
  /** null: JPEG images are refused with SpiceProtocolError('unsupported') */
  jpeg: JpegDecoder | null;
  inflate?: Inflate;
  /** live surfaces by id (SURFACE images) */
  surface: (id: number) => Surface | undefined;
}

function fromDecoded(img: DecodedImage): SourceImage {
  return { width: img.width, height: img.height, pixels: img.pixels, hasAlpha: img.hasAlpha, opaque: !img.hasAlpha, ...(img.alphaOnly ? { alphaOnly: true } : {}) };
}

export function fromSurface(s: Surface): SourceImage {
  const alpha = s.format === SurfaceFmt._32_ARGB || s.format === SurfaceFmt._8_A || s.format === SurfaceFmt._1_A;
  return { width: s.width, height: s.height, pixels: s.pixels, hasAlpha: alpha, opaque: !alpha };
}

const isLossyType = (t: number) => t === ImageType.JPEG || t === ImageType.JPEG_ALPHA;
const PALETTE_FORMATS = new Set([1, 2, 3, 4, 5]);

export class ImageResolver {
  private readonly o: ImageResolverOptions;
  private readonly inflate: Inflate;
  /** images seen by SpiceImageType (diagnostics: which compressions the server really uses) */
  readonly typeCounts = new Map<number, number>();

  constructor(o: ImageResolverOptions) {
    this.o = o;
    this.inflate = o.inflate ?? inflateZlib;
  }

  /**
   * Pixels of `img` for drawing (realGet) or only its side effects on caches and the GLZ window
   * (realGet = false: resolves to null when nothing needed decoding).
   */
  resolve(img: SpiceImage, realGet = true): MaybePromise<SourceImage | null> {
    this.typeCounts.set(img.type, (this.typeCounts.get(img.type) ?? 0) + 1);
    if (img.kind === 'surface') {
      if (!realGet) return null;
      const s = this.o.surface(img.surfaceId);
      if (!s) throw new SpiceProtocolError('malformed', `image of unknown surface ${img.surfaceId}`);
      return fromSurface(s);
    }
    const cacheMe = (img.flags & ImageFlags.CACHE_ME) !== 0;
    const replaceMe = (img.flags & ImageFlags.CACHE_REPLACE_ME) !== 0;
    if (!realGet && !cacheMe && !replaceMe && !this.hasPaletteToCache(img) && img.type !== ImageType.GLZ_RGB && img.type !== ImageType.ZLIB_GLZ_RGB) {
      return null;
    }
    if (img.kind === 'cache') {
      const v = img.type === ImageType.FROM_CACHE_LOSSLESS ? this.o.images.getLossless(img.id) : this.o.images.get(img.id);
      return andThen(v, (c) => {
        if (c.kind !== 'image') throw new SpiceProtocolError('malformed', `cache entry ${img.id} is a mask, used as an image`);
        return fromDecoded(c.image);
      });
    }
    return andThen(guard(() => this.decode(img)), (d) => {
      const cost = img.width * img.height;
      if (cacheMe) this.o.images.put(img.id, { kind: 'image', image: d }, cost, isLossyType(img.type));
      else if (replaceMe) {
        if (isLossyType(img.type)) throw new SpiceProtocolError('malformed', `cache replace of image ${img.id} with a lossy image`);
        this.o.images.replace(img.id, { kind: 'image', image: d }, cost);
      }
      return fromDecoded(d);
    });
  }

  /** The op mask of a QMask (canvas_get_mask): 1-bit bitmaps, cached masks; null = no mask. */
  mask(q: QMask): MaybePromise<OpMask | null> {
    const img = q.bitmap;
    if (!img) return null;
    let m: MaybePromise<A1Mask>;
    if (img.kind === 'bitmap') {
      const a1 = a1MaskFromBitmap(img.bitmap);
      // the canvas caches the mask before (optionally) inverting it for this use; opMask inverts
      // on use, so the cached mask is always the un-inverted bitmap
      if (img.flags & ImageFlags.CACHE_ME) this.o.images.put(img.id, { kind: 'mask', mask: a1 }, img.width * img.height, false);
      m = a1;
    } else if (img.kind === 'cache') {
      const v = img.type === ImageType.FROM_CACHE_LOSSLESS ? this.o.images.getLossless(img.id) : this.o.images.get(img.id);
      m = andThen(v, (c: CacheValue) => {
        if (c.kind !== 'mask') throw new SpiceProtocolError('malformed', `cache entry ${img.id} is an image, used as a mask`);
        return c.mask;
      });
    } else {
      // spice-common's canvas has no other mask sources (it warns and draws unmasked)
      return null;
    }
    return andThen(m, (a1) => opMask(q.flags, q.pos, a1));
  }

  private hasPaletteToCache(img: SpiceImage): boolean {
    if (img.kind === 'bitmap') return !!img.bitmap.palette && (img.bitmap.flags & BitmapFlags.PAL_CACHE_ME) !== 0;
    if (img.kind === 'lz_plt') return !!img.lzPlt.palette && (img.lzPlt.flags & BitmapFlags.PAL_CACHE_ME) !== 0;
    return false;
  }

  /** canvas_get_palette: from the cache, or inline (and cached when PAL_CACHE_ME) */
  private palette(flags: number, inline: Palette | null, id: bigint | null, needed: boolean): Uint32Array | null {
    if (flags & BitmapFlags.PAL_FROM_CACHE) return needed && id !== null ? this.o.palettes.get(id) : null;
    if (inline && flags & BitmapFlags.PAL_CACHE_ME) this.o.palettes.put(inline.unique, inline.ents);
    return inline ? inline.ents : null;
  }

  private decode(img: SpiceImage): MaybePromise<DecodedImage> {
    const expected = { width: img.width, height: img.height };
    switch (img.kind) {
      case 'bitmap': {
        const b = img.bitmap;
        const pal = this.palette(b.flags, b.palette, b.paletteId, PALETTE_FORMATS.has(b.format));
        return decodeBitmap(b, pal);
      }
      case 'lz_plt': {
        const p = img.lzPlt;
        return decodeLz(p.data, this.palette(p.flags, p.palette, p.paletteId, true), expected);
      }
      case 'data':
        switch (img.type) {
          case ImageType.QUIC: return decodeQuic(img.data, expected);
          case ImageType.LZ_RGB: return decodeLz(img.data, null, expected);
          case ImageType.GLZ_RGB: return decodeGlz(img.data, this.o.glz, expected);
          case ImageType.LZ4: return decodeLz4(img.data, img.width, img.height);
          case ImageType.JPEG: return this.jpeg(img.data, img.width, img.height);
          default: throw new SpiceProtocolError('unsupported', `image type ${img.type}`);
        }
      case 'zlib_glz':
        return decodeZlibGlz(img.data, img.glzDataSize, this.o.glz, this.inflate, expected);
      case 'jpeg_alpha': {
        const topDown = (img.jaFlags & 1) !== 0;
        return this.jpeg(img.data.subarray(0, img.jpegSize), img.width, img.height).then((j) =>
          applyLzAlpha(j, img.data.subarray(img.jpegSize), topDown),
        );
      }
      default:
        throw new SpiceProtocolError('unsupported', `image type ${img.type}`);
    }
  }

  private async jpeg(data: Uint8Array, width: number, height: number): Promise<DecodedImage> {
    const dec = this.o.jpeg;
    if (!dec) throw new SpiceProtocolError('unsupported', 'JPEG image without a JPEG decoder');
    let img: DecodedImage;
    try {
      img = await dec(data);
    } catch (e) {
      if (e instanceof SpiceProtocolError) throw e;
      throw new SpiceProtocolError('codec', `jpeg: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (img.width !== width || img.height !== height) {
      throw new SpiceProtocolError('codec', `jpeg: decoded ${img.width}x${img.height}, descriptor ${width}x${height}`);
    }
    return img;
  }
}
