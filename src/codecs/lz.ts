/**
 * SPICE LZ decoder: LZ_RGB, LZ_PLT and the alpha plane of JPEG_ALPHA (spice-protocol.md §6.2).
 *
 * The body is a run of literal units and back-references into the output decoded so far. We
 * decode into a buffer in stream order (units as they come), then orient rows: a header with
 * top_down = 0 sends the bottom row first. Palette images are decoded to index bytes (one unit
 * = one packed byte, references count bytes) and then expanded row by row, cropping the row
 * padding that `stride` allows.
 */
import { CodecError } from './errors';
import type { DecodedImage } from './types';
import { fromXrgb } from './types';
import {
  LZ_MAGIC,
  LZ_VERSION,
  LzType,
  PLT_PIXELS_PER_BYTE,
  RGB_BYTES_PER_PIXEL,
  be32,
  checkExpected,
  flipRows,
  rgb555,
} from './lz-common';

const C = 'lz';
/** the far-distance escape adds this (spice-protocol.md §6.2) */
const MAX_DISTANCE = 8191;

export interface LzHeader {
  type: number;
  width: number;
  height: number;
  stride: number;
  topDown: boolean;
  /** units the body holds: width*height, or stride*height bytes for palette types */
  units: number;
  /** offset of the body in the payload */
  bodyStart: number;
}

/** Parse and validate the 28-byte LZ header (spice-protocol.md §6.2). */
export function readLzHeader(data: Uint8Array): LzHeader {
  if (data.length < 28) throw new CodecError(C, `truncated header (${data.length} bytes)`);
  if (be32(data, 0) !== LZ_MAGIC) throw new CodecError(C, 'bad magic');
  if (be32(data, 4) !== LZ_VERSION) throw new CodecError(C, `bad version 0x${be32(data, 4).toString(16)}`);
  const type = be32(data, 8);
  const width = be32(data, 12);
  const height = be32(data, 16);
  const stride = be32(data, 20);
  const topDown = be32(data, 24) !== 0;
  if (type < LzType.PLT1_LE || type > LzType.A8) throw new CodecError(C, `bad image type ${type}`);
  checkExpected(C, width, height, undefined);
  let units: number;
  const ppb = PLT_PIXELS_PER_BYTE[type];
  if (ppb) {
    // spice-common's lz_set_sizes allows at most one partial byte per row; a stride shorter than
    // the row would make rows overlap, so we refuse that too
    if (stride * ppb < width || stride > Math.ceil(width / ppb)) {
      throw new CodecError(C, `palette stride ${stride} does not fit width ${width}`);
    }
    units = stride * height;
  } else {
    if (stride !== width * RGB_BYTES_PER_PIXEL[type]) {
      throw new CodecError(C, `stride ${stride} != width ${width} x ${RGB_BYTES_PER_PIXEL[type]}`);
    }
    units = width * height;
  }
  return { type, width, height, stride, topDown, units, bodyStart: 28 };
}

function truncated(): never {
  throw new CodecError(C, 'truncated input');
}

/**
 * Decode an RGB24/RGB32 (3-byte B,G,R literals, length bias 1) or RGB16 (2-byte big-endian
 * literals, bias 2) stream of `n` pixels into `out` with A = 255. Returns the input position
 * after the stream.
 */
