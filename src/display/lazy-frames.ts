/**
 * Stream frames that are on screen but not yet in their surface's pixels.
 *
 * A decoded video picture (video/picture.ts) goes straight to the canvas (DrawSink.picture);
 * its pixels reach the software surface only when something needs them there:
 *   - a draw op whose box meets a pending frame on its target surface (it draws over or next to
 *     the frame, and its damage repaints the canvas from the surface),
 *   - an op that reads a surface as its source (SURFACE images, COPY_BITS),
 *   - a screenshot or a canvas repaint (worker-core.ts).
 * Until then the surface keeps older pixels in that region and nothing reads them. A frame that
 * covers an earlier pending frame replaces it unread (the stream put is an opaque OP_PUT), so a
 * playing video costs no readback at all; a paused one costs one.
 *
 * Order: frames of a surface are read back in the order they were shown, one chain per surface;
 * an op that needs the surface waits for that chain (DisplayCore returns its promise), which
 * keeps the server's draw order. RESET and SURFACE_DESTROY drop pending frames (and cancel a
 * readback in progress) because the surface's pixels are replaced anyway.
 */
import type { DecodedImage } from '../codecs/types';
import type { Clip, Rect } from '../protocol/display-types';
import type { Surface } from './surface';
import type { Picture } from './video/picture';

/** pending frames per surface before the oldest are read back anyway (bounds decoder memory held) */
const MAX_PENDING = 4;

export interface PendingFrame {
  surface: Surface;
  picture: Picture;
  dest: Rect;
  clip: Clip;
  /** the stream's SpiceStreamFlags (TOP_DOWN) */
  flags: number;
  /** dest ∩ clip ∩ surface: where the frame shows (never empty) */
  region: readonly Rect[];
  /** false: the sink did not show it, so its readback must damage the surface */
  shown: boolean;
}

interface Entry extends PendingFrame {
  bbox: Rect;
  dead: boolean;
}

/** puts decoded pixels of a frame into its surface as the stream put does; returns the damaged extents */
export type PutFrame = (s: Surface, f: PendingFrame, img: DecodedImage) => Rect | null;

export class LazyFrames {
  private readonly pending = new Map<number, Entry[]>();
  private readonly chains = new Map<number, Promise<void>>();
  private readonly inflight = new Set<Entry>();
  /** frames replaced before anything needed their pixels, frames read back, readbacks that failed */
  superseded = 0;
  readBack = 0;
  failed = 0;

  constructor(
    private readonly put: PutFrame,
    private readonly damage: (s: Surface, r: Rect) => void,
    /** the surface object is still the one with its id (not destroyed or re-created) */
    private readonly alive: (s: Surface) => boolean,
  ) {}

  /** frames waiting (all surfaces) */
  get size(): number {
    let n = 0;
    for (const l of this.pending.values()) n += l.length;
    return n;
  }

  /** nothing pending and nothing being read back: draw ops need not ask */
  get idle(): boolean {
    return this.pending.size === 0 && this.chains.size === 0;
  }

  /** a frame shown (or to be read back, `shown` false) on its surface */
  add(f: PendingFrame): void {
    const id = f.surface.id;
    const bbox = bounds(f.region);
    const list = (this.pending.get(id) ?? []).filter((old) => {
      // every rect where the old frame shows lies inside one rect of the new frame's region (a
      // stream clipped to a rect list keeps the same list frame after frame, so this holds there
      // too, where the old frame's bounding box would not fit in any single rect)
      if (old.surface !== f.surface || !old.region.every((r) => covered(r, f.region))) return true;
      old.picture.close();
      this.superseded++;
      return false;
    });
    list.push({ ...f, bbox, dead: false });
    this.pending.set(id, list);
    if (!f.shown || list.length > MAX_PENDING) {
      // read back now: not shown (the surface is the only place it can land), or too many held
      const n = f.shown ? list.length - MAX_PENDING : list.length;
      void this.run(id, list.splice(0, n));
      if (!list.length) this.pending.delete(id);
    }
  }

  /**
   * Pending frames of the surface that meet `area` (null: any) reach its pixels; resolves when
   * they did. undefined: nothing to wait for.
   */
  settle(surfaceId: number, area: Rect | null): Promise<void> | undefined {
    const list = this.pending.get(surfaceId);
    const busy = this.chains.get(surfaceId);
    if (!list?.length) return busy;
    // all of the surface's frames, in order, once one of them is needed: a later frame may
    // overlap an earlier one, and reading only the later one back would let the earlier win
    if (area && !list.some((e) => meets(e.bbox, area))) return busy;
    this.pending.delete(surfaceId);
    return this.run(surfaceId, list);
  }

  /** every surface's pending frames (a screenshot of all, dispose) */
  settleAll(): Promise<void> | undefined {
    const ps: Promise<void>[] = [];
    for (const id of [...this.pending.keys(), ...this.chains.keys()]) {
      const p = this.settle(id, null);
      if (p) ps.push(p);
    }
    return ps.length ? Promise.all(ps).then(() => undefined) : undefined;
  }

  /** the surface's pixels were replaced (RESET, destroy): its pending frames are void */
  drop(surfaceId: number): void {
    for (const e of this.pending.get(surfaceId) ?? []) e.picture.close();
    this.pending.delete(surfaceId);
    for (const e of this.inflight) if (e.surface.id === surfaceId) e.dead = true;
  }

  dropAll(): void {
    for (const id of [...this.pending.keys()]) this.drop(id);
    for (const e of this.inflight) e.dead = true;
  }

  private run(surfaceId: number, entries: Entry[]): Promise<void> {
    for (const e of entries) this.inflight.add(e);
    const prev = this.chains.get(surfaceId) ?? Promise.resolve();
    const p = prev.then(async () => {
      for (const e of entries) await this.readBackOne(e);
    });
    this.chains.set(surfaceId, p);
    void p.then(() => {
      if (this.chains.get(surfaceId) === p) this.chains.delete(surfaceId);
    });
    return p;
  }

  private async readBackOne(e: Entry): Promise<void> {
    try {
      if (e.dead || !this.alive(e.surface)) return;
      const img = await e.picture.pixels();
      if (e.dead || !this.alive(e.surface)) return;
      const r = this.put(e.surface, e, img);
      this.readBack++;
      if (r && !e.shown) this.damage(e.surface, r);
    } catch {
      // a frame the browser can no longer read (closed under us): its region keeps the older
      // pixels until the server draws there again; counted, never fatal
      this.failed++;
    } finally {
      this.inflight.delete(e);
      e.picture.close();
    }
  }
}

function bounds(rs: readonly Rect[]): Rect {
  const b = { ...rs[0]! };
  for (const r of rs) {
    if (r.top < b.top) b.top = r.top;
    if (r.left < b.left) b.left = r.left;
    if (r.bottom > b.bottom) b.bottom = r.bottom;
    if (r.right > b.right) b.right = r.right;
  }
  return b;
}

const meets = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** `r` lies inside one rect of `region` */
const covered = (r: Rect, region: readonly Rect[]) =>
  region.some((c) => c.left <= r.left && c.top <= r.top && c.right >= r.right && c.bottom >= r.bottom);
