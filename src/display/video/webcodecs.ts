/**
 * WebCodecs VideoDecoder behind the FrameDecoder seam (./decoder.ts), for the display worker.
 * probeVideoDecoders() asks `VideoDecoder.isConfigSupported` for each SPICE codec once; the
 * worker does it before its display channel links, so only codecs this browser decodes are
 * advertised (spice-protocol.md §5.7 caps CODEC_VP8 / CODEC_H264 / CODEC_VP9).
 *
 * A decoded VideoFrame comes out as a Picture (./browser-picture.ts): the worker's canvas draws
 * it as it is (the browser converts YUV to RGB), and its pixels reach the surface only when a
 * later op, a screenshot or a repaint needs them (../lazy-frames.ts), through the same clipped,
 * scaled put as an M-JPEG frame, so screenshots stay exact outside streams.
 */
import { browserPicture } from './browser-picture';
import { VideoCodecType } from '../../protocol/enums';
import type { FrameDecoder, VideoDecoders } from './decoder';
import { WEBCODECS_CODEC } from './keyframe';

/** the order we ask the server for (PREFERRED_VIDEO_CODEC_TYPE): best compression first, M-JPEG last */
export const PREFERRED_ORDER: readonly number[] = [VideoCodecType.VP9, VideoCodecType.H264, VideoCodecType.VP8, VideoCodecType.MJPEG];

const OUTPUT_TIMEOUT_MS = 2000;

export async function probeVideoDecoders(): Promise<VideoDecoders | null> {
  if (typeof VideoDecoder === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  const supported: number[] = [];
  for (const type of PREFERRED_ORDER) {
    const codec = WEBCODECS_CODEC[type];
    if (!codec) continue;
    try {
      const r = await VideoDecoder.isConfigSupported({ codec, optimizeForLatency: true });
      if (r.supported) supported.push(type);
    } catch {
      /* not this one */
    }
  }
  return { supported, create: (type) => webCodecsDecoder(type) };
}

function webCodecsDecoder(type: number): FrameDecoder {
  const pending: Array<{ resolve: (f: VideoFrame) => void; reject: (e: Error) => void }> = [];
  const failAll = (e: Error): void => {
    for (const p of pending.splice(0)) p.reject(e);
  };
  const dec = new VideoDecoder({
    // no B-frames in the server's low-latency encodes: outputs come in decode order
    output: (f) => {
      const p = pending.shift();
      if (p) p.resolve(f);
      else f.close();
    },
    error: (e) => failAll(new Error(e.message)),
  });
  dec.configure({ codec: WEBCODECS_CODEC[type]!, optimizeForLatency: true });
  return {
    decode(data, key, timestampUs) {
      if (dec.state !== 'configured') return Promise.reject(new Error(`decoder ${dec.state}`));
      return new Promise<VideoFrame>((resolve, reject) => {
        // a frame the decoder keeps without output would stall the channel's in-order queue:
        // after OUTPUT_TIMEOUT_MS it counts as a decoder error (the stream waits for a key frame)
        const timer = setTimeout(() => {
          const i = pending.findIndex((p) => p.reject === fail);
          if (i >= 0) pending.splice(i, 1);
          fail(new Error(`no output within ${OUTPUT_TIMEOUT_MS} ms`));
        }, OUTPUT_TIMEOUT_MS);
        const fail = (e: Error): void => {
          clearTimeout(timer);
          reject(e);
        };
        pending.push({ resolve: (f) => (clearTimeout(timer), resolve(f)), reject: fail });
        try {
          dec.decode(new EncodedVideoChunk({ type: key ? 'key' : 'delta', timestamp: timestampUs, data }));
        } catch (e) {
          failAll(e instanceof Error ? e : new Error(String(e)));
        }
      }).then(browserPicture);
    },
    close() {
      failAll(new Error('closed'));
      if (dec.state !== 'closed') dec.close();
    },
  };
}
