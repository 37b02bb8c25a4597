/**
 * The browser's AudioSink: an AudioContext at the stream's own rate (no resampling on our side)
 * and the playback AudioWorklet processor (../worklet/playback-processor.ts, a JitterRing on the
 * audio thread). Volume and mute are a gain in the processor, so a tap of its output hears them.
 *
 * Autoplay: a context created without a user gesture starts 'suspended'. The sink then reports
 * 'blocked' and keeps the ring at its cushion (older sound is dropped, so enabling plays what is
 * live); enable() — called from a click — resumes it. Nothing fails silently: the UI shows the
 * click-to-enable button for as long as the state is 'blocked'.
 *
 * Fallback (documented in README): where AudioWorklet is missing (insecure context, old
 * browsers) each chunk becomes an AudioBufferSourceNode scheduled back to back on the context's
 * clock, with the same cushion policy (start `target` ahead after a gap; drop a chunk when more
 * than twice the cushion is queued). Its clock is exact too: a chunk stamped mm starts at the
 * context time it was scheduled for, so that start (mapped like the worklet's, below) is the
 * played position, given every ~50 ms of sound and whenever the cushion starts again.
 *
 * Clock (lip-sync, spice-protocol.md §9.3): the worklet reports which stamped sample it output at
 * which context time (worklet-messages.ts 'clock'); here that becomes "the sample stamped mm is
 * heard at local time `at`" through getOutputTimestamp() (the context time at the output device
 * and when it is heard: all output latency included), or, where that reads zero, the context's
 * currentTime plus baseLatency and outputLatency.
 */
import type { AudioFormat, AudioSink, PlayedPoint } from '../player';
import type { JitterStats } from '../jitter-ring';
import type { FromPlaybackWorklet, ToPlaybackWorklet } from '../worklet-messages';
import processorUrl from '../worklet/playback-processor.ts?worker&url';

export type OutputState = 'idle' | 'blocked' | 'running' | 'failed';

/** the ring holds up to 2 s: far above any cushion, so only the drop policy bounds latency */
const RING_SECONDS = 2;
/** the fallback gives its played position this often (s of sound), as the worklet does */
const CLOCK_EVERY_S = 0.05;

export class WebAudioSink implements AudioSink {
  state: OutputState = 'idle';
  /** 'worklet' normally; 'buffers' is the fallback */
  kind: 'worklet' | 'buffers' | null = null;
  /** the worklet's ring figures, or the fallback's own (what is scheduled and not yet played) */
  get stats(): JitterStats | null {
    const ctx = this.ctx, f = this.fmt;
    if (this.kind !== 'buffers') return this.ringStats;
    if (!ctx || !f) return null;
    const ahead = Math.max(0, this.nextTime - ctx.currentTime);
    return { ...this.bufStats, state: ahead > 0 ? 'playing' : 'filling', buffered: Math.round(ahead * f.rate) };
  }
  private ringStats: JitterStats | null = null;
  /** fallback counters: starved restarts, frames dropped as too much queued, frames scheduled */
  private bufStats = { underruns: 0, dropped: 0, played: 0 };
  onstate: ((s: OutputState, detail?: string) => void) | null = null;
  onplayed: ((p: PlayedPoint | null) => void) | null = null;
  private ctx: AudioContext | null = null;
  private node: AudioWorkletNode | null = null;
  private gainNode: GainNode | null = null;
  private pending: Array<{ m: ToPlaybackWorklet; t: Transferable[] }> = [];
  private fmt: AudioFormat | null = null;
  private targetMs = 100;
  private gain = 1;
  private nextTime = 0;
  /** fallback: context time of the last played position given (start of that chunk), -1: none yet since a gap */
  private clockAt = -1;
  private taps = new Map<number, (p: Float32Array[]) => void>();
  private bufTap: { planes: Float32Array[]; at: number; resolve: (p: Float32Array[]) => void } | null = null;
  private tapId = 0;

