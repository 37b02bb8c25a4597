import { describe, expect, it } from 'vitest';
import { FakeClock, MmTime } from '../common/clock';
import type { SpiceError } from '../common/errors';
import { FakeTransport, clientFrames, le, linkChannel, miniMessage } from '../../scripts/lib/scripted-server';
import { RecordFeature, type MicCapture, type MicrophoneStatus, type RecordOpusEncoderFactory } from './record';
import type { SessionContext } from './types';

const START = 101, STOP = 102, VOLUME = 103, MUTE = 104;
const DATA = 101, MODE = 102, START_MARK = 103;
const startBody = (ch: number, rate: number): number[] => [...le(ch, 4), ...le(1, 2), ...le(rate, 4)];

/** a microphone the test drives: `feed` delivers frames while open; `refuse` makes open() reject */
class FakeMic implements MicCapture {
  static opened = 0;
  static open = 0;
  onFrames: ((p: Float32Array[]) => void) | null = null;
  closed = false;
  isOpen = false;
  constructor(private readonly rate: number, private readonly refuse?: string, private readonly gate?: Promise<void>) {}
  async open(onFrames: (p: Float32Array[]) => void) {
    FakeMic.opened++;
    if (this.gate) await this.gate;
    if (this.refuse) throw Object.assign(new Error('no'), { name: this.refuse });
    // a naive capture: it opens even when close() came first; the feature must close it again
    this.onFrames = onFrames;
    this.isOpen = true;
    this.closed = false;
    FakeMic.open++;
    return { rate: this.rate, channels: 1 };
  }
  feed(planes: Float32Array[]): void {
    if (!this.closed) this.onFrames?.(planes);
  }
  close(): void {
    if (this.isOpen) FakeMic.open--;
    this.isOpen = false;
    this.closed = true;
  }
}

async function setup(o: { opus?: RecordOpusEncoderFactory | null; serverCaps?: number; consent?: () => Promise<boolean>; mic?: () => FakeMic } = {}) {
  const clock = new FakeClock();
  const mm = new MmTime(clock);
  mm.sync(5000);
  const transports: FakeTransport[] = [];
  const errors: SpiceError[] = [];
  const ctx: SessionContext = {
    main: null as never, connectionId: 9, password: '', mm, target: null,
    channelBase: () => {
      const t = new FakeTransport();
      transports.push(t);
      return { transport: t, connectionId: 9, password: '', encrypt: async () => new Uint8Array(128) };
    },
    track: () => undefined, channelState: () => undefined, report: (e) => errors.push(e), syncMm: () => undefined,
    transportTo: () => new FakeTransport(), migratables: () => [], switchHost: () => undefined,
  };
  const mics: FakeMic[] = [];
  let asked = 0;
  const f = new RecordFeature({
    capture: () => {
      const m = o.mic ? o.mic() : new FakeMic(48000);
      mics.push(m);
      return m;
    },
    opus: o.opus ?? null,
    consent: () => {
      asked++;
      return o.consent ? o.consent() : Promise.resolve(true);
    },
  });
  const states: MicrophoneStatus[] = [];
  f.ev.on('state', (s) => states.push(s));
  f.start(ctx);
  f.channels([{ type: 6, id: 0 }]);
  const t = transports[0]!;
  f.channel!.start = () => undefined;
  const linkSends = await linkChannel(f.channel!, t, o.serverCaps ?? 0);
  const flush = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  };
  return {
    f, t, clock, errors, mics, states, flush,
    asked: () => asked,
    recv: (type: number, body: number[] = []) => t.onmessage!(miniMessage(type, body)),
    frames: () => clientFrames(t.sent.splice(linkSends)).map((x) => ({ type: x.type, body: Array.from(x.body) })),
    state: () => f.status.state,
  };
}

const tone = (n: number, v = 0.5) => [new Float32Array(n).fill(v)];

