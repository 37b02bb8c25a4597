/**
 * The video decoder seam of the display worker: a stream's frames go in (bytes, key or not),
 * frames come out in decode order: browser pictures (./picture.ts, the worker's VideoFrames) or
 * pixels in our surface format (codecs/types.ts DecodedImage, a Node test's fake). The
 * worker gives WebCodecs VideoDecoder (./webcodecs.ts); Node tests give a fake. M-JPEG stays on
 * the JPEG path (images.ts JpegDecoder) and never comes here.
 *
 * StreamVideo adds what a stream needs around any decoder: delta frames before the first key
 * frame are dropped (a decoder cannot start on them), and a decoder error is not the end of the
 * stream: the decoder is replaced and frames are dropped until the next key frame, which the
 * server's encoder sends periodically and after a stream reset.
 */
import { isKeyFrame } from './keyframe';
import type { StreamFrame } from './picture';

export interface FrameDecoder {
  /** decode one frame; resolves with its pixels, rejects when the decoder failed */
  decode(data: Uint8Array, key: boolean, timestampUs: number): Promise<StreamFrame>;
  close(): void;
}

export interface VideoDecoders {
  /** SpiceVideoCodecType values this browser decodes (asked once, before the channel links) */
  supported: readonly number[];
  create(codecType: number, width: number, height: number): FrameDecoder;
}

export interface StreamVideoStats {
  decoded: number;
  /** frames skipped waiting for a key frame */
  skipped: number;
  errors: number;
}

export class StreamVideo {
  private dec: FrameDecoder | null = null;
  private needKey = true;
  readonly stats: StreamVideoStats = { decoded: 0, skipped: 0, errors: 0 };

  constructor(
    private readonly decoders: VideoDecoders,
    readonly codecType: number,
    private readonly width: number,
    private readonly height: number,
  ) {}

  /** the frame's pixels, or null when it cannot be shown (waiting for a key frame, decoder failed) */
  async frame(data: Uint8Array, timestampUs: number): Promise<StreamFrame | null> {
    const key = isKeyFrame(this.codecType, data);
    if (this.needKey && !key) {
      this.stats.skipped++;
      return null;
    }
    this.needKey = false;
    this.dec ??= this.decoders.create(this.codecType, this.width, this.height);
    const dec = this.dec;
    try {
      const img = await dec.decode(data, key, timestampUs);
      this.stats.decoded++;
      return img;
    } catch {
      this.stats.errors++;
      if (this.dec === dec) {
        dec.close();
        this.dec = null;
        this.needKey = true;
      }
      return null;
    }
  }

  close(): void {
    this.dec?.close();
    this.dec = null;
  }
}
