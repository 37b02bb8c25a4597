import { describe, expect, it } from 'vitest';
import { SpiceProtocolError } from '../protocol/errors';
import { SpiceReader } from '../protocol/reader';
import { parseCursorInit, parseCursorInvalOne, parseCursorMove, parseCursorSet, parseCursorTrail, type CursorHeader, type SpiceCursor } from '../protocol/cursor';
import { CursorCache, CursorTooLargeError, cursorDataSize, decodeCursorShape, resolveCursor, type CursorShape } from './cursor-shape';

// Expected pixels are written out by hand as R,G,B,A bytes.
const T = [0, 0, 0, 0]; // transparent
const K = [0, 0, 0, 255]; // black
const W = [255, 255, 255, 255]; // white

function hdr(type: number, width: number, height: number, hotSpotX = 0, hotSpotY = 0, unique = 1n): CursorHeader {
  return { unique, type, width, height, hotSpotX, hotSpotY };
}

/** the shape's pixels as R,G,B,A byte quadruples */
function rgbaOf(s: CursorShape): number[][] {
  const b = new Uint8Array(s.pixels.buffer, s.pixels.byteOffset, s.pixels.byteLength);
  const out: number[][] = [];
  for (let i = 0; i < b.length; i += 4) out.push([b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!]);
  return out;
}

/** a palette of n u32 xRGB entries (B,G,R,x bytes), with the given indices set */
function palette(n: number, set: Record<number, number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = set[i] ?? 0;
    out.push(c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff, 0);
  }
  return out;
}

