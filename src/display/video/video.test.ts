// The video stream seam in Node: key-frame detection on real bitstream headers, StreamVideo's
// wait-for-key and error recovery with a fake decoder, a VP8 stream drawn into the surface in
// server order with other draw ops and clipped, and the caps/preferred-codec messages.
import { describe, expect, it } from 'vitest';
import type { DecodedImage } from '../../codecs/types';
import { FakeTransport, clientFrames, linkChannel, miniMessage } from '../../../scripts/lib/scripted-server';
import { black, drawCopy, bitmap32, putClip, putRect, px, rect, surfaceCreate } from '../../../scripts/lib/display-msgs';
import { jpegJs } from '../../../scripts/lib/display-replay';
import { DisplayCap, MsgDisplay, MsgcDisplay, VideoCodecType } from '../../protocol/enums';
import { SpiceReader } from '../../protocol/reader';
import { SpiceWriter } from '../../protocol/writer';
import { DisplayCore } from '../core';
import { DisplayChannel } from '../display-channel';
import { BufferSink } from '../sink';
import { StreamVideo, type FrameDecoder, type VideoDecoders } from './decoder';
import { isKeyFrame } from './keyframe';
import { isPicture, type StreamFrame } from './picture';

const { VP8, VP9, H264, MJPEG } = VideoCodecType;

describe('isKeyFrame', () => {
  it('VP8: frame tag bit 0 (0 = key frame), short input is no key frame', () => {
    expect(isKeyFrame(VP8, new Uint8Array([0x50, 0x2f, 0x01, 0x9d, 0x01, 0x2a]))).toBe(true); // key: start code 9d 01 2a follows
    expect(isKeyFrame(VP8, new Uint8Array([0x31, 0x05, 0x00]))).toBe(false);
    expect(isKeyFrame(VP8, new Uint8Array([0x50]))).toBe(false);
  });

  it('VP9: frame_marker, profile, show_existing_frame, frame_type', () => {
    expect(isKeyFrame(VP9, new Uint8Array([0b10000010, 0x49, 0x83, 0x42]))).toBe(true); // profile 0, shown key frame
    expect(isKeyFrame(VP9, new Uint8Array([0b10000110, 0x00]))).toBe(false); // frame_type 1: inter
    expect(isKeyFrame(VP9, new Uint8Array([0b10001000]))).toBe(false); // show_existing_frame
    expect(isKeyFrame(VP9, new Uint8Array([0b10110000, 0x00]))).toBe(true); // profile 3: reserved bit, then key
    expect(isKeyFrame(VP9, new Uint8Array([0b00000000]))).toBe(false); // no frame marker
    expect(isKeyFrame(VP9, new Uint8Array([]))).toBe(false);
  });

  it('H.264: an IDR slice NAL (type 5) after SPS/PPS is key; a non-IDR slice is not; never past the end', () => {
    const sps = [0, 0, 0, 1, 0x67, 0x42], pps = [0, 0, 0, 1, 0x68, 0xce], idr = [0, 0, 1, 0x65, 0x88], p = [0, 0, 0, 1, 0x41, 0x9a];
    expect(isKeyFrame(H264, new Uint8Array([...sps, ...pps, ...idr]))).toBe(true);
    expect(isKeyFrame(H264, new Uint8Array(p))).toBe(false);
    expect(isKeyFrame(H264, new Uint8Array([0, 0, 1]))).toBe(false);
    expect(isKeyFrame(MJPEG, new Uint8Array([0xff, 0xd8]))).toBe(true);
  });
});

/** "decodes" a 2×1 frame whose both pixels are the byte after the VP8 tag; fails on 0xEE */
function fakeDecoders(log: string[]): VideoDecoders {
  return {
    supported: [VP8],
    create: (codec, w, h): FrameDecoder => {
      log.push(`create ${codec} ${w}x${h}`);
      return {
        async decode(d, key) {
          log.push(`decode ${key ? 'key' : 'delta'} ${d[1]}`);
          if (d[1] === 0xee) throw new Error('corrupt');
          const img: DecodedImage = { width: 2, height: 1, pixels: new Uint32Array([px(d[1]!, 0, 0), px(d[1]!, 0, 0)]), hasAlpha: false };
          return img;
        },
        close: () => log.push('close'),
      };
    },
  };
}
const key = (v: number) => new Uint8Array([0x50, v, 0x01, 0x9d, 0x01, 0x2a]);
/** the first pixel of a frame the fake decoders made (they always give the pixels themselves) */
const first = (f: StreamFrame | null) => (f && !isPicture(f) && typeof f.pixels !== 'function' ? f.pixels[0] : undefined);
const delta = (v: number) => new Uint8Array([0x51, v, 0x00]);