  start(f: AudioFormat): void {
    if (this.ctx && (this.fmt?.rate !== f.rate || this.fmt?.channels !== f.channels)) this.closeContext();
    this.fmt = f;
    if (!this.ctx) this.open(f);
    this.post({ type: 'start', channels: f.channels, capacity: f.rate * RING_SECONDS, target: this.frames(this.targetMs), rate: f.rate });
    this.post({ type: 'gain', gain: this.gain });
    this.nextTime = 0;
  }

  private open(f: AudioFormat): void {
    let ctx: AudioContext;
    try {
      ctx = new AudioContext({ sampleRate: f.rate, latencyHint: 'interactive' });
    } catch (e) {
      this.setState('failed', `no AudioContext at ${f.rate} Hz: ${String(e)}`);
      return;
    }
    this.ctx = ctx;
    ctx.onstatechange = () => this.ctx === ctx && this.contextState();
    this.contextState();
    if (ctx.audioWorklet) {
      this.kind = 'worklet';
      ctx.audioWorklet.addModule(processorUrl).then(
        () => {
          if (this.ctx !== ctx) return;
          const node = new AudioWorkletNode(ctx, 'spice-playback', { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [f.channels] });
          node.port.onmessage = (e: MessageEvent<FromPlaybackWorklet>) => this.fromWorklet(e.data);
          node.connect(ctx.destination);
          this.node = node;
          for (const p of this.pending.splice(0)) node.port.postMessage(p.m, p.t);
        },
        (e: unknown) => this.setState('failed', `the playback worklet did not load: ${String(e)}`),
      );
    } else {
      this.kind = 'buffers';
      this.gainNode = ctx.createGain();
      this.gainNode.gain.value = this.gain;
      this.gainNode.connect(ctx.destination);
    }
  }

  private contextState(): void {
    const s = this.ctx?.state;
    if (this.state === 'failed') return;
    this.setState(s === 'running' ? 'running' : s === 'suspended' ? 'blocked' : 'idle');
  }

  private setState(s: OutputState, detail?: string): void {
    if (s === this.state && !detail) return;
    this.state = s;
    this.onstate?.(s, detail);
  }

  /** resume output after the browser's autoplay block; call it from a user gesture (click) */
  async enable(): Promise<void> {
    await this.ctx?.resume();
    this.contextState();
  }

  /** both outputs report the played position (the worklet from its ring, the fallback from its schedule) */
  get clocked(): boolean {
    return this.kind !== null;
  }

  write(planes: Float32Array[], mmTime: number | null = null): void {
    if (this.kind === 'buffers') return this.schedule(planes, mmTime);
    this.post({ type: 'data', planes, mmTime }, planes.map((p) => p.buffer as ArrayBuffer));
  }

  private schedule(planes: Float32Array[], mmTime: number | null): void {
    const ctx = this.ctx, f = this.fmt, g = this.gainNode;
    if (!ctx || !f || !g || !planes[0]?.length || ctx.state !== 'running') return;
    const target = this.targetMs / 1000;
    const now = ctx.currentTime;
    if (this.nextTime < now + 0.005) {
      // starved: cushion again; the clock restarts with this chunk (the silence did not advance it)
      if (this.nextTime > 0) this.bufStats.underruns++;
      this.nextTime = now + target;
      this.clockAt = -1;
    }
    if (this.nextTime > now + 2 * target + 0.02) {
      this.bufStats.dropped += planes[0].length; // too much queued: drop this chunk
      return;
    }
    this.bufStats.played += planes[0].length;
    if (mmTime !== null && (this.clockAt < 0 || this.nextTime - this.clockAt >= CLOCK_EVERY_S)) {
      // the sample stamped mmTime leaves the context at nextTime: the played position, known
      // ahead (the sync's `at` may be in the near future; a clock extrapolates either way)
      this.clockAt = this.nextTime;
      this.onplayed?.({ mmTime, at: this.heardAt(this.nextTime) });
    }
    this.tapBuffers(planes);
    const buf = ctx.createBuffer(f.channels, planes[0].length, f.rate);
    for (let c = 0; c < f.channels; c++) buf.copyToChannel((planes[c] ?? planes[0]) as Float32Array<ArrayBuffer>, c);
    const src = ctx.createBufferSource();
    src.buffer = buf;
    src.connect(g);
    src.start(this.nextTime);
    this.nextTime += buf.duration;
  }

