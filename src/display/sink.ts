/**
 * The DrawSink seam (architecture.md "Seams"): DisplayCore renders every op in software into
 * the surfaces' own pixel buffers and only tells the sink what changed. The worker's sink copies
 * damaged rects of the primary surface to its OffscreenCanvas (putImageData, coalesced per
 * animation frame); Node tests use BufferSink and read the pixels back.
 *
 * Contract:
 *  - surfaceCreated: a surface exists now (pixels cleared); `primary` for the displayed surface.
 *    A new primary replaces the previous one (which is destroyed first).
 *  - surfaceDestroyed: the surface id is gone; its pixel buffer must no longer be read.
 *  - damage: pixels of `s` inside `r` (surface coordinates, right/bottom exclusive, already
 *    clipped to the surface, never empty) may have changed. Called synchronously after each op;
 *    off-screen surfaces report damage too (a sink may ignore them).
 *  - picture (optional): show a decoded stream frame (video/picture.ts) on screen now, before
 *    its pixels reach the surface (lazy-frames.ts reads it back when something needs them).
 *    `region` is where it shows (dest ∩ clip ∩ surface, surface coordinates); `dest` is where
 *    the whole frame goes, scaled nearest, bottom row first when `bottomUp`. Damage reported
 *    earlier must be presented first (draw order). false: not shown (an off-screen surface, or
 *    no canvas), the caller reads the picture back and draws it in software.
 * The sink must not modify surface pixels.
 */
import type { Rect } from '../protocol/display-types';
import type { Surface } from './surface';
import type { Picture } from './video/picture';

export interface DrawSink {
  surfaceCreated(s: Surface, primary: boolean): void;
  surfaceDestroyed(id: number): void;
  damage(s: Surface, r: Rect): void;
  picture?(s: Surface, p: Picture, dest: Rect, region: readonly Rect[], bottomUp: boolean): boolean;
}

/** A sink for Node: remembers the primary surface and counts damage. */
export class BufferSink implements DrawSink {
  primary: Surface | null = null;
  readonly surfaces = new Map<number, Surface>();
  damageCount = 0;
  /** union of damage on the primary since the last takeDamage() */
  private dirty: Rect | null = null;

  surfaceCreated(s: Surface, primary: boolean): void {
    this.surfaces.set(s.id, s);
    if (primary) {
      this.primary = s;
      this.dirty = null;
    }
  }

  surfaceDestroyed(id: number): void {
    this.surfaces.delete(id);
    if (this.primary?.id === id) {
      this.primary = null;
      this.dirty = null;
    }
  }

  damage(s: Surface, r: Rect): void {
    this.damageCount++;
    if (s !== this.primary) return;
    const d = this.dirty;
    this.dirty = d
      ? { top: Math.min(d.top, r.top), left: Math.min(d.left, r.left), bottom: Math.max(d.bottom, r.bottom), right: Math.max(d.right, r.right) }
      : { ...r };
  }

  /** the bounding box of the primary's damage since the last call, or null */
  takeDamage(): Rect | null {
    const d = this.dirty;
    this.dirty = null;
    return d;
  }

  /** the primary surface as RGBA bytes (our pixel format is RGBA in memory) */
  primaryRgba(): Uint8Array | null {
    const p = this.primary;
    return p ? new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength) : null;
  }
}
