/**
 * The codec benchmark loop, shared by Node (scripts/bench/node.ts) and the Chromium worker
 * (scripts/bench/worker.ts): the same payloads through the same decoders, timed with
 * performance.now(). MB/s counts decoded RGBA output bytes (width × height × 4).
 */
import { decodeBitmap } from '../../src/codecs/bitmap';
import { GlzWindow, decodeGlz } from '../../src/codecs/glz';
import { decodeLz } from '../../src/codecs/lz';
import { decodeLz4 } from '../../src/codecs/lz4';
import { decodeQuic } from '../../src/codecs/quic';

export interface Payload {
  width: number;
  height: number;
  data: Uint8Array;
  /** BITMAP only */
  bitmap?: { format: number; flags: number; stride: number };
}

/** one codec's payloads, in stream order (GLZ images reference earlier ones) */
export interface PayloadSet {
  codec: 'QUIC' | 'LZ_RGB' | 'GLZ_RGB' | 'LZ4' | 'BITMAP';
  source: string;
  items: Payload[];
}

export interface BenchResult {
  codec: string;
  source: string;
  frames: number;
  inBytes: number;
  outBytes: number;
  msPerFrame: number;
  mbPerSec: number;
}

/** decode every item of the set once (one "pass"); GLZ gets a fresh window per pass */
export function decodePass(set: PayloadSet): number {
  let px = 0;
  switch (set.codec) {
    case 'QUIC':
      for (const p of set.items) px += decodeQuic(p.data).pixels.length;
      break;
    case 'LZ_RGB':
      for (const p of set.items) px += decodeLz(p.data, null).pixels.length;
      break;
    case 'LZ4':
      for (const p of set.items) px += decodeLz4(p.data, p.width, p.height).pixels.length;
      break;
    case 'GLZ_RGB': {
      const win = new GlzWindow(1 << 22);
      for (const p of set.items) px += decodeGlz(p.data, win).pixels.length;
      break;
    }
    case 'BITMAP':
      for (const p of set.items) px += decodeBitmap({ ...p.bitmap!, width: p.width, height: p.height, data: p.data }, null).pixels.length;
      break;
  }
  return px;
}

/** time `pass` (which returns decoded pixels) for at least `minMs` after a warm-up */
export function timeIt(codec: string, source: string, frames: number, inBytes: number, pass: () => number, minMs = 600): BenchResult {
  const warmEnd = performance.now() + Math.min(200, minMs / 3);
  while (performance.now() < warmEnd) pass();
  let passes = 0;
  let px = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs || passes < 3) {
    px += pass();
    passes++;
    t = performance.now();
  }
  const ms = t - t0;
  return { codec, source, frames, inBytes, outBytes: (px * 4) / passes, msPerFrame: ms / (passes * frames), mbPerSec: (px * 4) / 1e6 / (ms / 1000) };
}

export function benchOurs(sets: PayloadSet[], minMs?: number): BenchResult[] {
  return sets.map((s) => timeIt(s.codec, s.source, s.items.length, s.items.reduce((n, p) => n + p.data.length, 0), () => decodePass(s), minMs));
}
