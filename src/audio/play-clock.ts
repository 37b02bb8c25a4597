/**
 * Which multimedia time (mm_time, spice-protocol.md §9.3) each queued audio frame carries, so
 * the playing position can be read from the samples actually played instead of estimated from
 * "last packet's stamp minus what is queued".
 *
 * Every PLAYBACK_DATA is stamped with the mm_time of its first sample. The ring (jitter-ring.ts)
 * numbers the frames it is given with a running index; a StampTrack remembers where each packet
 * began in that numbering and with which stamp. A frame's mm_time is then its packet's stamp plus
 * its distance into the packet at the stream's rate. Consequences, each tested:
 *  - silence the ring inserts while it fills (start, underrun) has no index: it never advances
 *    the media clock, the next frame played carries the stamp it was sent with;
 *  - a gap or jump in the stamps (the server skipped sound, restarted its clock) is followed at
 *    once: each packet's own stamp counts, nothing is extrapolated across packets;
 *  - frames dropped by the ring (latency bound) are skipped in the numbering too;
 *  - the u32 counter wraps (every ~49.7 days): arithmetic is modulo 2^32.
 * Pure (no DOM, no AudioWorklet globals): it runs inside the worklet and in Node tests.
 */

/** the stamp of one played frame: sample `mm` began `lagMs` (0 ≤ lagMs < 1) before this frame */
export interface PlayStamp {
  /** u32 mm_time, whole ms */
  mm: number;
  /** how long before this frame the sample stamped `mm` was (the fraction of a ms) */
  lagMs: number;
}

interface Segment {
  /** running index of the segment's first frame */
  start: number;
  /** its u32 mm_time, or null: frames that came without a stamp */
  mm: number | null;
}

export class StampTrack {
  private segs: Segment[] = [];
  private head = 0;

  constructor(readonly rate: number) {}

  /** frames from running index `start` on (until the next mark) begin at `mm` (null: unstamped) */
  mark(start: number, mm: number | null): void {
    const last = this.segs[this.segs.length - 1];
    if (last && last.start === start) last.mm = mm === null ? null : mm >>> 0;
    else this.segs.push({ start, mm: mm === null ? null : mm >>> 0 });
  }

  /** the stamp of the frame at running index `index`; null if unstamped or not (any more) known */
  at(index: number): PlayStamp | null {
    let i = this.head;
    if (i >= this.segs.length || index < this.segs[i]!.start) return null;
    while (i + 1 < this.segs.length && this.segs[i + 1]!.start <= index) i++;
    const s = this.segs[i]!;
    if (s.mm === null) return null;
    const ms = ((index - s.start) * 1000) / this.rate;
    const whole = Math.floor(ms);
    return { mm: (s.mm + whole) >>> 0, lagMs: ms - whole };
  }

  /** frames before running index `index` will not be asked for again: forget their segments */
  forget(index: number): void {
    while (this.head + 1 < this.segs.length && this.segs[this.head + 1]!.start <= index) this.head++;
    // compact now and then (the worklet calls this every render quantum; keep it O(1) amortised)
    if (this.head > 64) {
      this.segs = this.segs.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.segs = [];
    this.head = 0;
  }

  /** segments kept (tests: nothing grows) */
  get size(): number {
    return this.segs.length - this.head;
  }
}
