/**
 * The record feature: the client's microphone to the guest (spice-protocol.md §9.2). QEMU lists
 * the record channel when the VM has a sound card; the guest opening its capture device makes
 * the server send RECORD_START, closing it RECORD_STOP.
 *
 * Rules this feature keeps (issue 8, scope 5):
 *  - the microphone opens only after the user agreed (`consent()`, asked when START arrives and
 *    nobody has decided yet) and only while the server asks: START opens it, STOP and the
 *    channel's end close it (the browser's tracks stop, its indicator goes out);
 *  - nothing is sent outside START … STOP: every START begins a new generation and whatever the
 *    capture or the encoder delivers for an older one is dropped (RecordChannel refuses too);
 *  - OPUS is advertised only when the browser can encode it (the encoder factory exists), and
 *    used only when the server offers it; raw S16LE otherwise;
 *  - RECORD_VOLUME / MUTE are a gain on what we send (the guest hears its own volume setting);
 *  - a refusal (the user's or the browser's) is a state and, for the browser's, a typed error.
 * The browser gives the capture, the encoder and the consent prompt (src/audio/web, src/embed);
 * Node tests give fakes.
 */
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes, type SpiceError } from '../common/errors';
import { RecordChannel } from '../audio/record-channel';
import { Packetizer, RECORD_PACKET_FRAMES, Resampler, mapChannels, recordGains } from '../audio/record-pipeline';
import { AudioDataMode } from '../protocol/playback';
import { ChannelType } from '../protocol/enums';
import { planarToS16, type RecordStart } from '../protocol/record';
import type { ChannelId } from '../protocol/main';
import type { MicCapture, RecordOpusEncoder, RecordOpusEncoderFactory } from '../audio/mic';
import type { SessionContext, SessionFeature } from './types';

export type { MicCapture, RecordOpusEncoder, RecordOpusEncoderFactory };

export interface RecordFeatureOptions {
  capture: () => MicCapture;
  /**
   * null: no Opus encoder here (or raw forced), so OPUS is not advertised. A promise (the
   * browser's async isConfigSupported probe) holds the link until it settles: the caps go out
   * in the link message.
   */
  opus: RecordOpusEncoderFactory | null | Promise<RecordOpusEncoderFactory | null>;
  /** the user's answer to "the guest wants the microphone"; asked on START */
  consent: () => Promise<boolean>;
}

export type MicrophoneState =
  /** the server is not asking for sound */
  | 'idle'
  /** the server asks; waiting for the user's answer */
  | 'asking'
  /** the user agreed; the browser is opening the microphone (its own prompt may show) */
  | 'opening'
  /** sending */
  | 'recording'
  /** the user said no (in our prompt, or disableMicrophone()); nothing is sent */
  | 'declined'
  /** the browser refused the microphone (permission blocked) */
  | 'denied'
  /** no microphone, or capture or encoding failed */
  | 'failed';

export interface MicrophoneStatus {
  state: MicrophoneState;
  mode: 'raw' | 'opus' | null;
  /** what the server asked for (RECORD_START) */
  rate: number;
  channels: number;
  /** per channel, 0 … 1, as the server set it (RECORD_VOLUME) */
  volume: number[];
  muted: boolean;
  /** DATA messages sent on this channel, and the frames in them (this session) */
  packets: number;
  frames: number;
  /** what went wrong, for 'denied' / 'failed' */
  error?: SpiceError;
}

export type RecordFeatureEvents = { state: MicrophoneStatus };

const REF = { channelType: ChannelType.RECORD, channelId: 0 };

export class RecordFeature implements SessionFeature {
  readonly ev = new Emitter<RecordFeatureEvents>();
  channel: RecordChannel | null = null;
  private ctx: SessionContext | null = null;
  private st: MicrophoneStatus = { state: 'idle', mode: null, rate: 0, channels: 0, volume: [], muted: false, packets: 0, frames: 0 };
  /** one per START; work for an older generation is dropped */
  private gen = 0;
  private capture: MicCapture | null = null;
  private encoder: RecordOpusEncoder | null = null;
  private opus: RecordOpusEncoderFactory | null = null;
  private linking = false;

  constructor(private readonly o: RecordFeatureOptions) {}

  get status(): MicrophoneStatus {
    return { ...this.st, volume: [...this.st.volume] };
  }

  start(ctx: SessionContext): void {
    this.ctx = ctx;
  }

  channels(list: readonly ChannelId[]): void {
    const ctx = this.ctx;
    if (!ctx || this.channel || this.linking || !list.some((c) => c.type === ChannelType.RECORD && c.id === 0)) return;
    const o = this.o.opus;
    if (o && typeof (o as Promise<unknown>).then === 'function') {
      this.linking = true;
      (o as Promise<RecordOpusEncoderFactory | null>).then((f) => f, () => null).then((f) => {
        this.linking = false;
        if (this.ctx !== ctx) return; // the session ended meanwhile
        this.link(ctx, f);
      });
      return;
    }
    this.link(ctx, o as RecordOpusEncoderFactory | null);
  }

