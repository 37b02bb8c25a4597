/**
 * Opus decoders for the player (../player.ts OpusDecoderFactory). WebCodecs AudioDecoder where
 * the browser has it (secure contexts in Chromium, Firefox, Safari 17+); elsewhere the
 * `opus-decoder` package (libopus in WASM), loaded only then, as its own chunk.
 *
 * SPICE sends one Opus packet per DATA, 480 samples per channel at 48 kHz (§9.1); both decoders
 * need no codec description for that (mapping family 0, ≤ 2 channels).
 */
import type { AudioFormat, OpusDecoder, OpusDecoderFactory } from '../player';

export function webCodecsOpus(): OpusDecoderFactory | null {
  if (typeof AudioDecoder === 'undefined' || typeof EncodedAudioChunk === 'undefined') return null;
  return (f, onFrames, onError) => {
    const dec = new AudioDecoder({
      output: (ad) => {
        const planes: Float32Array[] = [];
        for (let c = 0; c < ad.numberOfChannels; c++) {
          const p = new Float32Array(ad.numberOfFrames);
          ad.copyTo(p, { planeIndex: c, format: 'f32-planar' });
          planes.push(p);
        }
        // the chunk's timestamp is the packet's mm_time in µs (below): it comes back with its frames
        const time = ad.timestamp / 1000;
        ad.close();
        onFrames(planes, time);
      },
      error: (e) => onError(e.message),
    });
    dec.configure({ codec: 'opus', sampleRate: f.rate, numberOfChannels: f.channels });
    return {
      decode(packet, time) {
        if (dec.state !== 'configured') return;
        // every Opus packet is independently decodable: each is a key chunk
        dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: time * 1000, data: packet }));
      },
      close() {
        if (dec.state !== 'closed') dec.close();
      },
    };
  };
}

/** libopus in WASM (the `opus-decoder` package): the fallback where AudioDecoder is missing */
export function wasmOpus(): OpusDecoderFactory {
  return (f: AudioFormat, onFrames, onError): OpusDecoder => {
    let closed = false;
    const queue: Array<{ p: Uint8Array; time: number }> = [];
    let dec: { decodeFrame(p: Uint8Array): { channelData: Float32Array[]; samplesDecoded: number; errors: Array<{ message: string }> }; free(): void } | null = null;
    const run = (p: Uint8Array, time: number): void => {
      const out = dec!.decodeFrame(p);
      if (out.errors.length) onError(out.errors[0]!.message);
      else if (out.samplesDecoded) onFrames(out.channelData.map((c) => c.slice(0, out.samplesDecoded)), time);
    };
    import('opus-decoder').then(
      async (m) => {
        const d = new m.OpusDecoder({ channels: f.channels, sampleRate: f.rate as 48000 });
        await d.ready;
        if (closed) return d.free();
        dec = d;
        for (const q of queue.splice(0)) run(q.p, q.time);
      },
      (e: unknown) => onError(`opus-decoder failed to load: ${String(e)}`),
    );
    return {
      decode(packet, time) {
        if (closed) return;
        // the packet is a view into a message buffer that is reused: keep a copy while loading
        if (dec) run(packet, time);
        else if (queue.length < 200) queue.push({ p: packet.slice(), time });
      },
      close() {
        closed = true;
        dec?.free();
        dec = null;
      },
    };
  };
}

/** the best Opus decoder this browser has (never null: the WASM one works everywhere) */
export function opusDecoderFactory(): OpusDecoderFactory {
  return webCodecsOpus() ?? wasmOpus();
}
