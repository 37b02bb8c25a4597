/**
 * Uncompressed BITMAP images (spice-protocol.md §5.5, SpiceBitmap) → our RGBA pixels.
 *
 * Formats and their bytes per pixel on the wire:
 *   1BIT_LE / 1BIT_BE  palette index bits, first pixel in the lowest / highest bit of each byte
 *   4BIT_LE / 4BIT_BE  palette index nibbles, first pixel in the low / high nibble
 *   8BIT               palette index byte
 *   16BIT              u16 LE x1r5g5b5, each channel widened as (v << 3) | (v >> 2) (pixman)
 *   24BIT              B, G, R
 *   32BIT              B, G, R, X (X ignored, A = 255)
 *   RGBA               B, G, R, A premultiplied (kept as is, hasAlpha)
 *   8BIT_A             A only: premultiplied black with that alpha, as pixman reads an a8 image
 * Palette entries are 0x00RRGGBB. Rows are bottom-up unless the TOP_DOWN flag is set; `stride`
 * may include padding after each row.
 *
 * Palette index beyond the palette: spice-common's canvas (pixman_utils.c bitmap_8_32_to_32)
 * copies the entries into an uninitialised 256-entry stack array and indexes it unchecked, so
 * such pixels are undefined there (and its 1-bit path reads entries 0 and 1 regardless of the
 * palette's size). We make them opaque black: deterministic and never out of bounds.
 * spice-common's canvas handles no LE palette format; we decode both, with the bit order of
 * its LZ decoder (lz_decompress_tmpl.c PLT1_LE / PLT4_LE: first pixel in the low bits).
 */
import { CodecError } from './errors';
import { fromXrgb, type DecodedImage } from './types';

const C = 'bitmap';

/** SpiceBitmapFmt (spice-protocol enums.h SPICE_BITMAP_FMT_*) */
export const BitmapFormat = {
  _1BIT_LE: 1,
  _1BIT_BE: 2,
  _4BIT_LE: 3,
  _4BIT_BE: 4,
  _8BIT: 5,
  _16BIT: 6,
  _24BIT: 7,
  _32BIT: 8,
  RGBA: 9,
  _8BIT_A: 10,
} as const;
/** SPICE_BITMAP_FLAGS_TOP_DOWN (spice-protocol enums.h SpiceBitmapFlags) */
const FLAG_TOP_DOWN = 4;
/** bits per pixel by format */
const BPP = [0, 1, 1, 4, 4, 8, 16, 24, 32, 32, 8];
/** the same pixel bound the protocol parser applies (display-types.ts MAX_IMAGE_PIXELS) */
const MAX_PIXELS = 1 << 26;
const OPAQUE_BLACK = 0xff000000;

export interface BitmapInput {
  format: number;
  flags: number;
  width: number;
  height: number;
  stride: number;
  data: Uint8Array;
}

export function decodeBitmap(b: BitmapInput, palette: Uint32Array | null): DecodedImage {
  const { format, width, height, stride, data } = b;
  const bpp = BPP[format];
  if (!bpp) throw new CodecError(C, `unknown format ${format}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new CodecError(C, `bad size ${width}x${height}`);
  }
  if (width * height > MAX_PIXELS) throw new CodecError(C, `image of ${width}x${height} is too large`);
  const rowBytes = Math.ceil((bpp * width) / 8);
  if (!Number.isInteger(stride) || stride < rowBytes) throw new CodecError(C, `stride ${stride} < row of ${rowBytes} bytes`);
  if (data.length < stride * (height - 1) + rowBytes) {
    throw new CodecError(C, `truncated: ${data.length} bytes for ${height} rows of stride ${stride}`);
  }

  let lut: Uint32Array | null = null;
  if (bpp <= 8 && format !== BitmapFormat._8BIT_A) {
    if (!palette) throw new CodecError(C, `format ${format} without a palette`);
    lut = new Uint32Array(1 << bpp).fill(OPAQUE_BLACK);
    const n = Math.min(palette.length, lut.length);
    for (let i = 0; i < n; i++) lut[i] = fromXrgb(palette[i]);
  }

  const px = new Uint32Array(width * height);
  const topDown = (b.flags & FLAG_TOP_DOWN) !== 0;
  for (let y = 0; y < height; y++) {
    const s = (topDown ? y : height - 1 - y) * stride;
    const o = y * width;
    switch (format) {
      case BitmapFormat._1BIT_LE:
        for (let x = 0; x < width; x++) px[o + x] = lut![(data[s + (x >> 3)] >> (x & 7)) & 1];
        break;
      case BitmapFormat._1BIT_BE:
        for (let x = 0; x < width; x++) px[o + x] = lut![(data[s + (x >> 3)] >> (7 - (x & 7))) & 1];
        break;
      case BitmapFormat._4BIT_LE:
        for (let x = 0; x < width; x++) px[o + x] = lut![(data[s + (x >> 1)] >> ((x & 1) << 2)) & 15];
        break;
      case BitmapFormat._4BIT_BE:
        for (let x = 0; x < width; x++) px[o + x] = lut![(data[s + (x >> 1)] >> (x & 1 ? 0 : 4)) & 15];
        break;
      case BitmapFormat._8BIT:
        for (let x = 0; x < width; x++) px[o + x] = lut![data[s + x]];
        break;
      case BitmapFormat._16BIT:
        for (let x = 0, p = s; x < width; x++, p += 2) {
          const v = data[p] | (data[p + 1] << 8);
          const r = (v >> 10) & 31;
          const g = (v >> 5) & 31;
          const bl = v & 31;
          px[o + x] = OPAQUE_BLACK | (((bl << 3) | (bl >> 2)) << 16) | (((g << 3) | (g >> 2)) << 8) | (r << 3) | (r >> 2);
        }
        break;
      case BitmapFormat._24BIT:
        for (let x = 0, p = s; x < width; x++, p += 3) px[o + x] = OPAQUE_BLACK | (data[p] << 16) | (data[p + 1] << 8) | data[p + 2];
        break;
      case BitmapFormat._32BIT:
        for (let x = 0, p = s; x < width; x++, p += 4) px[o + x] = OPAQUE_BLACK | (data[p] << 16) | (data[p + 1] << 8) | data[p + 2];
        break;
      case BitmapFormat.RGBA:
        for (let x = 0, p = s; x < width; x++, p += 4) px[o + x] = (data[p + 3] << 24) | (data[p] << 16) | (data[p + 1] << 8) | data[p + 2];
        break;
      case BitmapFormat._8BIT_A:
        for (let x = 0; x < width; x++) px[o + x] = data[s + x] << 24;
        break;
    }
  }
  const a8 = format === BitmapFormat._8BIT_A;
  return { width, height, pixels: px, hasAlpha: format === BitmapFormat.RGBA || a8, ...(a8 ? { alphaOnly: true } : {}) };
}
