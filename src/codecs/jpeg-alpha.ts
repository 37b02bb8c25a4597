/**
 * JPEG_ALPHA: after the JPEG bytes comes an LZ image of type XXXA carrying the alpha plane
 * (spice-protocol.md §5.5, §6.5; spice-common canvas_get_jpeg_alpha).
 *
 * The canvas decodes the JPEG top-down into an a8r8g8b8 surface and writes the LZ alpha bytes
 * into the 4th byte, nothing more: it does not premultiply. The server compresses the colour of
 * the RGBA bitmap, which is already premultiplied (pixman a8r8g8b8), so the JPEG's colours are
 * premultiplied values and the merged pixel follows our contract for alpha images as is. JPEG
 * noise can leave a colour channel slightly above its alpha; like the canvas we keep it.
 *
 * Orientation: the JPEG is top-down; the alpha stream's first row is the bottom row unless the
 * image's TOP_DOWN flag is set, and the LZ header's top_down must agree with that flag.
 */
import { CodecError } from './errors';
import type { DecodedImage } from './types';
import { LzType } from './lz-common';
import { lzDecodeBytes, readLzHeader } from './lz';

const C = 'jpeg-alpha';

/** Merge the XXXA LZ stream `alphaLz` into the decoded JPEG `img` (returns a new image). */
export function applyLzAlpha(img: DecodedImage, alphaLz: Uint8Array, topDown: boolean): DecodedImage {
  const h = readLzHeader(alphaLz);
  if (h.type !== LzType.XXXA) throw new CodecError(C, `alpha stream of LZ type ${h.type}, expected XXXA`);
  if (h.topDown !== topDown) throw new CodecError(C, 'alpha stream orientation differs from the image flag');
  if (h.width !== img.width || h.height !== img.height) {
    throw new CodecError(C, `alpha ${h.width}x${h.height} for a ${img.width}x${img.height} JPEG`);
  }
  const { width, height } = img;
  const n = width * height;
  if (img.pixels.length !== n) throw new CodecError(C, 'JPEG pixel buffer does not match its size');
  const alpha = new Uint8Array(n);
  const end = lzDecodeBytes(alphaLz, h.bodyStart, alpha, 0, 1, n);
  if (end !== alphaLz.length) throw new CodecError(C, `${alphaLz.length - end} trailing bytes after the alpha`);
  const pixels = new Uint32Array(n);
  const src = img.pixels;
  for (let r = 0; r < height; r++) {
    const a = (topDown ? r : height - 1 - r) * width;
    let o = a;
    let s = r * width;
    for (let x = 0; x < width; x++, o++) pixels[o] = (src[o] & 0xffffff) | (alpha[s++] << 24);
  }
  return { width, height, pixels, hasAlpha: true };
}
