/**
 * The player: what happens to a PlaybackChannel's events. Raw S16 is converted here, Opus goes
 * to an OpusDecoder (WebCodecs AudioDecoder, or opus-decoder where that is missing), the float
 * frames go to an AudioSink; volume and mute become one gain; LATENCY sets the sink's cushion.
 *
 * The seams (AudioSink, OpusDecoderFactory, Clock) keep this free of the DOM: Node tests give
 * it a recording sink, a fake decoder and a FakeClock; the browser gives it web/worklet-sink.ts.
 */
import type { Clock, MmSync } from '../common/clock';
import { ErrorDetails, ErrorTypes, type SpiceError } from '../common/errors';
import { Emitter } from '../common/emitter';
import { ChannelType } from '../protocol/enums';
import { AudioDataMode, s16ToPlanar } from '../protocol/playback';
import type { PlaybackChannel } from './playback-channel';

export interface AudioFormat {
  rate: number;
  channels: number;
}

/** the sample stamped `mmTime` (u32 ms) is heard at local time `at` (epoch ms) */
export interface PlayedPoint {
  mmTime: number;
  at: number;
}

/** where decoded sound goes (a worklet ring in the browser, a recorder in tests) */
export interface AudioSink {
  start(f: AudioFormat): void;
  /**
   * frames, one Float32Array per channel (the arrays may be transferred); `mmTime` is the u32
   * mm_time of the first frame (the packet's stamp), null when the decoder lost it
   */
  write(planes: Float32Array[], mmTime?: number | null): void;
  /**
   * true when the sink reports the position it really plays through `onplayed` (the browser's
   * sink: worklet and fallback alike); false: the player estimates it from the packet stamps and
   * delayMs() (sinks that cannot tell)
   */
  readonly clocked?: boolean;
  /** set by the player: a played position every ~50 ms, null when the output fell silent */
  onplayed?: ((p: PlayedPoint | null) => void) | null;
  /** linear gain, 0 … 1 (volume × mute) */
  setGain(gain: number): void;
  /** cushion to keep, ms */
  setTarget(ms: number): void;
  stop(): void;
  /** ms of sound queued but not yet heard (ring + output latency); 0 when unknown */
  delayMs(): number;
  close(): void;
}

export interface OpusDecoder {
  /** decode one packet; output arrives in order through the factory's onFrames */
  decode(packet: Uint8Array, time: number): void;
  close(): void;
}

/** `onFrames` gets the decoded frames and the mm_time of the packet they came from (null: unknown) */
export type OpusDecoderFactory = (f: AudioFormat, onFrames: (planes: Float32Array[], time: number | null) => void, onError: (message: string) => void) => OpusDecoder;

/** default cushion before the server says (LATENCY): 100 ms absorbs loopback and LAN jitter */
export const DEFAULT_TARGET_MS = 100;
/** without a clocked sink, the mm-time estimate is refreshed every this many packets (spice-gtk: 100, §9.3) */
const SYNC_EVERY = 100;

export type PlayerEvents = {
  state: PlayerState;
  error: SpiceError;
  /** the multimedia clock as the audio being heard says it (§9.3): for lip-sync */
  mmSync: MmSync;
};

export interface PlayerState {
  playing: boolean;
  mode: 'raw' | 'opus' | null;
  rate: number;
  channels: number;
  /** 0 … 1 per channel as the server set it */
  volume: number[];
  muted: boolean;
  targetMs: number;
  packets: number;
  decodeErrors: number;
}

export class Player {
  readonly ev = new Emitter<PlayerEvents>();
  private decoder: OpusDecoder | null = null;
  private st: PlayerState = { playing: false, mode: null, rate: 0, channels: 0, volume: [], muted: false, targetMs: DEFAULT_TARGET_MS, packets: 0, decodeErrors: 0 };
  private lastTime = 0;
  /** the last position the sink played (clocked sinks), null while silent */
  private played: PlayedPoint | null = null;

  constructor(
    readonly channel: PlaybackChannel,
    private readonly sink: AudioSink,
    private readonly opus: OpusDecoderFactory | null,
    private readonly clock: Clock,
  ) {
    const ch = channel.ev;
    ch.on('start', (s) => this.start({ rate: s.frequency, channels: s.channels }, s.mode));
    ch.on('data', (d) => this.data(d.time, d.data));
    ch.on('stop', () => this.stop());
    ch.on('volume', (v) => {
      this.st.volume = v.map((x) => x / 65535);
      this.applyGain();
    });
    ch.on('mute', (m) => {
      this.st.muted = m;
      this.applyGain();
    });
    ch.on('latency', (ms) => {
      this.st.targetMs = Math.max(DEFAULT_TARGET_MS, ms);
      this.sink.setTarget(this.st.targetMs);
      this.changed();
    });
    channel.ev.on('closed', () => this.close());
    sink.onplayed = (p) => this.onPlayed(p);
  }

