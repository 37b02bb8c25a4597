/**
 * The capture AudioWorklet processor (the microphone side of the record feature): it copies
 * its input's render quanta (128 frames) into blocks of BLOCK frames and posts each block to
 * the main thread, which resamples, cuts packets and sends them (src/session/record.ts). A block
 * of ~20 ms keeps the message rate low without adding latency the guest would notice.
 * Own module (no DOM in the AudioWorkletGlobalScope); vite bundles it as a separate file.
 */
import type { FromCaptureWorklet } from '../worklet-messages';

const BLOCK = 1024;

class CaptureProcessor extends AudioWorkletProcessor {
  private planes: Float32Array[] = [];
  private fill = 0;

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0];
    // no input connected (yet), or the track ended: keep the node alive, send nothing
    if (!input || input.length === 0) return true;
    if (this.planes.length !== input.length) {
      this.planes = input.map(() => new Float32Array(BLOCK));
      this.fill = 0;
    }
    const n = input[0]!.length;
    let off = 0;
    while (off < n) {
      const take = Math.min(BLOCK - this.fill, n - off);
      for (let c = 0; c < input.length; c++) this.planes[c]!.set(input[c]!.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (this.fill === BLOCK) {
        const m: FromCaptureWorklet = { type: 'frames', planes: this.planes };
        this.port.postMessage(m, this.planes.map((p) => p.buffer as ArrayBuffer));
        this.planes = input.map(() => new Float32Array(BLOCK));
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('spice-capture', CaptureProcessor);