export function lzDecodeRgb(data: Uint8Array, ip: number, out: Uint32Array, n: number, rgb16: boolean): number {
  const end = data.length;
  const bias = rgb16 ? 2 : 1;
  let op = 0;
  while (op < n) {
    if (ip >= end) truncated();
    const ctrl = data[ip++];
    if (ctrl < 32) {
      const count = ctrl + 1;
      if (op + count > n) throw new CodecError(C, 'literal run overruns the output');
      if (rgb16) {
        if (ip + 2 * count > end) truncated();
        for (let i = 0; i < count; i++, ip += 2) out[op++] = rgb555(data[ip], data[ip + 1]);
      } else {
        if (ip + 3 * count > end) truncated();
        for (let i = 0; i < count; i++, ip += 3) {
          out[op++] = 0xff000000 | (data[ip] << 16) | (data[ip + 1] << 8) | data[ip + 2];
        }
      }
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      let b: number;
      do {
        if (ip >= end) truncated();
        b = data[ip++];
        len += b;
      } while (b === 255);
    }
    if (ip >= end) truncated();
    const code = data[ip++];
    let ofs = ((ctrl & 31) << 8) + code;
    if (code === 255 && (ctrl & 31) === 31) {
      if (ip + 2 > end) truncated();
      ofs = ((data[ip] << 8) | data[ip + 1]) + MAX_DISTANCE;
      ip += 2;
    }
    len += bias - 1;
    ofs += 1;
    let ref = op - ofs;
    if (ref < 0) throw new CodecError(C, `reference ${ofs} before the start of the output`);
    if (op + len > n) throw new CodecError(C, 'reference overruns the output');
    if (ofs === 1) {
      out.fill(out[ref], op, op + len);
      op += len;
    } else {
      for (const stop = op + len; op < stop; ) out[op++] = out[ref++];
    }
  }
  return ip;
}

/**
 * Decode a one-byte-unit stream (palette indices, alpha; length bias 3) of `n` units into
 * out[offset + i*step]. Used with step 4, offset 3 for the alpha byte of RGBA pixels.
 */
export function lzDecodeBytes(
  data: Uint8Array,
  ip: number,
  out: Uint8Array,
  offset: number,
  step: number,
  n: number,
): number {
  const end = data.length;
  let op = 0;
  while (op < n) {
    if (ip >= end) truncated();
    const ctrl = data[ip++];
    if (ctrl < 32) {
      const count = ctrl + 1;
      if (op + count > n) throw new CodecError(C, 'literal run overruns the output');
      if (ip + count > end) truncated();
      for (let i = 0; i < count; i++) out[offset + step * op++] = data[ip++];
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      let b: number;
      do {
        if (ip >= end) truncated();
        b = data[ip++];
        len += b;
      } while (b === 255);
    }
    if (ip >= end) truncated();
    const code = data[ip++];
    let ofs = ((ctrl & 31) << 8) + code;
    if (code === 255 && (ctrl & 31) === 31) {
      if (ip + 2 > end) truncated();
      ofs = ((data[ip] << 8) | data[ip + 1]) + MAX_DISTANCE;
      ip += 2;
    }
    len += 2;
    ofs += 1;
    let ref = op - ofs;
    if (ref < 0) throw new CodecError(C, `reference ${ofs} before the start of the output`);
    if (op + len > n) throw new CodecError(C, 'reference overruns the output');
    for (const stop = op + len; op < stop; ) out[offset + step * op++] = out[offset + step * ref++];
  }
  return ip;
}

function checkEnd(data: Uint8Array, ip: number): void {
  // spice-common asserts the body is consumed exactly; trailing bytes mean we are out of step
  if (ip !== data.length) throw new CodecError(C, `${data.length - ip} trailing bytes after the image`);
}

/** Build a 256-entry table of palette colours in our format; -1 marks indices without an entry. */
function paletteTable(type: number, palette: Uint32Array): Int32Array | Uint32Array {
  if (type === LzType.PLT4_LE || type === LzType.PLT4_BE) {
    // spice-common takes the nibble modulo num_ents, so every nibble maps to some entry
    if (palette.length === 0) throw new CodecError(C, 'empty palette');
    const t = new Uint32Array(16);
    for (let i = 0; i < 16; i++) t[i] = fromXrgb(palette[i % palette.length]);
    return t;
  }
  const t = new Int32Array(256).fill(-1);
  for (let i = 0; i < Math.min(256, palette.length); i++) t[i] = fromXrgb(palette[i]) | 0;
  return t;
}

