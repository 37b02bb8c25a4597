/**
 * The Clock seam and SPICE multimedia time (spice-protocol.md, lip-sync). The server stamps
 * stream frames and audio packets with `mm_time`, a u32 millisecond counter it publishes on the
 * main channel (MAIN_INIT and MULTI_MEDIA_TIME). An MmTime keeps the estimate "server mm_time
 * now" from the last sync and a local Clock; display workers and (later) audio schedule against
 * it. Tests use FakeClock, so scheduling logic runs in Node without timers.
 *
 * Local times are epoch milliseconds (performance.timeOrigin + performance.now()): the same
 * instant reads the same on the UI thread and in a worker, so a sync can cross threads by
 * message as { mmTime, at }.
 */

export interface Clock {
  /** local monotonic time in epoch milliseconds */
  now(): number;
}

export const realClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};

/** a clock that moves only when told to */
export class FakeClock implements Clock {
  constructor(private t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** a mm_time sync point: the server's mm_time was `mmTime` at local time `at` */
export interface MmSync {
  mmTime: number;
  at: number;
  /**
   * set when the sync comes from the audio being heard (spice-protocol.md §9.3): the output
   * delay then (ms), what STREAM_REPORT's audio_delay says; absent on the main channel's syncs
   */
  audioDelayMs?: number;
}

/** signed distance a - b of two u32 mm_time values (the counter wraps every ~49.7 days) */
export function mmDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

export class MmTime {
  private sync_: MmSync | null = null;

  constructor(readonly clock: Clock = realClock) {}

  /** the server said mm_time is `mmTime` now (or at local time `at`) */
  sync(mmTime: number, at = this.clock.now()): void {
    this.sync_ = { mmTime: mmTime >>> 0, at };
  }

  /** the last sync point, to hand to another thread */
  get lastSync(): MmSync | null {
    return this.sync_;
  }

  get synced(): boolean {
    return this.sync_ !== null;
  }

  /** the server's mm_time now, or null before the first sync */
  now(): number | null {
    const s = this.sync_;
    if (!s) return null;
    return (s.mmTime + Math.round(this.clock.now() - s.at)) >>> 0;
  }

  /** how many ms until server time `mm` (negative: it is already past), or null before a sync */
  until(mm: number): number | null {
    const n = this.now();
    return n === null ? null : mmDiff(mm >>> 0, n);
  }
}
