/**
 * Replays of real Xspice display streams (fixtures/xspice, one per image-compression mode)
 * through DisplayCore into a BufferSink: the final primary surface must equal the X server's own
 * framebuffer (<mode>.truth.png, xwd -root) in every pixel.
 */
import { describe, expect, it } from 'vitest';
import { RECORDING_ORDER, loadStream, loadTruth } from '../../scripts/lib/fixture-images';
import { comparePixels, jpegJs } from '../../scripts/lib/display-replay';
import { MsgDisplay } from '../protocol/enums';
import { DisplayCore } from './core';
import { displayMessages, replayInto } from './replay';
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
});
