/**
 * Presents the primary surface on the monitor's OffscreenCanvas. Draw ops render into the
 * surface's Uint32Array (src/display); this sink only copies damaged rectangles to the canvas,
 * coalesced to one putImageData per damaged region per animation frame. The surface memory is
 * wrapped as ImageData without a copy (same byte order: R,G,B,A).
 */
import type { DrawSink } from '../src/display/sink';
import type { Surface } from '../src/display/surface';
import type { Rect } from '../src/protocol/display-types';

/** above this many pending rects, present their bounding box instead */
const MAX_RECTS = 32;

export class CanvasSink implements DrawSink {
  private ctx: OffscreenCanvasRenderingContext2D | null;
  primary: Surface | null = null;
  private image: ImageData | null = null;
  private dirty: Rect[] = [];
  private scheduled = false;
  private presentedOnce = false;

  constructor(
    private readonly canvas: OffscreenCanvas,
    private readonly onPrimary: (w: number, h: number) => void,
    private readonly onFirstFrame: () => void,
  ) {
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
  }

  surfaceCreated(s: Surface, primary: boolean): void {
    if (!primary) return;
    this.primary = s;
    this.canvas.width = s.width;
    this.canvas.height = s.height;
    // resizing resets the context state; the context object stays valid
    this.ctx ??= this.canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.image = new ImageData(new Uint8ClampedArray(s.pixels.buffer as ArrayBuffer, s.pixels.byteOffset, s.width * s.height * 4), s.width, s.height);
    this.dirty = [];
    this.presentedOnce = false;
    this.onPrimary(s.width, s.height);
  }

  surfaceDestroyed(id: number): void {
    if (this.primary && this.primary.id === id) {
      this.primary = null;
      this.image = null;
      this.dirty = [];
    }
  }

  damage(s: Surface, r: Rect): void {
    if (s !== this.primary) return;
    if (r.right <= r.left || r.bottom <= r.top) return;
    this.dirty.push(r);
    if (this.dirty.length > MAX_RECTS) this.dirty = [bounds(this.dirty)];
    if (!this.scheduled) {
      this.scheduled = true;
      schedule(() => this.present());
    }
  }

  /** copy pending damage to the canvas now (also used before a screenshot) */
  present(): void {
    this.scheduled = false;
    const img = this.image;
    if (!img || !this.ctx) return;
    for (const r of this.dirty) this.ctx.putImageData(img, 0, 0, r.left, r.top, r.right - r.left, r.bottom - r.top);
    const any = this.dirty.length > 0;
    this.dirty = [];
    if (any && !this.presentedOnce) {
      this.presentedOnce = true;
      this.onFirstFrame();
    }
  }
}

function bounds(rs: Rect[]): Rect {
  const b = { ...rs[0]! };
  for (const r of rs) {
    b.top = Math.min(b.top, r.top);
    b.left = Math.min(b.left, r.left);
    b.bottom = Math.max(b.bottom, r.bottom);
    b.right = Math.max(b.right, r.right);
  }
  return b;
}

function schedule(fn: () => void): void {
  // dedicated workers in Chromium have requestAnimationFrame when they own an OffscreenCanvas
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (raf) raf(fn);
  else setTimeout(fn, 0);
}

/** PNG of a surface's exact pixels; alpha forced opaque for the primary (xRGB) surface */
export async function surfacePng(s: Surface): Promise<Blob> {
  const copy = new Uint32Array(s.pixels);
  for (let i = 0; i < copy.length; i++) copy[i] = (copy[i]! | 0xff000000) >>> 0;
  const c = new OffscreenCanvas(s.width, s.height);
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2d context for the screenshot');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(copy.buffer), s.width, s.height), 0, 0);
  return c.convertToBlob({ type: 'image/png' });
}
