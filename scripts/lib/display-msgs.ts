/**
 * Test-side builders of display-channel message bodies (spice-protocol.md §5.4, §5.5), written
 * from the protocol tables, for synthetic DisplayCore/DisplayChannel tests. Writers start large:
 * SpiceWriter loses bytes when it grows (it writes through the view it held before growing).
 */
import jpeg from 'jpeg-js';
import { BitmapFlags, ImageType, SurfaceFmt } from '../../src/protocol/enums';
import { SpiceWriter } from '../../src/protocol/writer';

export type R = { top: number; left: number; bottom: number; right: number };
export const rect = (left: number, top: number, right: number, bottom: number): R => ({ top, left, bottom, right });
export const putRect = (w: SpiceWriter, r: R) => w.i32(r.top).i32(r.left).i32(r.bottom).i32(r.right);
export const putClip = (w: SpiceWriter, clip: R[] | null) => {
  if (!clip) return w.u8(0);
  w.u8(1).u32(clip.length);
  for (const r of clip) putRect(w, r);
  return w;
};
export const black = 0xff000000;
/** our pixel (0xAABBGGRR) from r,g,b */
export const px = (r: number, g: number, b: number) => (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;

/** an Image at absolute body offset `at` */
export type ImageAt = (at: number) => Uint8Array;
export function descriptor(w: SpiceWriter, id: bigint, type: number, flags: number, width: number, height: number) {
  return w.u64(id).u8(type).u8(flags).u32(width).u32(height);
}
/** 32BIT top-down bitmap from our pixels (wire B,G,R,X) */
export function bitmap32(id: bigint, flags: number, width: number, height: number, pixels: number[]): ImageAt {
  return () => {
    const w = descriptor(new SpiceWriter(4096), id, ImageType.BITMAP, flags, width, height);
    w.u8(8).u8(BitmapFlags.TOP_DOWN).u32(width).u32(height).u32(width * 4).u32(0);
    for (const p of pixels) w.u8((p >>> 16) & 255).u8((p >>> 8) & 255).u8(p & 255).u8(0);
    return w.finish();
  };
}
/** 8BIT bitmap, one row, with an inline palette (cached under `unique`) or one from the cache */
export function bitmap8(idx: number[], pal: { unique: bigint; ents?: number[]; fromCache?: boolean }): ImageAt {
  return (at) => {
    const w = descriptor(new SpiceWriter(4096), 0n, ImageType.BITMAP, 0, idx.length, 1);
    const flags = pal.fromCache ? BitmapFlags.PAL_FROM_CACHE : BitmapFlags.PAL_CACHE_ME;
    w.u8(5).u8(flags).u32(idx.length).u32(1).u32(idx.length);
    const head = 18 + 14 + (pal.fromCache ? 8 : 4);
    if (pal.fromCache) w.u64(pal.unique);
    else w.u32(at + head + idx.length);
    for (const i of idx) w.u8(i);
    if (!pal.fromCache) {
      w.u64(pal.unique).u16(pal.ents!.length);
      for (const e of pal.ents!) w.u32(e);
    }
    return w.finish();
  };
}
export const fromCache = (id: bigint, w: number, h: number, lossless = false): ImageAt => () =>
  descriptor(new SpiceWriter(4096), id, lossless ? ImageType.FROM_CACHE_LOSSLESS : ImageType.FROM_CACHE, 0, w, h).finish();

export function jpegImage(id: bigint, flags: number, width: number, height: number, rgba: Uint8Array): ImageAt {
  const j = jpeg.encode({ data: rgba, width, height }, 100).data;
  return () => descriptor(new SpiceWriter(4096), id, ImageType.JPEG, flags, width, height).u32(j.length).bytes(j).finish();
}

export function drawCopy(surface: number, box: R, img: ImageAt, clip: R[] | null = null, srcArea?: R): Uint8Array {
  const w = new SpiceWriter(4096).u32(surface);
  putRect(w, box);
  putClip(w, clip);
  const fixed = w.length + 4 + 16 + 2 + 1 + 13;
  w.u32(fixed);
  putRect(w, srcArea ?? rect(0, 0, box.right - box.left, box.bottom - box.top));
  w.u16(8).u8(1).u8(0).i32(0).i32(0).u32(0); // OP_PUT, NEAREST, no mask
  return w.bytes(img(fixed)).finish();
}
export const surfaceCreate = (id: number, width: number, height: number, primary = true, format: number = SurfaceFmt._32_xRGB) =>
  new SpiceWriter(4096).u32(id).u32(width).u32(height).u32(format).u32(primary ? 1 : 0).finish();

/** DRAW_FILL with a solid brush (0x00RRGGBB), ropd OP_PUT, no mask */
export function drawFill(surface: number, box: R, color: number, clip: R[] | null = null): Uint8Array {
  const w = new SpiceWriter(4096).u32(surface);
  putRect(w, box);
  putClip(w, clip);
  return w.u8(1).u32(color).u16(8).u8(0).i32(0).i32(0).u32(0).finish();
}

/** a mini-header message (u16 type, u32 size, body) as the server sends it */
export function miniFrame(type: number, body: Uint8Array): Uint8Array {
  const w = new SpiceWriter(body.length + 6).u16(type).u32(body.length).bytes(body);
  return w.finish();
}
