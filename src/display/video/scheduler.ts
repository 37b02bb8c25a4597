/**
 * Lip-sync for video streams (spice-protocol.md §5.8, §9.4): each decoded stream frame is shown
 * when the multimedia clock reaches its mm_time. The clock is the worker's MmTime, which the UI
 * thread keeps in step with the server (MAIN_INIT / MULTI_MEDIA_TIME, i.e. server time minus its
 * latency) and, while sound plays, with the audio being heard (player.ts, §9.3). So with audio
 * a frame appears with the sound recorded at the same moment; without audio frames are paced on
 * the server's mm time alone, `latency` ms after they were produced.
 *
 * Rules (pure: a Clock and a Timers seam, so FakeClock tests drive every case):
 *  - margin = frame mm_time − clock now (+ the stream's offset, below). A frame with a margin
 *    in [−LATE_MS, MAX_EARLY_MS] is accepted: shown at once when ≤ 0, held until due otherwise.
 *  - Late beyond LATE_MS on arrival, while sound plays: dropped and counted (spice-gtk drops
 *    every late frame; the bound forgives a decode that took a little longer than the cushion).
 *    Without sound there is nothing to keep in step with: a late frame is shown at once (as
 *    spice-gtk shows frames at once without audio); early ones are still held, so the picture
 *    keeps the server's pacing. (Measured on the loaded 2-core test machine: dropping late frames
 *    without audio showed 1.5 of 6.7 frames/s received.)
 *  - A frame more than MAX_EARLY_MS ahead cannot be right (no server buffers that much): the
 *    clock and the stream disagree (server restart, migration to a server with another mm
 *    clock). The stream resyncs: it gets an offset that makes this frame due now and keeps the
 *    spacing of the next ones. Frames late for more than RESYNC_AFTER_MS in a row resync too (a
 *    network stall ends with frames on time again, a clock jump does not), so nothing freezes.
 *    As soon as a frame fits the real clock again the offset goes back to 0.
 *  - Frames of a stream are shown in order. When the timer fires late (a busy worker) and
 *    several frames of a stream are due, the newest is shown and the older ones count as
 *    dropped; a frame due before frames still held replaces them.
 *  - A new clock sync (`reschedule()`) re-times what is held; a stream destroyed while frames
 *    are held loses them (`removeStream`), so nothing is drawn over what replaced it.
 *  - Without a clock (no sync yet) frames are shown at once.
 *
 * Measured (not a rule): the audio-to-video offset. While sound plays, every clock sync is a
 * position the audio output really played (the worklet's played samples, player.ts); they are
 * kept, and each presented frame is compared with the position played nearest in time to its
 * presentation — a sync that may have arrived after it, so this checks the clock the frame was
 * timed on rather than repeating it: offset = mm_time heard at presentation − frame mm_time.
 * Frames shown while the output was silent (positions more than AV_RUN_MS apart around them: an
 * underrun refilling its cushion) have no sound to be in step with and are not compared.
 */
import { mmDiff, type Clock, type MmTime } from '../../common/clock';

/** a frame this late (ms) on arrival is still shown */
export const LATE_MS = 34;
/** a frame due further ahead than this means the clock and the stream disagree */
export const MAX_EARLY_MS = 3000;
/** frames late for this long in a row mean a clock jump backwards: resync */
export const RESYNC_AFTER_MS = 500;
/** presentation offsets kept for the percentiles */
const OFFSETS_KEPT = 600;
/** played-audio positions kept for the A/V offset (~30 s at one per 50 ms) */
const AUDIO_POINTS_KEPT = 600;
/** played positions further apart than this had silence between them: frames there are not compared */
const AV_RUN_MS = 100;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SchedulerStats {
  /** frames shown */
  presented: number;
  /** dropped: late on arrival */
  late: number;
  /** dropped: overtaken by a newer due frame of the same stream */
  skipped: number;
  /** held frames discarded because their stream ended */
  discarded: number;
  /** frames held for later (early) */
  held: number;
  /** frames late beyond the bound but shown, because no sound plays */
  lateShown: number;
  /** frames shown without a clock */
  unclocked: number;
  /** stream offsets set because the clock jumped */
  resyncs: number;
  /** frames waiting now */
  pending: number;
}

interface Held<F> {
  mmTime: number;
  frame: F;
}

interface StreamQueue<F> {
  offset: number;
  lateSince: number | null;
  held: Held<F>[];
}

