/**
 * Mouse helpers without the DOM (spice-protocol.md §7 "Mouse"): DOM button numbers → SPICE
 * buttons and the buttons_state mask, wheel deltas → notches, and the motion flow control that
 * keeps at most 8 motion/position messages unacknowledged.
 */
import { INPUT_MOTION_ACK_BUNCH, MouseButton, MouseButtonMask } from '../protocol/enums';

/** `MouseEvent.button` → SpiceMouseButton (0 = INVALID for buttons SPICE has no name for) */
export function spiceButton(domButton: number): number {
  switch (domButton) {
    case 0: return MouseButton.LEFT;
    case 1: return MouseButton.MIDDLE;
    case 2: return MouseButton.RIGHT;
    case 3: return MouseButton.SIDE; // "back"
    case 4: return MouseButton.EXTRA; // "forward"
    default: return MouseButton.INVALID;
  }
}

/** the buttons_state bit of a SpiceMouseButton (0 for INVALID) */
export function buttonBit(button: number): number {
  return button >= MouseButton.LEFT && button <= MouseButton.EXTRA ? 1 << (button - 1) : 0;
}

/**
 * `MouseEvent.buttons` (bit 0 left, 1 right, 2 middle, 3 back, 4 forward) → SPICE
 * buttons_state (bit 0 left, 1 middle, 2 right, 5 side, 6 extra). Note middle/right swap.
 */
export function maskFromDomButtons(buttons: number): number {
  let m = 0;
  if (buttons & 1) m |= MouseButtonMask.LEFT;
  if (buttons & 2) m |= MouseButtonMask.RIGHT;
  if (buttons & 4) m |= MouseButtonMask.MIDDLE;
  if (buttons & 8) m |= MouseButtonMask.SIDE;
  if (buttons & 16) m |= MouseButtonMask.EXTRA;
  return m;
}

export interface ButtonEvent {
  /** SpiceMouseButton */
  button: number;
  /** buttons_state after the event */
  mask: number;
}

/**
 * Held-button tracking: press/release give the SpiceMouseButton and the mask *after* the event
 * (what MOUSE_PRESS/RELEASE carry); null for buttons SPICE cannot express or that change
 * nothing (a release of a button we never pressed).
 */
export class ButtonState {
  mask = 0;

  press(domButton: number): ButtonEvent | null {
    const button = spiceButton(domButton);
    if (!button) return null;
    this.mask |= buttonBit(button);
    return { button, mask: this.mask };
  }

  release(domButton: number): ButtonEvent | null {
    const button = spiceButton(domButton);
    const bit = buttonBit(button);
    if (!bit || !(this.mask & bit)) return null;
    this.mask &= ~bit;
    return { button, mask: this.mask };
  }

  /** release everything (blur, pointer capture lost): the events to send, in order */
  releaseAll(): ButtonEvent[] {
    const out: ButtonEvent[] = [];
    for (let b: number = MouseButton.LEFT; b <= MouseButton.EXTRA; b++) {
      const bit = buttonBit(b);
      if (this.mask & bit) {
        this.mask &= ~bit;
        out.push({ button: b, mask: this.mask });
      }
    }
    return out;
  }
}

/** WheelEvent.deltaMode */
export const DeltaMode = { PIXEL: 0, LINE: 1, PAGE: 2 } as const;

export interface WheelOptions {
  /** pixels per notch (default 100: Chromium and Firefox report 100–120 px per detent) */
  pixelsPerNotch?: number;
  /** lines per notch (default 3, the usual lines-per-detent setting) */
  linesPerNotch?: number;
  /** upper bound of notches from one event (flings, huge deltas); default 10 */
  maxNotchesPerEvent?: number;
}

/**
 * Accumulates `WheelEvent.deltaY` into whole notches: 1 per `pixelsPerNotch` px or
 * `linesPerNotch` lines; any page-mode delta is at least one notch. The remainder carries over,
 * so a touchpad's small deltas add up; it is dropped when the direction reverses.
 * Positive notches scroll down (SPICE button DOWN), negative up (UP).
 */
export class WheelAccumulator {
  private acc = 0;
  private readonly px: number;
  private readonly lines: number;
  private readonly max: number;

  constructor(opts: WheelOptions = {}) {
    this.px = opts.pixelsPerNotch ?? 100;
    this.lines = opts.linesPerNotch ?? 3;
    this.max = opts.maxNotchesPerEvent ?? 10;
  }

