// Moving pictures in the X session for the video-stream e2e tests: GStreamer's videotestsrc
// drawn by ximagesink (XPutImage at the source's rate: what spice-server's stream detection
// turns into a video stream), and a way to pause it so the last frame stays in the framebuffer.
import type { Page } from '@playwright/test';
import type { XspiceServer } from '../../scripts/lib/xspice.mjs';

/** the display worker's video totals (DisplayStats.video) for monitor 0 */
export interface VideoTotals {
  codec: string | null; received: number; bytes: number; presented: number; dropped: number; decodeMs: number; decoded: number;
  held: number; late: number; resyncs: number; pending: number; offset: { p50: number; p95: number; n: number } | null; audioDelayMs: number | null;
  readBack?: number; superseded?: number;
}

/** resolves once the page has monitor 0 (displayStats(0) throws before: poll totals after this) */
export const waitForMonitor = (page: Page): Promise<unknown> =>
  page.waitForFunction(() => (document.querySelector('spice-client') as unknown as { monitors: unknown[] }).monitors.length > 0, undefined, { timeout: 20_000 });

export const videoTotals = (page: Page): Promise<VideoTotals> =>
  page.evaluate(async () => (await (document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ video: VideoTotals }> }).displayStats(0)).video);

export interface Video {
  /** freeze the picture (SIGSTOP: the window keeps its last frame) */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  pid: number;
}

/**
 * a `width`×`height` window at the top-left corner playing `pattern` at `fps`; `speed` 0 draws the
 * same picture every frame (still streamed: the server detects streams by redraw rate, not content)
 */
export function startVideo(x: XspiceServer, o: { width: number; height: number; fps?: number; pattern?: string; speed?: number }): Video {
  const fps = o.fps ?? 30;
  const proc = x.spawnClient('gst-launch-1.0', ['-q', 'videotestsrc', 'is-live=true', `pattern=${o.pattern ?? 'smpte'}`, `horizontal-speed=${o.speed ?? 3}`, '!',
    `video/x-raw,width=${o.width},height=${o.height},framerate=${fps}/1`, '!', 'videoconvert', '!', 'ximagesink', 'sync=false', `display=${x.display}`], { name: 'gst-video' });
  const pid = proc.pid;
  return {
    pid,
    pause: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    stop: async () => {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
      await proc.stop();
    },
  };
}