export interface SchedulerOptions<F> {
  mm: MmTime;
  timers?: Timers;
  present(streamId: number, frame: F): void;
  /** a frame that will not be shown (late, skipped, discarded) */
  drop?(streamId: number, frame: F, why: 'late' | 'skipped' | 'discarded'): void;
  /** sound is playing (lip-sync matters: late frames are dropped); default: always */
  audio?(): boolean;
}

export class FrameScheduler<F> {
  private readonly streams = new Map<number, StreamQueue<F>>();
  private timer: unknown = null;
  private timerAt = 0;
  private readonly timers: Timers;
  private readonly clock: Clock;
  readonly stats: SchedulerStats = { presented: 0, late: 0, skipped: 0, discarded: 0, held: 0, lateShown: 0, unclocked: 0, resyncs: 0, pending: 0 };
  /** presentation offsets, ms: clock at presentation − frame mm_time (positive: shown late) */
  private readonly offsets: number[] = [];
  private offsetAt = 0;
  /** presentations of clocked frames while sound played: frame mm_time, local time shown */
  private readonly shownAt: Array<{ mm: number; at: number }> = [];
  /** positions the audio output played: mm_time heard at local time `at` (in arrival order) */
  private readonly audioPoints: Array<{ mm: number; at: number }> = [];

  constructor(private readonly o: SchedulerOptions<F>) {
    this.timers = o.timers ?? realTimers;
    this.clock = o.mm.clock;
  }

  /** a decoded frame of stream `id`, stamped `mmTime` */
  push(id: number, mmTime: number, frame: F): void {
    const raw = this.o.mm.until(mmTime);
    if (raw === null) {
      this.stats.unclocked++;
      this.show(id, frame, null);
      return;
    }
    const q = this.queue(id);
    const fits = (m: number) => m >= -LATE_MS && m <= MAX_EARLY_MS;
    let margin = raw + q.offset;
    if (fits(margin)) q.lateSince = null;
    else if (q.offset !== 0 && fits(raw)) {
      q.offset = 0;
      q.lateSince = null;
      margin = raw;
    } else if (margin > MAX_EARLY_MS) {
      margin = this.resync(q, raw);
    } else {
      const now = this.clock.now();
      q.lateSince ??= now;
      if (now - q.lateSince >= RESYNC_AFTER_MS) margin = this.resync(q, raw);
      else if (this.o.audio?.() ?? true) {
        this.stats.late++;
        this.o.drop?.(id, frame, 'late');
        return;
      } else {
        this.stats.lateShown++;
        margin = 0; // no sound to match: shown now, in order
      }
    }
    // in order: a frame due no later than held ones replaces them
    while (q.held.length && this.margin(q, q.held[q.held.length - 1]!.mmTime)! >= margin) {
      const h = q.held.pop()!;
      this.stats.skipped++;
      this.o.drop?.(id, h.frame, 'skipped');
    }
    if (margin <= 0 && !q.held.length) {
      this.show(id, frame, -margin, q.offset === 0 ? mmTime : undefined);
      return;
    }
    this.stats.held++;
    q.held.push({ mmTime, frame });
    this.run();
  }

  /** the clock was synced again: re-time what is held (a jump may make it due, or resync it) */
  reschedule(): void {
    const sync = this.o.mm.lastSync;
    if (sync && this.o.audio?.()) keep(this.audioPoints, { mm: sync.mmTime, at: sync.at }, AUDIO_POINTS_KEPT);
    for (const q of this.streams.values()) {
      const head = q.held[0];
      if (!head) continue;
      const m = this.margin(q, head.mmTime);
      if (m !== null && m > MAX_EARLY_MS) this.resync(q, m - q.offset);
    }
    this.run();
  }

  /** a stream ended (DESTROY, DESTROY_ALL, a new CREATE with its id): its held frames go */
  removeStream(id: number): void {
    const q = this.streams.get(id);
    if (!q) return;
    this.streams.delete(id);
    for (const h of q.held) {
      this.stats.discarded++;
      this.o.drop?.(id, h.frame, 'discarded');
    }
    this.run();
  }

  clear(): void {
    for (const id of [...this.streams.keys()]) this.removeStream(id);
  }

