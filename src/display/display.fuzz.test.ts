/**
 * Fuzz of the display message parsers + DisplayCore: seeded mutations of messages recorded from a
 * real Xspice (bit flips, byte/word overwrites with edge values, truncation, extension, a foreign
 * message type) applied inside short windows of the real stream. The only error allowed out is
 * SpiceProtocolError; every window must finish (no hang) and memory stays within the caches'
 * and surfaces' bounds.
 */
import { describe, expect, it } from 'vitest';
import { loadStream } from '../../scripts/lib/fixture-images';
import { jpegJs } from '../../scripts/lib/display-replay';
import { syntheticDrawCorpus } from '../../scripts/lib/display-msgs';
import { MsgDisplay } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import { SpiceReader } from '../protocol/reader';
import { DisplayCore } from './core';
import { displayMessages, type ReplayMessage } from './replay';
import { BufferSink } from './sink';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = Object.values(MsgDisplay);
const EDGE = [0, 1, 0x7f, 0x80, 0xff];
const EDGE32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 400, 300];

function mutate(m: ReplayMessage, rnd: () => number): ReplayMessage {
  const b = m.body.slice();
  const pick = (n: number) => Math.floor(rnd() * n);
  let type = m.type;
  let body: Uint8Array = b;
  switch (pick(6)) {
    case 0: // a few bit flips, biased to the head where the structure lives
      for (let k = 1 + pick(4); k > 0 && b.length; k--) {
        const i = rnd() < 0.7 ? pick(Math.min(b.length, 96)) : pick(b.length);
        b[i] ^= 1 << pick(8);
      }
      break;
    case 1: // edge byte
      if (b.length) b[pick(Math.min(b.length, 128))] = EDGE[pick(EDGE.length)]!;
      break;
    case 2: // edge u32 (sizes, counts, pointers, ids)
      if (b.length >= 4) {
        const o = pick(Math.min(b.length - 3, 128));
        new DataView(b.buffer).setUint32(o, EDGE32[pick(EDGE32.length)]!, true);
      }
      break;
    case 3: // truncation
      body = b.subarray(0, pick(b.length + 1));
      break;
    case 4: // extension with garbage
      body = new Uint8Array(b.length + 1 + pick(64));
      body.set(b);
      for (let i = b.length; i < body.length; i++) body[i] = pick(256);
      break;
    default: // another message's parser on this body
      type = TYPES[pick(TYPES.length)]!;
  }
  return { type, body };
}

async function run(core: DisplayCore, msgs: ReplayMessage[]): Promise<void> {
  for (const m of msgs) {
    const p = core.handle(m.type, SpiceReader.of(m.body));
    if (p) await p;
  }
}

describe('display fuzz', () => {
  const streams = ['off', 'quic', 'glz', 'lz4', 'auto_lz'].map((mode) => ({ mode, msgs: displayMessages(loadStream(mode)) }));

  it('5000 seeded mutations of recorded messages: only SpiceProtocolError, no hang', async () => {
    const rnd = prng(0x5eed);
    const kinds = new Map<string, number>();
    let ok = 0;
    const t0 = Date.now();
    for (let iter = 0; iter < 5000; iter++) {
      const { msgs } = streams[iter % streams.length]!;
      // a window at a random place, after the surface lifecycle messages before it (cheap, and
      // most draws need their surfaces); cache entries from before the window are missing
      const at = Math.floor(rnd() * msgs.length);
      const setup = msgs.slice(0, at).filter((m) => m.type === MsgDisplay.SURFACE_CREATE || m.type === MsgDisplay.SURFACE_DESTROY);
      const window = msgs.slice(at, at + 6).map((m, k) => (k === 0 || rnd() < 0.15 ? mutate(m, rnd) : m));
      const core = new DisplayCore({ sink: new BufferSink(), jpeg: jpegJs });
      try {
        await run(core, [...setup, ...window]);
        ok++;
      } catch (e) {
        if (!(e instanceof SpiceProtocolError)) throw new Error(`iteration ${iter}: ${String(e)}\n${(e as Error).stack}`);
        kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      }
      expect(core.images.pixelCount).toBeLessThanOrEqual(core.images.maxPixels);
      expect(core.surfaces.pixelCount).toBeLessThanOrEqual(core.surfaces.maxPixels);
    }
    // the mutations reached the parsers, the codecs and the drawing code alike
    expect(ok).toBeGreaterThan(100);
    expect(kinds.get('truncated') ?? 0).toBeGreaterThan(10);
    expect(kinds.get('malformed') ?? 0).toBeGreaterThan(10);
    expect(kinds.get('codec') ?? 0).toBeGreaterThan(10);
    expect(Date.now() - t0).toBeLessThan(120_000);
  }, 180_000);

  it('500 whole recordings with 1–3 mutated messages each (full cache/GLZ state): only SpiceProtocolError', async () => {
    const rnd = prng(0xd15b1a7);
    let failed = 0;
    for (let iter = 0; iter < 500; iter++) {
      const { msgs } = streams[iter % streams.length]!;
      const bad = new Set<number>();
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) bad.add(Math.floor(rnd() * msgs.length));
      const core = new DisplayCore({ sink: new BufferSink(), jpeg: jpegJs });
      try {
        await run(core, msgs.map((m, i) => (bad.has(i) ? mutate(m, rnd) : m)));
      } catch (e) {
        if (!(e instanceof SpiceProtocolError)) throw new Error(`iteration ${iter}: ${String(e)}\n${(e as Error).stack}`);
        failed++;
      }
    }
    // some mutations are harmless (pixels, skipped fields), many are caught
    expect(failed).toBeGreaterThan(50);
    expect(failed).toBeLessThan(500);
  }, 180_000);

  it('synthetic seeds of every other draw message (masks, patterns, paths, glyphs): valid ones draw, 4000 mutations only throw SpiceProtocolError', async () => {
    const seeds = syntheticDrawCorpus();
    const sink = new BufferSink();
    await run(new DisplayCore({ sink }), seeds); // the seeds themselves are well-formed
    expect(sink.damageCount).toBe(seeds.length - 1);
    const rnd = prng(0xa11);
    let caught = 0;
    for (let iter = 0; iter < 4000; iter++) {
      const msgs = seeds.map((m, i) => (i > 0 && rnd() < 0.3 ? mutate(m, rnd) : m));
      try {
        await run(new DisplayCore({ sink: new BufferSink() }), msgs);
      } catch (e) {
        if (!(e instanceof SpiceProtocolError)) throw new Error(`iteration ${iter}: ${String(e)}\n${(e as Error).stack}`);
        caught++;
      }
    }
    expect(caught).toBeGreaterThan(1000);
  }, 180_000);
});
