/**
 * ZLIB_GLZ_RGB: a zlib stream (RFC 1950) whose inflation is a GLZ_RGB payload
 * (spice-protocol.md §5.5, §6.3). Inflating is not ours to write: the caller injects it (the
 * display layer builds one on DecompressionStream('deflate'), which browsers and Node have).
 */
import { CodecError } from './errors';
import type { DecodedImage } from './types';
import { GlzWindow, decodeGlz } from './glz';

/** Inflate a zlib stream; `expectedSize` lets an implementation stop reading early. */
export type Inflate = (data: Uint8Array, expectedSize: number) => Promise<Uint8Array>;

/**
 * Largest inflated size we accept: the GLZ header plus 3 literal bytes and one control byte per
 * pixel of the biggest image the codecs accept (a literal-only RGBA stream is 4.x bytes/pixel).
 */
const MAX_GLZ_DATA = 33 + 5 * (1 << 26);

export async function decodeZlibGlz(
  data: Uint8Array,
  glzDataSize: number,
  win: GlzWindow,
  inflate: Inflate,
  expected?: { width: number; height: number },
): Promise<DecodedImage> {
  if (!Number.isInteger(glzDataSize) || glzDataSize <= 0 || glzDataSize > MAX_GLZ_DATA) {
    throw new CodecError('zlib-glz', `bad glz_data_size ${glzDataSize}`);
  }
  let glz: Uint8Array;
  try {
    glz = await inflate(data, glzDataSize);
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError('zlib-glz', `inflate failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (glz.length !== glzDataSize) {
    throw new CodecError('zlib-glz', `inflated to ${glz.length} bytes, header says ${glzDataSize}`);
  }
  return decodeGlz(glz, win, expected);
}
