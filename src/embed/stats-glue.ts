/**
 * SpiceClient.stats(): gathers each display worker's totals (one request per display channel),
 * the sound figures and the main channel's round trip, and turns them into the rates of
 * session/media-stats.ts. The overlay (src/ui/stats-overlay.ts) polls it once a second.
 */
import type { AudioStatus } from './events';
import { mmDiff } from '../common/clock';
import { StatsTracker, type ClientStats, type VideoRates } from '../session/media-stats';
import type { DisplayFeature, Session } from '../session/index';

export interface AudioNow {
  status: AudioStatus;
  latencyMs: number;
  /** mm_time of the sound heard now, null when none plays */
  heardMmTime: number | null;
}

export async function collectStats(tracker: StatsTracker, display: DisplayFeature | null, session: Session | null, sound: AudioNow): Promise<ClientStats> {
  // the clock now, at the same instant as `sound.heardMmTime` (taken by the caller): read after
  // the workers' round trips below, the skew would count their duration
  const mmNow = session?.mm.now() ?? null;
  const byChannel = new Map<number, number[]>();
  (display?.monitors ?? []).forEach((m, i) => byChannel.set(m.channelId, [...(byChannel.get(m.channelId) ?? []), i]));
  const video: VideoRates[] = [];
  for (const [channelId, monitors] of byChannel) {
    const st = await display!.stats(monitors[0]!).catch(() => null);
    if (st) video.push(tracker.video(channelId, monitors, st.video));
  }
  tracker.keep([...byChannel.keys()]);
  const audio = sound.status;
  const clockSkewMs = mmNow !== null && sound.heardMmTime !== null ? mmDiff(mmNow, sound.heardMmTime) : null;
  return {
    at: performance.timeOrigin + performance.now(),
    video,
    audio: audio.rate ? { playing: audio.playing, mode: audio.mode, bufferedMs: audio.bufferedMs, latencyMs: sound.latencyMs, underruns: audio.underruns, clockSkewMs } : null,
    roundTripMs: session?.main?.roundTripMs ?? null,
  };
}
