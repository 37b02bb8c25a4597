/**
 * The one pixel format every decoder produces and every surface stores: one u32 per pixel whose
 * bytes in memory are R, G, B, A — the byte order of canvas ImageData — i.e. the little-endian
 * u32 value 0xAABBGGRR. Decoders write it directly (the wire's B,G,R order is swapped inside
 * the decode loop, where it costs nothing), so a surface can be handed to putImageData without
 * a conversion pass.
 *
 * Alpha: images without alpha (RGB16/24/32, palettes) are written with A = 255. Images with
 * alpha (RGBA, XXXA) keep the wire's value, which is premultiplied (pixman a8r8g8b8).
 */
export interface DecodedImage {
  width: number;
  height: number;
  /** width × height pixels, row 0 is the top row */
  pixels: Uint32Array;
  hasAlpha: boolean;
  /**
   * an 8BIT_A bitmap: alpha only, colour 0. spice-common's canvas keeps such an image as pixman a8
   * only where an op asks for the original (ALPHA_BLEND); everywhere else (canvas_get_image with
   * want_original = FALSE) it converts it to the canvas format, x8r8g8b8: opaque black
   */
  alphaOnly?: boolean;
}

/** pack r,g,b,a (0..255) into our pixel format */
export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** convert a SPICE 0x00RRGGBB colour (palettes, brushes) to our pixel format with A = 255 */
export function fromXrgb(c: number): number {
  return (0xff000000 | ((c & 0xff) << 16) | (c & 0xff00) | ((c >>> 16) & 0xff)) >>> 0;
}
