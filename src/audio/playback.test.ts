import { describe, expect, it } from 'vitest';
import { FakeClock, type MmSync } from '../common/clock';
import type { SpiceError } from '../common/errors';
import { SpiceReader } from '../protocol/reader';
import { parsePlaybackStart, parsePlaybackVolume, s16ToPlanar } from '../protocol/playback';
import { le, linked } from '../../scripts/lib/scripted-server';
import { PlaybackChannel } from './playback-channel';
import { Player, type AudioFormat, type AudioSink, type OpusDecoderFactory, type PlayedPoint } from './player';

const DATA = 101, MODE = 102, START = 103, STOP = 104, VOLUME = 105, MUTE = 106, LATENCY = 107;
const RAW = 1, CELT = 2, OPUS = 3;
const start = (ch: number, rate: number, time = 0, fmt = 1): number[] => [...le(ch, 4), ...le(fmt, 2), ...le(rate, 4), ...le(time, 4)];
const s16 = (...v: number[]): number[] => v.flatMap((x) => le(x & 0xffff, 2));

class RecordingSink implements AudioSink {
  log: string[] = [];
  frames: Float32Array[][] = [];
  gain = 1;
  target = 0;
  delay = 0;
  times: Array<number | null | undefined> = [];
  clocked = false;
  onplayed: ((p: PlayedPoint | null) => void) | null = null;
  start(f: AudioFormat): void {
    this.log.push(`start ${f.rate}/${f.channels}`);
  }
  write(planes: Float32Array[], mmTime?: number | null): void {
    this.frames.push(planes);
    this.times.push(mmTime);
  }
  setGain(g: number): void {
    this.gain = g;
  }
  setTarget(ms: number): void {
    this.target = ms;
  }
  stop(): void {
    this.log.push('stop');
  }
  delayMs(): number {
    return this.delay;
  }
  close(): void {
    this.log.push('close');
  }
}

/** a decoder that "decodes" packet [n, …] into 480 frames of value n/100, or fails on 0xff */
function fakeOpus(made: string[]): OpusDecoderFactory {
  return (f, onFrames, onError) => {
    made.push(`opus ${f.rate}/${f.channels}`);
    return {
      decode(p, time) {
        if (p[0] === 0xff) onError('corrupt');
        else onFrames(Array.from({ length: f.channels }, () => new Float32Array(480).fill(p[0]! / 100)), time);
      },
      close() {
        made.push('close');
      },
    };
  };
}

async function setup(opus = true, clocked = false) {
  const made: string[] = [];
  const clock = new FakeClock();
  const s = await linked((o) => new PlaybackChannel({ ...o, opus }), 0b1110);
  const sink = new RecordingSink();
  sink.clocked = clocked;
  const player = new Player(s.ch, sink, opus ? fakeOpus(made) : null, clock);
  const errors: SpiceError[] = [], syncs: MmSync[] = [];
  player.ev.on('error', (e) => errors.push(e));
  player.ev.on('mmSync', (m) => syncs.push(m));
  let closed: { error?: SpiceError } | undefined;
  s.ch.ev.on('closed', (c) => (closed = c));
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { ...s, sink, player, made, errors, syncs, clock, flush, closed: () => closed };
}

describe('playback protocol', () => {
  it('parses START and refuses formats and rates that are not audio', () => {
    expect(parsePlaybackStart(SpiceReader.of(new Uint8Array(start(2, 48000, 77))))).toEqual({ channels: 2, format: 1, frequency: 48000, time: 77 });
    expect(() => parsePlaybackStart(SpiceReader.of(new Uint8Array(start(0, 48000))))).toThrow(/0 channels/);
    expect(() => parsePlaybackStart(SpiceReader.of(new Uint8Array(start(2, 48000, 0, 2))))).toThrow(/format 2/);
    expect(() => parsePlaybackStart(SpiceReader.of(new Uint8Array(start(2, 1))))).toThrow(/1 Hz/);
    expect(() => parsePlaybackStart(SpiceReader.of(new Uint8Array(start(2, 48000).slice(0, 9))))).toThrow();
  });

  it('VOLUME never reads past its message', () => {
    expect(parsePlaybackVolume(SpiceReader.of(new Uint8Array([2, ...le(65535, 2), ...le(0x8000, 2)])))).toEqual([65535, 0x8000]);
    expect(() => parsePlaybackVolume(SpiceReader.of(new Uint8Array([3, 0, 0, 0, 0])))).toThrow();
  });

  it('converts interleaved S16LE to planar floats and ignores a partial trailing frame', () => {
    const p = s16ToPlanar(new Uint8Array([...s16(16384, -32768, -16384, 32767), 1, 2, 3]), 2);
    expect(Array.from(p[0]!)).toEqual([0.5, -0.5]);
    expect(Array.from(p[1]!)).toEqual([-1, 32767 / 32768]);
  });
});

