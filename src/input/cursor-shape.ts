/**
 * Cursor shapes (spice-protocol.md §8): every SpiceCursorType decoded into our pixel format
 * (u32 per pixel, bytes R,G,B,A in memory — see codecs/types.ts) with *straight* alpha, ready
 * for a CSS cursor image or an overlay sprite; and the shape cache the server drives with
 * CACHE_ME / FROM_CACHE / INVAL_ONE / INVAL_ALL / RESET.
 *
 * Layouts (rows top-down, 1-bit masks MSB-first):
 *  - ALPHA   w×h × B,G,R,A premultiplied → un-premultiplied here
 *  - MONO    AND mask, then XOR mask, each h rows of ceil(w/8) bytes. (AND,XOR): (0,0) black,
 *            (0,1) white, (1,0) transparent, (1,1) invert the screen
 *  - COLOR4  h rows of ceil(w/2) bytes of 4-bit indices (high nibble first), 16 × u32 xRGB
 *            palette, AND mask;  COLOR8: h rows of w indices, 256 × u32 palette, AND mask
 *  - COLOR16 h rows of w u16 x1r5g5b5, AND mask;  COLOR24: h rows of w × B,G,R, AND mask;
 *            COLOR32: h rows of w × B,G,R,x, AND mask
 * The colour types' AND mask is read with a row stride of ceil(w/8), as the Windows XDDM
 * driver writes it (spice-gtk reads it as one continuous bit string, identical when w is a
 * multiple of 8). For AND = 1 the colour is XORed onto the screen: black leaves it unchanged
 * (transparent), white inverts it, other colours cannot be shown and become transparent.
 *
 * Inverting pixels: a browser cursor cannot invert what lies under it. They are drawn black,
 * and every transparent pixel touching one (8-neighbourhood) is drawn white, so an I-beam or
 * any invert-only shape stays visible on dark and light backgrounds alike.
 */
import { CursorFlags, CursorType } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import type { CursorHeader, SpiceCursor } from '../protocol/cursor';
import { SpiceReader } from '../protocol/reader';

/** largest width or height we decode */
export const MAX_CURSOR_DIM = 512;

export interface CursorShape {
  width: number;
  height: number;
  /** hot spot, clamped inside the image */
  hotX: number;
  hotY: number;
  /** width × height pixels, bytes R,G,B,A (straight alpha). Shared with the cache: read only. */
  pixels: Uint32Array;
}

/** a shape bigger than MAX_CURSOR_DIM: valid SPICE we refuse to decode */
export class CursorTooLargeError extends SpiceProtocolError {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    super('unsupported', `cursor of ${width}×${height} exceeds the ${MAX_CURSOR_DIM}×${MAX_CURSOR_DIM} limit`);
  }
}

const BLACK = 0xff000000;
const WHITE = 0xffffffff;

/** our pixel format from a 0xRRGGBB value, opaque */
function opaque(rgb: number): number {
  return (0xff000000 | ((rgb & 0xff) << 16) | (rgb & 0xff00) | ((rgb >>> 16) & 0xff)) >>> 0;
}

/** bytes of shape data a cursor of this type and size needs, undefined for unknown types */
export function cursorDataSize(type: number, w: number, h: number): number | undefined {
  const mask = ((w + 7) >> 3) * h;
  switch (type) {
    case CursorType.ALPHA: return w * h * 4;
    case CursorType.MONO: return 2 * mask;
    case CursorType.COLOR4: return ((w + 1) >> 1) * h + 16 * 4 + mask;
    case CursorType.COLOR8: return w * h + 256 * 4 + mask;
    case CursorType.COLOR16: return w * h * 2 + mask;
    case CursorType.COLOR24: return w * h * 3 + mask;
    case CursorType.COLOR32: return w * h * 4 + mask;
    default: return undefined;
  }
}

/** Decode a shape's bytes. Throws SpiceProtocolError (truncated / malformed / too large). */
export function decodeCursorShape(h: CursorHeader, data: Uint8Array): CursorShape {
  const w = h.width;
  const ht = h.height;
  if (w > MAX_CURSOR_DIM || ht > MAX_CURSOR_DIM) throw new CursorTooLargeError(w, ht);
  const need = cursorDataSize(h.type, w, ht);
  if (need === undefined) throw new SpiceProtocolError('malformed', `unknown cursor type ${h.type}`);
  if (data.length < need) throw new SpiceProtocolError('truncated', `${w}×${ht} cursor of type ${h.type} needs ${need} bytes, has ${data.length}`);
  const r = new SpiceReader(data);
  const pixels = new Uint32Array(w * ht);
  let invert: Uint8Array | null = null;
  switch (h.type) {
    case CursorType.ALPHA:
      decodeAlpha(r.bytesView(w * ht * 4), pixels);
      break;
    case CursorType.MONO:
      invert = decodeMono(r, w, ht, pixels);
      break;
    case CursorType.COLOR4:
    case CursorType.COLOR8:
    case CursorType.COLOR16:
    case CursorType.COLOR24:
    case CursorType.COLOR32:
      invert = decodeColor(h.type, r, w, ht, pixels);
      break;
    default:
      throw new SpiceProtocolError('malformed', `unknown cursor type ${h.type}`);
  }
  if (invert) outlineInverted(pixels, invert, w, ht);
  return {
    width: w,
    height: ht,
    hotX: Math.min(h.hotSpotX, Math.max(0, w - 1)),
    hotY: Math.min(h.hotSpotY, Math.max(0, ht - 1)),
    pixels,
  };
}

