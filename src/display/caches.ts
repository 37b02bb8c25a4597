/**
 * The display channel's client-side caches (spice-protocol.md §5.5 "Image cache rules", §5.6).
 *
 * Image cache. The server decides what we keep: it tracks our cache by the size we advertise in
 * DISPLAY_INIT (`pixmap_cache_size`, in pixels; we advertise 80 MiB / 4 = 20 Mi pixels), charges
 * every CACHE_ME image `width × height` of its descriptor and evicts with INVAL_LIST (sent before
 * the image that needs the room) or INVAL_ALL_PIXMAPS. We charge exactly the same, so a correct
 * server never overflows us; a stream that would is refused with SpiceProtocolError('malformed')
 * instead of growing without bound.
 *
 * Memory bound: at most `maxPixels` pixels of cached images, i.e. 4 × 20 Mi = 80 MiB of
 * Uint32Array pixels (an A1 mask entry is charged as if it were 32-bit, so masks only lower the
 * real use) plus a small per-entry overhead; the palette cache holds at most MAX_PALETTES
 * palettes of at most 65535 entries (the server's own palette cache is 128 entries).
 *
 * Lossy entries (JPEG, JPEG_ALPHA) may be replaced by their lossless version (CACHE_REPLACE_ME);
 * FROM_CACHE_LOSSLESS must use that version. The replacement can arrive on another display
 * channel sharing the cache, so `getLossless` can wait for it (spice-gtk image_get_lossless).
 * Keys are the u64 ids as bigint.
 */
import type { DecodedImage } from '../codecs/types';
import { SpiceProtocolError } from '../protocol/errors';
import type { A1Mask } from './ops/mask';

/** 80 MiB of 32-bit pixels: the size we advertise and enforce (DISPLAY_INIT pixmap_cache_size). */
export const PIXMAP_CACHE_PIXELS = (80 * 1024 * 1024) / 4;

/** A cached image (decoded pixels) or a cached QMask bitmap (canvas_get_mask caches masks too). */
export type CacheValue = { kind: 'image'; image: DecodedImage } | { kind: 'mask'; mask: A1Mask };

interface Entry {
  value: CacheValue;
  lossy: boolean;
  /** pixels charged (descriptor width × height, as the server counts) */
  cost: number;
}

interface Waiter {
  resolve: (v: CacheValue) => void;
  reject: (e: unknown) => void;
}

export class ImageCache {
  readonly maxPixels: number;
  private entries = new Map<bigint, Entry>();
  private used = 0;
  private waiters = new Map<bigint, Waiter[]>();

  constructor(maxPixels = PIXMAP_CACHE_PIXELS) {
    this.maxPixels = maxPixels;
  }

  /** pixels currently charged */
  get pixelCount(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: bigint): boolean {
    return this.entries.has(id);
  }

  /** CACHE_ME: store under `id` (an existing entry with that id is replaced). */
  put(id: bigint, value: CacheValue, cost: number, lossy: boolean): void {
    const old = this.entries.get(id);
    const used = this.used - (old ? old.cost : 0) + cost;
    if (used > this.maxPixels) {
      throw new SpiceProtocolError('malformed', `image cache overflow: ${used} pixels > the ${this.maxPixels} we advertised`);
    }
    this.entries.set(id, { value, lossy, cost });
    this.used = used;
    if (!lossy) this.wake(id, value);
  }

  /** CACHE_REPLACE_ME: the lossless version of a cached (lossy) entry. */
  replace(id: bigint, value: CacheValue, cost: number): void {
    if (!this.entries.has(id)) throw new SpiceProtocolError('malformed', `cache replace of unknown image ${id}`);
    this.put(id, value, cost, false);
  }

  /** FROM_CACHE: the entry whatever its quality. */
  get(id: bigint): CacheValue {
    const e = this.entries.get(id);
    if (!e) throw new SpiceProtocolError('malformed', `image ${id} is not in the cache`);
    return e.value;
  }

  /**
   * FROM_CACHE_LOSSLESS: the entry once lossless. A lossy entry waits for its replacement
   * (which another channel sharing the cache may send); the wait ends with an error when the
   * entry is invalidated or the cache cleared.
   */
  getLossless(id: bigint): CacheValue | Promise<CacheValue> {
    const e = this.entries.get(id);
    if (!e) throw new SpiceProtocolError('malformed', `image ${id} is not in the cache`);
    if (!e.lossy) return e.value;
    return new Promise((resolve, reject) => {
      let list = this.waiters.get(id);
      if (!list) this.waiters.set(id, (list = []));
      list.push({ resolve, reject });
    });
  }

  /** INVAL_LIST entry */
  remove(id: bigint): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.used -= e.cost;
    this.fail(id, `image ${id} was invalidated while waiting for its lossless version`);
  }

  /** INVAL_ALL_PIXMAPS (after its waits), session reset */
  clear(): void {
    this.entries.clear();
    this.used = 0;
    for (const id of [...this.waiters.keys()]) this.fail(id, 'the image cache was cleared while waiting for a lossless image');
  }

  private wake(id: bigint, v: CacheValue): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const w of list) w.resolve(v);
  }

  private fail(id: bigint, msg: string): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const w of list) w.reject(new SpiceProtocolError('malformed', msg));
  }
}

/** Far above the server's 128-entry palette cache; bounds memory against a hostile stream. */
export const MAX_PALETTES = 1024;

/** Palettes by `unique` (PAL_CACHE_ME / PAL_FROM_CACHE), as 0x00RRGGBB entries. */
export class PaletteCache {
  private entries = new Map<bigint, Uint32Array>();

  get size(): number {
    return this.entries.size;
  }

  put(id: bigint, ents: Uint32Array): void {
    if (!this.entries.has(id) && this.entries.size >= MAX_PALETTES) {
      throw new SpiceProtocolError('malformed', `palette cache overflow (${MAX_PALETTES} palettes)`);
    }
    this.entries.set(id, ents);
  }

  get(id: bigint): Uint32Array {
    const p = this.entries.get(id);
    if (!p) throw new SpiceProtocolError('malformed', `palette ${id} is not in the cache`);
    return p;
  }

  /** INVAL_PALETTE */
  remove(id: bigint): void {
    this.entries.delete(id);
  }

  /** INVAL_ALL_PALETTES, RESET */
  clear(): void {
    this.entries.clear();
  }
}
