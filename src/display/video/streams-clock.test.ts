// Streams on the multimedia clock (the display worker's mode): frames reach the scheduler in
// stream order, are drawn at their time, never after their stream is destroyed, and
// STREAM_REPORT carries the audio delay.
import { describe, expect, it } from 'vitest';
import type { DecodedImage } from '../../codecs/types';
import { FakeClock, MmTime } from '../../common/clock';
import { FakeTimers } from '../../../scripts/lib/fake-timers';
import { putClip, putRect, px, rect, surfaceCreate } from '../../../scripts/lib/display-msgs';
import { MsgDisplay, VideoCodecType } from '../../protocol/enums';
import type { StreamReport } from '../../protocol/display';
import { SpiceReader } from '../../protocol/reader';
import { SpiceWriter } from '../../protocol/writer';
import { DisplayCore } from '../core';
import { BufferSink } from '../sink';
import type { VideoDecoders } from './decoder';

const { VP8 } = VideoCodecType;

/** a decoder whose frames finish when the test says (in any order) */
function manualDecoders() {
  const waiting: Array<{ v: number; done: (img: DecodedImage) => void }> = [];
  const decoders: VideoDecoders = {
    supported: [VP8],
    create: () => ({
      decode: (d) => new Promise<DecodedImage>((resolve) => waiting.push({ v: d[1]!, done: resolve })),
      close: () => undefined,
    }),
  };
  const finish = (v: number) => {
    const i = waiting.findIndex((w) => w.v === v);
    const [w] = waiting.splice(i, 1);
    w!.done({ width: 2, height: 1, pixels: new Uint32Array([px(v, 0, 0), px(v, 0, 0)]), hasAlpha: false });
  };
  return { decoders, finish, waiting };
}

const key = (v: number) => new Uint8Array([0x50, v, 0x01, 0x9d, 0x01, 0x2a]);
const delta = (v: number) => new Uint8Array([0x31, v, 0x00]);
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const clock = new FakeClock();
  const mm = new MmTime(clock);
  mm.sync(10_000);
  const timers = new FakeTimers(clock);
  const m = manualDecoders();
  const core = new DisplayCore({ sink: new BufferSink(), video: m.decoders, mmTime: mm, frameTimers: timers });
  const h = (type: number, body: Uint8Array) => core.handle(type, SpiceReader.of(body));
  h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 2, 1));
  const create = new SpiceWriter(256).u32(0).u32(1).u8(1).u8(VP8).u64(0n).u32(2).u32(1).u32(2).u32(1);
  putRect(create, rect(0, 0, 2, 1));
  putClip(create, null);
  h(MsgDisplay.STREAM_CREATE, create.finish());
  const frame = (mmTime: number, v: Uint8Array) => h(MsgDisplay.STREAM_DATA, new SpiceWriter(256).u32(1).u32(mmTime).u32(v.length).bytes(v).finish());
  /** which frame the surface shows (its pixel value), 0 before any */
  const red = () => {
    const v = core.primary!.pixels[0]! >>> 0;
    for (let i = 1; i < 10; i++) if (v === px(i, 0, 0) >>> 0) return i;
    return 0;
  };
  return { clock, mm, timers, core, h, frame, red, ...m };
}

describe('Streams on the clock', () => {
  it('each frame is decoded, then held until its time and shown in order', async () => {
    const { frame, finish, timers, red, core } = setup();
    for (const [mm, f, v] of [[10_100, key, 1], [10_133, delta, 2], [10_166, delta, 3], [10_200, delta, 4]] as const) {
      const p = frame(mm, f(v));
      expect(p).toBeInstanceOf(Promise); // the channel waits for the decode (MAX_INFLIGHT 1)
      finish(v);
      await p;
    }
    expect(core.streams.scheduler!.stats.held).toBe(4);
    expect(red()).toBe(0);
    timers.advance(100);
    expect(red()).toBe(1);
    timers.advance(33);
    expect(red()).toBe(2);
    timers.advance(33);
    expect(red()).toBe(3);
    timers.advance(34);
    expect(red()).toBe(4);
    expect(core.streams.presented).toBe(4);
    expect(core.streams.decoded).toBe(4);
  });

  it('frames held when their stream is destroyed are never drawn', async () => {
    const { frame, finish, timers, red, h, core } = setup();
    frame(10_050, key(7));
    finish(7);
    await flush();
    expect(core.streams.scheduler!.stats.pending).toBe(1);
    h(MsgDisplay.STREAM_DESTROY, new SpiceWriter(8).u32(1).finish());
    timers.advance(500);
    expect(red()).toBe(0);
    expect(core.streams.presented).toBe(0);
    expect(timers.armed).toBe(0);
  });

  it('STREAM_REPORT says the audio delay the worker was given (0xFFFFFFFF without audio); late frames are dropped only while sound plays', async () => {
    const { frame, finish, h, core, clock } = setup();
    const reports: StreamReport[] = [];
    core.streams.onReport = (r) => reports.push(r);
    h(MsgDisplay.STREAM_ACTIVATE_REPORT, new SpiceWriter(16).u32(1).u32(5).u32(2).u32(10_000).finish());
    frame(10_000, key(1));
    finish(1);
    await flush();
    clock.advance(100);
    frame(9_900, delta(2)); // 200 ms late on arrival; no sound: shown anyway
    finish(2);
    await flush();
    expect(reports[0]).toMatchObject({ numFrames: 2, numDrops: 0, audioDelay: 0xffffffff });
    expect(core.streams.presented).toBe(2);
    core.streams.audioDelay = () => 142.4;
    frame(9_950, delta(3)); // 150 ms late while sound plays: dropped
    finish(3);
    await flush();
    frame(10_150, delta(4));
    finish(4);
    await flush();
    expect(reports[1]).toMatchObject({ numFrames: 2, numDrops: 1, audioDelay: 142 });
    expect(core.streams.dropped).toBe(1);
    expect(core.streams.scheduler!.stats).toMatchObject({ late: 1, lateShown: 1 });
  });
});
