/**
 * JPEG decoding with the browser's own decoder inside the worker (6-20x faster than a JS
 * decoder): createImageBitmap on the compressed bytes, then read the pixels back once through a
 * scratch OffscreenCanvas. Output follows the codec pixel contract (R,G,B,A bytes, A = 255).
 */
import type { DecodedImage } from '../src/codecs/types';

let scratch: OffscreenCanvas | null = null;

export async function decodeJpegInWorker(data: Uint8Array): Promise<DecodedImage> {
  const bmp = await createImageBitmap(new Blob([data as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bmp;
    if (!scratch || scratch.width < width || scratch.height < height) scratch = new OffscreenCanvas(Math.max(width, scratch?.width ?? 0), Math.max(height, scratch?.height ?? 0));
    const ctx = scratch.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d context for JPEG decoding');
    ctx.drawImage(bmp, 0, 0);
    const px = ctx.getImageData(0, 0, width, height).data;
    return { width, height, pixels: new Uint32Array(px.buffer, px.byteOffset, width * height), hasAlpha: false };
  } finally {
    bmp.close();
  }
}
