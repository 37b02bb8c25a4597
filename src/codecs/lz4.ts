/**
 * SPICE LZ4 images (spice-protocol.md §6.4; spice-common canvas_get_lz4, spice-server
 * lz4-encoder.c): `u8 top_down, u8 format`, then blocks `{u32 big-endian size, LZ4 block}` to
 * the end. The server compresses the rows in chunks with one LZ4 stream, so a block may copy
 * from the output of earlier blocks: all blocks decode into one contiguous buffer. Rows are
 * `width × bytes-per-pixel` with no padding, bottom row first unless top_down.
 */
import { CodecError } from './errors';
import type { DecodedImage } from './types';
import { MAX_PIXELS } from './lz-common';

const C = 'lz4';

/** SpiceBitmapFmt values LZ4 images use → bytes per pixel */
const FORMAT_BPP: Record<number, number> = { 6: 2, 7: 3, 8: 4, 9: 4 };

/**
 * Decompress one LZ4 block (the raw block format, no frame) from src[start, end) into
 * dst[pos...], with matches allowed to reach back into everything already in dst (which is how
 * LZ4_decompress_safe_continue behaves on a contiguous buffer). Returns the new output position.
 */
export function lz4DecompressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, pos: number): number {
  let ip = start;
  let op = pos;
  const cap = dst.length;
  while (ip < end) {
    const token = src[ip++];
    // literals
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= end) throw new CodecError(C, 'truncated literal length');
        b = src[ip++];
        lit += b;
      } while (b === 255);
    }
    if (lit > 0) {
      if (ip + lit > end) throw new CodecError(C, 'truncated literals');
      if (op + lit > cap) throw new CodecError(C, 'literals overrun the image');
      dst.set(src.subarray(ip, ip + lit), op);
      ip += lit;
      op += lit;
    }
    // the last sequence of a block has literals only
    if (ip === end) break;
    if (ip + 2 > end) throw new CodecError(C, 'truncated match offset');
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw new CodecError(C, `match offset ${offset} before the start of the output`);
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= end) throw new CodecError(C, 'truncated match length');
        b = src[ip++];
        len += b;
      } while (b === 255);
    }
    if (op + len > cap) throw new CodecError(C, 'match overruns the image');
    let ref = op - offset;
    if (offset >= len) {
      dst.copyWithin(op, ref, ref + len);
      op += len;
    } else {
      // overlapping match: a repeating pattern, copied byte by byte
      for (const stop = op + len; op < stop; ) dst[op++] = dst[ref++];
    }
  }
  return op;
}

/**
 * Decode an LZ4 image payload. Width and height come from the image descriptor (the payload
 * does not carry them). Output per the pixel contract: 16BIT (x1r5g5b5 little-endian) widened by
 * bit replication, 24/32BIT with A = 255, RGBA keeps its premultiplied alpha.
 */
export function decodeLz4(data: Uint8Array, width: number, height: number): DecodedImage {
  if (data.length < 2) throw new CodecError(C, 'missing header');
  if (width <= 0 || height <= 0 || width * height > MAX_PIXELS) throw new CodecError(C, `bad size ${width}x${height}`);
  const topDown = data[0] !== 0;
  const format = data[1];
  const bpp = FORMAT_BPP[format];
  if (!bpp) throw new CodecError(C, `unsupported bitmap format ${format}`);
  const rowBytes = width * bpp;
  const raw = new Uint8Array(rowBytes * height);
  let ip = 2;
  let op = 0;
  do {
    if (ip + 4 > data.length) throw new CodecError(C, 'truncated block size');
    const size = ((data[ip] << 24) | (data[ip + 1] << 16) | (data[ip + 2] << 8) | data[ip + 3]) >>> 0;
    ip += 4;
    if (size === 0 || size > data.length - ip) throw new CodecError(C, `block of ${size} bytes, ${data.length - ip} left`);
    op = lz4DecompressBlock(data, ip, ip + size, raw, op);
    ip += size;
  } while (ip < data.length);
  if (op !== raw.length) throw new CodecError(C, `decoded ${op} bytes, expected ${raw.length}`);

  const pixels = new Uint32Array(width * height);
  for (let r = 0; r < height; r++) {
    let s = r * rowBytes;
    let o = (topDown ? r : height - 1 - r) * width;
    switch (format) {
      case 6:
        for (let x = 0; x < width; x++, s += 2) {
          const v = raw[s] | (raw[s + 1] << 8);
          const r5 = (v >> 10) & 31;
          const g5 = (v >> 5) & 31;
          const b5 = v & 31;
          pixels[o++] = 0xff000000 | (((b5 << 3) | (b5 >> 2)) << 16) | (((g5 << 3) | (g5 >> 2)) << 8) | (r5 << 3) | (r5 >> 2);
        }
        break;
      case 7:
        for (let x = 0; x < width; x++, s += 3) pixels[o++] = 0xff000000 | (raw[s] << 16) | (raw[s + 1] << 8) | raw[s + 2];
        break;
      case 8:
        for (let x = 0; x < width; x++, s += 4) pixels[o++] = 0xff000000 | (raw[s] << 16) | (raw[s + 1] << 8) | raw[s + 2];
        break;
      default:
        for (let x = 0; x < width; x++, s += 4) pixels[o++] = (raw[s + 3] << 24) | (raw[s] << 16) | (raw[s + 1] << 8) | raw[s + 2];
    }
  }
  return { width, height, pixels, hasAlpha: format === 9 };
}
