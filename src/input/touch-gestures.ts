/**
 * Touch gestures → mouse actions, free of the DOM and of timers (the caller passes event time
 * stamps and calls `tick(now)` at `deadline`). What a user of a phone or tablet expects from a
 * remote desktop (noVNC and the RDP/VNC apps do the same):
 *  - tap = left click where the finger was; one finger moved past the slop = left-button drag;
 *  - long press (held still for `longPressMs`) = right button, released when the finger lifts
 *    (it may drag meanwhile);
 *  - two fingers: moving together vertically = wheel (natural direction: fingers up scrolls
 *    down, one notch per `scrollStepPx`), spreading or pinching = zoom of the view (reported
 *    with the fingers' centre and its motion, for panning; the guest never sees it), a quick
 *    two-finger tap = right click.
 * Coordinates are whatever the caller uses (client pixels); actions carry them back.
 */

export type GestureAction =
  | { type: 'move'; x: number; y: number }
  | { type: 'press' | 'release'; button: 'left' | 'right'; x: number; y: number }
  | { type: 'wheel'; notches: number; x: number; y: number }
  /** multiply the view's scale by `factor` around (x, y), then pan by (dx, dy) */
  | { type: 'zoom'; factor: number; x: number; y: number; dx: number; dy: number };

export interface GestureOptions {
  /** px a finger may wander and still tap or long-press (default 10) */
  slopPx?: number;
  /** ms held still for a right button (default 500) */
  longPressMs?: number;
  /** px of two-finger travel per wheel notch (default 40) */
  scrollStepPx?: number;
  /** px the fingers' distance must change to start a pinch (default 24) */
  pinchStartPx?: number;
}

interface Pt {
  x: number;
  y: number;
}

type State =
  | { kind: 'idle' }
  | { kind: 'one'; id: number; start: Pt; at: number; last: Pt }
  | { kind: 'drag' | 'long'; id: number; last: Pt }
  | { kind: 'two'; ids: [number, number]; startDist: number; startC: Pt; at: number }
  | { kind: 'scroll'; ids: [number, number]; lastC: Pt; acc: number }
  | { kind: 'pinch'; ids: [number, number]; lastDist: number; lastC: Pt }
  /** a gesture ended with fingers still down: wait until all are up */
  | { kind: 'done' };

export class TouchGestures {
  private state: State = { kind: 'idle' };
  private readonly pts = new Map<number, Pt>();
  private readonly slop: number;
  private readonly longMs: number;
  private readonly step: number;
  private readonly pinchPx: number;

  constructor(private readonly emit: (a: GestureAction) => void, opts: GestureOptions = {}) {
    this.slop = opts.slopPx ?? 10;
    this.longMs = opts.longPressMs ?? 500;
    this.step = opts.scrollStepPx ?? 40;
    this.pinchPx = opts.pinchStartPx ?? 24;
  }

  /** when `tick` must be called (a pending long press), or null */
  get deadline(): number | null {
    return this.state.kind === 'one' ? this.state.at + this.longMs : null;
  }

  /** the gesture in progress (for diagnostics and tests) */
  get kind(): State['kind'] {
    return this.state.kind;
  }

  down(id: number, x: number, y: number, t: number): void {
    this.pts.set(id, { x, y });
    const s = this.state;
    if (s.kind === 'idle' && this.pts.size === 1) {
      this.state = { kind: 'one', id, start: { x, y }, at: t, last: { x, y } };
    } else if (s.kind === 'one' && this.pts.size === 2) {
      const ids: [number, number] = [s.id, id];
      this.state = { kind: 'two', ids, startDist: this.dist(ids), startC: this.centre(ids), at: s.at };
    } else if (s.kind === 'two' || s.kind === 'scroll' || s.kind === 'pinch') {
      this.state = { kind: 'done' }; // a third finger: not a gesture of ours
    }
    // drag / long / done: extra fingers are ignored
  }