describe('RecordFeature', () => {
  it('links record channel 0 only when listed; advertises OPUS only with an encoder', async () => {
    const capsWord = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(16 + 18 + 4, true);
    const raw = await setup();
    const withOpus = await setup({ opus: () => ({ encode: () => undefined, close: () => undefined }) });
    // the link message is the first thing sent: VOLUME (bit 1), + OPUS (bit 2) with an encoder
    expect(capsWord(raw.t.sent[0]!)).toBe(1 << 1);
    expect(capsWord(withOpus.t.sent[0]!)).toBe((1 << 1) | (1 << 2));
    expect(raw.t.sent[0]![20]).toBe(6);
  });

  it('waits for an async Opus probe before linking (the caps go in the link message); unlisted: no link', async () => {
    const transports: FakeTransport[] = [];
    let resolve: (f: RecordOpusEncoderFactory | null) => void = () => undefined;
    const f = new RecordFeature({ capture: () => new FakeMic(48000), opus: new Promise((r) => (resolve = r)), consent: async () => true });
    f.start({ channelBase: () => {
      const t = new FakeTransport();
      transports.push(t);
      return { transport: t, connectionId: 1, password: '', encrypt: async () => new Uint8Array(128) };
    }, track: () => undefined } as unknown as SessionContext);
    f.channels([{ type: 5, id: 0 }]);
    f.channels([{ type: 6, id: 0 }]);
    f.channels([{ type: 6, id: 0 }]);
    expect(transports).toHaveLength(0);
    resolve(() => ({ encode: () => undefined, close: () => undefined }));
    await new Promise((r) => setTimeout(r, 0));
    expect(transports).toHaveLength(1);
    expect(f.channel!.opus).toBe(true);
    f.stop();
  });

  it('raw: nothing before START; consent, then MODE, START_MARK and DATA of 480 frames stamped with mm_time; nothing after STOP', async () => {
    const r = await setup();
    expect(r.state()).toBe('idle');
    expect(r.mics).toHaveLength(0); // the microphone is not opened before the server asks
    expect(r.frames()).toEqual([]);
    r.recv(START, startBody(2, 48000));
    await r.flush();
    expect(r.asked()).toBe(1);
    expect(r.state()).toBe('recording');
    const mic = r.mics[0]!;
    mic.feed(tone(300)); // not a whole packet yet
    expect(r.frames()).toEqual([]);
    r.clock.advance(7);
    mic.feed(tone(700)); // 1000 frames: two packets of 480, 40 kept
    const sent = r.frames();
    expect(sent.map((x) => x.type)).toEqual([MODE, START_MARK, DATA, DATA]);
    expect(sent[0]!.body).toEqual([...le(5007, 4), ...le(1, 2)]); // RAW
    expect(sent[2]!.body.slice(0, 4)).toEqual(le(5007, 4));
    expect(sent[2]!.body.length).toBe(4 + 480 * 2 * 2); // S16 stereo: the mono mic on both channels
    expect(sent[2]!.body.slice(4, 8)).toEqual([...le(16384, 2), ...le(16384, 2)]);
    expect(r.f.status).toMatchObject({ state: 'recording', mode: 'raw', rate: 48000, channels: 2, packets: 2, frames: 960 });
    r.recv(STOP);
    await r.flush();
    expect(mic.closed).toBe(true); // the tracks stop with the recording
    mic.onFrames!(tone(960)); // a late delivery from the capture thread
    expect(r.frames()).toEqual([]);
    expect(r.state()).toBe('idle');
    expect(r.f.status.packets).toBe(2);
    expect(r.errors).toEqual([]);
  });

  it('resamples the capture to the rate the server asked for (48 kHz mic → 44.1 kHz stream)', async () => {
    const r = await setup();
    r.recv(START, startBody(2, 44100));
    await r.flush();
    r.mics[0]!.feed(tone(48000));
    const data = r.frames().filter((x) => x.type === DATA);
    // one second in → 44100 frames out, sent as whole 480-frame packets (the rest waits)
    expect(data).toHaveLength(Math.floor(44100 / 480));
    expect(r.f.status.frames).toBe(Math.floor(44100 / 480) * 480);
  });

  it('VOLUME and MUTE are a gain on what is sent', async () => {
    const r = await setup();
    r.recv(START, startBody(2, 48000));
    r.recv(VOLUME, [2, ...le(65535, 2), ...le(32768, 2)]);
    await r.flush();
    r.mics[0]!.feed(tone(480, 0.5));
    const d = r.frames().filter((x) => x.type === DATA)[0]!.body;
    const s16 = (o: number) => new DataView(Uint8Array.from(d).buffer).getInt16(4 + o, true);
    expect([s16(0), s16(2)]).toEqual([16384, Math.round(0.5 * (32768 / 65535) * 32767)]);
    r.recv(MUTE, [1]);
    await r.flush();
    r.mics[0]!.feed(tone(480, 0.5));
    const m = r.frames().filter((x) => x.type === DATA)[0]!.body;
    expect(m.slice(4).every((b) => b === 0)).toBe(true);
    expect(r.f.status).toMatchObject({ volume: [1, 32768 / 65535], muted: true });
  });

  it('opus: MODE says OPUS, each encoder packet is one DATA; packets the encoder emits after STOP are dropped', async () => {
    const encoded: number[] = [];
    let emit: ((d: Uint8Array) => void) | null = null;
    const opus: RecordOpusEncoderFactory = (f, onPacket) => {
      expect(f).toEqual({ rate: 48000, channels: 2 });
      emit = onPacket;
      return { encode: (p) => encoded.push(p[0]!.length), close: () => undefined };
    };
    const r = await setup({ opus, serverCaps: 1 << 2 });
    r.recv(START, startBody(2, 48000));
    await r.flush();
    r.mics[0]!.feed(tone(960));
    expect(encoded).toEqual([480, 480]);
    emit!(Uint8Array.from([0xfc, 1, 2]));
    const sent = r.frames();
    expect(sent.map((x) => x.type)).toEqual([MODE, START_MARK, DATA]);
    expect(sent[0]!.body.slice(4)).toEqual(le(3, 2)); // OPUS
    expect(sent[2]!.body.slice(4)).toEqual([0xfc, 1, 2]);
    r.recv(STOP);
    await r.flush();
    emit!(Uint8Array.from([0xfc, 9, 9])); // the encoder's queue drains after STOP
    expect(r.frames()).toEqual([]);
  });

  it('the user declines: no microphone, nothing sent; retry() opens it for the running recording', async () => {
    let answer = false;
    const r = await setup({ consent: async () => answer });
    r.recv(START, startBody(2, 48000));
    await r.flush();
    expect(r.state()).toBe('declined');
    expect(r.mics).toHaveLength(0);
    expect(r.frames()).toEqual([]);
    answer = true;
    r.f.retry();
    await r.flush();
    expect(r.state()).toBe('recording');
    r.f.decline(); // consent withdrawn mid-recording: the tracks stop
    expect(r.mics[0]!.closed).toBe(true);
    r.mics[0]!.onFrames!(tone(480));
    expect(r.frames()).toEqual([]);
    expect(r.state()).toBe('declined');
  });

  it('STOP while the user is still deciding or the browser still opening: the microphone is never left open', async () => {
    let say: (v: boolean) => void = () => undefined;
    const r = await setup({ consent: () => new Promise((res) => (say = res)) });
    r.recv(START, startBody(2, 48000));
    await r.flush();
    expect(r.state()).toBe('asking');
    r.recv(STOP);
    await r.flush();
    say(true);
    await r.flush();
    expect(r.mics).toHaveLength(0);
    expect(r.state()).toBe('idle');

    let release: () => void = () => undefined;
    const gate = new Promise<void>((res) => (release = res));
    FakeMic.open = 0;
    const s = await setup({ mic: () => new FakeMic(48000, undefined, gate) });
    s.recv(START, startBody(2, 48000));
    await s.flush();
    expect(s.state()).toBe('opening');
    s.recv(STOP);
    await s.flush();
    release();
    await s.flush();
    expect(FakeMic.open).toBe(0); // opened late, closed at once
    expect(s.mics[0]!.closed).toBe(true);
    expect(s.frames()).toEqual([]);
  });

  it('the browser refuses: state denied and a typed permissionDenied error, not swallowed', async () => {
    const r = await setup({ mic: () => new FakeMic(48000, 'NotAllowedError') });
    r.recv(START, startBody(2, 48000));
    await r.flush();
    expect(r.state()).toBe('denied');
    expect(r.errors).toEqual([expect.objectContaining({ type: 'mediaError', details: 'permissionDenied', fatal: false, channel: { channelType: 6, channelId: 0 } })]);
    expect(r.f.status.error?.details).toBe('permissionDenied');
    const n = await setup({ mic: () => new FakeMic(48000, 'NotFoundError') });
    n.recv(START, startBody(2, 48000));
    await n.flush();
    expect(n.state()).toBe('failed');
    expect(n.errors[0]!.details).toBe('microphoneFailed');
    expect(n.frames()).toEqual([]);
  });

  it('the channel ending closes the microphone', async () => {
    const r = await setup();
    r.recv(START, startBody(2, 48000));
    await r.flush();
    r.f.stop();
    expect(r.mics[0]!.closed).toBe(true);
    expect(r.t.closed).toBe(true);
    expect(r.state()).toBe('idle');
  });
});