function decodeAlpha(src: Uint8Array, out: Uint32Array): void {
  for (let i = 0, s = 0; i < out.length; i++, s += 4) {
    const a = src[s + 3]!;
    if (a === 0) continue; // fully transparent: 0
    let b = src[s]!, g = src[s + 1]!, rr = src[s + 2]!;
    if (a !== 255) {
      // premultiplied → straight, rounded; values above alpha (invalid premultiplication) clamp
      const half = a >> 1;
      b = Math.min(255, ((b * 255 + half) / a) | 0);
      g = Math.min(255, ((g * 255 + half) / a) | 0);
      rr = Math.min(255, ((rr * 255 + half) / a) | 0);
    }
    out[i] = ((a << 24) | (b << 16) | (g << 8) | rr) >>> 0;
  }
}

/** returns the invert map, or null if no pixel inverts */
function decodeMono(r: SpiceReader, w: number, ht: number, out: Uint32Array): Uint8Array | null {
  const stride = (w + 7) >> 3;
  const and = r.bytesView(stride * ht);
  const xor = r.bytesView(stride * ht);
  let invert: Uint8Array | null = null;
  for (let y = 0; y < ht; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * stride + (x >> 3);
      const bit = 0x80 >> (x & 7);
      const i = y * w + x;
      const a = and[o]! & bit;
      const xo = xor[o]! & bit;
      if (!a) out[i] = xo ? WHITE : BLACK;
      else if (xo) (invert ??= new Uint8Array(w * ht))[i] = 1;
      // (1,0): transparent, already 0
    }
  }
  return invert;
}

function decodeColor(type: number, r: SpiceReader, w: number, ht: number, out: Uint32Array): Uint8Array | null {
  // colour of pixel (x, y) as 0xRRGGBB, plus whether it is the "white" that means invert
  let colour: (x: number, y: number) => number;
  let isWhite: (x: number, y: number) => boolean;
  switch (type) {
    case CursorType.COLOR4: {
      const stride = (w + 1) >> 1;
      const idx = r.bytesView(stride * ht);
      const pal = readPalette(r, 16);
      colour = (x, y) => {
        const b = idx[y * stride + (x >> 1)]!;
        return pal[x & 1 ? b & 0x0f : b >> 4]!;
      };
      isWhite = (x, y) => colour(x, y) === 0xffffff;
      break;
    }
    case CursorType.COLOR8: {
      const idx = r.bytesView(w * ht);
      const pal = readPalette(r, 256);
      colour = (x, y) => pal[idx[y * w + x]!]!;
      isWhite = (x, y) => colour(x, y) === 0xffffff;
      break;
    }
    case CursorType.COLOR16: {
      const src = r.bytesView(w * ht * 2);
      const raw = (x: number, y: number): number => {
        const o = (y * w + x) * 2;
        return (src[o]! | (src[o + 1]! << 8)) & 0x7fff;
      };
      colour = (x, y) => {
        const v = raw(x, y);
        const r5 = (v >> 10) & 31, g5 = (v >> 5) & 31, b5 = v & 31;
        return (((r5 << 3) | (r5 >> 2)) << 16) | (((g5 << 3) | (g5 >> 2)) << 8) | ((b5 << 3) | (b5 >> 2));
      };
      isWhite = (x, y) => raw(x, y) === 0x7fff;
      break;
    }
    case CursorType.COLOR24: {
      const src = r.bytesView(w * ht * 3);
      colour = (x, y) => {
        const o = (y * w + x) * 3;
        return (src[o + 2]! << 16) | (src[o + 1]! << 8) | src[o]!;
      };
      isWhite = (x, y) => colour(x, y) === 0xffffff;
      break;
    }
    default: {
      // COLOR32: B,G,R,x
      const src = r.bytesView(w * ht * 4);
      colour = (x, y) => {
        const o = (y * w + x) * 4;
        return (src[o + 2]! << 16) | (src[o + 1]! << 8) | src[o]!;
      };
      isWhite = (x, y) => colour(x, y) === 0xffffff;
      break;
    }
  }
  const mstride = (w + 7) >> 3;
  const and = r.bytesView(mstride * ht);
  let invert: Uint8Array | null = null;
  for (let y = 0; y < ht; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!(and[y * mstride + (x >> 3)]! & (0x80 >> (x & 7)))) out[i] = opaque(colour(x, y));
      else if (isWhite(x, y)) (invert ??= new Uint8Array(w * ht))[i] = 1;
      // AND = 1 with black (or any colour we cannot XOR): transparent
    }
  }
  return invert;
}

