/**
 * Record channel (spice-protocol.md §9.2): the guest asks for the client's microphone. This
 * class only speaks the protocol; capturing (getUserMedia, only after the user agrees) and
 * encoding belong to the feature that drives it.
 *
 * Rules it enforces: nothing goes out before RECORD_START or after RECORD_STOP; the first DATA
 * of a recording is preceded by MODE and START_MARK, as spice-gtk does (channel-record.c); the
 * mode is OPUS only when the server offers it (record cap OPUS) and we can encode Opus, else RAW.
 * Caps: VOLUME always, OPUS when an encoder exists; never CELT.
 */
import { ChannelType, RecordCap } from '../protocol/enums';
import { hasCap } from '../protocol/caps';
import { AudioDataMode, parsePlaybackMute, parsePlaybackVolume } from '../protocol/playback';
import { MsgRecord, MsgcRecord, buildRecordData, buildRecordMode, buildRecordStartMark, parseRecordStart, type RecordStart } from '../protocol/record';
import type { SpiceReader } from '../protocol/reader';
import { SpiceChannel, type ChannelOptions } from '../channels/channel';

export type RecordEvents = {
  /** the server wants sound in this format, encoded as `mode` */
  start: RecordStart & { mode: number };
  stop: void;
  volume: number[];
  mute: boolean;
};

export class RecordChannel extends SpiceChannel<RecordEvents> {
  /** the recording the server asked for, null outside START … STOP */
  recording: (RecordStart & { mode: number }) | null = null;
  readonly opus: boolean;
  private marked = false;
  /** DATA messages sent in this channel's life (for tests and the stats overlay) */
  sentPackets = 0;

  constructor(opts: Omit<ChannelOptions, 'channelType' | 'channelId'> & { channelId?: number; opus: boolean }) {
    super({ ...opts, channelType: ChannelType.RECORD, channelId: opts.channelId ?? 0 });
    this.opus = opts.opus;
  }

  protected channelCaps(): number[] {
    return this.opus ? [RecordCap.VOLUME, RecordCap.OPUS] : [RecordCap.VOLUME];
  }

  protected handle(type: number, r: SpiceReader): void {
    switch (type) {
      case MsgRecord.START: {
        const s = parseRecordStart(r);
        const mode = this.opus && hasCap(this.serverChannelCaps, RecordCap.OPUS) ? AudioDataMode.OPUS : AudioDataMode.RAW;
        this.recording = { ...s, mode };
        this.marked = false;
        this.ev.emit('start', this.recording);
        return;
      }
      case MsgRecord.STOP:
        this.recording = null;
        this.ev.emit('stop', undefined);
        return;
      case MsgRecord.VOLUME:
        this.ev.emit('volume', parsePlaybackVolume(r)); // same layout as PLAYBACK_VOLUME
        return;
      case MsgRecord.MUTE:
        this.ev.emit('mute', parsePlaybackMute(r));
        return;
      default:
        return;
    }
  }

  /**
   * Send one packet of the running recording (RAW: interleaved S16LE; OPUS: one packet of 480
   * samples per channel). Returns false, sending nothing, outside START … STOP.
   */
  sendAudio(data: Uint8Array, time = 0): boolean {
    const rec = this.recording;
    if (!rec || !this.isLinked) return false;
    if (!this.marked) {
      this.send(MsgcRecord.MODE, buildRecordMode(time, rec.mode));
      this.send(MsgcRecord.START_MARK, buildRecordStartMark(time));
      this.marked = true;
    }
    this.send(MsgcRecord.DATA, buildRecordData(time, data));
    this.sentPackets++;
    return true;
  }

  protected override onClosed(): void {
    this.recording = null;
  }
}
