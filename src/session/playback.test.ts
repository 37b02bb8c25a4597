import { describe, expect, it } from 'vitest';
import { FakeClock, MmTime, type MmSync } from '../common/clock';
import type { SpiceError } from '../common/errors';
import { FakeTransport, le, linkChannel, miniMessage } from '../../scripts/lib/scripted-server';
import type { AudioFormat, AudioSink } from '../audio/player';
import { PlaybackFeature } from './playback';
import type { SessionContext } from './types';

class Sink implements AudioSink {
  started: AudioFormat[] = [];
  written = 0;
  start(f: AudioFormat): void {
    this.started.push(f);
  }
  write(p: Float32Array[]): void {
    this.written += p[0]!.length;
  }
  setGain(): void {}
  setTarget(): void {}
  stop(): void {}
  delayMs(): number {
    return 80;
  }
  close(): void {}
}

describe('PlaybackFeature', () => {
  it('opens playback channel 0 when listed, plays through the sink and feeds the session clock from the audio heard', async () => {
    const clock = new FakeClock();
    const transports: FakeTransport[] = [];
    const syncs: MmSync[] = [], errors: SpiceError[] = [];
    const ctx: SessionContext = {
      main: null as never,
      connectionId: 9,
      password: '',
      mm: new MmTime(clock),
      channelBase: () => {
        const t = new FakeTransport();
        transports.push(t);
        return { transport: t, connectionId: 9, password: '', encrypt: async () => new Uint8Array(128) };
      },
      track: () => undefined,
      channelState: () => undefined,
      report: (e) => errors.push(e),
      syncMm: (s) => syncs.push(s),
      target: null,
      transportTo: () => new FakeTransport(),
      migratables: () => [],
      switchHost: () => undefined,
    };
    const sink = new Sink();
    const f = new PlaybackFeature({ sink: () => sink, opus: null, clock });
    f.start(ctx);
    f.channels([{ type: 2, id: 0 }, { type: 4, id: 0 }]);
    expect(transports).toHaveLength(0); // no playback channel listed: nothing opened
    f.channels([{ type: 5, id: 0 }]);
    f.channels([{ type: 5, id: 0 }]); // listed again: still one
    expect(transports).toHaveLength(1);
    const t = transports[0]!;
    f.player!.channel.start = () => undefined; // already started by the feature; linkChannel starts again
    await linkChannel(f.player!.channel, t, 0);
    const states: boolean[] = [];
    f.ev.on('state', (s) => states.push(s.playing));
    t.onmessage!(miniMessage(103, [...le(2, 4), ...le(1, 2), ...le(48000, 4), ...le(0, 4)]));
    for (let i = 0; i < 100; i++) t.onmessage!(miniMessage(101, [...le(1000 + 10 * i, 4), ...new Array<number>(480 * 4).fill(0)]));
    t.onmessage!(miniMessage(104));
    await new Promise((r) => setTimeout(r, 0));
    expect(sink.started).toEqual([{ rate: 48000, channels: 2 }]);
    expect(sink.written).toBe(48000);
    expect(syncs).toEqual([{ mmTime: 1990 - 80, at: clock.now(), audioDelayMs: 80 }]);
    expect(states).toEqual([true, false]);
    expect(errors).toEqual([]);
    f.stop();
    expect(t.closed).toBe(true);
  });
});