describe('decodeCursorShape', () => {
  it('ALPHA: premultiplied BGRA → straight RGBA', () => {
    const data = new Uint8Array([
      0x00, 0x00, 0xff, 0xff, // opaque red
      0x40, 0x40, 0x40, 0x80, // 50% grey premultiplied: 64·255/128 = 127.5 → 128
      10, 20, 30, 0, // alpha 0 → all zero
      0x00, 0x64, 0x00, 0xc8, // green 100 at alpha 200: 100·255/200 = 127.5 → 128
    ]);
    const s = decodeCursorShape(hdr(0, 2, 2), data);
    expect(s.width).toBe(2);
    expect(s.height).toBe(2);
    expect(rgbaOf(s)).toEqual([[255, 0, 0, 255], [128, 128, 128, 128], T, [0, 128, 0, 200]]);
  });

  it('ALPHA: clamps colour above alpha (bad premultiplication)', () => {
    const s = decodeCursorShape(hdr(0, 1, 1), new Uint8Array([0xff, 0x10, 0x00, 0x40]));
    // B 255·255/64 → 255 (clamped); G 16·255/64 = 63.75 → 64
    expect(rgbaOf(s)).toEqual([[0, 64, 255, 64]]);
  });

  it('MONO: AND/XOR truth table, inverted pixels as black with a white outline', () => {
    // 3×2, stride 1. Row 0: (0,0) black, (0,1) white, (1,0) transparent
    //                Row 1: (1,1) invert, (1,0) transparent, (0,0) black
    const and = [0b00100000, 0b11000000];
    const xor = [0b01000000, 0b10000000];
    const s = decodeCursorShape(hdr(1, 3, 2), new Uint8Array([...and, ...xor]));
    expect(rgbaOf(s)).toEqual([
      K, W, T, // (2,0) is not next to the inverting pixel at (0,1)
      K, W, K, // invert → black; its transparent neighbour (1,1) → white
    ]);
  });

  it('MONO: rows use a stride of ceil(w/8) bytes', () => {
    // 10×2: row 0 black except x=9 white; row 1 transparent
    const and = [0x00, 0x00, 0xff, 0xc0];
    const xor = [0x00, 0x40, 0x00, 0x00];
    const s = decodeCursorShape(hdr(1, 10, 2), new Uint8Array([...and, ...xor]));
    const px = rgbaOf(s);
    expect(px.slice(0, 10)).toEqual([K, K, K, K, K, K, K, K, K, W]);
    expect(px.slice(10)).toEqual(Array(10).fill(T));
  });

  it('MONO: an invert-only I-beam gets an outline on every side', () => {
    // 3×3, only the centre column inverts, the rest transparent
    const and = [0xe0, 0xe0, 0xe0];
    const xor = [0x40, 0x40, 0x40];
    const s = decodeCursorShape(hdr(1, 3, 3), new Uint8Array([...and, ...xor]));
    expect(rgbaOf(s)).toEqual([W, K, W, W, K, W, W, K, W]);
  });

  it('COLOR4: nibbles high first, row stride ceil(w/2), palette, AND mask', () => {
    // palette: 0 black, 1 red, 2 blue, 3 white
    const pal = palette(16, { 1: 0xff0000, 2: 0x0000ff, 3: 0xffffff });
    // 3×2 indices: row 0: 1 2 0, row 1: 3 3 1 (2 bytes per row, last nibble padding)
    const idx = [0x12, 0x00, 0x33, 0x10];
    // AND: row 0: 0 0 1 (black + AND → transparent); row 1: 1 0 0 (white + AND → invert)
    const and = [0b00100000, 0b10000000];
    const data = new Uint8Array([...idx, ...pal, ...and]);
    expect(data.length).toBe(cursorDataSize(2, 3, 2));
    const s = decodeCursorShape(hdr(2, 3, 2), data);
    expect(rgbaOf(s)).toEqual([
      [255, 0, 0, 255], [0, 0, 255, 255], T,
      K, W, [255, 0, 0, 255],
    ]);
  });

  it('COLOR8: byte indices into a 256-entry palette', () => {
    const pal = palette(256, { 5: 0x123456, 200: 0xabcdef });
    const s = decodeCursorShape(hdr(3, 2, 1), new Uint8Array([5, 200, ...pal, 0x00]));
    expect(rgbaOf(s)).toEqual([[0x12, 0x34, 0x56, 255], [0xab, 0xcd, 0xef, 255]]);
  });

  it('COLOR16: x1r5g5b5 expanded to 8 bits, 0x7FFF + AND inverts', () => {
    // row 0: pure red (0x7C00), pure green (0x03E0); row 1: blue 16 (0x0010), white 0x7FFF with AND
    const px = [0x00, 0x7c, 0xe0, 0x03, 0x10, 0x00, 0xff, 0x7f];
    const and = [0x00, 0b01000000];
    const s = decodeCursorShape(hdr(4, 2, 2), new Uint8Array([...px, ...and]));
    // 5-bit 16 → (16 << 3) | (16 >> 2) = 132
    expect(rgbaOf(s)).toEqual([[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 132, 255], K]);
  });

  it('COLOR24: B,G,R triples', () => {
    const s = decodeCursorShape(hdr(5, 2, 1), new Uint8Array([0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0x00]));
    expect(rgbaOf(s)).toEqual([[3, 2, 1, 255], W]);
  });

  it('COLOR32: B,G,R,x; AND with black transparent, with white inverted, other colours transparent', () => {
    const px = [
      0x10, 0x20, 0x30, 0x99, // AND 0: opaque, x byte ignored
      0x00, 0x00, 0x00, 0x00, // AND 1 black: unchanged screen → transparent
      0x00, 0x00, 0xff, 0x00, // AND 1 red: an XOR we cannot show → transparent
      0xff, 0xff, 0xff, 0x00, // AND 1 white: invert → black, neighbours outlined
    ];
    const s = decodeCursorShape(hdr(6, 4, 1), new Uint8Array([...px, 0b01110000]));
    expect(rgbaOf(s)).toEqual([[0x30, 0x20, 0x10, 255], T, W, K]);
  });

  it('clamps the hot spot into the image', () => {
    const s = decodeCursorShape(hdr(0, 4, 1, 100, 5), new Uint8Array(16));
    expect([s.hotX, s.hotY]).toEqual([3, 0]);
    const t = decodeCursorShape(hdr(0, 4, 2, 2, 1), new Uint8Array(32));
    expect([t.hotX, t.hotY]).toEqual([2, 1]);
  });

  it('decodes an empty 0×0 shape', () => {
    const s = decodeCursorShape(hdr(0, 0, 0, 3, 3), new Uint8Array(0));
    expect(s.pixels.length).toBe(0);
    expect([s.hotX, s.hotY]).toEqual([0, 0]);
  });

  it('ignores trailing bytes', () => {
    const s = decodeCursorShape(hdr(0, 1, 1), new Uint8Array([0, 0, 0xff, 0xff, 9, 9, 9]));
    expect(rgbaOf(s)).toEqual([[255, 0, 0, 255]]);
  });

  it('refuses shapes over 512×512 with a typed error', () => {
    for (const [w, h] of [[513, 1], [1, 513], [65535, 65535]] as const) {
      let err: unknown;
      try {
        decodeCursorShape(hdr(0, w, h), new Uint8Array(0));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CursorTooLargeError);
      expect(err).toBeInstanceOf(SpiceProtocolError);
      expect((err as SpiceProtocolError).kind).toBe('unsupported');
    }
    expect(decodeCursorShape(hdr(0, 512, 512), new Uint8Array(512 * 512 * 4)).pixels.length).toBe(512 * 512);
  });

  it('reports truncated data and unknown types as SpiceProtocolError', () => {
    for (let type = 0; type <= 6; type++) {
      const need = cursorDataSize(type, 5, 3)!;
      expect(() => decodeCursorShape(hdr(type, 5, 3), new Uint8Array(need - 1))).toThrowError(
        expect.objectContaining({ name: 'SpiceProtocolError', kind: 'truncated' }),
      );
      expect(() => decodeCursorShape(hdr(type, 5, 3), new Uint8Array(need))).not.toThrow();
    }
    expect(() => decodeCursorShape(hdr(7, 1, 1), new Uint8Array(64))).toThrowError(expect.objectContaining({ kind: 'malformed' }));
  });
});

