/**
 * STREAM_REPORT (spice-protocol.md §5.8): once the server sends STREAM_ACTIVATE_REPORT for a
 * stream, the client reports, per window of frames, how many arrived, how many it dropped and
 * how late the last one was, so the server's rate control (video-stream.cpp) adapts the bit
 * rate. Windows close as spice-gtk closes them (channel-display.c display_update_stream_report):
 * after max_window_size frames, or when timeout ms passed since the window's first frame.
 *
 * Honest figures: num_frames counts frames received in the window, num_drops the frames we did
 * not show (no key frame yet, decoder error), last_frame_delay the margin of the window's last
 * frame on arrival (frame mm_time − server mm_time now; 0 while the clock is not synced).
 */
import type { StreamReport } from '../../protocol/display';

export interface ActivateReport {
  streamId: number;
  uniqueId: number;
  maxWindowSize: number;
  timeoutMs: number;
}

export class StreamReporter {
  private start = -1;
  private startMm = 0;
  private frames = 0;
  private drops = 0;
  sent = 0;

  constructor(
    private readonly a: ActivateReport,
    private readonly now: () => number,
    /** the audio delay for the report, ms, or null without audio */
    private readonly audioDelay: () => number | null = () => null,
  ) {}

  /** a frame arrived; returns the report to send when this frame closes the window */
  frame(mmTime: number, margin: number | null): StreamReport | null {
    const now = this.now();
    if (this.start < 0) {
      this.start = now;
      this.startMm = mmTime;
    }
    this.frames++;
    if (this.frames < this.a.maxWindowSize && now - this.start < this.a.timeoutMs) return null;
    const audio = this.audioDelay();
    const r: StreamReport = {
      streamId: this.a.streamId,
      uniqueId: this.a.uniqueId,
      startFrameMmTime: this.startMm,
      endFrameMmTime: mmTime,
      numFrames: this.frames,
      numDrops: this.drops,
      lastFrameDelay: Math.round(margin ?? 0),
      audioDelay: audio === null ? 0xffffffff : Math.round(audio),
    };
    this.start = -1;
    this.frames = 0;
    this.drops = 0;
    this.sent++;
    return r;
  }

  /** a frame of the current window was not shown */
  drop(): void {
    this.drops++;
  }
}
