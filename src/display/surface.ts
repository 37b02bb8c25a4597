/**
 * A drawing surface: the primary (surface 0, what a monitor shows) or an off-screen one. Every
 * draw op renders in software into `pixels` (format: src/codecs/types.ts — RGBA bytes, u32
 * 0xAABBGGRR), so output is exact and identical in Node and in the worker; a DrawSink only
 * presents damaged rectangles of it.
 */
export interface Surface {
  id: number;
  width: number;
  height: number;
  /** SpiceSurfaceFmt (enums.ts SurfaceFmt): 32_xRGB, 32_ARGB, 16_555, 16_565, 8_A, 1_A */
  format: number;
  pixels: Uint32Array;
}

export function createSurface(id: number, width: number, height: number, format: number): Surface {
  return { id, width, height, format, pixels: new Uint32Array(width * height) };
}