  /** p50 / p95 of recent presentation offsets (ms), null before any clocked frame */
  offsetPercentiles(): { p50: number; p95: number; n: number } | null {
    const a = this.offsets.slice().sort((x, y) => x - y);
    if (!a.length) return null;
    const at = (p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))]!;
    return { p50: at(0.5), p95: at(0.95), n: a.length };
  }

  /**
   * p50 / p95 of the audio-to-video offset (ms, positive: the picture shows after its sound),
   * and the 95th percentile of its magnitude; null before a frame was shown with sound playing.
   * Each presented frame against the played position nearest in time (see the header).
   */
  avOffsetPercentiles(): { p50: number; p95: number; abs95: number; n: number } | null {
    const pts = this.audioPoints;
    const av: number[] = [];
    // both lists are in time order: walk them together. A frame counts when played positions
    // bracket it closely (the output was playing then, not refilling after an underrun: the
    // worklet reports every ~50 ms while sound plays and nothing while it is silent)
    let j = 0;
    for (const f of this.shownAt) {
      while (j + 1 < pts.length && pts[j + 1]!.at <= f.at) j++;
      const prev = pts[j];
      if (!prev || prev.at > f.at) continue;
      const next = prev.at === f.at ? prev : pts[j + 1];
      if (!next || next.at - prev.at > AV_RUN_MS) continue;
      const best = f.at - prev.at <= next.at - f.at ? prev : next;
      av.push(Math.round(mmDiff(best.mm, f.mm) + (f.at - best.at)) + 0);
    }
    if (!av.length) return null;
    const sorted = av.slice().sort((x, y) => x - y);
    const abs = av.map(Math.abs).sort((x, y) => x - y);
    const at = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))]!;
    return { p50: at(sorted, 0.5), p95: at(sorted, 0.95), abs95: at(abs, 0.95), n: av.length };
  }

  private queue(id: number): StreamQueue<F> {
    let q = this.streams.get(id);
    if (!q) {
      q = { offset: 0, lateSince: null, held: [] };
      this.streams.set(id, q);
    }
    return q;
  }

  private margin(q: StreamQueue<F>, mmTime: number): number | null {
    const m = this.o.mm.until(mmTime);
    return m === null ? null : m + q.offset;
  }

  /** make a frame with raw margin `raw` due now; returns its new margin (0) */
  private resync(q: StreamQueue<F>, raw: number): number {
    q.offset = -raw;
    q.lateSince = null;
    this.stats.resyncs++;
    return 0;
  }

  private show(id: number, frame: F, offset: number | null, mmTime?: number): void {
    this.stats.presented++;
    if (offset !== null) {
      offset += 0; // no -0 in the figures
      if (this.offsets.length < OFFSETS_KEPT) this.offsets.push(offset);
      else this.offsets[this.offsetAt++ % OFFSETS_KEPT] = offset;
      // only frames on the real clock (not a resynced stream) compare with the sound
      if (mmTime !== undefined && this.o.audio?.()) keep(this.shownAt, { mm: mmTime >>> 0, at: this.clock.now() }, OFFSETS_KEPT);
    }
    this.o.present(id, frame);
  }

  /** show what is due, then arm one timer for the earliest held frame */
  private run(): void {
    let next = Infinity;
    for (const [id, q] of this.streams) {
      let due = -1;
      for (let i = 0; i < q.held.length; i++) {
        const m = this.margin(q, q.held[i]!.mmTime);
        if (m === null || m <= 0) due = i;
        else break;
      }
      for (let i = 0; i < due; i++) {
        this.stats.skipped++;
        this.o.drop?.(id, q.held[i]!.frame, 'skipped');
      }
      if (due >= 0) {
        const h = q.held[due]!;
        q.held.splice(0, due + 1);
        this.show(id, h.frame, -(this.margin(q, h.mmTime) ?? 0), q.offset === 0 ? h.mmTime : undefined);
      }
      const head = q.held[0];
      if (head) next = Math.min(next, this.margin(q, head.mmTime) ?? 0);
    }
    let pending = 0;
    for (const q of this.streams.values()) pending += q.held.length;
    this.stats.pending = pending;
    const at = next === Infinity ? 0 : this.clock.now() + next;
    if (this.timer !== null && (next === Infinity || at !== this.timerAt)) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    if (next !== Infinity && this.timer === null) {
      this.timerAt = at;
      this.timer = this.timers.set(() => {
        this.timer = null;
        this.run();
      }, Math.max(0, next));
    }
  }
}

/** append, dropping the oldest beyond `max` (small arrays: shift is cheap enough here) */
function keep<T>(a: T[], v: T, max: number): void {
  a.push(v);
  if (a.length > max) a.shift();
}
