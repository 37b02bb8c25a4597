/**
 * A decoded stream frame that still lives in the browser's decoder (a VideoFrame or ImageBitmap
 * in the display worker). The worker's canvas can draw it as it is (the browser converts YUV to
 * RGB on the way, no readback); only when a later draw op, a screenshot or a repaint needs the
 * surface's own pixels is it read back (`pixels()`, see ../lazy-frames.ts). Reading every frame
 * back into the software surface cost 21 ms (M-JPEG) and 32 ms (VP8) per 1280×720 frame on the
 * 2-core test machine, most of a 30 fps frame's 33 ms.
 *
 * Decoders without a browser behind them (Node tests, jpeg-js) produce DecodedImage pixels
 * directly; streams.ts takes either (StreamFrame).
 */
import type { DecodedImage } from '../../codecs/types';

export interface Picture {
  readonly kind: 'picture';
  readonly width: number;
  readonly height: number;
  /** what a 2D canvas can draw (CanvasImageSource in the worker); opaque to the core */
  readonly source: unknown;
  /** the picture's pixels in our format (codecs/types.ts); the picture stays open */
  pixels(): Promise<DecodedImage>;
  /** frees the decoder's memory; idempotent */
  close(): void;
}

export type StreamFrame = DecodedImage | Picture;

export function isPicture(f: StreamFrame): f is Picture {
  return (f as Picture).kind === 'picture';
}

/** an M-JPEG frame decoder that keeps the frame in the browser (workers/jpeg.ts) */
export type PictureDecoder = (data: Uint8Array) => Promise<Picture>;
