/**
 * The browser's microphone for the record feature (../mic.ts seams):
 *  - WebMicCapture: getUserMedia (called only once the user agreed and the server asked: the
 *    feature decides when), a MediaStreamAudioSourceNode into the capture AudioWorklet
 *    (../worklet/capture-processor.ts), frames posted back to this thread. The AudioContext
 *    runs at the device's own rate (Firefox refuses a source at another rate); the feature
 *    resamples to the server's. close() stops the tracks (the browser's recording indicator
 *    goes out) and the context, also when it comes before getUserMedia settled.
 *  - webCodecsOpusEncoder(): WebCodecs AudioEncoder, 10 ms Opus frames (spice-server's decoder
 *    takes at most 480 samples per channel per packet), offered only when isConfigSupported
 *    says yes; otherwise the feature advertises raw PCM only.
 */
import type { MicCapture, RecordOpusEncoderFactory } from '../mic';
import type { FromCaptureWorklet } from '../worklet-messages';
import processorUrl from '../worklet/capture-processor.ts?worker&url';

export interface MicOptions {
  /**
   * the browser's echo cancellation, noise suppression and automatic gain (default true: what a
   * call in the guest wants; off for measurement, where they would reshape a test tone)
   */
  processing?: boolean;
}

export class WebMicCapture implements MicCapture {
  private closed = false;
  private stream: MediaStream | null = null;
  private ctx: AudioContext | null = null;
  private node: AudioWorkletNode | null = null;

  constructor(private readonly o: MicOptions = {}) {}

  async open(onFrames: (planes: Float32Array[]) => void): Promise<{ rate: number; channels: number }> {
    const md = globalThis.navigator?.mediaDevices;
    if (!md?.getUserMedia) {
      throw Object.assign(new Error('this page cannot use a microphone (getUserMedia needs a secure context: https or localhost)'), { name: 'NotSupportedError' });
    }
    const p = this.o.processing ?? true;
    const stream = await md.getUserMedia({ audio: { echoCancellation: p, noiseSuppression: p, autoGainControl: p }, video: false });
    if (this.closed) {
      stopTracks(stream);
      throw Object.assign(new Error('closed while opening'), { name: 'AbortError' });
    }
    this.stream = stream;
    const ctx = new AudioContext({ latencyHint: 'interactive' });
    this.ctx = ctx;
    if (!ctx.audioWorklet) {
      this.close();
      throw Object.assign(new Error('no AudioWorklet here (an insecure context?)'), { name: 'NotSupportedError' });
    }
    await ctx.audioWorklet.addModule(processorUrl);
    if (this.closed) throw Object.assign(new Error('closed while opening'), { name: 'AbortError' });
    const src = ctx.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(ctx, 'spice-capture', { numberOfInputs: 1, numberOfOutputs: 0 });
    this.node = node;
    node.port.onmessage = (e: MessageEvent<FromCaptureWorklet>) => {
      if (!this.closed && e.data.type === 'frames') onFrames(e.data.planes);
    };
    src.connect(node);
    // a context made without a recent click may start suspended; the consent click counts
    if (ctx.state !== 'running') await ctx.resume().catch(() => undefined);
    const track = stream.getAudioTracks()[0];
    return { rate: ctx.sampleRate, channels: track?.getSettings().channelCount ?? 1 };
  }

  close(): void {
    this.closed = true;
    if (this.node) this.node.port.onmessage = null;
    this.node?.disconnect();
    this.node = null;
    if (this.stream) stopTracks(this.stream);
    this.stream = null;
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }
}

function stopTracks(s: MediaStream): void {
  for (const t of s.getTracks()) t.stop();
}

const OPUS_CONFIG = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrate: 64000, opus: { frameDuration: 10_000 } };

/** a WebCodecs Opus encoder factory when the browser can encode Opus at 48 kHz stereo, 10 ms frames; else null */
export async function webCodecsOpusEncoder(): Promise<RecordOpusEncoderFactory | null> {
  if (typeof AudioEncoder === 'undefined' || typeof AudioData === 'undefined') return null;
  try {
    const s = await AudioEncoder.isConfigSupported(OPUS_CONFIG as AudioEncoderConfig);
    if (!s.supported) return null;
  } catch {
    return null;
  }
  return (f, onPacket, onError) => {
    const enc = new AudioEncoder({
      output: (chunk) => {
        const b = new Uint8Array(chunk.byteLength);
        chunk.copyTo(b);
        onPacket(b);
      },
      error: (e) => onError(e.message),
    });
    enc.configure({ ...OPUS_CONFIG, sampleRate: f.rate, numberOfChannels: f.channels } as AudioEncoderConfig);
    let timestamp = 0;
    return {
      encode(planes) {
        if (enc.state !== 'configured') return;
        const n = planes[0]!.length;
        const data = new Float32Array(n * planes.length);
        planes.forEach((p, c) => data.set(p, c * n));
        const ad = new AudioData({ format: 'f32-planar', sampleRate: f.rate, numberOfFrames: n, numberOfChannels: planes.length, timestamp, data });
        timestamp += (n * 1e6) / f.rate;
        enc.encode(ad);
        ad.close();
      },
      close() {
        if (enc.state !== 'closed') enc.close();
      },
    };
  };
}
