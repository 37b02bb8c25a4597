/**
 * DisplayCore on synthetic messages for what the Xspice recordings do not hold: palette cache,
 * image cache invalidation and bounds, lossy → lossless replacement across two channels sharing
 * a cache, touch semantics, M-JPEG streams (bottom-up, clip), COPY_BITS overlap, RESET, MODE and
 * surface events. Expected pixels come from the message contents (palette entries, raw BGRX
 * bytes, jpeg-js' own decode of the frame) or a plain model of the operation.
 */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { jpegJs } from '../../scripts/lib/display-replay';
import {
  bitmap32, bitmap8, black, descriptor, drawCopy, fromCache, jpegImage, putClip, putRect, px, rect, surfaceCreate, type ImageAt,
} from '../../scripts/lib/display-msgs';
import { ImageFlags, ImageType, MsgDisplay, SurfaceFmt } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import { SpiceReader } from '../protocol/reader';
import { SpiceWriter } from '../protocol/writer';
import type { R } from '../../scripts/lib/display-msgs';
import { FakeClock, MmTime } from '../common/clock';
import { ImageCache } from './caches';
import { DisplayCore, type DisplayCoreOptions } from './core';
import { BufferSink } from './sink';

function setup(o: Partial<DisplayCoreOptions> = {}) {
  const sink = new BufferSink();
  const core = new DisplayCore({ sink, jpeg: jpegJs, ...o });
  const h = (type: number, body: Uint8Array) => core.handle(type, SpiceReader.of(body));
  return { sink, core, h };
}
const at = (core: DisplayCore, x: number, y: number) => core.primary!.pixels[y * core.primary!.width + x];
const row = (core: DisplayCore, y: number, x0: number, x1: number) => Array.from(core.primary!.pixels.subarray(y * core.primary!.width + x0, y * core.primary!.width + x1));

