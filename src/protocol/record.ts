/**
 * Record channel messages (spice-protocol.md §9.2; spice.proto `channel RecordChannel`): the
 * server asks for the client's microphone (START … STOP) and the client sends it. Names follow
 * spice-protocol enums.h (SPICE_MSG_RECORD_*, SPICE_MSGC_RECORD_*).
 */
import { protocolError } from './errors';
import { AudioFmt } from './playback';
import type { SpiceReader } from './reader';
import { SpiceWriter } from './writer';

export const MsgRecord = { START: 101, STOP: 102, VOLUME: 103, MUTE: 104 } as const;
export const MsgcRecord = { DATA: 101, MODE: 102, START_MARK: 103 } as const;

export interface RecordStart {
  channels: number;
  format: number;
  frequency: number;
}

export function parseRecordStart(r: SpiceReader): RecordStart {
  const channels = r.u32(), format = r.u16(), frequency = r.u32();
  if (channels < 1 || channels > 8) protocolError('malformed', `RECORD_START with ${channels} channels`);
  if (format !== AudioFmt.S16) protocolError('unsupported', `RECORD_START audio format ${format} (only S16 exists)`);
  if (frequency < 8000 || frequency > 192000) protocolError('malformed', `RECORD_START at ${frequency} Hz`);
  return { channels, format, frequency };
}

/** DATA: u32 time (unused by the server; spice-gtk sends 0 or its clock), audio bytes */
export function buildRecordData(time: number, data: Uint8Array): Uint8Array {
  return new SpiceWriter(4 + data.length).u32(time >>> 0).bytes(data).finish();
}

/** MODE: u32 time, u16 mode (AudioDataMode), no data */
export function buildRecordMode(time: number, mode: number): Uint8Array {
  return new SpiceWriter(6).u32(time >>> 0).u16(mode).finish();
}

export function buildRecordStartMark(time: number): Uint8Array {
  return new SpiceWriter(4).u32(time >>> 0).finish();
}

/**
 * Float planar samples → interleaved S16LE (RAW record data), clamped. The server reads
 * 4-byte stereo frames (§9.2).
 */
export function planarToS16(planes: readonly Float32Array[], channels: number): Uint8Array {
  const n = planes[0]?.length ?? 0;
  const out = new Uint8Array(n * channels * 2);
  const dv = new DataView(out.buffer);
  for (let f = 0, o = 0; f < n; f++) {
    for (let c = 0; c < channels; c++, o += 2) {
      const v = (planes[c] ?? planes[0]!)[f]!;
      dv.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(v * 32767))), true);
    }
  }
  return out;
}