/** n × u32 xRGB (bytes B,G,R,x) → 0xRRGGBB */
function readPalette(r: SpiceReader, n: number): Uint32Array {
  const pal = new Uint32Array(n);
  for (let i = 0; i < n; i++) pal[i] = r.u32() & 0xffffff;
  return pal;
}

/** inverting pixels → black, transparent pixels touching them → white */
function outlineInverted(px: Uint32Array, inv: Uint8Array, w: number, ht: number): void {
  for (let i = 0; i < inv.length; i++) if (inv[i]) px[i] = BLACK;
  for (let y = 0; y < ht; y++) {
    for (let x = 0; x < w; x++) {
      if (!inv[y * w + x]) continue;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(ht - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
          const j = ny * w + nx;
          if (!inv[j] && px[j]! >>> 24 === 0) px[j] = WHITE;
        }
      }
    }
  }
}

/**
 * Client-side cursor cache. The server tracks what we hold (256 entries, LRU) and sends
 * INVAL_ONE when it evicts; it may send the CACHE_ME of a new entry before the INVAL_ONE of the
 * one it pushed out, so our bounds leave headroom. Our own LRU eviction (by count or bytes)
 * only happens past those bounds; a later FROM_CACHE for such an entry is a miss (default
 * cursor), not an error.
 */
export class CursorCache {
  private readonly map = new Map<bigint, CursorShape>();
  private totalBytes = 0;

  constructor(
    readonly maxEntries = 512,
    readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(id: bigint): CursorShape | undefined {
    const s = this.map.get(id);
    if (s) {
      this.map.delete(id);
      this.map.set(id, s); // most recently used last
    }
    return s;
  }

  has(id: bigint): boolean {
    return this.map.has(id);
  }

  set(id: bigint, shape: CursorShape): void {
    this.delete(id);
    this.map.set(id, shape);
    this.totalBytes += shape.pixels.byteLength;
    for (const [k, v] of this.map) {
      if (this.map.size <= this.maxEntries && this.totalBytes <= this.maxBytes) break;
      if (k === id) continue;
      this.map.delete(k);
      this.totalBytes -= v.pixels.byteLength;
    }
  }

  delete(id: bigint): void {
    const s = this.map.get(id);
    if (!s) return;
    this.map.delete(id);
    this.totalBytes -= s.pixels.byteLength;
  }

  clear(): void {
    this.map.clear();
    this.totalBytes = 0;
  }
}

export type CursorOutcome =
  | 'none' // flags NONE: the server has no shape
  | 'decoded'
  | 'cached' // FROM_CACHE hit
  | 'cache-miss' // FROM_CACHE for an id we do not hold
  | 'too-large'; // refused (CursorTooLargeError)

/**
 * A SpiceCursor → shape, applying CACHE_ME / FROM_CACHE on `cache`. `shape` is null unless
 * the outcome is 'decoded' or 'cached'. Malformed shapes throw SpiceProtocolError; a shape we
 * refuse for its size is reported, not thrown, so one odd cursor does not end the channel.
 */
export function resolveCursor(c: SpiceCursor, cache: CursorCache): { shape: CursorShape | null; outcome: CursorOutcome } {
  const h = c.header;
  if (!h) return { shape: null, outcome: 'none' };
  if (c.flags & CursorFlags.FROM_CACHE) {
    const s = cache.get(h.unique);
    return s ? { shape: s, outcome: 'cached' } : { shape: null, outcome: 'cache-miss' };
  }
  let shape: CursorShape;
  try {
    shape = decodeCursorShape(h, c.data);
  } catch (e) {
    if (e instanceof CursorTooLargeError) {
      if (c.flags & CursorFlags.CACHE_ME) cache.delete(h.unique);
      return { shape: null, outcome: 'too-large' };
    }
    throw e;
  }
  if (c.flags & CursorFlags.CACHE_ME) cache.set(h.unique, shape);
  return { shape, outcome: 'decoded' };
}
