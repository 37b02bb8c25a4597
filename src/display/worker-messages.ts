/**
 * The typed contract between the UI thread and a display worker (architecture.md "Threads").
 * One worker per display channel; it owns that channel's WebSocket, decoding, surfaces and one
 * OffscreenCanvas per monitor (head) of the channel. Pixels never come back to the UI thread
 * except as an encoded PNG Blob for screenshot().
 *
 * Generations: every connection the worker makes for the channel (connect, then each relink)
 * has the generation number the UI gave it, and every event from the worker carries the
 * generation it belongs to, so the UI drops late events of a connection it has already replaced
 * (hls.js transmuxer-interface does the same with its instance numbers). Replies to requests
 * (screenshot, stats) are matched by request id instead.
 */
import type { MmSync } from '../common/clock';
import type { SpiceError } from '../common/errors';
import type { HeadRect } from './heads';

export interface DisplayConnect {
  type: 'connect';
  gen: number;
  /** WebSocket URL of the proxy (one socket per channel) */
  url: string;
  protocols?: string[];
  channelId: number;
  /** the session id from the main channel's INIT */
  connectionId: number;
  password: string;
  /** head 0's canvas, transferred from the monitor's <canvas> (transferControlToOffscreen) */
  canvas?: OffscreenCanvas;
  /** SpiceImageCompression to ask for (PREFERRED_COMPRESSION), when the user chose one */
  preferredCompression?: number;
  /** the server's multimedia time as the UI thread knows it */
  mmSync?: MmSync;
}

export type ToDisplayWorker =
  | DisplayConnect
  /**
   * Continue the channel over a new connection. Without `fresh`, with its surfaces, caches and
   * GLZ window (live migration: the destination continues the same state). With `fresh`, a new
   * channel state for a new server session (reconnect), drawn on the same canvases, which keep
   * the last frame until the new one arrives.
   */
  | { type: 'relink'; gen: number; url?: string; connectionId: number; password?: string; fresh?: boolean }
  /** close the channel but keep the worker and its canvases (the session may come back) */
  | { type: 'suspend' }
  /** link a second connection to a migration destination (`url`), keep running on the source */
  | { type: 'migrate-prepare'; id: number; url: string; connectionId: number }
  /** drop that connection */
  | { type: 'migrate-cancel' }
  /** the canvas for one more head (monitor) of this channel */
  | { type: 'head'; head: number; canvas: OffscreenCanvas }
  /**
   * a new multimedia time sync point (the main channel, or the audio being heard); with
   * `audioDelayMs` the sync came from playing audio and says its output delay (STREAM_REPORT's
   * audio_delay), without it no audio plays
   */
  | { type: 'mm-time'; sync: MmSync; audioDelayMs?: number }
  /** encode head `head`'s exact pixels (no scaling, no cursor) as PNG */
  /** shown: what the head's canvas shows (stream frames as the browser drew them) instead of the exact surface */
  | { type: 'screenshot'; id: number; head: number; shown?: boolean }
  /** counters for diagnostics and tests: messages and image types received so far */
  | { type: 'stats'; id: number }
  | { type: 'close' };

export interface DisplayStats {
  /** by MsgDisplay name */
  messages: Record<string, number>;
  /** by SpiceImageType name */
  imageTypes: Record<string, number>;
  /** stream frames against the server clock (frames timed, late ones, mean margin in ms) */
  streamTiming: { frames: number; late: number; meanMarginMs: number | null };
  /** relinks of this channel so far */
  generation: number;
  /** video streams: STREAM_CREATEs by codec name (MJPEG, VP8, H264, VP9), frames drawn and dropped, streams open now */
  streams: { created: Record<string, number>; presented: number; dropped: number; active: number; reports: number };
  /** video figures for stats(): totals since the channel opened (the caller turns them into rates) */
  video: VideoTotals;
}

export interface VideoTotals {
  /** local time of these totals (epoch ms) */
  at: number;
  /** codec of the most recently created stream (MJPEG, VP8, …), null before any */
  codec: string | null;
  /** STREAM_DATA frames and payload bytes received */
  received: number;
  bytes: number;
  /** frames drawn, frames not drawn (late, skipped, undecodable) */
  presented: number;
  dropped: number;
  /** decode time summed over `decoded` frames, ms */
  decodeMs: number;
  decoded: number;
  /** lip-sync: frames held for their time, dropped late, clock resyncs, waiting now */
  held: number;
  late: number;
  resyncs: number;
  pending: number;
  /** presentation offset against the clock (ms, positive = shown late), recent frames */
  offset: { p50: number; p95: number; n: number } | null;
  /** audio-to-video offset against the positions the audio output played (ms, positive = picture after its sound) */
  avOffset?: { p50: number; p95: number; abs95: number; n: number } | null;
  /** the audio delay the stream reports carry, null without audio */
  audioDelayMs: number | null;
  /** frames drawn straight to the canvas and later read back into the surface, and those replaced unread (lazy-frames.ts) */
  readBack?: number;
  superseded?: number;
}

export type FromDisplayWorker =
  /** link and auth done */
  | { type: 'ready'; gen: number }
  /** before linking: the stream codecs this browser decodes besides M-JPEG (SpiceVideoCodecType), as advertised */
  | { type: 'codecs'; gen: number; video: number[] }
  /** the primary surface was created or changed size */
  | { type: 'primary'; gen: number; width: number; height: number }
  /** the monitors of this channel (whole primary as head 0 without MONITORS_CONFIG) */
  | { type: 'heads'; gen: number; heads: HeadRect[] }
  /** pixels were presented on the canvas (sent once per primary surface, for timing) */
  | { type: 'first-frame'; gen: number; at: number }
  | { type: 'screenshot'; id: number; blob: Blob | null; error?: string }
  | { type: 'stats'; id: number; stats: DisplayStats }
  | { type: 'migrate-prepared'; id: number; ok: boolean; error?: string }
  /** the channel switched to the migration destination with its state */
  | { type: 'migrated'; gen: number }
  | { type: 'closed'; gen: number; clean: boolean; reason: string; error?: SpiceError };
