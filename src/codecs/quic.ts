/**
 * SPICE QUIC decoder (spice-protocol.md §6.1): a LOCO-I-like lossless coder — each sample is
 * predicted from its left and upper neighbours, the folded prediction error is Golomb-Rice coded
 * with a parameter adapted per context bucket, and runs of repeated pixels use MELCODE.
 *
 * Every image type is accepted: RGB32 and RGB24 (8-bit r,g,b), RGB16 (5-bit channels, widened
 * to 8 bits by replicating the top bits as spice-common's canvas does when it asks for 32 bpp),
 * RGBA (the r,g,b row and then the alpha row, each with its own coding state) and GRAY (one
 * 8-bit plane, written as r = g = b). QUIC always codes rows top-down.
 *
 * decodeQuic keeps no state between calls: the code families and constant tables are built once
 * and only read; models, rows and the output are allocated per image.
 */
import { CodecError } from './errors';
import { QuicBits } from './quic-bits';
import { QuicChannels } from './quic-rows';
import { FAMILY_5, FAMILY_8 } from './quic-tables';
import type { DecodedImage } from './types';

const C = 'quic';
/** "QUIC" read as a little-endian u32 */
const QUIC_MAGIC = 0x43495551;
const QUIC_VERSION = 0;

/** QuicImageType (spice-common quic.h) */
export const QuicType = { GRAY: 1, RGB16: 2, RGB24: 3, RGB32: 4, RGBA: 5 } as const;

/**
 * Largest image accepted (pixels): the bound the protocol parser puts on image descriptors
 * (display-types.ts MAX_IMAGE_PIXELS), so a forged header cannot make us allocate more than
 * 256 MiB of output.
 */
const MAX_PIXELS = 1 << 26;

export interface QuicHeader {
  type: number;
  width: number;
  height: number;
}

/** Read and validate the 5-word header; leaves `bits` at the first coded sample. */
export function readQuicHeader(bits: QuicBits): QuicHeader {
  const magic = bits.u32();
  if (magic !== QUIC_MAGIC) throw new CodecError(C, `bad magic 0x${magic.toString(16)}`);
  const version = bits.u32();
  if (version !== QUIC_VERSION) throw new CodecError(C, `unsupported version 0x${version.toString(16)}`);
  const type = bits.u32();
  const width = bits.u32();
  const height = bits.u32();
  if (type < QuicType.GRAY || type > QuicType.RGBA) throw new CodecError(C, `bad image type ${type}`);
  if (width === 0 || height === 0) throw new CodecError(C, `empty image ${width}x${height}`);
  if (width * height > MAX_PIXELS) throw new CodecError(C, `image of ${width}x${height} is too large`);
  return { type, width, height };
}

/**
 * Decode a QUIC payload (the `data` of a SpiceQUICData) to RGBA pixels. `expected` (the image
 * descriptor's size) is checked before anything is allocated.
 */
export function decodeQuic(data: Uint8Array, expected?: { width: number; height: number }): DecodedImage {
  const bits = new QuicBits(data);
  const { type, width, height } = readQuicHeader(bits);
  if (expected && (expected.width !== width || expected.height !== height)) {
    throw new CodecError(C, `header says ${width}x${height}, descriptor ${expected.width}x${expected.height}`);
  }
  const planes = type === QuicType.GRAY ? 1 : type === QuicType.RGBA ? 4 : 3;
  // Every codeword is at least one bit and the first sample of every row of every plane is
  // coded (runs start at x = 3), so a payload too short for that cannot be valid: refusing it
  // here bounds the output we allocate by the input we were given.
  const minBits = planes * (width + height - 1);
  if (minBits > (data.length - 20) * 8) {
    throw new CodecError(C, `${data.length} bytes cannot hold a ${width}x${height} image`);
  }

  const pixels = new Uint32Array(width * height);
  if (type === QuicType.GRAY) {
    const g = new QuicChannels(1, width, FAMILY_8);
    for (let y = 0, o = 0; y < height; y++, o += width) {
      g.decodeRow(bits, y === 0);
      const s = g.cur;
      for (let x = 0; x < width; x++) {
        const v = s[x];
        pixels[o + x] = 0xff000000 | (v << 16) | (v << 8) | v;
      }
    }
    return { width, height, pixels, hasAlpha: false };
  }

  const rgb = new QuicChannels(3, width, type === QuicType.RGB16 ? FAMILY_5 : FAMILY_8);
  const alpha = type === QuicType.RGBA ? new QuicChannels(1, width, FAMILY_8) : null;
  const g0 = width;
  const b0 = 2 * width;
  for (let y = 0, o = 0; y < height; y++, o += width) {
    rgb.decodeRow(bits, y === 0);
    const s = rgb.cur;
    if (type === QuicType.RGB16) {
      for (let x = 0; x < width; x++) {
        const r = s[x];
        const g = s[g0 + x];
        const b = s[b0 + x];
        pixels[o + x] =
          0xff000000 | (((b << 3) | (b >> 2)) << 16) | (((g << 3) | (g >> 2)) << 8) | (r << 3) | (r >> 2);
      }
    } else if (alpha) {
      alpha.decodeRow(bits, y === 0);
      const a = alpha.cur;
      for (let x = 0; x < width; x++) {
        pixels[o + x] = (a[x] << 24) | (s[b0 + x] << 16) | (s[g0 + x] << 8) | s[x];
      }
    } else {
      for (let x = 0; x < width; x++) {
        pixels[o + x] = 0xff000000 | (s[b0 + x] << 16) | (s[g0 + x] << 8) | s[x];
      }
    }
  }
  return { width, height, pixels, hasAlpha: alpha !== null };
}
