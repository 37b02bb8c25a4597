/**
 * The video fast path (lazy-frames.ts) through DisplayCore: stream frames that are browser
 * pictures go to the sink's canvas and reach the surface only when an op needs them, in the
 * server's order. The pictures are fakes whose pixels are one colour named by the frame's first
 * byte; the sink records what it was asked to show.
 */
import { describe, expect, it } from 'vitest';
import { black, descriptor, drawCopy, drawFill, px, rect, putClip, putRect, surfaceCreate, type R } from '../../scripts/lib/display-msgs';
import { ImageType, MsgDisplay } from '../protocol/enums';
import { SpiceReader } from '../protocol/reader';
import { SpiceWriter } from '../protocol/writer';
import type { Rect } from '../protocol/display-types';
import { DisplayCore } from './core';
import { BufferSink } from './sink';
import type { Surface } from './surface';
import type { Picture } from './video/picture';

const COLORS = [px(200, 10, 10), px(10, 200, 10), px(10, 10, 200)];
const FRAME_W = 4, FRAME_H = 2;

class PictureSink extends BufferSink {
  shown: Array<{ color: number; region: readonly Rect[]; bottomUp: boolean }> = [];
  /** false: behave like a sink without a canvas */
  accept = true;
  picture(s: Surface, p: Picture, _dest: Rect, region: readonly Rect[], bottomUp: boolean): boolean {
    if (!this.accept || s !== this.primary) return false;
    this.shown.push({ color: (p.source as { color: number }).color, region, bottomUp });
    return true;
  }
}

function setup() {
  const sink = new PictureSink();
  const core = new DisplayCore({ sink, jpeg: null });
  const pictures: Array<{ closed: boolean; reads: number }> = [];
  // frame byte 0: colour index; byte 1: 1 = the top row is painted black (shows the row order)
  core.streams.pictures = (data) => {
    const color = COLORS[data[0]!]!;
    const rec = { closed: false, reads: 0 };
    pictures.push(rec);
    const pic: Picture = {
      kind: 'picture', width: FRAME_W, height: FRAME_H, source: { color },
      pixels: async () => {
        rec.reads++;
        const pixels = new Uint32Array(FRAME_W * FRAME_H).fill(color);
        if (data[1] === 1) pixels.fill(black, 0, FRAME_W);
        return { width: FRAME_W, height: FRAME_H, pixels, hasAlpha: false };
      },
      close: () => void (rec.closed = true),
    };
    return Promise.resolve(pic);
  };
  const h = (type: number, body: Uint8Array) => core.handle(type, SpiceReader.of(body));
  const at = (x: number, y: number) => core.primary!.pixels[y * core.primary!.width + x];
  const stream = (id: number, dest: R, topDown = true, clip: R[] | null = null) => {
    const w = new SpiceWriter(4096).u32(0).u32(id).u8(topDown ? 1 : 0).u8(1).u64(0n).u32(FRAME_W).u32(FRAME_H).u32(FRAME_W).u32(FRAME_H);
    putRect(w, dest);
    putClip(w, clip);
    return h(MsgDisplay.STREAM_CREATE, w.finish());
  };
  const frame = (id: number, color: number, topBlack = false) =>
    h(MsgDisplay.STREAM_DATA, new SpiceWriter(64).u32(id).u32(0).u32(2).u8(color).u8(topBlack ? 1 : 0).finish());
  return { sink, core, h, at, stream, frame, pictures };
}

