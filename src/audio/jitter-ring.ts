/**
 * The playback jitter buffer: planar float samples in a fixed ring, pulled by the audio thread
 * one render quantum at a time. Pure (no DOM, no AudioWorklet globals) so Node tests drive it
 * with any arrival pattern; the worklet processor (worklet/playback-processor.ts) wraps it.
 *
 * Policy — it neither starves nor grows:
 *  - It starts (and restarts after an underrun) in 'filling': silence until `target` frames are
 *    queued, so a network hiccup costs one gap and then `target` of cushion again, instead of a
 *    crackle on every late packet.
 *  - When more than `high` frames are queued (the sender's clock runs faster than ours, or a
 *    burst arrived after a stall), the oldest are dropped back down to `target`: latency stays
 *    bounded, as spice-gtk's min-latency intends (spice-protocol.md §9.3). This is also the
 *    ~0.8 s trimmed at a stream's start: Xspice sends the backlog of its FIFO reader at once
 *    (measured: 928 ms of stamps in the first 58 ms, raw and Opus alike; an Opus decoder's start
 *    adds a smaller burst). Played, it would keep the sound — and the lip-synced picture —
 *    that far behind live for good; the newest cushion is kept instead.
 *
 * Clock: frames may come with the mm_time of their first sample (PLAYBACK_DATA's stamp); the
 * ring numbers every frame it is given and a StampTrack (play-clock.ts) maps that number to
 * mm_time, so `lastStamp` after a pull says which mm_time the output began with: the audio
 * clock from what is really played. Filling silence has no number, so it never advances it.
 */
import { StampTrack, type PlayStamp } from './play-clock';

export interface JitterStats {
  state: 'filling' | 'playing';
  /** frames queued, not yet played */
  buffered: number;
  /** times the ring ran dry while playing */
  underruns: number;
  /** frames dropped to keep latency bounded (plus any that did not fit) */
  dropped: number;
  /** frames played from the ring */
  played: number;
}

export class JitterRing {
  readonly channels: number;
  readonly capacity: number;
  private planes: Float32Array[];
  private read = 0;
  private count = 0;
  private target: number;
  private high: number;
  private state: 'filling' | 'playing' = 'filling';
  private underruns = 0;
  private dropped = 0;
  private played = 0;
  /** running index of the next frame pushed (every frame ever given, kept or dropped) */
  private written = 0;
  private readonly stamps: StampTrack;
  /** the stamp of the first frame the last pull played; null: it played silence, or unstamped sound */
  lastStamp: PlayStamp | null = null;

  /** `rate`: frames per second, to turn a distance into a packet into ms of mm_time */
  constructor(channels: number, capacity: number, target: number, rate = 48000) {
    this.channels = channels;
    this.stamps = new StampTrack(rate);
    this.capacity = capacity;
    this.planes = Array.from({ length: channels }, () => new Float32Array(capacity));
    this.target = 0;
    this.high = 0;
    this.setTarget(target);
  }

  /** the cushion kept before playing; `high` is where dropping starts (twice it, at least +20 ms worth) */
  setTarget(frames: number): void {
    this.target = Math.max(0, Math.min(Math.floor(frames), Math.floor(this.capacity / 2)));
    this.high = Math.min(this.capacity, Math.max(this.target * 2, this.target + 960));
  }

  get targetFrames(): number {
    return this.target;
  }

  /**
   * queue frames (one array per channel, equal lengths; missing channels repeat channel 0);
   * `mmTime`: the u32 mm_time of the first frame, when known
   */
  push(planes: readonly Float32Array[], mmTime: number | null = null): void {
    const n = planes[0]?.length ?? 0;
    if (!n) return;
    this.stamps.mark(this.written, mmTime);
    this.written += n;
    let src = 0;
    let len = n;
    if (len > this.capacity) {
      // more than the whole ring: keep the newest
      src = len - this.capacity;
      this.dropped += src;
      len = this.capacity;
    }
    const free = this.capacity - this.count;
    if (len > free) this.skip(len - free);
    let w = (this.read + this.count) % this.capacity;
    for (let done = 0; done < len; ) {
      const run = Math.min(len - done, this.capacity - w);
      for (let c = 0; c < this.channels; c++) {
        const from = planes[c] ?? planes[0]!;
        this.planes[c]!.set(from.subarray(src + done, src + done + run), w);
      }
      done += run;
      w = (w + run) % this.capacity;
    }
    this.count += len;
    if (this.count > this.high) this.skip(this.count - this.target);
  }

  /**
   * Fill `out` (one array per output channel, all of length n) from the ring; silence where
   * there is nothing to play. Returns the frames taken from the ring.
   */
  pull(out: Float32Array[], gain = 1): number {
    const n = out[0]?.length ?? 0;
    if (this.state === 'filling') {
      if (this.count >= this.target && this.count > 0) this.state = 'playing';
      else {
        for (const o of out) o.fill(0);
        this.lastStamp = null;
        return 0;
      }
    }
    const take = Math.min(n, this.count);
    const first = this.written - this.count;
    this.lastStamp = take > 0 ? this.stamps.at(first) : null;
    this.stamps.forget(first + take);
    for (let c = 0; c < out.length; c++) {
      const o = out[c]!;
      const p = this.planes[Math.min(c, this.channels - 1)]!;
      let r = this.read;
      for (let i = 0; i < take; i++) {
        o[i] = p[r]! * gain;
        if (++r === this.capacity) r = 0;
      }
      o.fill(0, take);
    }
    this.read = (this.read + take) % this.capacity;
    this.count -= take;
    this.played += take;
    if (take < n) {
      this.underruns++;
      this.state = 'filling';
    }
    return take;
  }

  /** drop everything (STOP) and fill again before playing */
  clear(): void {
    this.read = 0;
    this.count = 0;
    this.state = 'filling';
    this.lastStamp = null;
    this.stamps.clear();
  }

  /** the stamp of the next frame to play (null: none queued, or unstamped) */
  nextStamp(): PlayStamp | null {
    return this.count ? this.stamps.at(this.written - this.count) : null;
  }

  stats(): JitterStats {
    return { state: this.state, buffered: this.count, underruns: this.underruns, dropped: this.dropped, played: this.played };
  }

  private skip(n: number): void {
    const k = Math.min(n, this.count);
    this.read = (this.read + k) % this.capacity;
    this.count -= k;
    this.dropped += k;
  }
}