function shape(n: number): CursorShape {
  return { width: n, height: 1, hotX: 0, hotY: 0, pixels: new Uint32Array(n) };
}

describe('CursorCache', () => {
  it('evicts the least recently used entry past maxEntries', () => {
    const c = new CursorCache(2);
    c.set(1n, shape(1));
    c.set(2n, shape(1));
    c.get(1n); // 2 is now the oldest
    c.set(3n, shape(1));
    expect([c.has(1n), c.has(2n), c.has(3n)]).toEqual([true, false, true]);
    expect(c.size).toBe(2);
  });

  it('evicts past maxBytes and keeps the byte count exact', () => {
    const c = new CursorCache(100, 100);
    c.set(1n, shape(10)); // 40 bytes
    c.set(2n, shape(10));
    expect(c.bytes).toBe(80);
    c.set(3n, shape(10)); // 120 > 100 → drop 1
    expect(c.has(1n)).toBe(false);
    expect(c.bytes).toBe(80);
    c.set(2n, shape(5)); // replace
    expect(c.bytes).toBe(60);
    c.delete(3n);
    c.delete(3n);
    expect(c.bytes).toBe(20);
    c.clear();
    expect([c.size, c.bytes]).toEqual([0, 0]);
  });
});

describe('resolveCursor', () => {
  const alpha1 = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
  const cur = (flags: number, unique: bigint, data = alpha1, w = 1): SpiceCursor => ({ flags, header: hdr(0, w, 1, 0, 0, unique), data });

  it('stores CACHE_ME shapes and serves FROM_CACHE', () => {
    const cache = new CursorCache();
    const a = resolveCursor(cur(2, 42n), cache);
    expect(a.outcome).toBe('decoded');
    expect(cache.has(42n)).toBe(true);
    const b = resolveCursor(cur(4, 42n, new Uint8Array(0)), cache);
    expect(b.outcome).toBe('cached');
    expect(b.shape).toBe(a.shape);
  });

  it('does not cache without CACHE_ME', () => {
    const cache = new CursorCache();
    expect(resolveCursor(cur(0, 7n), cache).outcome).toBe('decoded');
    expect(cache.size).toBe(0);
  });

  it('reports a FROM_CACHE miss (after INVAL_ONE) without throwing', () => {
    const cache = new CursorCache();
    resolveCursor(cur(2, 9n), cache);
    cache.delete(9n);
    expect(resolveCursor(cur(4, 9n, new Uint8Array(0)), cache)).toEqual({ shape: null, outcome: 'cache-miss' });
  });

  it('reports NONE as no shape', () => {
    expect(resolveCursor({ flags: 1, header: null, data: new Uint8Array(0) }, new CursorCache())).toEqual({ shape: null, outcome: 'none' });
  });

  it('reports a too-large shape and drops a stale entry of that id', () => {
    const cache = new CursorCache();
    resolveCursor(cur(2, 5n), cache);
    expect(resolveCursor(cur(2, 5n, new Uint8Array(0), 600), cache)).toEqual({ shape: null, outcome: 'too-large' });
    expect(cache.has(5n)).toBe(false);
  });

  it('throws for malformed data', () => {
    expect(() => resolveCursor(cur(2, 1n, new Uint8Array(3)), new CursorCache())).toThrow(SpiceProtocolError);
  });
});