describe('stream frames drawn on the canvas first (lazy-frames.ts)', () => {
  it('a shown frame reaches the surface only when a draw op meets it, before that op draws', async () => {
    const { sink, core, h, at, stream, frame, pictures } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    stream(1, rect(0, 0, 4, 2));
    await frame(1, 0);
    expect(sink.shown).toEqual([{ color: COLORS[0], region: [rect(0, 0, 4, 2)], bottomUp: false }]);
    expect(at(0, 0)).toBe(black); // only on the canvas so far
    expect(h(MsgDisplay.DRAW_FILL, drawFill(0, rect(6, 2, 8, 4), 0xffffff))).toBeUndefined(); // elsewhere: no wait
    expect(at(0, 0)).toBe(black);
    expect(pictures[0]!.reads).toBe(0);
    await h(MsgDisplay.DRAW_FILL, drawFill(0, rect(1, 1, 3, 2), 0x000080));
    expect(at(0, 0)).toBe(COLORS[0]); // read back first…
    expect(at(1, 1)).toBe(px(0, 0, 128)); // …then the op on top of it
    expect(pictures[0]).toEqual({ closed: true, reads: 1 });
    expect(core.streams.lazy.idle).toBe(true);
  });

  it('a frame that covers the previous one replaces it unread; a paused stream is read back once', async () => {
    const { core, at, h, stream, frame, pictures } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    stream(1, rect(0, 0, 4, 2));
    for (let i = 0; i < 30; i++) await frame(1, i % 3);
    expect(pictures.slice(0, 29).every((p) => p.closed && p.reads === 0)).toBe(true);
    expect(core.streams.lazy.superseded).toBe(29);
    expect(core.streams.lazy.size).toBe(1);
    await core.settleFrames();
    expect(at(3, 1)).toBe(COLORS[29 % 3]);
    expect(core.streams.lazy.readBack).toBe(1);
  });

  it('a stream clipped to a rect list (an L-shaped visible area): each frame still replaces the last unread', async () => {
    const { core, at, h, stream, frame, pictures } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    // a window over the stream's bottom right corner: visible = top row + bottom left
    stream(1, rect(0, 0, 4, 2), true, [rect(0, 0, 4, 1), rect(0, 1, 2, 2)]);
    for (let i = 0; i < 10; i++) await frame(1, i % 3);
    expect(pictures.slice(0, 9).every((p) => p.closed && p.reads === 0)).toBe(true);
    expect(core.streams.lazy.superseded).toBe(9);
    await core.settleFrames();
    expect([at(3, 0), at(1, 1), at(3, 1)]).toEqual([COLORS[9 % 3], COLORS[9 % 3], black]);
    expect(core.streams.lazy.readBack).toBe(1);
  });

  it('frames that do not cover each other are read back in the order they were shown', async () => {
    const { h, at, stream, frame, core } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    stream(1, rect(0, 0, 4, 2));
    stream(2, rect(2, 1, 6, 3));
    await frame(1, 0);
    await frame(2, 1); // overlaps frame 1 at (2..4, 1)
    // an op that meets only stream 1's frame brings both, oldest first
    await h(MsgDisplay.DRAW_FILL, drawFill(0, rect(0, 0, 1, 1), 0x000080));
    expect(at(2, 1)).toBe(COLORS[1]);
    expect(at(1, 1)).toBe(COLORS[0]);
    expect(at(5, 2)).toBe(COLORS[1]);
    expect(core.streams.lazy.readBack).toBe(2);
  });

  it('bottom-up frames and clips: the sink is told, the read-back pixels follow the stream put', async () => {
    const { sink, h, at, stream, frame, core } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    stream(1, rect(2, 1, 6, 3), false, [rect(0, 0, 4, 4)]);
    await frame(1, 2, true); // frame row 0 black: bottom-up, so it lands on the bottom row
    expect(sink.shown[0]).toEqual({ color: COLORS[2], region: [rect(2, 1, 4, 3)], bottomUp: true });
    await core.settleFrames();
    expect([at(2, 1), at(3, 1), at(4, 1)]).toEqual([COLORS[2], COLORS[2], black]); // clipped at x 4
    expect([at(2, 2), at(3, 2)]).toEqual([black, black]);
  });

  it('an op that reads the surface as an image, and COPY_BITS, wait for every pending frame of it', async () => {
    const { h, at, stream, frame } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    stream(1, rect(0, 0, 4, 2));
    await frame(1, 1);
    // copy the primary's (0,0)-(2,1) to (6,3) on itself: a SURFACE image source, box far away
    const surfImg = () => descriptor(new SpiceWriter(4096), 0n, ImageType.SURFACE, 0, 8, 4).u32(0).finish();
    await h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(6, 3, 8, 4), surfImg, null, rect(0, 0, 2, 1)));
    expect([at(6, 3), at(7, 3)]).toEqual([COLORS[1], COLORS[1]]);
    await frame(1, 0);
    const copyBits = new SpiceWriter(64).u32(0);
    putRect(copyBits, rect(6, 0, 8, 1));
    putClip(copyBits, null);
    await h(MsgDisplay.COPY_BITS, copyBits.i32(0).i32(0).finish());
    expect(at(6, 0)).toBe(COLORS[0]);
  });

  it('RESET and SURFACE_DESTROY drop pending frames, also one being read back', async () => {
    const { h, at, stream, frame, core, pictures } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    stream(1, rect(0, 0, 4, 2));
    await frame(1, 0);
    const settling = core.settleFrames();
    h(MsgDisplay.RESET, new Uint8Array(0)); // while the readback is under way
    await settling;
    expect(at(0, 0)).toBe(black);
    await frame(1, 1);
    h(MsgDisplay.SURFACE_DESTROY, new SpiceWriter(8).u32(0).finish());
    expect(pictures.every((p) => p.closed)).toBe(true);
    expect(core.streams.lazy.idle).toBe(true);
  });

  it('a sink that cannot show the picture: read back at once and reported as damage', async () => {
    const { sink, h, at, stream, frame, core } = setup();
    sink.accept = false;
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    sink.takeDamage();
    stream(1, rect(0, 0, 4, 2));
    await frame(1, 2);
    await core.settleFrames();
    expect(at(0, 0)).toBe(COLORS[2]);
    expect(sink.takeDamage()).toEqual(rect(0, 0, 4, 2));
  });

  it('holds at most a few frames per surface: older ones are read back', async () => {
    const { h, stream, frame, core } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 64, 4));
    for (let i = 0; i < 10; i++) {
      stream(i, rect(i * 5, 0, i * 5 + 4, 2)); // side by side: none covers another
      await frame(i, i % 3);
    }
    await Promise.resolve();
    expect(core.streams.lazy.size).toBeLessThanOrEqual(4);
    await core.settleFrames();
    expect(core.streams.lazy.readBack).toBe(10);
  });
});