  move(id: number, x: number, y: number, _t: number): void {
    if (!this.pts.has(id)) return;
    this.pts.set(id, { x, y });
    const s = this.state;
    switch (s.kind) {
      case 'one':
        if (id !== s.id) return;
        s.last = { x, y };
        if (Math.hypot(x - s.start.x, y - s.start.y) > this.slop) {
          this.emit({ type: 'move', ...s.start });
          this.emit({ type: 'press', button: 'left', ...s.start });
          this.emit({ type: 'move', x, y });
          this.state = { kind: 'drag', id, last: { x, y } };
        }
        return;
      case 'drag':
      case 'long':
        if (id !== s.id) return;
        s.last = { x, y };
        this.emit({ type: 'move', x, y });
        return;
      case 'two': {
        const d = this.dist(s.ids), c = this.centre(s.ids);
        if (Math.abs(d - s.startDist) > this.pinchPx) {
          this.state = { kind: 'pinch', ids: s.ids, lastDist: s.startDist, lastC: s.startC };
          this.move(id, x, y, _t);
        } else if (Math.abs(c.y - s.startC.y) > this.step / 2) {
          this.emit({ type: 'move', ...s.startC });
          this.state = { kind: 'scroll', ids: s.ids, lastC: s.startC, acc: 0 };
          this.move(id, x, y, _t);
        }
        return;
      }
      case 'scroll': {
        const c = this.centre(s.ids);
        s.acc += s.lastC.y - c.y; // fingers up → positive → wheel down (content follows the fingers)
        s.lastC = c;
        const n = Math.trunc(s.acc / this.step);
        if (n) {
          s.acc -= n * this.step;
          this.emit({ type: 'wheel', notches: n, x: c.x, y: c.y });
        }
        return;
      }
      case 'pinch': {
        const d = this.dist(s.ids), c = this.centre(s.ids);
        if (s.lastDist > 0 && d > 0) this.emit({ type: 'zoom', factor: d / s.lastDist, x: s.lastC.x, y: s.lastC.y, dx: c.x - s.lastC.x, dy: c.y - s.lastC.y });
        s.lastDist = d;
        s.lastC = c;
        return;
      }
      default:
        return;
    }
  }

  up(id: number, x: number, y: number, t: number): void {
    if (!this.pts.has(id)) return;
    this.pts.set(id, { x, y });
    const s = this.state;
    if (s.kind === 'one' && id === s.id) {
      this.emit({ type: 'move', ...s.start });
      this.emit({ type: 'press', button: 'left', ...s.start });
      this.emit({ type: 'release', button: 'left', ...s.start });
      this.state = { kind: 'done' };
    } else if ((s.kind === 'drag' || s.kind === 'long') && id === s.id) {
      this.emit({ type: 'release', button: s.kind === 'drag' ? 'left' : 'right', ...s.last });
      this.state = { kind: 'done' };
    } else if (s.kind === 'two') {
      if (t - s.at <= this.longMs) {
        const c = this.centre(s.ids);
        this.emit({ type: 'move', ...c });
        this.emit({ type: 'press', button: 'right', ...c });
        this.emit({ type: 'release', button: 'right', ...c });
      }
      this.state = { kind: 'done' };
    } else if (s.kind === 'scroll' || s.kind === 'pinch') {
      this.state = { kind: 'done' };
    }
    this.pts.delete(id);
    if (this.pts.size === 0) this.state = { kind: 'idle' };
  }

  /** the browser took the touch away (pointercancel): release what is held, click nothing */
  cancel(id: number): void {
    if (!this.pts.has(id)) return;
    const s = this.state;
    if ((s.kind === 'drag' || s.kind === 'long') && id === s.id) {
      this.emit({ type: 'release', button: s.kind === 'drag' ? 'left' : 'right', ...s.last });
    }
    if (s.kind !== 'idle') this.state = { kind: 'done' };
    this.pts.delete(id);
    if (this.pts.size === 0) this.state = { kind: 'idle' };
  }

  /** time passes: a finger held still past the deadline becomes a long press */
  tick(now: number): void {
    const s = this.state;
    if (s.kind !== 'one' || now < s.at + this.longMs) return;
    this.emit({ type: 'move', ...s.start });
    this.emit({ type: 'press', button: 'right', ...s.start });
    this.state = { kind: 'long', id: s.id, last: s.start };
  }

  private dist(ids: [number, number]): number {
    const a = this.pts.get(ids[0])!, b = this.pts.get(ids[1])!;
    return Math.hypot(a.x - b.x, a.y - b.y);
  }

  private centre(ids: [number, number]): Pt {
    const a = this.pts.get(ids[0])!, b = this.pts.get(ids[1])!;
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }
}
