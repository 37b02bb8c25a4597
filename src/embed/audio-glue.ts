/**
 * Sound for SpiceClient: one Web Audio output per session (the AudioWorklet player, or the
 * fallback where there is none), the playback feature on it, and the public AudioStatus that
 * the 'audio' event and the `audio` getter report. The playback protocol and the player are
 * src/audio and src/session/playback.ts; this joins them to the page.
 */
import { opusDecoderFactory } from '../audio/web/opus';
import { WebAudioSink } from '../audio/web/web-audio-sink';
import type { SpiceError } from '../common/errors';
import { PlaybackFeature, type Session } from '../session/index';
import type { AudioStatus } from './events';

export class AudioGlue {
  #sink: WebAudioSink | null = null;
  #playback: PlaybackFeature | null = null;
  #muted = false;
  /** the gain the stream asked for (server volume and mute), before our local mute */
  #gain = 1;
  #audio: AudioStatus = { output: 'idle', playing: false, mode: null, rate: 0, channels: 0, volume: [], muted: false, bufferedMs: 0, underruns: 0, dropped: 0 };

  constructor(
    private readonly changed: (s: AudioStatus) => void,
    private readonly error: (e: SpiceError) => void,
  ) {}

  /** add playback to a new session; events count while `live()` */
  attach(session: Session, live: () => boolean): void {
    this.close();
    const sink = new WebAudioSink();
    this.#sink = sink;
    // the local sound switch sits in front of the player's gain (server volume/mute) so
    // neither overrides the other
    const setGain = sink.setGain.bind(sink);
    sink.setGain = (g: number) => {
      this.#gain = g;
      setGain(this.#muted ? 0 : g);
    };
    if (this.#muted) setGain(0);
    const playback = (this.#playback = session.use(new PlaybackFeature({ sink: () => sink, opus: opusDecoderFactory() })));
    sink.onstate = (output, detail) => {
      if (!live()) return;
      if (output === 'failed') this.error({ type: 'mediaError', details: 'audioOutputFailed', fatal: false, message: `playback: ${detail ?? 'audio output failed'}`, channel: { channelType: 5, channelId: 0 } });
      this.update({ output });
    };
    playback.ev.on('state', (p) => live() && this.update({ playing: p.playing, mode: p.mode, rate: p.rate, channels: p.channels, volume: p.volume, muted: p.muted }));
  }

  get status(): AudioStatus {
    const st = this.#sink?.stats;
    return { ...this.#audio, bufferedMs: st && this.#audio.rate ? (st.buffered / this.#audio.rate) * 1000 : 0, underruns: st?.underruns ?? 0, dropped: st?.dropped ?? 0 };
  }

  /** the mm_time of the sound heard now (null: none plays), for the A/V offset in stats() */
  heardMmTime(): number | null {
    return this.#playback?.player?.heardMmTime() ?? null;
  }

  /** buffered + output latency: how long until a sample received now is heard (ms) */
  latencyMs(): number {
    return this.#sink?.delayMs() ?? 0;
  }

  get muted(): boolean {
    return this.#muted;
  }
  set muted(m: boolean) {
    this.#muted = m;
    this.#sink?.setGain(this.#gain);
  }

  enable(): Promise<void> {
    return this.#sink ? this.#sink.enable() : Promise.resolve();
  }

  capture(frames: number): Promise<Float32Array[]> {
    return this.#sink ? this.#sink.tap(frames) : Promise.reject(new Error('no audio output'));
  }

  close(): void {
    this.#sink?.close();
    this.#sink = null;
  }

  private update(p: Partial<AudioStatus>): void {
    this.#audio = { ...this.#audio, ...p };
    this.changed(this.status);
  }
}
