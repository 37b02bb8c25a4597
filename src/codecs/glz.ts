/**
 * GLZ decoder: LZ with a dictionary shared across images (spice-protocol.md §6.3, §5.6).
 *
 * A reference names (image distance, pixel offset): distance 0 is a back-reference into the image
 * being decoded, distance d > 0 copies from image `id − d` starting at an absolute unit index of
 * that image in stream order. The server (glz-encoder-dict.c) only keeps images in its dictionary
 * while the pixels from the window head to the newest image fit the window size the client
 * advertised in DISPLAY_INIT, and tells us that head in every header (win_head_dist), so the
 * client-side window can drop anything older.
 *
 * Palette GLZ types are not accepted: the server never produces them (its canvas_get_glz notes
 * that a palette image cannot be shared globally) and spice-gtk decodes GLZ without a palette.
 */
import { CodecError } from './errors';
import type { DecodedImage } from './types';
import { LZ_MAGIC, LZ_VERSION, LzType, MAX_PIXELS, be32, checkExpected, rgb555 } from './lz-common';

const C = 'glz';
const HEADER_SIZE = 33;

export interface GlzHeader {
  type: number;
  topDown: boolean;
  width: number;
  height: number;
  id: bigint;
  winHeadDist: number;
}

/** Parse the 33-byte GLZ header (spice-protocol.md §6.3). */
export function readGlzHeader(data: Uint8Array): GlzHeader {
  if (data.length < HEADER_SIZE) throw new CodecError(C, `truncated header (${data.length} bytes)`);
  if (be32(data, 0) !== LZ_MAGIC) throw new CodecError(C, 'bad magic');
  if (be32(data, 4) !== LZ_VERSION) throw new CodecError(C, `bad version 0x${be32(data, 4).toString(16)}`);
  const tb = data[8];
  const type = tb & 0x0f;
  const width = be32(data, 9);
  const height = be32(data, 13);
  // stride (offset 17) only matters for palette types, which we refuse
  const id = (BigInt(be32(data, 21)) << 32n) | BigInt(be32(data, 25));
  const winHeadDist = be32(data, 29);
  if (type !== LzType.RGB16 && type !== LzType.RGB24 && type !== LzType.RGB32 && type !== LzType.RGBA) {
    throw new CodecError(C, `unsupported GLZ image type ${type}`);
  }
  checkExpected(C, width, height, undefined);
  return { type, topDown: tb >> 4 !== 0, width, height, id, winHeadDist };
}

interface WindowImage {
  id: bigint;
  winHeadDist: number;
  /** decoded units in stream order; for non-alpha images the 4th byte is spice-gtk's pad byte */
  px: Uint32Array;
}

/**
 * The client side of the shared GLZ dictionary. One per session (all display channels of a
 * client share the server's dictionary); clear() on session reset or migration.
 *
 * Memory: with images arriving in id order the window never holds more than `maxPixels` pixels
 * if the server honours the size we advertised; a stream that would exceed it is refused with a
 * CodecError (the image is not kept). While ids arrive out of order (several display channels),
 * images older than a gap cannot be released yet, so up to 2 × maxPixels is tolerated before
 * the same error. Either way memory stays bounded.
 */
export class GlzWindow {
  readonly maxPixels: number;
  private images = new Map<bigint, WindowImage>();
  private pixels = 0;
  /** lowest id not yet received at the end of the contiguous run; null when empty after clear */
  private runEnd: bigint | null = null;
  /** images below this id have been released and will never be needed again */
  private floor = 0n;

  constructor(maxPixels: number) {
    if (!(maxPixels > 0)) throw new CodecError(C, `bad window size ${maxPixels}`);
    this.maxPixels = Math.min(maxPixels, MAX_PIXELS * 4);
  }

  /** Forget everything (session reset, migration: spice-gtk glz_decoder_window_clear). */
  clear(): void {
    this.images.clear();
    this.pixels = 0;
    this.runEnd = null;
    this.floor = 0n;
  }

