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

/**
 * A message body with pointers: the fixed part is written in order, `ptr()` leaves a u32 that
 * is patched to the offset of its attachment, appended after the fixed part in ptr() order.
 */
export class Body {
  readonly w = new SpiceWriter(1 << 16);
  private tail: Array<{ at: number; make: (off: number) => Uint8Array }> = [];
  ptr(make: (off: number) => Uint8Array): this {
    this.tail.push({ at: this.w.length, make });
    this.w.u32(0);
    return this;
  }
  base(surface: number, box: R, clip: R[] | null = null): this {
    putClip(putRect(this.w.u32(surface), box), clip);
    return this;
  }
  solid(color: number): this {
    this.w.u8(1).u32(color);
    return this;
  }
  /** QMask: flags, pos, bitmap (null = no mask) */
  mask(img: ImageAt | null = null, flags = 0, x = 0, y = 0): this {
    this.w.u8(flags).i32(x).i32(y);
    return img ? this.ptr(img) : (this.w.u32(0), this);
  }
  finish(): Uint8Array {
    for (const t of this.tail) {
      const off = this.w.length;
      const b = t.make(off);
      this.w.setU32(t.at, off);
      this.w.bytes(b);
    }
    return this.w.finish();
  }
}

/** a 1BIT_LE top-down mask bitmap from rows of 0/1 */
export function maskBitmap(rows: number[][]): ImageAt {
  return () => {
    const h = rows.length, wd = rows[0]!.length, stride = (wd + 7) >> 3;
    const w = descriptor(new SpiceWriter(4096), 0n, ImageType.BITMAP, 0, wd, h).u8(1).u8(BitmapFlags.TOP_DOWN).u32(wd).u32(h).u32(stride).u32(0);
    for (const r of rows) {
      const bytes = new Uint8Array(stride);
      r.forEach((b, x) => { if (b) bytes[x >> 3]! |= 1 << (x & 7); });
      w.bytes(bytes);
    }
    return w.finish();
  };
}

/**
 * Fuzz seeds for the draw messages the recordings lack: one well-formed message of each kind
 * on a 4×2 primary (surface 0), with masks, clips, brushes and images.
 */
export function syntheticDrawCorpus(): Array<{ type: number; body: Uint8Array }> {
  const M = { FILL: 302, OPAQUE: 303, COPY: 304, BLEND: 305, BLACKNESS: 306, WHITENESS: 307, INVERS: 308, ROP3: 309, STROKE: 310, TEXT: 311, TRANSPARENT: 312, ALPHA_BLEND: 313, SURFACE_CREATE: 314 };
  const img = bitmap32(3n, 1, 2, 1, [px(255, 0, 0), px(0, 255, 0)]);
  const pattern = (b: Body) => { b.w.u8(2); b.ptr(bitmap32(0n, 0, 2, 1, [px(1, 2, 3), px(4, 5, 6)])); b.w.i32(1).i32(0); return b; };
  const area = (b: Body) => b.w.i32(0).i32(0).i32(1).i32(2);
  const out: Array<{ type: number; body: Uint8Array }> = [{ type: M.SURFACE_CREATE, body: surfaceCreate(0, 4, 2) }];
  const add = (type: number, b: Body) => out.push({ type, body: b.finish() });
  let b = pattern(new Body().base(0, rect(0, 0, 4, 2), [rect(0, 0, 3, 2)]));
  b.w.u16(64);
  add(M.FILL, b.mask(maskBitmap([[1, 0, 1, 1]])));
  b = new Body().base(0, rect(0, 0, 2, 1)).ptr(img);
  area(b);
  b.w.u16(8).u8(0);
  add(M.COPY, b.mask());
  b = new Body().base(0, rect(0, 0, 4, 2)).ptr(img);
  area(b);
  b.w.u16(16).u8(0);
  add(M.BLEND, b.mask(maskBitmap([[1, 1], [0, 1]]), 1));
  b = new Body().base(0, rect(0, 0, 2, 1)).ptr(img);
  area(b);
  pattern(b).w.u16(32).u8(1);
  add(M.OPAQUE, b.mask());
  b = new Body().base(0, rect(0, 0, 3, 2)).ptr(img);
  area(b);
  pattern(b).w.u8(0x96).u8(0);
  add(M.ROP3, b.mask());
  add(M.BLACKNESS, new Body().base(0, rect(0, 0, 2, 2)).mask());
  add(M.WHITENESS, new Body().base(0, rect(1, 0, 3, 2), [rect(1, 1, 2, 2)]).mask());
  add(M.INVERS, new Body().base(0, rect(0, 0, 4, 2)).mask(maskBitmap([[0, 1, 1, 0]])));
  b = new Body().base(0, rect(0, 0, 4, 2)).ptr(() => {
    const p = new Body();
    p.w.u32(2).u8(1).u32(2).i32(0).i32(16).i32(48).i32(16).u8(2 | 16).u32(3).i32(0).i32(0).i32(32).i32(24).i32(48).i32(0);
    return p.finish();
  });
  b.w.u8(8).u8(2);
  b.ptr(() => { const s = new Body(); s.w.i32(16).i32(32); return s.finish(); });
  b.solid(0xff00ff).w.u16(64).u16(8);
  add(M.STROKE, b);
  b = new Body().base(0, rect(0, 0, 4, 2)).ptr(() => {
    const s = new Body();
    s.w.u16(2).u8(2).i32(0).i32(1).i32(0).i32(-1).u16(2).u16(2).u8(0xf0).u8(0x0f).i32(2).i32(1).i32(0).i32(-1).u16(2).u16(2).u8(0x33).u8(0xcc);
    return s.finish();
  });
  b.w.i32(0).i32(0).i32(2).i32(4);
  b.solid(0x00ff00).solid(0x0000ff).w.u16(8).u16(8);
  add(M.TEXT, b);
  b = new Body().base(0, rect(0, 0, 4, 2)).ptr(img);
  area(b);
  b.w.u32(0xff0000).u32(0xff0000);
  add(M.TRANSPARENT, b);
  b = new Body().base(0, rect(0, 0, 4, 2));
  b.w.u8(1).u8(128);
  b.ptr(img);
  add(M.ALPHA_BLEND, area(b) && b);
  // COMPOSITE: OVER, bilinear source with a 16.16 transform and NORMAL repeat, an alpha mask
  b = new Body().base(0, rect(0, 0, 4, 2), [rect(0, 0, 3, 2)]);
  b.w.u32(3 | (1 << 8) | (1 << 14) | (1 << 19) | (1 << 20));
  b.ptr(img).ptr(() => descriptor(new SpiceWriter(4096), 0n, ImageType.BITMAP, 0, 2, 1).u8(10).u8(4).u32(2).u32(1).u32(2).u32(0).u8(200).u8(50).finish());
  b.w.i32(0x8000).i32(0).i32(0x4000).i32(0).i32(0x10000).i32(0).i16(1).i16(0).i16(0).i16(0);
  add(318, b);
  return out;
}
