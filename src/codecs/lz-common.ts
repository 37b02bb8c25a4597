/**
 * What LZ, GLZ and JPEG_ALPHA share: the LZ image types, the header magic/version, literal pixel
 * conversion and the bottom-up → top-down row flip (spice-protocol.md §6.2, §6.3).
 */
import { CodecError } from './errors';

/** `LzImageType` (spice-protocol.md §6.2) */
export const LzType = {
  PLT1_LE: 1,
  PLT1_BE: 2,
  PLT4_LE: 3,
  PLT4_BE: 4,
  PLT8: 5,
  RGB16: 6,
  RGB24: 7,
  RGB32: 8,
  RGBA: 9,
  XXXA: 10,
  A8: 11,
} as const;

/** "  ZL" read as a big-endian u32 */
export const LZ_MAGIC = 0x20205a4c;
/** major 1, minor 1 */
export const LZ_VERSION = 0x00010001;

/** pixels per packed byte for the palette types (index = LzType), 0 for the others */
export const PLT_PIXELS_PER_BYTE = [0, 8, 8, 2, 2, 1, 0, 0, 0, 0, 0, 0];
/** wire bytes per unit for the non-palette types, used to check the header's stride */
export const RGB_BYTES_PER_PIXEL = [0, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 1];

/**
 * Largest image a decoder accepts (pixels): the same bound the protocol parser applies to image
 * descriptors (display-types.ts MAX_IMAGE_PIXELS), so a forged header cannot make us allocate
 * more than 256 MiB for one image.
 */
export const MAX_PIXELS = 1 << 26;

export function be32(data: Uint8Array, pos: number): number {
  return ((data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]) >>> 0;
}

/**
 * One x1r5g5b5 pixel (big-endian on the LZ/GLZ wire, hi byte first) → our RGBA u32 with A = 255.
 * Each 5-bit channel is widened by replicating its top bits, which is what spice-common's
 * rgb16_to_rgb32 literal macro and pixman's x1r5g5b5 fetch both do.
 */
export function rgb555(hi: number, lo: number): number {
  const r5 = (hi >> 2) & 31;
  const g5 = ((hi & 3) << 3) | (lo >> 5);
  const b5 = lo & 31;
  const r = (r5 << 3) | (r5 >> 2);
  const g = (g5 << 3) | (g5 >> 2);
  const b = (b5 << 3) | (b5 >> 2);
  return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
}

/** Reverse the row order of `height` rows of `width` pixels in place (bottom-up → top-down). */
export function flipRows(px: Uint32Array, width: number, height: number): void {
  if (height < 2 || width === 0) return;
  const tmp = new Uint32Array(width);
  for (let top = 0, bot = height - 1; top < bot; top++, bot--) {
    const a = top * width;
    const b = bot * width;
    tmp.set(px.subarray(a, a + width));
    px.copyWithin(a, b, b + width);
    px.set(tmp, b);
  }
}

/** Throw unless the header's size matches what the image descriptor announced. */
export function checkExpected(
  codec: string,
  width: number,
  height: number,
  expected: { width: number; height: number } | undefined,
): void {
  if (width === 0 || height === 0) throw new CodecError(codec, `empty image ${width}x${height}`);
  if (width * height > MAX_PIXELS) throw new CodecError(codec, `image of ${width}x${height} is too large`);
  if (expected && (expected.width !== width || expected.height !== height)) {
    throw new CodecError(codec, `header says ${width}x${height}, descriptor ${expected.width}x${expected.height}`);
  }
}
