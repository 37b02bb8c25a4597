/**
 * Replays of real Xspice display streams (fixtures/xspice, one per image-compression mode)
 * through DisplayCore into a BufferSink: the final primary surface must equal the X server's own
 * framebuffer (<mode>.truth.png, xwd -root) in every pixel.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { MsgDisplay } from '../protocol/enums';
import { DisplayCore } from './core';
import type { JpegDecoder } from './images';
import { displayMessages, replayInto } from './replay';
import { BufferSink } from './sink';

const DIR = new URL('../../fixtures/xspice/', import.meta.url);
const MODES = ['off', 'quic', 'lz', 'glz', 'auto_glz', 'auto_lz', 'lz4'] as const;

/** jpeg-js as the Node stand-in for the worker's ImageDecoder */
export const jpegJs: JpegDecoder = async (data) => {
  const d = jpeg.decode(data, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
  const px = new Uint32Array(d.data.buffer, d.data.byteOffset, d.width * d.height).slice();
  return { width: d.width, height: d.height, pixels: px, hasAlpha: false };
};

export function loadTruth(mode: string): { width: number; height: number; pixels: Uint32Array } {
  const png = PNG.sync.read(readFileSync(new URL(`${mode}.truth.png`, DIR)));
  const px = new Uint32Array(png.data.buffer, png.data.byteOffset, png.width * png.height).slice();
  return { width: png.width, height: png.height, pixels: px };
}

export function loadStream(mode: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${mode}.bin`, DIR)));
}

/** mismatch count and the first mismatching pixel, for a readable failure */
export function compare(got: Uint32Array, want: Uint32Array, width: number): { count: number; first: string | null } {
  let count = 0;
  let first: string | null = null;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      if (!first) first = `(${i % width},${Math.floor(i / width)}) got 0x${got[i]!.toString(16)} want 0x${want[i]!.toString(16)}`;
      count++;
    }
  }
  return { count, first };
}

describe('replay of recorded Xspice sessions', () => {
  for (const mode of MODES) {
    it(`${mode}: the final primary surface equals the server framebuffer`, async () => {
      const sink = new BufferSink();
      const core = new DisplayCore({ sink, jpeg: jpegJs });
      const primaries: string[] = [];
      core.events.on('primary', (e) => primaries.push(`${e.surface.width}x${e.surface.height}`));
      let marks = 0;
      core.events.on('mark', () => marks++);
      await replayInto(core, displayMessages(loadStream(mode)));

      const truth = loadTruth(mode);
      const p = sink.primary!;
      expect(p).toBeTruthy();
      expect([p.width, p.height]).toEqual([truth.width, truth.height]);
      expect(primaries).toEqual([`${truth.width}x${truth.height}`]);
      expect(marks).toBe(1);
      expect(core.monitors?.heads[0]).toMatchObject({ width: truth.width, height: truth.height });
      const diff = compare(p.pixels, truth.pixels, p.width);
      expect(diff, `${diff.count} pixels differ, first at ${diff.first}`).toEqual({ count: 0, first: null });
      // every draw op reported damage; the stream draws on off-screen surfaces too
      expect(sink.damageCount).toBeGreaterThan(0);
      expect(core.counts.get(MsgDisplay.DRAW_COPY)).toBeGreaterThan(0);
    });
  }
});
