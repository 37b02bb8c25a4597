/**
 * The live figures of the stats overlay and `SpiceClient.stats()` (issue 8, scope 7): per
 * display channel (its monitors), rates over the last interval from the totals the worker
 * counts (video/scheduler.ts, streams.ts), plus sound and the round trip. Pure: the same
 * numbers the benchmarks and e2e tests print, testable in Node.
 */
import type { VideoTotals } from '../display/worker-messages';

export interface VideoRates {
  channelId: number;
  /** monitor indices (stats(i), screenshot(i)) this channel shows */
  monitors: number[];
  /** codec of the running (or last) stream, null before any */
  codec: string | null;
  /** frames per second over the last interval: received from the server, shown, dropped */
  fpsReceived: number;
  fpsShown: number;
  fpsDropped: number;
  /** stream payload bit rate, kbit/s */
  kbps: number;
  /** mean decode time per frame in the interval, ms (null: nothing decoded) */
  decodeMs: number | null;
  /** lip-sync: presentation offset against the clock, recent frames (ms; positive = late) */
  offsetP50: number | null;
  offsetP95: number | null;
  /**
   * lip-sync while sound plays: audio-to-video offset, each recent frame's mm_time against the
   * mm_time the audio output was playing when it was shown (ms; positive = picture after its
   * sound); null without sound
   */
  avP50: number | null;
  avP95: number | null;
  /** frames waiting for their time now */
  pending: number;
  /** clock resyncs so far */
  resyncs: number;
}

export interface AudioFigures {
  playing: boolean;
  mode: 'raw' | 'opus' | null;
  /** queued in the jitter buffer, ms */
  bufferedMs: number;
  /** buffer + output latency: how long until a sample received now is heard, ms */
  latencyMs: number;
  underruns: number;
  /**
   * the video clock (the session's mm time, which display workers follow) minus the mm_time of
   * the sound heard now (ms): added to a frame's presentation offset it gives how far the
   * picture trails the sound; null when unknown
   */
  clockSkewMs: number | null;
}

export interface ClientStats {
  /** local time (epoch ms) */
  at: number;
  video: VideoRates[];
  audio: AudioFigures | null;
  /** the round trip to the server measured at the main channel's link, ms */
  roundTripMs: number | null;
}

/** turns successive totals into rates; one per client, keyed by display channel */
export class StatsTracker {
  private last = new Map<number, VideoTotals>();

  /** rates for channel `channelId` since its previous totals (the first call: since it opened) */
  video(channelId: number, monitors: number[], t: VideoTotals): VideoRates {
    const p = this.last.get(channelId);
    // a relinked channel starts its totals again: count from zero then
    const base = p && p.received <= t.received && p.presented <= t.presented && p.at < t.at ? p : null;
    this.last.set(channelId, t);
    const dt = base ? (t.at - base.at) / 1000 : 0;
    const rate = (now: number, before: number) => (dt > 0 ? (now - before) / dt : 0);
    const decoded = t.decoded - (base?.decoded ?? 0);
    return {
      channelId,
      monitors,
      codec: t.codec,
      fpsReceived: rate(t.received, base?.received ?? 0),
      fpsShown: rate(t.presented, base?.presented ?? 0),
      fpsDropped: rate(t.dropped, base?.dropped ?? 0),
      kbps: (rate(t.bytes, base?.bytes ?? 0) * 8) / 1000,
      decodeMs: decoded > 0 ? (t.decodeMs - (base?.decodeMs ?? 0)) / decoded : null,
      offsetP50: t.offset?.p50 ?? null,
      offsetP95: t.offset?.p95 ?? null,
      avP50: t.avOffset?.p50 ?? null,
      avP95: t.avOffset?.p95 ?? null,
      pending: t.pending,
      resyncs: t.resyncs,
    };
  }

  /** forget channels that are gone */
  keep(channelIds: readonly number[]): void {
    for (const id of [...this.last.keys()]) if (!channelIds.includes(id)) this.last.delete(id);
  }
}
