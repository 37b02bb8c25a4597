/**
 * SpiceClient.stats(): gathers each display worker's totals (one request per display channel),
 * the sound figures and the main channel's round trip, and turns them into the rates of
 * session/media-stats.ts. The overlay (src/ui/stats-overlay.ts) polls it once a second.
 */
import type { AudioStatus } from './events';
import { StatsTracker, type ClientStats, type VideoRates } from '../session/media-stats';
import type { DisplayFeature, Session } from '../session/index';

export async function collectStats(tracker: StatsTracker, display: DisplayFeature | null, session: Session | null, audio: AudioStatus, audioLatencyMs: number): Promise<ClientStats> {
  const byChannel = new Map<number, number[]>();
  (display?.monitors ?? []).forEach((m, i) => byChannel.set(m.channelId, [...(byChannel.get(m.channelId) ?? []), i]));
  const video: VideoRates[] = [];
  for (const [channelId, monitors] of byChannel) {
    const st = await display!.stats(monitors[0]!).catch(() => null);
    if (st) video.push(tracker.video(channelId, monitors, st.video));
  }
  tracker.keep([...byChannel.keys()]);
  return {
    at: performance.timeOrigin + performance.now(),
    video,
    audio: audio.rate ? { playing: audio.playing, mode: audio.mode, bufferedMs: audio.bufferedMs, latencyMs: audioLatencyMs, underruns: audio.underruns } : null,
    roundTripMs: session?.main?.roundTripMs ?? null,
  };
}
