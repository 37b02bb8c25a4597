/**
 * Replay of a recorded JPEG / JPEG_ALPHA display stream from spice-server itself (the harness test
 * server, fixtures/test-server/jpeg.*, recorded by e2e/harness/record-test-server.ts) through
 * DisplayCore in Node with jpeg-js: no Xspice recording carries these types. The truth is the
 * server's own lossless rendering: outside the lossy rectangles the replay must equal it in every
 * pixel; inside them (where the truth is the source image, or the source alpha-blended over the
 * background) it must stay within the error bound.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { jpegJs } from '../../scripts/lib/display-replay';
import { ImageType } from '../protocol/enums';
import { DisplayCore } from './core';
import { displayMessages, replayInto } from './replay';
import { BufferSink } from './sink';

const dir = new URL('../../fixtures/test-server/', import.meta.url);
type R = { x: number; y: number; width: number; height: number };

// The bound e2e/harness/scenarios.ts states for Chromium's decoder (mean 4, max 48 per channel);
// jpeg-js measured here on these 96x64 images: mean 2.4 (32/24-bit), 3.1 (16-bit), 1.0 (JPEG_ALPHA),
// max 11-19 (smaller images than the e2e ones, so more of each is block edge).
const MEAN_BOUND = 4;
const MAX_BOUND = 48;

describe('replay of a spice-server JPEG / JPEG_ALPHA stream (harness test server)', () => {
  it('lossy rectangles within the bound of the server rendering, every other pixel exact', async () => {
    const meta = JSON.parse(readFileSync(new URL('jpeg.json', dir), 'utf8')) as { lossy: Array<{ name: string; rect: R }>; imageTypes: Record<string, number> };
    expect(meta.imageTypes.JPEG).toBeGreaterThanOrEqual(3);
    expect(meta.imageTypes.JPEG_ALPHA).toBeGreaterThanOrEqual(2);
    const png = PNG.sync.read(readFileSync(new URL('jpeg.truth.png', dir)));
    const sink = new BufferSink();
    const core = new DisplayCore({ sink, jpeg: jpegJs });
    await replayInto(core, displayMessages(new Uint8Array(readFileSync(new URL('jpeg.bin', dir)))));
    expect(core.imageTypeCounts.get(ImageType.JPEG)).toBe(meta.imageTypes.JPEG);
    expect(core.imageTypeCounts.get(ImageType.JPEG_ALPHA)).toBe(meta.imageTypes.JPEG_ALPHA);

    const p = sink.primary!;
    expect([p.width, p.height]).toEqual([png.width, png.height]);
    const got = new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength);
    const inLossy = (x: number, y: number) => meta.lossy.some(({ rect: r }) => x >= r.x && y >= r.y && x < r.x + r.width && y < r.y + r.height);
    let outside = 0, first = '';
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        if (inLossy(x, y)) continue;
        const o = (y * png.width + x) * 4;
        if (got[o] !== png.data[o] || got[o + 1] !== png.data[o + 1] || got[o + 2] !== png.data[o + 2]) {
          if (!outside) first = `${x},${y}: ${[...got.subarray(o, o + 3)]} vs ${[...png.data.subarray(o, o + 3)]}`;
          outside++;
        }
      }
    }
    expect(outside, `pixels outside the lossy rectangles differ, first ${first}`).toBe(0);
    for (const { name, rect: r } of meta.lossy) {
      let sum = 0, max = 0, n = 0;
      for (let y = r.y; y < r.y + r.height; y++) {
        for (let x = r.x; x < r.x + r.width; x++) {
          for (let c = 0; c < 3; c++) {
            const o = (y * png.width + x) * 4 + c;
            const d = Math.abs(got[o]! - png.data[o]!);
            sum += d; n++;
            max = Math.max(max, d);
          }
        }
      }
      const mean = sum / n;
      expect(mean, `${name}: mean error`).toBeLessThanOrEqual(MEAN_BOUND);
      expect(max, `${name}: max error`).toBeLessThanOrEqual(MAX_BOUND);
      // a lossy rectangle that came out identical would mean it was not decoded from JPEG at all
      expect(mean, `${name}: shows JPEG error`).toBeGreaterThan(0);
      console.log(`${name}: mean ${mean.toFixed(2)} max ${max}`);
    }
  });
});