describe('PlaybackChannel + Player', () => {
  it('links as channel type 5 advertising VOLUME, LATENCY and OPUS (never CELT); without a decoder no OPUS', async () => {
    const withOpus = await setup(true);
    // SpiceLinkMess: channel caps word after the common caps word (caps at offset 16+18+4)
    const capsWord = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(16 + 18 + 4, true);
    expect(withOpus.t.sent[0]![20]).toBe(5);
    expect(capsWord(withOpus.t.sent[0]!)).toBe((1 << 1) | (1 << 2) | (1 << 3));
    const raw = await setup(false);
    expect(capsWord(raw.t.sent[0]!)).toBe((1 << 1) | (1 << 2));
  });

  it('plays raw S16: START opens the sink at the stream rate, DATA arrives as planar floats, STOP stops', async () => {
    const p = await setup(false);
    p.recv(MODE, [...le(0, 4), ...le(RAW, 2)]);
    p.recv(START, start(2, 44100, 1000));
    p.recv(DATA, [...le(1000, 4), ...s16(16384, -16384, 8192, -8192)]);
    p.recv(STOP);
    await p.flush();
    expect(p.sink.log).toEqual(['start 44100/2', 'stop']);
    expect(p.sink.frames.map((f) => f.map((c) => Array.from(c)))).toEqual([[[0.5, 0.25], [-0.5, -0.25]]]);
    expect(p.player.state).toMatchObject({ playing: false, mode: 'raw', rate: 44100, channels: 2, packets: 1 });
  });

  it('plays Opus through the decoder; a packet that does not decode is a mediaError and the next one plays', async () => {
    const p = await setup(true);
    p.recv(MODE, [...le(0, 4), ...le(OPUS, 2)]);
    p.recv(START, start(2, 48000));
    p.recv(DATA, [...le(10, 4), 50]);
    p.recv(DATA, [...le(20, 4), 0xff]);
    p.recv(DATA, [...le(30, 4), 25]);
    await p.flush();
    expect(p.sink.frames.map((f) => f[0]![0])).toEqual([0.5, 0.25]);
    expect(p.errors).toEqual([expect.objectContaining({ type: 'mediaError', details: 'audioDecodeError', fatal: false, channel: { channelType: 5, channelId: 0 } })]);
    expect(p.made).toEqual(['opus 48000/2', 'close', 'opus 48000/2']);
    expect(p.player.state.decodeErrors).toBe(1);
    expect(p.closed()).toBeUndefined();
  });

  it('volume and mute become one gain; LATENCY sets the cushion (never below the default)', async () => {
    const p = await setup(false);
    p.recv(START, start(2, 48000));
    p.recv(VOLUME, [2, ...le(32768, 2), ...le(32768, 2)]);
    await p.flush();
    expect(p.sink.gain).toBeCloseTo(0.5, 4);
    p.recv(MUTE, [1]);
    await p.flush();
    expect(p.sink.gain).toBe(0);
    p.recv(MUTE, [0]);
    p.recv(LATENCY, le(250, 4));
    await p.flush();
    expect(p.sink.gain).toBeCloseTo(0.5, 4);
    expect(p.sink.target).toBe(250);
    p.recv(LATENCY, le(10, 4));
    await p.flush();
    expect(p.sink.target).toBe(100);
  });

  it('every 100 packets gives the mm-time of the sample heard now: last packet time − queued delay (§9.3)', async () => {
    const p = await setup(false);
    p.recv(START, start(2, 48000));
    p.sink.delay = 120;
    for (let i = 0; i < 100; i++) p.recv(DATA, [...le(5000 + 10 * i, 4), ...s16(0, 0)]);
    await p.flush();
    expect(p.syncs).toEqual([{ mmTime: 5990 - 120, at: p.clock.now(), audioDelayMs: 120 }]);
  });

  it('a clocked sink (the worklet): each packet reaches it with its stamp, and the clock is what it plays', async () => {
    const p = await setup(true, true);
    p.recv(MODE, [...le(0, 4), ...le(OPUS, 2)]);
    p.recv(START, start(2, 48000));
    p.sink.delay = 80;
    for (let i = 0; i < 150; i++) p.recv(DATA, [...le(0xffff_fff0 + 10 * i, 4), 7]);
    await p.flush();
    // the Opus frames keep their packet's stamp, through the u32 wrap
    expect(p.sink.times.slice(0, 3)).toEqual([0xffff_fff0, 0xffff_fffa, 4]);
    // no estimate from packet counts: only what the sink says it played moves the clock
    expect(p.syncs).toEqual([]);
    expect(p.player.heardMmTime()).toBeNull();
    p.sink.onplayed!({ mmTime: 20, at: p.clock.now() - 5 });
    expect(p.syncs).toEqual([{ mmTime: 20, at: p.clock.now() - 5, audioDelayMs: 80 }]);
    p.clock.advance(30);
    expect(p.player.heardMmTime()).toBe(55);
    // the output fell silent (underrun): no sync, and no guess of what is heard
    p.sink.onplayed!(null);
    expect(p.syncs).toHaveLength(1);
    expect(p.player.heardMmTime()).toBeNull();
    // STOP: a late report of the worklet does not move the clock
    p.recv(STOP, []);
    await p.flush();
    p.sink.onplayed!({ mmTime: 40, at: p.clock.now() });
    expect(p.syncs).toHaveLength(1);
  });

  it('raw PCM reaches a clocked sink with its stamps too', async () => {
    const p = await setup(false, true);
    p.recv(START, start(1, 48000));
    p.recv(DATA, [...le(123, 4), ...s16(1, 2)]);
    p.recv(DATA, [...le(133, 4), ...s16(3, 4)]);
    await p.flush();
    expect(p.sink.times).toEqual([123, 133]);
  });

  it('DATA before START is skipped; CELT closes only this channel with a typed error', async () => {
    const p = await setup(true);
    p.recv(DATA, [...le(1, 4), 1, 2, 3, 4]);
    await p.flush();
    expect(p.sink.frames).toEqual([]);
    p.recv(MODE, [...le(0, 4), ...le(CELT, 2)]);
    await p.flush();
    expect(p.closed()?.error).toMatchObject({ type: 'protocolError', details: 'unsupportedFeature', fatal: false, channel: { channelType: 5, channelId: 0 } });
    expect(p.sink.log).toContain('close');
  });

  it('a truncated START is a truncatedMessage error on the playback channel only', async () => {
    const p = await setup(false);
    p.recv(START, start(2, 48000).slice(0, 7));
    await p.flush();
    expect(p.closed()?.error).toMatchObject({ type: 'protocolError', details: 'truncatedMessage', fatal: false });
  });
});