  add(deltaY: number, deltaMode: number): number {
    if (!Number.isFinite(deltaY) || deltaY === 0) return 0;
    let units: number;
    if (deltaMode === DeltaMode.PAGE) {
      this.acc = 0;
      const n = Math.max(1, Math.round(Math.abs(deltaY)));
      return Math.sign(deltaY) * Math.min(n, this.max);
    } else if (deltaMode === DeltaMode.LINE) {
      units = deltaY / this.lines;
    } else {
      units = deltaY / this.px;
    }
    if (Math.sign(units) !== Math.sign(this.acc)) this.acc = 0;
    this.acc += units;
    const n = Math.trunc(this.acc + Math.sign(this.acc) * 1e-9) || 0; // no -0
    this.acc -= n;
    if (Math.abs(n) > this.max) {
      this.acc = 0;
      return Math.sign(n) * this.max;
    }
    return n;
  }

  reset(): void {
    this.acc = 0;
  }
}

/** the PRESS/RELEASE pairs for `notches` wheel notches while `mask` buttons are held */
export function wheelEvents(notches: number, mask: number): Array<{ press: boolean } & ButtonEvent> {
  const button = notches < 0 ? MouseButton.UP : MouseButton.DOWN;
  const out: Array<{ press: boolean } & ButtonEvent> = [];
  for (let i = 0; i < Math.abs(notches); i++) {
    out.push({ press: true, button, mask: mask | buttonBit(button) });
    out.push({ press: false, button, mask });
  }
  return out;
}

export interface MotionSink {
  motion(dx: number, dy: number, buttons: number): void;
  position(x: number, y: number, buttons: number, displayId: number): void;
}

/** unacknowledged motion/position messages allowed in flight (spice-gtk's 2 × ACK bunch) */
export const MOTION_WINDOW = INPUT_MOTION_ACK_BUNCH * 2;

/**
 * Motion flow control. Every MOTION/POSITION sent counts +1, every MOUSE_MOTION_ACK −4
 * (the server acks each bunch of 4). While 8 are unacknowledged, relative motion is summed and
 * only the latest absolute position kept; the first ACK flushes one message with what piled up.
 * `flush()` sends what is pending regardless of the window: call it before a button or wheel
 * event so the click lands where the pointer is.
 */
export class MotionThrottle {
  private readonly sink: MotionSink;
  private count = 0;
  private dx = 0;
  private dy = 0;
  private motionButtons = 0;
  private hasMotion = false;
  private pos: { x: number; y: number; buttons: number; displayId: number } | null = null;
  private last: { x: number; y: number; buttons: number; displayId: number } | null = null;

  constructor(sink: MotionSink) {
    this.sink = sink;
  }

  /** unacknowledged messages */
  get inFlight(): number {
    return this.count;
  }

  get pending(): boolean {
    return this.hasMotion || this.pos !== null;
  }

  motion(dx: number, dy: number, buttons: number): void {
    if (!dx && !dy) return;
    this.dx += dx;
    this.dy += dy;
    this.motionButtons = buttons;
    this.hasMotion = true;
    if (this.count < MOTION_WINDOW) this.sendMotion();
  }

  position(x: number, y: number, buttons: number, displayId: number): void {
    const l = this.last;
    if (!this.pos && l && l.x === x && l.y === y && l.buttons === buttons && l.displayId === displayId) return;
    this.pos = { x, y, buttons, displayId };
    if (this.count < MOTION_WINDOW) this.sendPosition();
  }

  /** a MOUSE_MOTION_ACK arrived */
  ack(): void {
    this.count = Math.max(0, this.count - INPUT_MOTION_ACK_BUNCH);
    if (this.count < MOTION_WINDOW) this.sendMotion();
    if (this.count < MOTION_WINDOW) this.sendPosition();
  }

  /** send whatever is pending now, ignoring the window */
  flush(): void {
    this.sendMotion();
    this.sendPosition();
  }

  /** forget everything (channel closed or re-linked) */
  reset(): void {
    this.count = 0;
    this.dx = this.dy = 0;
    this.hasMotion = false;
    this.pos = null;
    this.last = null;
  }

  private sendMotion(): void {
    if (!this.hasMotion) return;
    const { dx, dy, motionButtons } = this;
    this.dx = this.dy = 0;
    this.hasMotion = false;
    this.count++;
    this.sink.motion(dx, dy, motionButtons);
  }

  private sendPosition(): void {
    const p = this.pos;
    if (!p) return;
    this.pos = null;
    this.last = p;
    this.count++;
    this.sink.position(p.x, p.y, p.buttons, p.displayId);
  }
}
