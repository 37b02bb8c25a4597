/**
 * Presents the primary surface on the OffscreenCanvases of the channel's monitors (heads). Draw
 * ops render into the surface's Uint32Array (src/display); this sink only copies damaged
 * rectangles to the canvas of every head they touch, coalesced to one putImageData per damaged
 * region and head per animation frame. The surface memory is wrapped as ImageData without a copy
 * (same byte order: R,G,B,A); putImageData's dirty rectangle picks the head's part out of it.
 * Stream frames that are still browser pictures (VideoFrame, ImageBitmap) are drawn straight
 * onto the head canvases with drawImage, clipped to the stream's region, without a readback
 * (src/display/lazy-frames.ts brings them into the surface when something needs them).
 */
import type { HeadRect } from '../src/display/heads';
import type { HeadSink } from '../src/display/worker-core';
import type { Surface } from '../src/display/surface';
import type { Rect } from '../src/protocol/display-types';
import type { Picture } from '../src/display/video/picture';

/**
 * at this many pending rects, present them now. Not their bounding box: it could cover a video
 * frame that is on the canvas but not yet in the surface (lazy-frames.ts), and repaint it with
 * the surface's older pixels.
 */
const MAX_RECTS = 32;

interface HeadCanvas {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D | null;
  rect: HeadRect | null;
}

export class CanvasSink implements HeadSink {
  primary: Surface | null = null;
  private image: ImageData | null = null;
  private dirty: Rect[] = [];
  private scheduled = false;
  private presentedOnce = false;
  private readonly canvases = new Map<number, HeadCanvas>();

  constructor(private readonly onFirstFrame: () => void) {}

  attach(head: number, canvas: OffscreenCanvas): void {
    const h: HeadCanvas = { canvas, ctx: canvas.getContext('2d', { alpha: false, desynchronized: true }), rect: null };
    this.canvases.set(head, h);
    this.place(head, h);
  }

  setHeads(heads: readonly HeadRect[]): void {
    this.layout = heads;
    for (const [head, h] of this.canvases) this.place(head, h);
  }

  private layout: readonly HeadRect[] = [];

  /** size a head's canvas to its rectangle and repaint it whole */
  private place(head: number, h: HeadCanvas): void {
    const r = this.layout.find((l) => l.head === head) ?? null;
    h.rect = r;
    if (!r) return;
    if (h.canvas.width !== r.width) h.canvas.width = r.width;
    if (h.canvas.height !== r.height) h.canvas.height = r.height;
    // resizing resets the context state; the context object stays valid
    h.ctx ??= h.canvas.getContext('2d', { alpha: false, desynchronized: true });
    if (this.primary) this.damage(this.primary, { left: r.x, top: r.y, right: r.x + r.width, bottom: r.y + r.height });
  }

  surfaceCreated(s: Surface, primary: boolean): void {
    if (!primary) return;
    this.primary = s;
    this.image = new ImageData(new Uint8ClampedArray(s.pixels.buffer as ArrayBuffer, s.pixels.byteOffset, s.width * s.height * 4), s.width, s.height);
    this.dirty = [];
    this.presentedOnce = false;
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
    if (this.dirty.length >= MAX_RECTS) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      schedule(() => this.flush());
    }
  }

  picture(s: Surface, p: Picture, dest: Rect, region: readonly Rect[], bottomUp: boolean): boolean {
    if (s !== this.primary) return false;
    // damage reported before this frame must not land on top of it later
    if (this.dirty.length) this.flush();
    let any = false;
    for (const h of this.canvases.values()) {
      const hr = h.rect, ctx = h.ctx;
      if (!hr || !ctx) continue;
      const mine = region.filter((r) => r.left < hr.x + hr.width && r.right > hr.x && r.top < hr.y + hr.height && r.bottom > hr.y);
      if (!mine.length) continue;
      ctx.save();
      ctx.beginPath();
      for (const r of mine) ctx.rect(r.left - hr.x, r.top - hr.y, r.right - r.left, r.bottom - r.top);
      ctx.clip();
      // nearest scaling when the frame and its destination differ in size, as the server's canvas does
      ctx.imageSmoothingEnabled = false;
      const x = dest.left - hr.x, y = dest.top - hr.y, w = dest.right - dest.left, hgt = dest.bottom - dest.top;
      if (bottomUp) {
        ctx.translate(0, 2 * y + hgt);
        ctx.scale(1, -1);
      }
      ctx.drawImage(p.source as CanvasImageSource, 0, 0, p.width, p.height, x, y, w, hgt);
      ctx.restore();
      any = true;
    }
    if (!any) return false;
    if (!this.presentedOnce) {
      this.presentedOnce = true;
      this.onFirstFrame();
    }
    return true;
  }

  canvasPng(head: number): Promise<Blob> | null {
    const h = this.canvases.get(head);
    return h?.rect ? h.canvas.convertToBlob({ type: 'image/png' }) : null;
  }

  /** copy pending damage to the canvases now (also used before a screenshot) */
  flush(): void {
    this.scheduled = false;
    const img = this.image;
    if (!img) return;
    let any = false;
    for (const h of this.canvases.values()) {
      const hr = h.rect, ctx = h.ctx;
      if (!hr || !ctx) continue;
      for (const r of this.dirty) {
        const left = Math.max(r.left, hr.x), top = Math.max(r.top, hr.y);
        const right = Math.min(r.right, hr.x + hr.width), bottom = Math.min(r.bottom, hr.y + hr.height);
        if (right <= left || bottom <= top) continue;
        ctx.putImageData(img, -hr.x, -hr.y, left, top, right - left, bottom - top);
        any = true;
      }
    }
    this.dirty = [];
    if (any && !this.presentedOnce) {
      this.presentedOnce = true;
      this.onFirstFrame();
    }
  }
}

function schedule(fn: () => void): void {
  // dedicated workers in Chromium have requestAnimationFrame when they own an OffscreenCanvas
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (raf) raf(fn);
  else setTimeout(fn, 0);
}

/** PNG of a rectangle of a surface's exact pixels; alpha forced opaque (the primary is xRGB) */
export async function surfacePng(s: Surface, r: HeadRect): Promise<Blob> {
  const copy = new Uint32Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) {
    const row = s.pixels.subarray((r.y + y) * s.width + r.x, (r.y + y) * s.width + r.x + r.width);
    for (let x = 0; x < r.width; x++) copy[y * r.width + x] = (row[x]! | 0xff000000) >>> 0;
  }
  const c = new OffscreenCanvas(r.width, r.height);
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2d context for the screenshot');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(copy.buffer), r.width, r.height), 0, 0);
  return c.convertToBlob({ type: 'image/png' });
}
