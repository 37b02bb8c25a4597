/**
 * Test/bench helpers for display replays: a jpeg-js JpegDecoder (the Node stand-in for the
 * worker's ImageDecoder) and a pixel comparison that names the first mismatch.
 */
import jpeg from 'jpeg-js';
import type { JpegDecoder } from '../../src/display/images';

export const jpegJs: JpegDecoder = async (data) => {
  const d = jpeg.decode(data, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
  const px = new Uint32Array(d.data.buffer, d.data.byteOffset, d.width * d.height).slice();
  return { width: d.width, height: d.height, pixels: px, hasAlpha: false };
};

/** mismatch count and the first mismatching pixel (x,y and both values) */
export function comparePixels(got: Uint32Array, want: Uint32Array, width: number): { count: number; first: string | null } {
  let count = 0;
  let first: string | null = null;
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) {
      if (!first) first = `(${i % width},${Math.floor(i / width)}) got 0x${got[i]?.toString(16)} want 0x${want[i]?.toString(16)}`;
      count++;
    }
  }
  return { count, first };
}
