/**
 * Cursor shapes as CSS cursors (client mouse mode: the browser draws the cursor, so it never
 * lags the hand). Shapes are small; the PNG data URL is made once per shape and cached.
 */
import type { CursorShape } from '../input/cursor-shape';

const cache = new WeakMap<CursorShape, string>();

export function cssCursor(shape: CursorShape | null, visible: boolean): string {
  if (!visible) return 'none';
  if (!shape) return 'default';
  let css = cache.get(shape);
  if (!css) {
    const c = document.createElement('canvas');
    c.width = shape.width;
    c.height = shape.height;
    const ctx = c.getContext('2d');
    if (!ctx) return 'default';
    const px = new Uint8ClampedArray(shape.pixels.buffer, shape.pixels.byteOffset, shape.width * shape.height * 4).slice();
    ctx.putImageData(new ImageData(px, shape.width, shape.height), 0, 0);
    css = `url(${c.toDataURL('image/png')}) ${shape.hotX} ${shape.hotY}, default`;
    cache.set(shape, css);
  }
  return css;
}

/** draw a shape into an overlay canvas (server mouse mode) */
export function drawOverlay(canvas: HTMLCanvasElement, shape: CursorShape | null): void {
  if (!shape) {
    canvas.width = canvas.height = 0;
    return;
  }
  canvas.width = shape.width;
  canvas.height = shape.height;
  const px = new Uint8ClampedArray(shape.pixels.buffer, shape.pixels.byteOffset, shape.width * shape.height * 4).slice();
  canvas.getContext('2d')?.putImageData(new ImageData(px, shape.width, shape.height), 0, 0);
}