describe('fuzz: mutated cursor messages', () => {
  // mulberry32: a small seeded PRNG so failures reproduce
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);

  /** a valid Cursor (flags + header + data) of `type`, w×h, random content */
  function validCursor(rand: () => number, type: number, w: number, h: number, flags: number, unique: number): number[] {
    const header = [...le(unique, 4), 0, 0, 0, 0, type, ...le(w, 2), ...le(h, 2), ...le(Math.floor(rand() * w), 2), ...le(Math.floor(rand() * h), 2)];
    const size = flags & 4 ? 0 : cursorDataSize(type, w, h)!;
    const data = Array.from({ length: size }, () => Math.floor(rand() * 256));
    return [...le(flags, 2), ...header, ...data];
  }

  it('2000 mutations/truncations only ever throw SpiceProtocolError', () => {
    const rand = rng(0x5eed);
    const cache = new CursorCache(64);
    const int = (n: number): number => Math.floor(rand() * n);
    let threw = 0;
    let ok = 0;
    const other: unknown[] = [];
    for (let iter = 0; iter < 2000; iter++) {
      const type = int(7);
      const w = 1 + int(40);
      const h = 1 + int(40);
      const flags = [0, 2, 4, 2][int(4)]!;
      const isInit = rand() < 0.5;
      const prefix = isInit ? [...le(int(65536), 2), ...le(int(65536), 2), 0, 0, 0, 0, int(2)] : [...le(int(65536), 2), ...le(int(65536), 2), int(2)];
      let msg = [...prefix, ...validCursor(rand, type, w, h, flags, int(8))];
      // mutate: 0 truncate, 1 flip bytes, 2 rewrite a header field, 3 append junk, 4 several at once
      const kind = int(5);
      const ops = kind === 4 ? [int(4), int(4), int(4)] : [kind];
      for (const op of ops) {
        if (op === 0) msg = msg.slice(0, int(msg.length + 1));
        else if (op === 1) for (let k = 0, n = 1 + int(8); k < n && msg.length; k++) msg[int(msg.length)] = int(256);
        else if (op === 2) {
          // flags, type, width or height (offsets relative to the cursor start)
          const c = prefix.length;
          const field = [c, c + 10, c + 11, c + 13][int(4)]!;
          if (field < msg.length) msg[field] = int(256);
          if (field + 1 < msg.length && rand() < 0.5) msg[field + 1] = int(256);
        } else msg = msg.concat(Array.from({ length: int(64) }, () => int(256)));
      }
      const r = SpiceReader.of(new Uint8Array(msg));
      try {
        const m = isInit ? parseCursorInit(r) : parseCursorSet(r);
        const res = resolveCursor(m.cursor, cache);
        if (res.shape) {
          expect(res.shape.pixels.length).toBe(res.shape.width * res.shape.height);
          expect(res.shape.hotX).toBeLessThanOrEqual(Math.max(0, res.shape.width - 1));
        }
        ok++;
      } catch (e) {
        if (e instanceof SpiceProtocolError) threw++;
        else other.push(e);
      }
      // the small messages, cut anywhere
      for (const parse of [parseCursorMove, parseCursorTrail, parseCursorInvalOne]) {
        try {
          parse(SpiceReader.of(new Uint8Array(msg.slice(0, int(10)))));
        } catch (e) {
          if (!(e instanceof SpiceProtocolError)) other.push(e);
        }
      }
    }
    expect(other).toEqual([]);
    expect(threw + ok).toBe(2000);
    // both paths must be exercised for the test to mean anything
    expect(threw).toBeGreaterThan(200);
    expect(ok).toBeGreaterThan(200);
  });
});
