/**
 * Replays of real Xspice display streams (fixtures/xspice, one per image-compression mode)
 * through DisplayCore into a BufferSink: the final primary surface must equal the X server's own
 * framebuffer (<mode>.truth.png, xwd -root) in every pixel.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RECORDING_ORDER, loadStream, loadTruth } from '../../scripts/lib/fixture-images';
import { comparePixels, jpegJs } from '../../scripts/lib/display-replay';
import { ImageType, MsgDisplay } from '../protocol/enums';
import { DisplayCore } from './core';
import { displayMessages, replayInto, type ReplayMessage } from './replay';
import { BufferSink } from './sink';

describe('replay of recorded Xspice sessions', () => {
  for (const mode of RECORDING_ORDER) {
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
      const diff = comparePixels(p.pixels, truth.pixels, p.width);
      expect(diff, `${diff.count} pixels differ, first at ${diff.first}`).toEqual({ count: 0, first: null });
      // every draw op reported damage; the stream draws on off-screen surfaces too
      expect(sink.damageCount).toBeGreaterThan(0);
      expect(core.counts.get(MsgDisplay.DRAW_COPY)).toBeGreaterThan(0);
    });
  }

  it('glz: every GLZ_RGB image re-wrapped as ZLIB_GLZ_RGB (zlib by node:zlib) still gives the framebuffer', async () => {
    let wrapped = 0;
    const msgs = displayMessages(loadStream('glz')).map((m): ReplayMessage => {
      if (m.type !== MsgDisplay.DRAW_COPY) return m;
      const b = m.body, dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const clipRects = b[20] === 1 ? dv.getUint32(21, true) : 0;
      const ptr = dv.getUint32(21 + (clipRects ? 4 + 16 * clipRects : 0), true);
      if (b[ptr + 8] !== ImageType.GLZ_RGB) return m;
      const size = dv.getUint32(ptr + 18, true);
      if (ptr + 22 + size !== b.length) return m; // only images at the end of the body
      const z = deflateSync(b.subarray(ptr + 22));
      const out = new Uint8Array(ptr + 26 + z.length);
      out.set(b.subarray(0, ptr + 18));
      out[ptr + 8] = ImageType.ZLIB_GLZ_RGB;
      const o = new DataView(out.buffer);
      o.setUint32(ptr + 18, size, true); // glz_data_size: the inflated size
      o.setUint32(ptr + 22, z.length, true);
      out.set(z, ptr + 26);
      wrapped++;
      return { type: m.type, body: out };
    });
    expect(wrapped).toBeGreaterThan(10);
    const sink = new BufferSink();
    await replayInto(new DisplayCore({ sink }), msgs);
    const truth = loadTruth('glz');
    const diff = comparePixels(sink.primary!.pixels, truth.pixels, truth.width);
    expect(diff, `${diff.count} pixels differ, first at ${diff.first}`).toEqual({ count: 0, first: null });
  });
});