describe('StreamVideo', () => {
  it('drops delta frames before the first key frame, and after a decoder error until the next key frame', async () => {
    const log: string[] = [];
    const v = new StreamVideo(fakeDecoders(log), VP8, 2, 1);
    expect(await v.frame(delta(1), 0)).toBeNull();
    expect(first(await v.frame(key(2), 0))).toBe(px(2, 0, 0));
    expect(await v.frame(delta(0xee), 0)).toBeNull(); // decoder error
    expect(await v.frame(delta(4), 0)).toBeNull(); // waits for a key frame
    expect(first(await v.frame(key(5), 0))).toBe(px(5, 0, 0)); // recovered on a new decoder
    expect(first(await v.frame(delta(6), 0))).toBe(px(6, 0, 0));
    expect(v.stats).toEqual({ decoded: 3, skipped: 2, errors: 1 });
    expect(log).toEqual(['create 2 2x1', 'decode key 2', 'decode delta 238', 'close', 'create 2 2x1', 'decode key 5', 'decode delta 6']);
  });
});

describe('VP8 stream in the display core', () => {
  it('frames are put into dest within the clip, in order with the draws around them; unknown codecs are refused', async () => {
    const sink = new BufferSink();
    const core = new DisplayCore({ sink, jpeg: jpegJs, video: fakeDecoders([]) });
    const h = (type: number, body: Uint8Array) => core.handle(type, SpiceReader.of(body));
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 2));
    // stream 1: VP8, top-down, 2×1 frames scaled into dest (2,0)-(6,1), clipped to x < 5
    const create = new SpiceWriter(256).u32(0).u32(1).u8(1).u8(VP8).u64(0n).u32(2).u32(1).u32(2).u32(1);
    putRect(create, rect(2, 0, 6, 1));
    putClip(create, [rect(0, 0, 5, 2)]);
    h(MsgDisplay.STREAM_CREATE, create.finish());
    const data = (v: Uint8Array) => new SpiceWriter(256).u32(1).u32(0).u32(v.length).bytes(v).finish();
    await h(MsgDisplay.STREAM_DATA, data(key(100)));
    const row0 = () => Array.from(core.primary!.pixels.subarray(0, 8));
    expect(row0()).toEqual([black, black, px(100, 0, 0), px(100, 0, 0), px(100, 0, 0), black, black, black]);
    // a draw over part of the stream, then the next frame: the frame lands on top (server order)
    const p1 = h(MsgDisplay.DRAW_COPY, drawCopy(0, rect(3, 0, 4, 1), bitmap32(0n, 0, 1, 1, [px(0, 0, 255)])));
    expect(core.primary!.pixels[3]).toBe(px(0, 0, 255));
    await p1;
    await h(MsgDisplay.STREAM_DATA, data(delta(50)));
    expect(row0()).toEqual([black, black, px(50, 0, 0), px(50, 0, 0), px(50, 0, 0), black, black, black]);
    // a frame that does not decode leaves the surface as it was and is counted as dropped
    await h(MsgDisplay.STREAM_DATA, data(delta(0xee)));
    expect(row0()[2]).toBe(px(50, 0, 0));
    expect({ presented: core.streams.presented, dropped: core.streams.dropped, created: [...core.streams.created] }).toEqual({ presented: 2, dropped: 1, created: [[VP8, 1]] });
    // H.264 was not advertised by these decoders: a STREAM_CREATE with it is an error
    const h264 = new SpiceWriter(256).u32(0).u32(2).u8(1).u8(H264).u64(0n).u32(2).u32(1).u32(2).u32(1);
    putRect(h264, rect(0, 0, 2, 1));
    putClip(h264, null);
    expect(() => h(MsgDisplay.STREAM_CREATE, h264.finish())).toThrow(/codec 3/);
  });
});

