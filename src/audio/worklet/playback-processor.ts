/**
 * The playback AudioWorklet processor: a JitterRing (../jitter-ring.ts) fed by 'data' messages
 * and pulled once per render quantum on the audio thread. Its own module and tsconfig: the
 * AudioWorkletGlobalScope has no DOM and TypeScript ships no lib for it (see ./globals.d.ts);
 * vite bundles it as a separate file (`?worker&url` in ../web/worklet-sink.ts).
 */
import { JitterRing } from '../jitter-ring';
import type { FromPlaybackWorklet, ToPlaybackWorklet } from '../worklet-messages';

/** stats go out this often (frames), ~50 ms at 48 kHz: enough for the latency estimate (§9.3) */
const STATS_EVERY = 2400;
/** the played position goes out this often (frames), ~50 ms at 48 kHz: the audio clock for lip-sync */
const CLOCK_EVERY = 2400;

class PlaybackProcessor extends AudioWorkletProcessor {
  private ring: JitterRing | null = null;
  private gain = 1;
  private sinceStats = 0;
  private sinceClock = 0;
  /** the last clock message said sound is playing */
  private clocking = false;
  private tap: { id: number; planes: Float32Array[]; at: number } | null = null;

  constructor() {
    super();
    this.port.onmessage = (e: MessageEvent) => this.onMessage(e.data as ToPlaybackWorklet);
  }

  private onMessage(m: ToPlaybackWorklet): void {
    switch (m.type) {
      case 'start':
        this.ring = new JitterRing(m.channels, m.capacity, m.target, m.rate ?? sampleRate);
        return;
      case 'data':
        this.ring?.push(m.planes, m.mmTime ?? null);
        return;
      case 'target':
        this.ring?.setTarget(m.frames);
        return;
      case 'gain':
        this.gain = m.gain;
        return;
      case 'stop':
        this.ring?.clear();
        return;
      case 'tap':
        this.tap = { id: m.id, planes: [], at: 0 };
        this.tap.planes = Array.from({ length: this.ring?.channels ?? 1 }, () => new Float32Array(m.frames));
        return;
    }
  }

  private post(m: FromPlaybackWorklet, transfer: Transferable[] = []): void {
    this.port.postMessage(m, transfer);
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    if (!out || !out.length) return true;
    const ring = this.ring;
    if (ring) ring.pull(out, this.gain);
    else for (const o of out) o.fill(0);
    const n = out[0]!.length;
    const tap = this.tap;
    if (tap) {
      const k = Math.min(n, tap.planes[0]!.length - tap.at);
      tap.planes.forEach((p, c) => p.set(out[Math.min(c, out.length - 1)]!.subarray(0, k), tap.at));
      tap.at += k;
      if (tap.at >= tap.planes[0]!.length) {
        this.tap = null;
        this.post({ type: 'tap', id: tap.id, planes: tap.planes }, tap.planes.map((p) => p.buffer as ArrayBuffer));
      }
    }
    this.clock(ring, n);
    this.sinceStats += n;
    if (ring && this.sinceStats >= STATS_EVERY) {
      this.sinceStats = 0;
      this.post({ type: 'stats', stats: ring.stats() });
    }
    return true;
  }

  /**
   * Report the played position: the stamp of the first frame of this quantum, which leaves the
   * processor at `currentTime` (the context time of the quantum's first frame). Silence stops it.
   */
  private clock(ring: JitterRing | null, n: number): void {
    const st = ring?.lastStamp ?? null;
    if (!st) {
      if (this.clocking) this.post({ type: 'clock', mm: null, time: currentTime });
      this.clocking = false;
      return;
    }
    this.sinceClock += n;
    if (this.clocking && this.sinceClock < CLOCK_EVERY) return;
    this.sinceClock = 0;
    this.clocking = true;
    this.post({ type: 'clock', mm: st.mm, time: currentTime - st.lagMs / 1000 });
  }
}

registerProcessor('spice-playback', PlaybackProcessor);