  /** Whether image `id` is held (a display layer with several channels may wait for it). */
  has(id: bigint): boolean {
    return this.images.has(id);
  }

  /** number of images held */
  get imageCount(): number {
    return this.images.size;
  }

  /** pixels held, the quantity bounded by maxPixels */
  get pixelCount(): number {
    return this.pixels;
  }

  /** @internal the image `dist` before `id`, or a CodecError */
  lookup(id: bigint, dist: number): Uint32Array {
    const img = this.images.get(id - BigInt(dist));
    if (!img) throw new CodecError(C, `image ${id} references image ${id - BigInt(dist)}, which is not in the window`);
    return img.px;
  }

  /** @internal keep a decoded image and release what the encoder can no longer reference */
  add(img: WindowImage): void {
    if (img.id < this.floor) return; // arrived after its time: nothing may reference it any more
    if (this.images.has(img.id)) throw new CodecError(C, `image id ${img.id} sent twice`);
    if (this.runEnd === null) {
      // the first image after a clear: the run starts at the oldest image it may reference, so
      // with several channels the earlier ids still on their way are waited for before releasing
      const head = BigInt(img.winHeadDist);
      this.runEnd = head > img.id ? 0n : img.id - head;
    }
    this.images.set(img.id, img);
    this.pixels += img.px.length;
    while (this.images.has(this.runEnd)) this.runEnd++;
    // the newest image of the contiguous run says which images the encoder may still use
    const newest = this.images.get(this.runEnd - 1n);
    if (newest) {
      const oldest = newest.id - BigInt(newest.winHeadDist);
      if (oldest > this.floor) {
        for (const [k, v] of this.images) {
          if (k < oldest) {
            this.images.delete(k);
            this.pixels -= v.px.length;
          }
        }
        this.floor = oldest;
      }
    }
    const gap = this.runEnd <= img.id;
    if (this.pixels > (gap ? 2 : 1) * this.maxPixels) {
      this.images.delete(img.id);
      this.pixels -= img.px.length;
      throw new CodecError(C, `window would hold ${this.pixels + img.px.length} pixels, more than the ${this.maxPixels} advertised`);
    }
  }
}

function truncated(): never {
  throw new CodecError(C, 'truncated input');
}

/**
 * One pass over `n` units. mode 0: RGB24/32 (3-byte literals), 1: RGB16 (2-byte big-endian
 * literals), 2: alpha (1-byte literals into the 4th byte). Returns the input position after it.
 */
