/**
 * The pure steps between the microphone and the record channel (no DOM): the capture comes at
 * the browser's rate (its AudioContext's, usually the device's 48 kHz) with the device's channel
 * count; the server asks for its own rate and channels (RECORD_START). So:
 *   channel map (mono mic → both of a stereo stream, or the first N) → resample → gain (the
 *   server's RECORD_VOLUME / MUTE) → cut into packets of `packetFrames` frames.
 * Packets are 480 frames (10 ms at 48 kHz): spice-server's record buffer holds one Opus frame of
 * at most 480 samples per channel (SND_CODEC_MAX_FRAME_SIZE) and a raw DATA message of at most
 * that many bytes, and closes the channel on anything bigger.
 */

/** spice-server's largest record frame, per channel */
export const RECORD_PACKET_FRAMES = 480;

/**
 * Streaming linear-interpolation resampler: state carries over between chunks, so the output
 * is the same whether the input comes in one chunk or many. Linear is enough for speech and
 * keeps a tone's frequency exact (only the level of high partials suffers).
 */
export class Resampler {
  /** the input position (in input frames, relative to the next chunk's first frame) of the next output frame */
  private pos = 0;
  /** the last input frame of the previous chunk, per channel (interpolation across chunks) */
  private last: Float32Array;
  private primed = false;
  private readonly step: number;

  constructor(readonly from: number, readonly to: number, readonly channels: number) {
    if (!(from > 0 && to > 0)) throw new RangeError(`resample ${from} → ${to} Hz`);
    this.step = from / to;
    this.last = new Float32Array(channels);
  }

  push(planes: readonly Float32Array[]): Float32Array[] {
    const n = planes[0]?.length ?? 0;
    if (n === 0) return planes.map(() => new Float32Array(0));
    if (this.from === this.to) return planes.map((p) => p.slice());
    if (!this.primed) {
      // the very first frame is its own predecessor: the output starts at input frame 0
      for (let c = 0; c < this.channels; c++) this.last[c] = planes[c]![0]!;
      this.pos = 1;
      this.primed = true;
    }
    // sample i of the virtual signal: i = 0 is `last`, i ≥ 1 is planes[.][i - 1]
    const avail = n; // the highest index usable as the right neighbour
    const count = Math.max(0, Math.ceil((avail - this.pos) / this.step));
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    for (let k = 0; k < count; k++) {
      const x = this.pos + k * this.step;
      const i = Math.floor(x), f = x - i;
      for (let c = 0; c < this.channels; c++) {
        const p = planes[c]!;
        const a = i === 0 ? this.last[c]! : p[i - 1]!;
        const b = p[i]!;
        out[c]![k] = a + (b - a) * f;
      }
    }
    this.pos = this.pos + count * this.step - n;
    for (let c = 0; c < this.channels; c++) this.last[c] = planes[c]![n - 1]!;
    return out;
  }
}

/** the device's planes as the server's `channels`: mono to all, else the first ones (a missing one repeats the last) */
export function mapChannels(planes: readonly Float32Array[], channels: number): Float32Array[] {
  if (planes.length === 0) return [];
  return Array.from({ length: channels }, (_, c) => planes[Math.min(c, planes.length - 1)]!);
}

/** RECORD_VOLUME (u16 per channel) and MUTE as one linear gain per channel */
export function recordGains(volume: readonly number[], muted: boolean, channels: number): number[] {
  return Array.from({ length: channels }, (_, c) => (muted ? 0 : volume.length ? (volume[Math.min(c, volume.length - 1)]! / 65535) : 1));
}

/** collects planar frames and hands out whole packets of `frames` frames */
export class Packetizer {
  private buf: Float32Array[];
  private fill = 0;

  constructor(readonly channels: number, readonly frames: number) {
    this.buf = Array.from({ length: channels }, () => new Float32Array(frames));
  }

  push(planes: readonly Float32Array[], gains: readonly number[], onPacket: (p: Float32Array[]) => void): void {
    const n = planes[0]?.length ?? 0;
    let off = 0;
    while (off < n) {
      const take = Math.min(this.frames - this.fill, n - off);
      for (let c = 0; c < this.channels; c++) {
        const src = planes[c]!, dst = this.buf[c]!, g = gains[c] ?? 1;
        for (let i = 0; i < take; i++) dst[this.fill + i] = src[off + i]! * g;
      }
      this.fill += take;
      off += take;
      if (this.fill === this.frames) {
        const full = this.buf;
        this.buf = Array.from({ length: this.channels }, () => new Float32Array(this.frames));
        this.fill = 0;
        onPacket(full);
      }
    }
  }
}