/** Expand stride*height index bytes (stream order) into width*height pixels (top row first). */
function expandPalette(h: LzHeader, idx: Uint8Array, palette: Uint32Array): Uint32Array {
  const { type, width, height, stride, topDown } = h;
  const out = new Uint32Array(width * height);
  const table = paletteTable(type, palette);
  const missing = (i: number): never => {
    throw new CodecError(C, `palette index ${i} but the palette has ${palette.length} entries`);
  };
  for (let r = 0; r < height; r++) {
    const row = topDown ? r : height - 1 - r;
    let o = row * width;
    const src = r * stride;
    switch (type) {
      case LzType.PLT8:
        for (let x = 0; x < width; x++) {
          const c = table[idx[src + x]];
          if (c === -1) missing(idx[src + x]);
          out[o++] = c;
        }
        break;
      case LzType.PLT4_LE:
      case LzType.PLT4_BE: {
        const le = type === LzType.PLT4_LE;
        for (let x = 0; x < width; x++) {
          const b = idx[src + (x >> 1)];
          const nib = (x & 1) === (le ? 0 : 1) ? b & 15 : b >> 4;
          out[o++] = table[nib];
        }
        break;
      }
      default: {
        // 1 bpp: entry 1 for set bits, entry 0 for clear bits (spice-common's fore/back)
        const le = type === LzType.PLT1_LE;
        for (let x = 0; x < width; x++) {
          const b = idx[src + (x >> 3)];
          const bit = le ? (b >> (x & 7)) & 1 : (b >> (7 - (x & 7))) & 1;
          const c = table[bit];
          if (c === -1) missing(bit);
          out[o++] = c;
        }
      }
    }
  }
  return out;
}

/**
 * Decode an LZ payload (LZ_RGB data, LZ_PLT data, or the alpha part of JPEG_ALPHA).
 * `palette`: 0x00RRGGBB entries for palette types (from the LZ_PLT image or the palette cache);
 * ignored otherwise. `expected`: the image descriptor's size, which the header must match.
 * XXXA and A8 payloads decode to pixels with R = G = B = 0 and A = the alpha value.
 */
export function decodeLz(
  data: Uint8Array,
  palette: Uint32Array | null,
  expected?: { width: number; height: number },
): DecodedImage {
  const h = readLzHeader(data);
  checkExpected(C, h.width, h.height, expected);
  const { type, width, height } = h;
  let ip = h.bodyStart;
  if (PLT_PIXELS_PER_BYTE[type]) {
    if (!palette) throw new CodecError(C, 'palette image without a palette');
    const idx = new Uint8Array(h.units);
    ip = lzDecodeBytes(data, ip, idx, 0, 1, h.units);
    checkEnd(data, ip);
    return { width, height, pixels: expandPalette(h, idx, palette), hasAlpha: false };
  }
  const n = h.units;
  const pixels = new Uint32Array(n);
  let hasAlpha = false;
  switch (type) {
    case LzType.RGB16:
      ip = lzDecodeRgb(data, ip, pixels, n, true);
      break;
    case LzType.RGB24:
    case LzType.RGB32:
      ip = lzDecodeRgb(data, ip, pixels, n, false);
      break;
    case LzType.RGBA:
      // colour pass over all pixels, then an alpha pass that fills only the 4th byte
      ip = lzDecodeRgb(data, ip, pixels, n, false);
      ip = lzDecodeBytes(data, ip, new Uint8Array(pixels.buffer), 3, 4, n);
      hasAlpha = true;
      break;
    case LzType.XXXA:
    case LzType.A8:
      ip = lzDecodeBytes(data, ip, new Uint8Array(pixels.buffer), 3, 4, n);
      hasAlpha = true;
      break;
  }
  checkEnd(data, ip);
  if (!h.topDown) flipRows(pixels, width, height);
  // A8 is an 8BIT_A bitmap compressed: the canvas holds it as pixman a8, like the raw bitmap
  return type === LzType.A8 ? { width, height, pixels, hasAlpha, alphaOnly: true } : { width, height, pixels, hasAlpha };
}