function glzPass(data: Uint8Array, ip: number, out: Uint32Array, n: number, mode: number, win: GlzWindow, id: bigint): number {
  const end = data.length;
  const bias = mode === 0 ? 0 : mode === 1 ? 1 : 2;
  const out8 = mode === 2 ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength) : null;
  // image distance → that image's units, resolved once per decode (ids are bigints)
  const refs = new Map<number, Uint32Array>();
  let op = 0;
  while (op < n) {
    if (ip >= end) truncated();
    const ctrl = data[ip++];
    if (ctrl < 32) {
      const count = ctrl + 1;
      if (op + count > n) throw new CodecError(C, 'literal run overruns the output');
      if (mode === 0) {
        if (ip + 3 * count > end) truncated();
        // pad byte 0 as in spice-gtk; decodeGlz sets A = 255 on output for non-alpha images
        for (let i = 0; i < count; i++, ip += 3) out[op++] = (data[ip] << 16) | (data[ip + 1] << 8) | data[ip + 2];
      } else if (mode === 1) {
        if (ip + 2 * count > end) truncated();
        for (let i = 0; i < count; i++, ip += 2) out[op++] = rgb555(data[ip], data[ip + 1]) & 0xffffff;
      } else {
        if (ip + count > end) truncated();
        for (let i = 0; i < count; i++) out8![4 * op++ + 3] = data[ip++];
      }
      continue;
    }
    let len = ctrl >> 5;
    let pixelFlag = (ctrl >> 4) & 1;
    let pixelOfs = ctrl & 0x0f;
    if (len === 7) {
      let b: number;
      do {
        if (ip >= end) truncated();
        b = data[ip++];
        len += b;
      } while (b === 255);
    }
    if (ip + 2 > end) truncated();
    pixelOfs += data[ip++] << 4;
    let code = data[ip++];
    const imageFlag = (code >> 6) & 3;
    let imageDist = 0;
    if (!pixelFlag) {
      imageDist = code & 0x3f;
      if (ip + imageFlag > end) truncated();
      for (let i = 0; i < imageFlag; i++) imageDist += data[ip++] * 2 ** (6 + 8 * i);
    } else {
      pixelFlag = (code >> 5) & 1;
      pixelOfs += (code & 0x1f) << 12;
      if (ip + imageFlag + pixelFlag > end) truncated();
      for (let i = 0; i < imageFlag; i++) imageDist += data[ip++] * 2 ** (8 * i);
      if (pixelFlag) pixelOfs += data[ip++] * 2 ** 17;
    }
    len += bias;
    if (op + len > n) throw new CodecError(C, 'reference overruns the output');
    if (imageDist === 0) {
      pixelOfs += 1;
      let ref = op - pixelOfs;
      if (ref < 0) throw new CodecError(C, `reference ${pixelOfs} before the start of the output`);
      if (out8) {
        for (const stop = op + len; op < stop; ) out8[4 * op++ + 3] = out8[4 * ref++ + 3];
      } else if (pixelOfs === 1) {
        out.fill(out[ref], op, op + len);
        op += len;
      } else {
        for (const stop = op + len; op < stop; ) out[op++] = out[ref++];
      }
    } else {
      let src = refs.get(imageDist);
      if (!src) {
        src = win.lookup(id, imageDist);
        refs.set(imageDist, src);
      }
      if (pixelOfs + len > src.length) throw new CodecError(C, 'reference past the end of the earlier image');
      let ref = pixelOfs;
      if (out8) {
        const src8 = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
        for (const stop = op + len; op < stop; ) out8[4 * op++ + 3] = src8[4 * ref++ + 3];
      } else {
        out.set(src.subarray(ref, ref + len), op);
        op += len;
      }
    }
  }
  return ip;
}

/**
 * Decode a GLZ_RGB payload, which may copy pixels from earlier images in `win`, then add it to
 * the window. `expected`: the image descriptor's size, which the header must match.
 * Throws CodecError on bad input or a reference to an image not in the window (with several
 * display channels the caller should first wait until `win.has()` the images it may need).
 */
export function decodeGlz(data: Uint8Array, win: GlzWindow, expected?: { width: number; height: number }): DecodedImage {
  const h = readGlzHeader(data);
  checkExpected(C, h.width, h.height, expected);
  const { width, height, type } = h;
  const n = width * height;
  if (n > win.maxPixels) throw new CodecError(C, `image of ${n} pixels is larger than the ${win.maxPixels}-pixel window`);
  const units = new Uint32Array(n);
  let ip = glzPass(data, HEADER_SIZE, units, n, type === LzType.RGB16 ? 1 : 0, win, h.id);
  const hasAlpha = type === LzType.RGBA;
  if (hasAlpha) ip = glzPass(data, ip, units, n, 2, win, h.id);
  if (ip !== data.length) throw new CodecError(C, `${data.length - ip} trailing bytes after the image`);
  win.add({ id: h.id, winHeadDist: h.winHeadDist, px: units });

  // The window keeps the stream-order units; the caller gets its own top-down copy.
  const pixels = new Uint32Array(n);
  const aOr = hasAlpha ? 0 : 0xff000000;
  for (let r = 0; r < height; r++) {
    const s = r * width;
    let o = (h.topDown ? r : height - 1 - r) * width;
    for (let x = 0; x < width; x++) pixels[o++] = units[s + x] | aOr;
  }
  return { width, height, pixels, hasAlpha };
}
