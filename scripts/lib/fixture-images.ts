/**
 * Every image of a recorded display stream, in stream order, with the draw that carried it —
 * for codec tests and benches (the codecs themselves must not import the protocol layer).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { MessageFramer } from '../../src/protocol/framing';
import { SpiceReader } from '../../src/protocol/reader';
import { MsgDisplay } from '../../src/protocol/enums';
import { parseDrawCopy, parseDrawOpaque, parseDrawRop3, parseDrawTransparent, parseDrawAlphaBlend, parseDrawComposite, parseDrawFill, type SpiceImage } from '../../src/protocol/display';
import type { Rect } from '../../src/protocol/display-types';
import { parseSubMessageList } from '../../src/protocol/base';

export interface FixtureImage {
  /** index among all images of the stream */
  seq: number;
  msgType: number;
  surfaceId: number;
  box: Rect;
  image: SpiceImage;
}

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/xspice/', import.meta.url));
/** the order the recordings were made in (fixtures/README.md) */
export const RECORDING_ORDER = ['off', 'quic', 'lz', 'glz', 'auto_glz', 'auto_lz', 'lz4'] as const;

export function loadStream(mode: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURE_DIR}${mode}.bin`));
}

/** The truth PNG as RGBA u32 pixels (our pixel format: bytes R,G,B,A). */
export function loadTruth(mode: string): { width: number; height: number; pixels: Uint32Array } {
  const png = PNG.sync.read(readFileSync(`${FIXTURE_DIR}${mode}.truth.png`));
  const bytes = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength).slice();
  return { width: png.width, height: png.height, pixels: new Uint32Array(bytes.buffer) };
}

export function imagesInStream(bin: Uint8Array): FixtureImage[] {
  const framer = new MessageFramer();
  framer.push(bin);
  const out: FixtureImage[] = [];
  const add = (msgType: number, base: { surfaceId: number; box: Rect }, img: SpiceImage | null | undefined) => {
    if (img) out.push({ seq: out.length, msgType, surfaceId: base.surfaceId, box: base.box, image: img });
  };
  const visit = (type: number, body: Uint8Array) => {
    const r = SpiceReader.of(body);
    switch (type) {
      case 8: for (const s of parseSubMessageList(r)) visit(s.type, s.body); break;
      case MsgDisplay.DRAW_COPY: case MsgDisplay.DRAW_BLEND: { const d = parseDrawCopy(r); add(type, d, d.src); break; }
      case MsgDisplay.DRAW_OPAQUE: { const d = parseDrawOpaque(r); add(type, d, d.src); break; }
      case MsgDisplay.DRAW_ROP3: { const d = parseDrawRop3(r); add(type, d, d.src); break; }
      case MsgDisplay.DRAW_TRANSPARENT: { const d = parseDrawTransparent(r); add(type, d, d.src); break; }
      case MsgDisplay.DRAW_ALPHA_BLEND: { const d = parseDrawAlphaBlend(r); add(type, d, d.src); break; }
      case MsgDisplay.DRAW_COMPOSITE: { const c = parseDrawComposite(r); add(type, c, c.src); add(type, c, c.mask); break; }
      case MsgDisplay.DRAW_FILL: { const f = parseDrawFill(r); if (f.brush.type === 2) add(type, f, f.brush.pattern); break; }
    }
  };
  for (let m = framer.next(); m; m = framer.next()) visit(m.type, m.body);
  return out;
}

/** FNV-1a over the pixel bytes: a compact identity for comparing images across recordings */
export function pixelHash(px: Uint32Array): string {
  let h = 0x811c9dc5;
  const b = new Uint8Array(px.buffer, px.byteOffset, px.byteLength);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * An uncompressed 32BIT/RGBA BITMAP image decoded here, in the test support, straight from the
 * format table of spice-protocol.md §5.5 — independent truth for the compressed codecs.
 * Returns null for other formats. Alpha is forced to 255 (we compare colour).
 */
export function rawBitmapPixels(img: SpiceImage): Uint32Array | null {
  if (img.kind !== 'bitmap') return null;
  const bm = img.bitmap;
  if (bm.format !== 8 && bm.format !== 9) return null;
  const out = new Uint32Array(bm.width * bm.height);
  const topDown = (bm.flags & 4) !== 0;
  for (let y = 0; y < bm.height; y++) {
    const sy = topDown ? y : bm.height - 1 - y;
    for (let x = 0; x < bm.width; x++) {
      const o = sy * bm.stride + x * 4;
      out[y * bm.width + x] = (0xff000000 | (bm.data[o] << 16) | (bm.data[o + 1] << 8) | bm.data[o + 2]) >>> 0;
    }
  }
  return out;
}

/** "WxH:hash" of every raw 32-bit bitmap of a recording (the `off` one has nearly all) */
export function rawBitmapKeys(mode: string): Set<string> {
  const keys = new Set<string>();
  for (const i of imagesInStream(loadStream(mode))) {
    const p = rawBitmapPixels(i.image);
    if (p) keys.add(`${i.image.width}x${i.image.height}:${pixelHash(p)}`);
  }
  return keys;
}

/** the same key with alpha forced to 255, for decoded images */
export function opaqueKey(d: { width: number; height: number; pixels: Uint32Array }): string {
  const p = d.pixels.map((v) => (v | 0xff000000) >>> 0);
  return `${d.width}x${d.height}:${pixelHash(p)}`;
}

/** number of pixels that differ */
export function diffCount(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}