describe('DisplayCore', () => {
  it('caches a palette (PAL_CACHE_ME), reuses it (PAL_FROM_CACHE) and forgets it on INVAL_PALETTE', () => {
    const { core, h } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 3, 1), bitmap8([0, 1, 2], { unique: 77n, ents: [0xff0000, 0x00ff00, 0x0000ff] })));
    expect(row(core, 0, 0, 4)).toEqual([px(255, 0, 0), px(0, 255, 0), px(0, 0, 255), black]);
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(1, 1, 4, 2), bitmap8([2, 2, 0], { unique: 77n, fromCache: true })));
    expect(row(core, 1, 0, 4)).toEqual([black, px(0, 0, 255), px(0, 0, 255), px(255, 0, 0)]);
    h(MsgDisplay.INVAL_PALETTE, new SpiceWriter(4096).u64(77n).finish());
    expect(() => h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 2, 1, 3), bitmap8([0], { unique: 77n, fromCache: true })))).toThrow(SpiceProtocolError);
  });

  it('image cache: CACHE_ME then FROM_CACHE, INVAL_LIST removes, INVAL_ALL_PIXMAPS clears after its wait', async () => {
    let release!: () => void;
    const waited: string[] = [];
    const { core, h } = setup({ waitFor: (w) => { waited.push(`${w.channelType}:${w.channelId}:${w.serial}`); return new Promise<void>((r) => (release = r)); } });
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    const pix = [px(1, 2, 3), px(4, 5, 6), px(7, 8, 9), px(10, 11, 12)];
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 2, 2), bitmap32(5n, ImageFlags.CACHE_ME, 2, 2, pix)));
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(4, 2, 6, 4), fromCache(5n, 2, 2)));
    expect([...row(core, 2, 4, 6), ...row(core, 3, 4, 6)]).toEqual(pix);
    expect(core.images.pixelCount).toBe(4);
    h(MsgDisplay.INVAL_LIST, new SpiceWriter(4096).u16(1).u8(1).u64(5n).finish());
    expect(core.images.pixelCount).toBe(0);
    expect(() => h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 2, 2), fromCache(5n, 2, 2)))).toThrow(/not in the cache/);

    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 2, 2), bitmap32(6n, ImageFlags.CACHE_ME, 2, 2, pix)));
    const p = h(MsgDisplay.INVAL_ALL_PIXMAPS, new SpiceWriter(4096).u8(1).u8(2).u8(1).u64(42n).finish());
    expect(p).toBeInstanceOf(Promise);
    await new Promise((r) => setTimeout(r, 0));
    expect(waited).toEqual(['2:1:42']);
    expect(core.images.has(6n)).toBe(true); // not before the wait is over
    release();
    await p;
    expect(core.images.size).toBe(0);
  });

  it('refuses an image the advertised cache size cannot hold', () => {
    const { h } = setup({ imageCache: new ImageCache(3) });
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    const img = bitmap32(9n, ImageFlags.CACHE_ME, 2, 2, [0, 0, 0, 0]);
    expect(() => h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 2, 2), img))).toThrow(/cache overflow/);
  });

  it('a fully clipped draw still caches its image (touch) and draws nothing', () => {
    const { core, h, sink } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    const before = sink.damageCount;
    const pix = [px(9, 9, 9), px(8, 8, 8)];
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 2, 1), bitmap32(11n, ImageFlags.CACHE_ME, 2, 1, pix), [rect(5, 2, 6, 3)]));
    expect(sink.damageCount).toBe(before);
    expect(core.primary!.pixels.every((v) => v === black)).toBe(true);
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 3, 2, 4), fromCache(11n, 2, 1)));
    expect(row(core, 3, 0, 2)).toEqual(pix);
  });

  it('FROM_CACHE_LOSSLESS waits for the lossless replacement sent on another channel sharing the cache', async () => {
    const images = new ImageCache();
    const a = setup({ imageCache: images });
    const b = setup({ imageCache: images });
    for (const c of [a, b]) c.h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 8));
    const rgba = new Uint8Array(8 * 8 * 4).fill(200);
    await a.h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 8, 8), jpegImage(21n, ImageFlags.CACHE_ME, 8, 8, rgba)));
    let done = false;
    const p = Promise.resolve(a.h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 2, 1), fromCache(21n, 2, 1, true)))).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    const lossless = Array.from({ length: 64 }, (_, i) => px(i, 255 - i, 7));
    b.h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 8, 8), bitmap32(21n, ImageFlags.CACHE_REPLACE_ME, 8, 8, lossless)));
    await p;
    expect(row(a.core, 0, 0, 2)).toEqual(lossless.slice(0, 2));
  });

  it('M-JPEG stream: bottom-up frames drawn into dest within the clip, STREAM_CLIP, DESTROY', async () => {
    const { core, h } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    const fw = 4, fh = 2;
    const rgba = new Uint8Array(fw * fh * 4);
    for (let i = 0; i < fw * fh; i++) rgba.set([i * 30, 255 - i * 30, (i & 1) * 255, 255], i * 4);
    const frame = jpeg.encode({ data: rgba, width: fw, height: fh }, 100).data;
    const ref = jpeg.decode(frame, { useTArray: true, formatAsRGBA: true });
    const refPx = (x: number, y: number) => new DataView(ref.data.buffer, ref.data.byteOffset).getUint32((y * fw + x) * 4, true) | black;
    const dest = rect(2, 1, 6, 3);
    const create = new SpiceWriter(4096).u32(0).u32(3).u8(0).u8(1).u64(0n).u32(fw).u32(fh).u32(fw).u32(fh);
    putRect(create, dest);
    putClip(create, [rect(0, 0, 4, 4)]);
    h(MsgDisplay.STREAM_CREATE, create.finish());
    const data = new SpiceWriter(4096).u32(3).u32(1234).u32(frame.length).bytes(frame).finish();
    await h(MsgDisplay.STREAM_DATA, data);
    // frame row 0 is the bottom row (no TOP_DOWN flag); only x < 4 is inside the clip
    expect(row(core, 1, 0, 8)).toEqual([black, black, refPx(0, 1) >>> 0, refPx(1, 1) >>> 0, black, black, black, black]);
    expect(row(core, 2, 0, 8)).toEqual([black, black, refPx(0, 0) >>> 0, refPx(1, 0) >>> 0, black, black, black, black]);
    h(MsgDisplay.STREAM_CLIP, putClip(new SpiceWriter(4096).u32(3), null).finish());
    await h(MsgDisplay.STREAM_DATA, data);
    expect(row(core, 1, 2, 6)).toEqual([0, 1, 2, 3].map((x) => refPx(x, 1) >>> 0));
    expect(core.streams.get(3)?.frames).toBe(2);
    h(MsgDisplay.STREAM_DESTROY, new SpiceWriter(4096).u32(3).finish());
    expect(() => h(MsgDisplay.STREAM_DATA, data)).toThrow(/unknown stream/);
  });

  it('stream frames are timed against the server multimedia clock (early, late, unsynced)', async () => {
    const clock = new FakeClock();
    const mm = new MmTime(clock);
    const { core, h } = setup({ mmTime: mm });
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 4));
    const rgba = new Uint8Array(4 * 2 * 4).fill(200);
    const frame = jpeg.encode({ data: rgba, width: 4, height: 2 }, 90).data;
    const create = new SpiceWriter(4096).u32(0).u32(1).u8(0).u8(1).u64(0n).u32(4).u32(2).u32(4).u32(2);
    putRect(create, rect(0, 0, 4, 2));
    putClip(create, null);
    h(MsgDisplay.STREAM_CREATE, create.finish());
    const data = (mmTime: number) => new SpiceWriter(4096).u32(1).u32(mmTime).u32(frame.length).bytes(frame).finish();
    await h(MsgDisplay.STREAM_DATA, data(500)); // before any sync: not timed
    expect(core.streams.timing.frames).toBe(0);
    mm.sync(1_000);
    clock.advance(100); // server time is 1100 now
    await h(MsgDisplay.STREAM_DATA, data(1_300)); // 200 ms early: the server's playback delay
    await h(MsgDisplay.STREAM_DATA, data(1_050)); // 50 ms late
    const t = core.streams.timing;
    expect(t).toMatchObject({ frames: 2, late: 1, marginSum: 150, minMargin: -50, maxMargin: 200 });
    expect(core.streams.get(1)?.frames).toBe(3);
  });

  it('COPY_BITS copies from the old pixels when source and destination overlap, inside the clip', () => {
    const { core, h } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 6));
    const orig = Array.from({ length: 48 }, (_, i) => px(i * 5, 255 - i * 5, i));
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 8, 6), bitmap32(0n, 0, 8, 6, orig)));
    const clip = [rect(2, 1, 5, 3), rect(3, 3, 8, 5)];
    const w = new SpiceWriter(4096).u32(0);
    putRect(w, rect(2, 1, 8, 5));
    putClip(w, clip).i32(0).i32(0);
    h(MsgDisplay.COPY_BITS, w.finish());
    for (let y = 0; y < 6; y++) for (let x = 0; x < 8; x++) {
      const inside = clip.some((r) => x >= r.left && x < r.right && y >= r.top && y < r.bottom);
      expect(at(core, x, y), `(${x},${y})`).toBe(inside ? orig[(y - 1) * 8 + x - 2] : orig[y * 8 + x]);
    }
  });

  it('RESET clears the primary and the palettes; MODE and SURFACE_DESTROY drive the primary events', () => {
    const { core, h, sink } = setup();
    const ev: string[] = [];
    core.events.on('primary', (e) => ev.push(`primary ${e.surface.width}x${e.surface.height}`));
    core.events.on('primaryDestroyed', (e) => ev.push(`destroyed ${e.id}`));
    h(MsgDisplay.MODE, new SpiceWriter(4096).u32(6).u32(2).u32(32).finish());
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 1, 1), bitmap8([0], { unique: 5n, ents: [0xffffff] })));
    expect(at(core, 0, 0)).toBe(0xffffffff);
    h(MsgDisplay.RESET, new Uint8Array(0));
    expect(core.primary!.pixels.every((v) => v === black)).toBe(true);
    expect(core.palettes.size).toBe(0);
    h(MsgDisplay.SURFACE_DESTROY, new SpiceWriter(4096).u32(0).finish());
    expect(sink.primary).toBeNull();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 10, 4));
    expect(ev).toEqual(['primary 6x2', 'destroyed 0', 'primary 10x4']);
    expect(sink.primary?.width).toBe(10);
    // a create of the same primary again keeps it and its pixels (spice-gtk), another size replaces it
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 1, 1), bitmap8([0], { unique: 6n, ents: [0x123456] })));
    const kept = sink.primary;
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 10, 4));
    expect(sink.primary).toBe(kept);
    expect(at(core, 0, 0)).toBe(px(0x12, 0x34, 0x56));
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 12, 4));
    expect(ev).toEqual(['primary 6x2', 'destroyed 0', 'primary 10x4', 'primary 12x4']);
    expect(at(core, 0, 0)).toBe(black);
  });

  it('off-screen ARGB surfaces start transparent and serve as SURFACE images', () => {
    const { core, h } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 4, 2));
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(1, 2, 1, false, SurfaceFmt._32_xRGB));
    expect(core.surfaces.get(1)!.pixels.every((v) => v === black)).toBe(true);
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(2, 2, 1, false, SurfaceFmt._32_ARGB));
    expect(core.surfaces.get(2)!.pixels.every((v) => v === 0)).toBe(true);
    h(MsgDisplay.DRAW_COPY, drawCopy(1, rect(0, 0, 2, 1), bitmap32(0n, 0, 2, 1, [px(1, 2, 3), px(4, 5, 6)])));
    const surfImg: ImageAt = () => descriptor(new SpiceWriter(4096), 0n, ImageType.SURFACE, 0, 2, 1).u32(1).finish();
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(2, 1, 4, 2), surfImg));
    expect(row(core, 1, 0, 4)).toEqual([black, black, px(1, 2, 3), px(4, 5, 6)]);
    expect(() => h(MsgDisplay.DRAW_COPY, drawCopy(7, rect(0, 0, 1, 1), surfImg))).toThrow(/unknown surface 7/);
  });

  it('DRAW_COMPOSITE: OVER of an opaque image replaces the box; an 8BIT_A bitmap as mask masks nothing', () => {
    const { core, h } = setup();
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 4, 2));
    h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 4, 2), bitmap32(0n, 0, 4, 2, new Array(8).fill(px(10, 20, 30)))));
    const OVER = 3, HAS_MASK = 1 << 19;
    const comp = (box: R, flags: number, src: ImageAt, mask: ImageAt | null) => {
      const w = new SpiceWriter(4096).u32(0);
      putRect(w, box);
      putClip(w, null).u32(flags);
      const fixed = w.length + 4 + (mask ? 4 : 0) + 8;
      const srcBytes = src(fixed);
      w.u32(fixed);
      if (mask) w.u32(fixed + srcBytes.length);
      w.i16(0).i16(0).i16(0).i16(0).bytes(srcBytes);
      if (mask) w.bytes(mask(fixed + srcBytes.length));
      return w.finish();
    };
    const red = px(255, 0, 0), green = px(0, 255, 0);
    h(MsgDisplay.DRAW_COMPOSITE, comp(rect(0, 0, 2, 1), OVER, bitmap32(0n, 0, 2, 1, [red, green]), null));
    expect(row(core, 0, 0, 4)).toEqual([red, green, px(10, 20, 30), px(10, 20, 30)]);

    // an 8BIT_A bitmap as the mask, alpha 255 then 0: the canvas converts images it fetches for
    // a composite to its own x8r8g8b8 format unless they are a8r8g8b8, so this mask reads as
    // opaque and both pixels are drawn. spice-server 0.15's own rendering does exactly that
    // (e2e/test-server.spec.ts, the COMPOSITE scenario); only an 8_A *surface* keeps its alpha.
    const a8: ImageAt = () => {
      const w = descriptor(new SpiceWriter(4096), 0n, ImageType.BITMAP, 0, 2, 1);
      return w.u8(10).u8(4).u32(2).u32(1).u32(2).u32(0).u8(255).u8(0).finish();
    };
    h(MsgDisplay.DRAW_COMPOSITE, comp(rect(0, 1, 2, 2), OVER | HAS_MASK, bitmap32(0n, 0, 2, 1, [red, green]), a8));
    expect(row(core, 1, 0, 3)).toEqual([red, green, px(10, 20, 30)]);
  });
});