describe('DisplayChannel video caps', () => {
  async function link(video: VideoDecoders | null, serverCaps: number, preferred?: number[]) {
    const t = new FakeTransport();
    const ch = new DisplayChannel({ transport: t, connectionId: 1, password: '', encrypt: async () => new Uint8Array(128), sink: new BufferSink(), jpeg: jpegJs, video, preferredVideoCodecs: preferred });
    const n = await linkChannel(ch, t, serverCaps);
    const m = t.sent[0]!.subarray(16);
    const u32 = (o: number) => new DataView(m.buffer, m.byteOffset).getUint32(o, true);
    const word = u32(u32(14) + 4 * u32(6));
    const beforeMark = clientFrames(t.sent.slice(n)).map((f) => f.type);
    // the preference goes out after the first MARK (see sendPreferredCodecs), once
    t.onmessage!(miniMessage(MsgDisplay.SURFACE_CREATE, Array.from(surfaceCreate(0, 8, 2))));
    t.onmessage!(miniMessage(MsgDisplay.MARK));
    t.onmessage!(miniMessage(MsgDisplay.MARK));
    await new Promise((r) => setTimeout(r, 0));
    return { word, beforeMark, frames: clientFrames(t.sent.slice(n)) };
  }

  it('advertises only the codecs the decoders support and sends our order with M-JPEG last, after the first MARK', async () => {
    const { word, beforeMark, frames } = await link({ supported: [VP9, VP8], create: () => { throw new Error('unused'); } }, 1 << DisplayCap.PREF_VIDEO_CODEC_TYPE);
    expect(word & (1 << DisplayCap.CODEC_VP8)).not.toBe(0);
    expect(word & (1 << DisplayCap.CODEC_VP9)).not.toBe(0);
    expect(word & (1 << DisplayCap.CODEC_H264)).toBe(0);
    expect(word & (1 << DisplayCap.CODEC_MJPEG)).not.toBe(0);
    expect(word & (1 << DisplayCap.PREF_VIDEO_CODEC_TYPE)).not.toBe(0);
    expect(beforeMark).toEqual([MsgcDisplay.INIT]);
    const pref = frames.filter((f) => f.type === MsgcDisplay.PREFERRED_VIDEO_CODEC_TYPE);
    expect(pref.map((f) => Array.from(f.body))).toEqual([[3, VP9, VP8, MJPEG]]);
  });

  it('follows a given preference order; without decoders: M-JPEG only and no preference message', async () => {
    const a = await link({ supported: [VP9, VP8, H264], create: () => { throw new Error('unused'); } }, 1 << DisplayCap.PREF_VIDEO_CODEC_TYPE, [H264, VP8]);
    expect(Array.from(a.frames.find((f) => f.type === MsgcDisplay.PREFERRED_VIDEO_CODEC_TYPE)!.body)).toEqual([3, H264, VP8, MJPEG]);
    const b = await link(null, 1 << DisplayCap.PREF_VIDEO_CODEC_TYPE);
    expect(b.word & ((1 << DisplayCap.CODEC_VP8) | (1 << DisplayCap.CODEC_VP9) | (1 << DisplayCap.CODEC_H264) | (1 << DisplayCap.PREF_VIDEO_CODEC_TYPE))).toBe(0);
    expect(b.frames.map((f) => f.type)).toEqual([MsgcDisplay.INIT]);
  });
});

describe('STREAM_REPORT', () => {
  it('after ACTIVATE_REPORT, a report per window of max_window_size frames, with drops and the last margin; sent on the channel', async () => {
    const { FakeClock, MmTime } = await import('../../common/clock');
    const clock = new FakeClock();
    const mm = new MmTime(clock);
    mm.sync(10_000);
    const t = new FakeTransport();
    const ch = new DisplayChannel({ transport: t, connectionId: 1, password: '', encrypt: async () => new Uint8Array(128), sink: new BufferSink(), jpeg: jpegJs, video: fakeDecoders([]), mmTime: mm });
    const n = await linkChannel(ch, t, 0);
    const h = (type: number, body: Uint8Array) => ch.core.handle(type, SpiceReader.of(body));
    h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 8, 2));
    const create = new SpiceWriter(256).u32(0).u32(4).u8(1).u8(VP8).u64(0n).u32(2).u32(1).u32(2).u32(1);
    putRect(create, rect(0, 0, 2, 1));
    putClip(create, null);
    h(MsgDisplay.STREAM_CREATE, create.finish());
    // stream 4, unique id 77, window of 3 frames, timeout 1 s
    h(MsgDisplay.STREAM_ACTIVATE_REPORT, new SpiceWriter(16).u32(4).u32(77).u32(3).u32(1000).finish());
    const frame = (mmTime: number, v: Uint8Array) => h(MsgDisplay.STREAM_DATA, new SpiceWriter(256).u32(4).u32(mmTime).u32(v.length).bytes(v).finish());
    await frame(10_050, delta(1)); // no key frame yet: dropped
    clock.advance(30);
    await frame(10_080, key(2));
    clock.advance(30);
    await frame(10_040, delta(3)); // arrives 20 ms late (mm now 10060)
    const reports = () => clientFrames(t.sent.slice(n)).filter((f) => f.type === MsgcDisplay.STREAM_REPORT).map((f) => {
      const dv = new DataView(f.body.buffer, f.body.byteOffset, f.body.length);
      return [0, 4, 8, 12, 16, 20].map((o) => dv.getUint32(o, true)).concat([dv.getInt32(24, true), dv.getUint32(28, true)]);
    });
    // stream, unique, start mm, end mm, frames, drops, last delay, audio delay (none)
    expect(reports()).toEqual([[4, 77, 10_050, 10_040, 3, 1, -20, 0xffffffff]]);
    // the next window closes on the timeout, not the count
    await frame(10_100, delta(4));
    clock.advance(1000);
    await frame(11_100, delta(5));
    expect(reports()[1]).toEqual([4, 77, 10_100, 11_100, 2, 0, 11_100 - 11_060, 0xffffffff]);
    expect(ch.core.streams.reports).toBe(2);
  });
});
