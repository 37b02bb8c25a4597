/**
 * The codec benchmark loop, shared by Node (scripts/bench/node.ts) and the Chromium worker
 * (scripts/bench/worker.ts): the same payloads through the same decoders, timed with
 * performance.now(). MB/s counts decoded RGBA output bytes (width × height × 4).
 * JPEG goes through the decoder each side really uses: jpeg-js in Node (tests, old browsers),
 * the browser's own decoder in the worker (workers/jpeg.ts); it is asynchronous there.
 */
import { decodeBitmap } from '../../src/codecs/bitmap';
import { GlzWindow, decodeGlz } from '../../src/codecs/glz';
import { decodeLz } from '../../src/codecs/lz';
import { decodeLz4 } from '../../src/codecs/lz4';
import { decodeQuic } from '../../src/codecs/quic';
import type { DecodedImage } from '../../src/codecs/types';

export interface Payload {
  width: number;
  height: number;
  data: Uint8Array;
  /** BITMAP only */
  bitmap?: { format: number; flags: number; stride: number };
}

/** one codec's payloads, in stream order (GLZ images reference earlier ones) */
export interface PayloadSet {
  codec: 'QUIC' | 'LZ_RGB' | 'GLZ_RGB' | 'LZ4' | 'BITMAP' | 'JPEG';
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
    case 'JPEG':
      throw new Error('JPEG decodes asynchronously: use benchAll with a JPEG decoder');
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

export type JpegDecode = (data: Uint8Array) => DecodedImage | Promise<DecodedImage>;

/** the asynchronous twin of timeIt, for decoders that return a promise */
export async function timeItAsync(codec: string, source: string, frames: number, inBytes: number, pass: () => Promise<number>, minMs = 600): Promise<BenchResult> {
  const warmEnd = performance.now() + Math.min(200, minMs / 3);
  while (performance.now() < warmEnd) await pass();
  let passes = 0;
  let px = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs || passes < 3) {
    px += await pass();
    passes++;
    t = performance.now();
  }
  const ms = t - t0;
  return { codec, source, frames, inBytes, outBytes: (px * 4) / passes, msPerFrame: ms / (passes * frames), mbPerSec: (px * 4) / 1e6 / (ms / 1000) };
}

async function jpegPass(set: PayloadSet, jpeg: JpegDecode): Promise<number> {
  let px = 0;
  for (const p of set.items) {
    const d = await jpeg(p.data);
    if (d.width !== p.width || d.height !== p.height) throw new Error(`JPEG decoded to ${d.width}x${d.height}, the image says ${p.width}x${p.height}`);
    px += d.pixels.length;
  }
  return px;
}

const inBytesOf = (s: PayloadSet) => s.items.reduce((n, p) => n + p.data.length, 0);

/** every set once for correctness, then timed; JPEG sets need `jpeg` (skipped without it) */
export async function benchAll(sets: PayloadSet[], jpeg: JpegDecode | null, minMs?: number): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const s of sets) {
    if (s.codec === 'JPEG') {
      if (!jpeg || !s.items.length) continue;
      await jpegPass(s, jpeg);
      out.push(await timeItAsync(s.codec, s.source, s.items.length, inBytesOf(s), () => jpegPass(s, jpeg), minMs));
    } else {
      decodePass(s);
      out.push(timeIt(s.codec, s.source, s.items.length, inBytesOf(s), () => decodePass(s), minMs));
    }
  }
  return out;
}