  /**
   * The sink played the sample stamped p.mmTime at p.at: the multimedia clock as heard (§9.3),
   * from the samples really output. Silence (null) stops it: the clock is not moved then, and
   * the display keeps pacing on its last sync until sound plays again.
   */
  private onPlayed(p: PlayedPoint | null): void {
    this.played = p;
    if (!p || !this.st.playing) return;
    this.ev.emit('mmSync', { mmTime: p.mmTime >>> 0, at: p.at, audioDelayMs: this.sink.delayMs() });
  }

  get state(): Readonly<PlayerState> {
    return this.st;
  }

  /** the gain the sink applies: the mean channel volume (one gain for all: the ring mixes nothing), 0 when muted */
  get gain(): number {
    if (this.st.muted) return 0;
    const v = this.st.volume;
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 1;
  }

  private start(f: AudioFormat, mode: number): void {
    this.closeDecoder();
    this.st = { ...this.st, playing: true, mode: mode === AudioDataMode.OPUS ? 'opus' : 'raw', rate: f.rate, channels: f.channels };
    this.sink.start(f);
    this.sink.setTarget(this.st.targetMs);
    this.sink.setGain(this.gain);
    if (mode === AudioDataMode.OPUS) this.openDecoder(f);
    this.changed();
  }

  private openDecoder(f: AudioFormat): void {
    if (!this.opus) return;
    this.decoder = this.opus(f, (planes, time) => this.sink.write(planes, time === null ? null : time >>> 0), (message) => {
      // a bad packet: count and report it, then start a fresh decoder for the next packet
      // (Opus packets decode independently; the sound resumes at once)
      this.st.decodeErrors++;
      this.ev.emit('error', {
        type: ErrorTypes.MEDIA_ERROR,
        details: ErrorDetails.AUDIO_DECODE_ERROR,
        fatal: false,
        message: `playback:${this.channel.channelId}: Opus packet does not decode: ${message}`,
        channel: { channelType: ChannelType.PLAYBACK, channelId: this.channel.channelId },
      });
      this.closeDecoder();
      if (this.st.playing) this.openDecoder(f);
    });
  }

  private data(time: number, data: Uint8Array): void {
    this.st.packets++;
    this.lastTime = time;
    if (this.st.mode === 'opus') this.decoder?.decode(data, time);
    else this.sink.write(s16ToPlanar(data, this.st.channels), time);
    if (!this.sink.clocked && this.st.packets % SYNC_EVERY === 0) {
      // the mm_time of the sample heard now = last packet's time − what is queued (§9.3)
      const delay = this.sink.delayMs();
      this.ev.emit('mmSync', { mmTime: (this.lastTime - Math.round(delay)) >>> 0, at: this.clock.now(), audioDelayMs: delay });
    }
  }

  /**
   * The mm_time of the sample being heard now. A clocked sink: the last played position moved on
   * by the time since (null while the output is silent). Otherwise the estimate: last packet's
   * time minus what is queued. Null while nothing plays. Diagnostics compare the video clock
   * with it (the A/V offset).
   */
  heardMmTime(): number | null {
    if (!this.st.playing || !this.st.packets) return null;
    if (this.sink.clocked) return this.played ? (this.played.mmTime + Math.round(this.clock.now() - this.played.at)) >>> 0 : null;
    return (this.lastTime - Math.round(this.sink.delayMs())) >>> 0;
  }

  private stop(): void {
    this.closeDecoder();
    this.st = { ...this.st, playing: false };
    this.played = null;
    this.sink.stop();
    this.changed();
  }

  private applyGain(): void {
    this.sink.setGain(this.gain);
    this.changed();
  }

  private changed(): void {
    this.ev.emit('state', { ...this.st, volume: [...this.st.volume] });
  }

  private closeDecoder(): void {
    const d = this.decoder;
    this.decoder = null;
    d?.close();
  }

  close(): void {
    this.closeDecoder();
    this.st = { ...this.st, playing: false };
    this.sink.close();
  }
}