  private link(ctx: SessionContext, opus: RecordOpusEncoderFactory | null): void {
    this.opus = opus;
    const ch = new RecordChannel({ ...ctx.channelBase(ChannelType.RECORD, 0), opus: !!opus });
    this.channel = ch;
    ch.ev.on('start', (s) => void this.begin(s));
    ch.ev.on('stop', () => this.end('idle'));
    ch.ev.on('volume', (v) => this.set({ volume: v.map((x) => x / 65535) }));
    ch.ev.on('mute', (m) => this.set({ muted: m }));
    ch.ev.on('closed', () => this.end('idle'));
    ctx.track(ch);
    ch.start();
  }

  /** the user withdrew consent while recording: close the microphone until the next START */
  decline(): void {
    if (this.st.state === 'idle') return;
    this.end('declined');
  }

  /** the user agreed after declining: open the microphone for the running recording */
  retry(): void {
    const rec = this.channel?.recording;
    if (rec && (this.st.state === 'declined' || this.st.state === 'denied' || this.st.state === 'failed')) void this.begin(rec);
  }

  stop(): void {
    this.end('idle');
    this.channel?.close();
    this.channel = null;
    this.ctx = null;
  }

  private async begin(s: RecordStart & { mode: number }): Promise<void> {
    this.release();
    const gen = ++this.gen;
    const opus = s.mode === AudioDataMode.OPUS;
    this.set({ state: 'asking', mode: opus ? 'opus' : 'raw', rate: s.frequency, channels: s.channels, error: undefined });
    let yes: boolean;
    try {
      yes = await this.o.consent();
    } catch {
      yes = false;
    }
    if (gen !== this.gen) return; // STOP (or a new START) came while the user was deciding
    if (!yes) {
      this.set({ state: 'declined' });
      return;
    }
    this.set({ state: 'opening' });
    const cap = this.o.capture();
    this.capture = cap;
    const resampler: { r: Resampler | null } = { r: null };
    const packets = new Packetizer(s.channels, RECORD_PACKET_FRAMES);
    let opened: { rate: number; channels: number };
    try {
      opened = await cap.open((planes) => {
        if (gen !== this.gen || !resampler.r) return;
        const pcm = resampler.r.push(mapChannels(planes, s.channels));
        packets.push(pcm, recordGains(this.st.volume.map((v) => v * 65535), this.st.muted, s.channels), (p) => this.packet(gen, p));
      });
    } catch (e) {
      cap.close();
      if (gen !== this.gen) return;
      this.capture = null;
      const name = (e as { name?: string } | null)?.name ?? '';
      const refused = name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError';
      this.fail(refused ? 'denied' : 'failed', refused
        ? `microphone: the browser refused access (${name}); allow the microphone for this page to let the guest record`
        : `microphone: could not open it (${name || String(e)})`);
      return;
    }
    if (gen !== this.gen) {
      cap.close(); // STOP came while the browser was opening it
      return;
    }
    resampler.r = new Resampler(opened.rate, s.frequency, s.channels);
    if (opus) {
      try {
        this.encoder = this.opus!({ rate: s.frequency, channels: s.channels }, (data) => {
          if (gen === this.gen) this.send(data, RECORD_PACKET_FRAMES);
        }, (msg) => gen === this.gen && this.fail('failed', `microphone: the Opus encoder failed (${msg})`));
      } catch (e) {
        this.fail('failed', `microphone: no Opus encoder (${String(e)})`);
        return;
      }
    }
    this.set({ state: 'recording' });
  }

  private packet(gen: number, planes: Float32Array[]): void {
    if (gen !== this.gen || this.st.state !== 'recording') return;
    if (this.encoder) this.encoder.encode(planes);
    else this.send(planarToS16(planes, planes.length), planes[0]!.length);
  }

  private send(data: Uint8Array, frames: number): void {
    const ch = this.channel;
    if (!ch || this.st.state !== 'recording') return;
    // DATA carries the server's multimedia time of the capture (spice-gtk does the same)
    if (ch.sendAudio(data, this.ctx?.mm.now() ?? 0)) {
      this.st.packets++;
      this.st.frames += frames;
    }
  }

  private fail(state: 'denied' | 'failed', message: string): void {
    const error: SpiceError = {
      type: ErrorTypes.MEDIA_ERROR,
      details: state === 'denied' ? ErrorDetails.PERMISSION_DENIED : ErrorDetails.MICROPHONE_FAILED,
      fatal: false,
      message,
      channel: REF,
    };
    this.release();
    this.set({ state, error });
    this.ctx?.report(error);
  }

  /** close the microphone and the encoder; later deliveries of this generation are dropped */
  private release(): void {
    this.gen++;
    this.capture?.close();
    this.capture = null;
    this.encoder?.close();
    this.encoder = null;
  }

  private end(state: 'idle' | 'declined'): void {
    this.release();
    if (state === 'idle') this.set({ state, mode: null, error: undefined });
    else this.set({ state, error: undefined });
  }

  private set(p: Partial<MicrophoneStatus>): void {
    this.st = { ...this.st, ...p };
    this.ev.emit('state', this.status);
  }
}
