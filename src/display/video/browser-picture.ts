/**
 * A browser-decoded frame (WebCodecs VideoFrame, or an ImageBitmap where ImageDecoder is
 * missing) as a Picture (./picture.ts). The worker's canvas draws `source` directly; pixels()
 * reads it back through one scratch 2D canvas (drawImage + getImageData), the same conversion
 * the visible canvas applied, so a frame read back later matches what was on screen.
 */
import type { DecodedImage } from '../../codecs/types';
import type { Picture } from './picture';

let scratch: OffscreenCanvas | null = null;
let scratchCtx: OffscreenCanvasRenderingContext2D | null = null;

function readBack(source: CanvasImageSource, width: number, height: number): DecodedImage {
  if (!scratch || scratch.width < width || scratch.height < height) {
    scratch = new OffscreenCanvas(Math.max(width, scratch?.width ?? 0), Math.max(height, scratch?.height ?? 0));
    scratchCtx = scratch.getContext('2d', { willReadFrequently: true });
  }
  const ctx = scratchCtx;
  if (!ctx) throw new Error('no 2d context to read a video frame back');
  ctx.drawImage(source, 0, 0, width, height);
  const data = ctx.getImageData(0, 0, width, height).data;
  return { width, height, pixels: new Uint32Array(data.buffer, data.byteOffset, width * height), hasAlpha: false };
}

export function browserPicture(source: VideoFrame | ImageBitmap): Picture {
  const frame = 'displayWidth' in source ? source : null;
  const width = frame ? frame.displayWidth : (source as ImageBitmap).width;
  const height = frame ? frame.displayHeight : (source as ImageBitmap).height;
  let open = true;
  return {
    kind: 'picture',
    width,
    height,
    source,
    pixels: () => (open ? Promise.resolve(readBack(source, width, height)) : Promise.reject(new Error('picture closed'))),
    close: () => {
      if (!open) return;
      open = false;
      source.close();
    },
  };
}
