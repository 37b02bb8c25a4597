/**
 * Playback channel messages (spice-protocol.md §9.1; spice.proto `channel PlaybackChannel`).
 * Only the wire layout lives here; what to do with the samples is src/audio. Names follow
 * spice-protocol enums.h (SPICE_MSG_PLAYBACK_*, SPICE_AUDIO_DATA_MODE_*, SPICE_AUDIO_FMT_*).
 */
import { protocolError } from './errors';
import type { SpiceReader } from './reader';

export const MsgPlayback = { DATA: 101, MODE: 102, START: 103, STOP: 104, VOLUME: 105, MUTE: 106, LATENCY: 107 } as const;

/** SpiceAudioDataMode: CELT_0_5_1 is obsolete (removed from servers); we never advertise it */
export const AudioDataMode = { INVALID: 0, RAW: 1, CELT_0_5_1: 2, OPUS: 3 } as const;

/** SpiceAudioFmt: the only format there is */
export const AudioFmt = { INVALID: 0, S16: 1 } as const;

/** SND_CODEC_OPUS_FRAME_SIZE: samples per channel in one Opus packet of the server */
export const OPUS_FRAME_SIZE = 480;

/** bounds a sane server stays in; anything else is a malformed START, not something to allocate for */
const MAX_CHANNELS = 8;
const MIN_RATE = 8000, MAX_RATE = 192000;

export interface PlaybackStart {
  channels: number;
  /** AudioFmt; only S16 exists */
  format: number;
  frequency: number;
  /** mm_time of the first packet */
  time: number;
}

export interface PlaybackData {
  /** mm_time of the packet's first sample */
  time: number;
  /** the packet (interleaved S16LE for RAW, one Opus packet for OPUS): a view into the message */
  data: Uint8Array;
}

export interface PlaybackMode {
  time: number;
  /** AudioDataMode */
  mode: number;
}

export function parsePlaybackStart(r: SpiceReader): PlaybackStart {
  const channels = r.u32(), format = r.u16(), frequency = r.u32(), time = r.u32();
  if (channels < 1 || channels > MAX_CHANNELS) protocolError('malformed', `PLAYBACK_START with ${channels} channels`);
  if (format !== AudioFmt.S16) protocolError('unsupported', `PLAYBACK_START audio format ${format} (only S16 exists)`);
  if (frequency < MIN_RATE || frequency > MAX_RATE) protocolError('malformed', `PLAYBACK_START at ${frequency} Hz`);
  return { channels, format, frequency, time };
}

export function parsePlaybackData(r: SpiceReader): PlaybackData {
  return { time: r.u32(), data: r.rest() };
}

export function parsePlaybackMode(r: SpiceReader): PlaybackMode {
  // data[] follows (empty for RAW and OPUS); it carries nothing we use
  return { time: r.u32(), mode: r.u16() };
}

/** VOLUME: u8 nchannels, u16 volume[nchannels] (0 … 65535 per channel, linear) */
export function parsePlaybackVolume(r: SpiceReader): number[] {
  const n = r.u8();
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push(r.u16());
  return v;
}

export function parsePlaybackMute(r: SpiceReader): boolean {
  return r.u8() !== 0;
}

/** LATENCY: the minimum buffering, ms, the client should keep (cap LATENCY) */
export function parsePlaybackLatency(r: SpiceReader): number {
  return r.u32();
}

/**
 * Interleaved S16LE → one Float32Array per channel in [-1, 1). A trailing partial frame is
 * ignored (never read past the input).
 */
export function s16ToPlanar(bytes: Uint8Array, channels: number): Float32Array[] {
  const frames = Math.floor(bytes.length / (2 * channels));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  for (let f = 0, o = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++, o += 2) out[c]![f] = dv.getInt16(o, true) / 32768;
  }
  return out;
}
