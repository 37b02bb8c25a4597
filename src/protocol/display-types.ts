/**
 * Structures shared by display messages (spice-protocol.md §5.4, §5.5): Rect, Clip, Brush,
 * QMask, Image and Palette. Pointers are offsets from the message body start; every read is
 * bounds-checked by SpiceReader.
 */
import { BitmapFlags, BrushType, ClipType, ImageType } from './enums';
import { SpiceProtocolError } from './errors';
import type { SpiceReader } from './reader';

/** Rect on the wire is top, left, bottom, right; right/bottom exclusive. */
export interface Rect {
  top: number;
  left: number;
  bottom: number;
  right: number;
}
export function parseRect(r: SpiceReader): Rect {
  return { top: r.i32(), left: r.i32(), bottom: r.i32(), right: r.i32() };
}

export interface Point {
  x: number;
  y: number;
}
export function parsePoint(r: SpiceReader): Point {
  return { x: r.i32(), y: r.i32() };
}
export function parsePoint16(r: SpiceReader): Point {
  return { x: r.i16(), y: r.i16() };
}

/** Limit on clip rects: far above what a server sends, low enough to bound work. */
const MAX_CLIP_RECTS = 65536;

/** null = no clipping (ClipType NONE) */
export type Clip = Rect[] | null;
export function parseClip(r: SpiceReader): Clip {
  const type = r.u8();
  if (type === ClipType.NONE) return null;
  if (type !== ClipType.RECTS) throw new SpiceProtocolError('malformed', `clip type ${type}`);
  const n = r.u32();
  if (n > MAX_CLIP_RECTS || n * 16 > r.remaining) throw new SpiceProtocolError('truncated', `clip with ${n} rects`);
  const rects: Rect[] = [];
  for (let i = 0; i < n; i++) rects.push(parseRect(r));
  return rects;
}

export interface DisplayBase {
  surfaceId: number;
  box: Rect;
  clip: Clip;
}
export function parseDisplayBase(r: SpiceReader): DisplayBase {
  return { surfaceId: r.u32(), box: parseRect(r), clip: parseClip(r) };
}

export interface Palette {
  unique: bigint;
  /** 0x00RRGGBB entries */
  ents: Uint32Array;
}
export function parsePalette(r: SpiceReader): Palette {
  const unique = r.u64();
  const n = r.u16();
  const ents = new Uint32Array(n);
  for (let i = 0; i < n; i++) ents[i] = r.u32();
  return { unique, ents };
}

export interface BitmapData {
  format: number;
  flags: number;
  width: number;
  height: number;
  stride: number;
  /** inline palette, or null when paletteId is used or the format has none */
  palette: Palette | null;
  /** set when flags has PAL_FROM_CACHE */
  paletteId: bigint | null;
  data: Uint8Array;
}

export interface LzPltData {
  flags: number;
  palette: Palette | null;
  paletteId: bigint | null;
  data: Uint8Array;
}

export interface ImageDescriptor {
  id: bigint;
  type: number;
  flags: number;
  width: number;
  height: number;
}

/** A parsed Image: descriptor plus a view of the type-specific payload (no decoding yet). */
export type SpiceImage =
  | (ImageDescriptor & { kind: 'bitmap'; bitmap: BitmapData })
  | (ImageDescriptor & { kind: 'data'; data: Uint8Array }) // QUIC, LZ_RGB, GLZ_RGB, JPEG, LZ4
  | (ImageDescriptor & { kind: 'lz_plt'; lzPlt: LzPltData })
  | (ImageDescriptor & { kind: 'cache' }) // FROM_CACHE, FROM_CACHE_LOSSLESS
  | (ImageDescriptor & { kind: 'surface'; surfaceId: number })
  | (ImageDescriptor & { kind: 'zlib_glz'; glzDataSize: number; data: Uint8Array })
  | (ImageDescriptor & { kind: 'jpeg_alpha'; jaFlags: number; jpegSize: number; data: Uint8Array });

/** bytes per row of `width` pixels of a SpiceBitmapFmt */
export function bitmapRowBytes(format: number, width: number): number {
  const bpp = [0, 1, 1, 4, 4, 8, 16, 24, 32, 32, 8][format];
  if (bpp === undefined || bpp === 0) throw new SpiceProtocolError('malformed', `bitmap format ${format}`);
  return Math.ceil((bpp * width) / 8);
}

/** 1 Gpixel limit per image dimension product: guards the decoders' allocations */
const MAX_IMAGE_PIXELS = 1 << 26;

