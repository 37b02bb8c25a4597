/**
 * Playback channel (spice-protocol.md §9.1): the guest's sound. This class only speaks the
 * protocol: it tracks the data mode (MODE comes before START whenever it changes) and emits
 * typed events; decoding and output are player.ts behind the AudioSink seam.
 *
 * Caps (§9.1, §10): VOLUME and LATENCY always, OPUS only when this client can decode Opus
 * (otherwise the server sends raw S16). CELT_0_5_1 never: it is obsolete and servers removed it.
 */
import { ChannelType, PlaybackCap } from '../protocol/enums';
import { AudioDataMode, MsgPlayback, parsePlaybackData, parsePlaybackLatency, parsePlaybackMode, parsePlaybackMute, parsePlaybackStart, parsePlaybackVolume, type PlaybackStart } from '../protocol/playback';
import { protocolError } from '../protocol/errors';
import type { SpiceReader } from '../protocol/reader';
import { SpiceChannel, type ChannelOptions } from '../channels/channel';

export type PlaybackEvents = {
  /** a stream begins; `mode` is the AudioDataMode of its DATA */
  start: PlaybackStart & { mode: number };
  /** one packet: interleaved S16LE (RAW) or one Opus packet (OPUS); `data` is a view into the message */
  data: { time: number; mode: number; data: Uint8Array };
  stop: void;
  /** per-channel volume, 0 … 65535 (linear) */
  volume: number[];
  mute: boolean;
  /** minimum buffering the server wants, ms */
  latency: number;
};

export class PlaybackChannel extends SpiceChannel<PlaybackEvents> {
  /** the AudioDataMode the server last announced (RAW until a MODE says otherwise) */
  mode: number = AudioDataMode.RAW;
  /** the running stream, null between STOP and START */
  stream: (PlaybackStart & { mode: number }) | null = null;
  readonly opus: boolean;

  constructor(opts: Omit<ChannelOptions, 'channelType' | 'channelId'> & { channelId?: number; opus: boolean }) {
    super({ ...opts, channelType: ChannelType.PLAYBACK, channelId: opts.channelId ?? 0 });
    this.opus = opts.opus;
  }

  protected channelCaps(): number[] {
    return this.opus ? [PlaybackCap.VOLUME, PlaybackCap.LATENCY, PlaybackCap.OPUS] : [PlaybackCap.VOLUME, PlaybackCap.LATENCY];
  }

  protected handle(type: number, r: SpiceReader): void {
    switch (type) {
      case MsgPlayback.MODE: {
        const m = parsePlaybackMode(r);
        if (m.mode !== AudioDataMode.RAW && !(m.mode === AudioDataMode.OPUS && this.opus)) {
          // CELT, or Opus we did not advertise: a server that does this cannot be played
          protocolError('unsupported', `playback data mode ${m.mode} (we take RAW${this.opus ? ' and OPUS' : ''})`);
        }
        this.mode = m.mode;
        return;
      }
      case MsgPlayback.START: {
        const s = { ...parsePlaybackStart(r), mode: this.mode };
        this.stream = s;
        this.ev.emit('start', s);
        return;
      }
      case MsgPlayback.DATA: {
        const d = parsePlaybackData(r);
        // DATA outside START…STOP has no format to play it with (§9.1): skip it
        if (this.stream) this.ev.emit('data', { time: d.time, mode: this.stream.mode, data: d.data });
        return;
      }
      case MsgPlayback.STOP:
        this.stream = null;
        this.ev.emit('stop', undefined);
        return;
      case MsgPlayback.VOLUME:
        this.ev.emit('volume', parsePlaybackVolume(r));
        return;
      case MsgPlayback.MUTE:
        this.ev.emit('mute', parsePlaybackMute(r));
        return;
      case MsgPlayback.LATENCY:
        this.ev.emit('latency', parsePlaybackLatency(r));
        return;
      default:
        return; // unknown message: skip
    }
  }

  protected override onClosed(): void {
    this.stream = null;
  }
}