  private tapBuffers(planes: Float32Array[]): void {
    const t = this.bufTap;
    if (!t) return;
    const k = Math.min(planes[0]!.length, t.planes[0]!.length - t.at);
    t.planes.forEach((p, c) => {
      const src = planes[c] ?? planes[0]!;
      for (let i = 0; i < k; i++) p[t.at + i] = src[i]! * this.gain;
    });
    t.at += k;
    if (t.at >= t.planes[0]!.length) {
      this.bufTap = null;
      t.resolve(t.planes);
    }
  }

  setGain(gain: number): void {
    this.gain = gain;
    if (this.gainNode) this.gainNode.gain.value = gain;
    this.post({ type: 'gain', gain });
  }

  setTarget(ms: number): void {
    this.targetMs = ms;
    if (this.fmt) this.post({ type: 'target', frames: this.frames(ms) });
  }

  stop(): void {
    this.post({ type: 'stop' });
    this.nextTime = 0;
    this.clockAt = -1;
  }

  delayMs(): number {
    const ctx = this.ctx;
    if (!ctx || !this.fmt) return 0;
    const out = ((ctx.outputLatency || 0) + (ctx.baseLatency || 0)) * 1000;
    if (this.kind === 'buffers') return Math.max(0, this.nextTime - ctx.currentTime) * 1000 + out;
    return ((this.stats?.buffered ?? 0) / this.fmt.rate) * 1000 + out;
  }

  /**
   * The next `frames` frames the worklet outputs (after gain): for tests and diagnostics. In the
   * fallback, the next frames scheduled for output (after gain): what the buffers will play.
   */
  tap(frames: number): Promise<Float32Array[]> {
    if (!this.kind) return Promise.reject(new Error('no audio output yet'));
    if (this.kind === 'buffers') {
      const channels = this.fmt?.channels ?? 1;
      return new Promise((resolve) => {
        this.bufTap = { planes: Array.from({ length: channels }, () => new Float32Array(frames)), at: 0, resolve };
      });
    }
    const id = ++this.tapId;
    return new Promise((resolve) => {
      this.taps.set(id, resolve);
      this.post({ type: 'tap', id, frames });
    });
  }

  close(): void {
    this.closeContext();
    this.fmt = null;
    this.setState('idle');
  }

  private closeContext(): void {
    const ctx = this.ctx;
    this.ctx = null;
    this.node?.disconnect();
    this.node = null;
    this.gainNode = null;
    this.pending = [];
    this.kind = null;
    this.ringStats = null;
    this.bufStats = { underruns: 0, dropped: 0, played: 0 };
    void ctx?.close().catch(() => undefined);
  }

  private fromWorklet(m: FromPlaybackWorklet): void {
    if (m.type === 'stats') this.ringStats = m.stats;
    else if (m.type === 'clock') this.onplayed?.(m.mm === null ? null : { mmTime: m.mm, at: this.heardAt(m.time) });
    else {
      const r = this.taps.get(m.id);
      this.taps.delete(m.id);
      r?.(m.planes);
    }
  }

  /** local time (epoch ms) at which what the context rendered at context time `t` (s) is heard */
  private heardAt(t: number): number {
    const ctx = this.ctx;
    if (!ctx) return performance.timeOrigin + performance.now();
    const ts = ctx.getOutputTimestamp?.();
    if (ts && ts.performanceTime && ts.contextTime) return performance.timeOrigin + ts.performanceTime + (t - ts.contextTime) * 1000;
    const out = (ctx.outputLatency || 0) + (ctx.baseLatency || 0);
    return performance.timeOrigin + performance.now() + (t - ctx.currentTime + out) * 1000;
  }

  private frames(ms: number): number {
    return Math.round(((this.fmt?.rate ?? 48000) * ms) / 1000);
  }

  private post(m: ToPlaybackWorklet, t: Transferable[] = []): void {
    if (this.kind === 'buffers' || !this.ctx) return;
    if (this.node) this.node.port.postMessage(m, t);
    // before the module loaded: keep the last second or so (the ring would drop older anyway)
    else if (this.pending.length < 200 || m.type !== 'data') this.pending.push({ m, t });
  }
}