function dataBlock(r: SpiceReader): Uint8Array {
  const size = r.u32();
  return r.bytesView(size);
}

/** Parse the Image at pointer `ptr` of the body behind `body`. */
export function parseImage(body: SpiceReader, ptr: number): SpiceImage {
  if (ptr === 0) throw new SpiceProtocolError('malformed', 'NULL image pointer');
  const r = body.at(ptr);
  const d: ImageDescriptor = { id: r.u64(), type: r.u8(), flags: r.u8(), width: r.u32(), height: r.u32() };
  if (d.width * d.height > MAX_IMAGE_PIXELS) throw new SpiceProtocolError('malformed', `image of ${d.width}x${d.height}`);
  switch (d.type) {
    case ImageType.BITMAP: {
      const format = r.u8();
      const flags = r.u8();
      const width = r.u32();
      const height = r.u32();
      const stride = r.u32();
      let palette: Palette | null = null;
      let paletteId: bigint | null = null;
      if (flags & BitmapFlags.PAL_FROM_CACHE) paletteId = r.u64();
      else {
        const pp = r.u32();
        if (pp) palette = parsePalette(body.at(pp));
      }
      if (width * height > MAX_IMAGE_PIXELS) throw new SpiceProtocolError('malformed', `bitmap of ${width}x${height}`);
      if (stride < bitmapRowBytes(format, width)) throw new SpiceProtocolError('malformed', `bitmap stride ${stride} too small for ${width} px`);
      const data = r.bytesView(stride * height);
      return { ...d, kind: 'bitmap', bitmap: { format, flags, width, height, stride, palette, paletteId, data } };
    }
    case ImageType.QUIC:
    case ImageType.LZ_RGB:
    case ImageType.GLZ_RGB:
    case ImageType.JPEG:
    case ImageType.LZ4:
      return { ...d, kind: 'data', data: dataBlock(r) };
    case ImageType.LZ_PLT: {
      const flags = r.u8();
      const size = r.u32();
      let palette: Palette | null = null;
      let paletteId: bigint | null = null;
      if (flags & BitmapFlags.PAL_FROM_CACHE) paletteId = r.u64();
      else {
        const pp = r.u32();
        if (!pp) throw new SpiceProtocolError('malformed', 'LZ_PLT without a palette');
        palette = parsePalette(body.at(pp));
      }
      return { ...d, kind: 'lz_plt', lzPlt: { flags, palette, paletteId, data: r.bytesView(size) } };
    }
    case ImageType.FROM_CACHE:
    case ImageType.FROM_CACHE_LOSSLESS:
      return { ...d, kind: 'cache' };
    case ImageType.SURFACE:
      return { ...d, kind: 'surface', surfaceId: r.u32() };
    case ImageType.ZLIB_GLZ_RGB: {
      const glzDataSize = r.u32();
      return { ...d, kind: 'zlib_glz', glzDataSize, data: dataBlock(r) };
    }
    case ImageType.JPEG_ALPHA: {
      const jaFlags = r.u8();
      const jpegSize = r.u32();
      const data = dataBlock(r);
      if (jpegSize > data.length) throw new SpiceProtocolError('malformed', `JPEG_ALPHA jpeg_size ${jpegSize} > data ${data.length}`);
      return { ...d, kind: 'jpeg_alpha', jaFlags, jpegSize, data };
    }
    default:
      throw new SpiceProtocolError('unsupported', `image type ${d.type}`);
  }
}

export type Brush = { type: 0 } | { type: 1; color: number } | { type: 2; pattern: SpiceImage; pos: Point };
export function parseBrush(r: SpiceReader): Brush {
  const type = r.u8();
  switch (type) {
    case BrushType.NONE:
      return { type: 0 };
    case BrushType.SOLID:
      return { type: 1, color: r.u32() };
    case BrushType.PATTERN: {
      const ptr = r.u32();
      const pos = parsePoint(r);
      return { type: 2, pattern: parseImage(r, ptr), pos };
    }
    default:
      throw new SpiceProtocolError('malformed', `brush type ${type}`);
  }
}

export interface QMask {
  flags: number;
  pos: Point;
  bitmap: SpiceImage | null;
}
export function parseQMask(r: SpiceReader): QMask {
  const flags = r.u8();
  const pos = parsePoint(r);
  const ptr = r.u32();
  return { flags, pos, bitmap: ptr ? parseImage(r, ptr) : null };
}
