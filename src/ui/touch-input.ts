/**
 * Touch pointers of one screen → TouchGestures → actions for the input controller. Owns the
 * long-press timer and remembers which monitor a gesture started on (its coordinates map
 * through that canvas even when a finger slides onto another).
 */
import { TouchGestures, type GestureAction } from '../input/touch-gestures';

export class TouchInput<M> {
  private readonly gestures: TouchGestures;
  private mon: M | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly act: (a: GestureAction, m: M) => void) {
    this.gestures = new TouchGestures((a) => this.mon !== null && this.act(a, this.mon));
  }

  pointer(kind: 'down' | 'move' | 'up' | 'cancel', e: PointerEvent, m: M): void {
    const g = this.gestures;
    if (kind === 'down') {
      if (g.kind === 'idle') this.mon = m;
      g.down(e.pointerId, e.clientX, e.clientY, e.timeStamp);
    } else if (kind === 'move') g.move(e.pointerId, e.clientX, e.clientY, e.timeStamp);
    else if (kind === 'up') g.up(e.pointerId, e.clientX, e.clientY, e.timeStamp);
    else g.cancel(e.pointerId);
    this.arm();
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const at = this.gestures.deadline;
    if (at === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.gestures.tick(Math.max(performance.now(), at));
      this.arm();
    }, Math.max(0, at - performance.now()));
  }
}
