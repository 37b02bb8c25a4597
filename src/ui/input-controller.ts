/**
 * DOM events → inputs channel. Keyboard by KeyboardEvent.code (layout independent; the guest's
 * layout applies), all keys released on blur/hidden; mouse absolute in client mode (coordinates
 * corrected for CSS scaling of the monitor canvas) and relative under Pointer Lock in server mode.
 * No alert(), no prompts: problems go to the status line.
 */
import type { InputsChannel } from '../input/inputs-channel';
import { KeyboardState } from '../input/keyboard';
import { ButtonState, WheelAccumulator } from '../input/mouse';
import { scancodeOf } from '../input/scancodes';
import { MouseMode } from '../protocol/enums';

export interface InputHost {
  inputs(): InputsChannel | null;
  mouseMode(): number;
  /** where monitor (channel, head) sits in its channel's surface, to map CSS pixels to guest pixels */
  monitorRect(channelId: number, head: number): { x: number; y: number; width: number; height: number } | null;
  viewOnly(): boolean;
}

/** a monitor canvas and the (channel, head) it shows */
interface Mon {
  canvas: HTMLCanvasElement;
  channelId: number;
  head: number;
}

export class InputController {
  private readonly keyboard: KeyboardState;
  private readonly buttons = new ButtonState();
  private readonly wheel = new WheelAccumulator();
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly focusTarget: HTMLElement,
    private readonly host: InputHost,
  ) {
    this.keyboard = new KeyboardState((op) => this.host.inputs()?.sendKey(op), { capsLockToggles: /Mac/.test(navigator.platform) });
    this.on(focusTarget, 'keydown', (e) => this.key(e as KeyboardEvent, 'down'));
    this.on(focusTarget, 'keyup', (e) => this.key(e as KeyboardEvent, 'up'));
    this.on(focusTarget, 'blur', () => this.releaseAll());
    this.on(document, 'visibilitychange', () => document.hidden && this.releaseAll());
    this.on(window, 'blur', () => this.releaseAll());
  }

  /** wire the canvas of monitor (channel, head) */
  attachCanvas(canvas: HTMLCanvasElement, channelId: number, head = 0): () => void {
    const m: Mon = { canvas, channelId, head };
    const offs = [
      this.listen(canvas, 'pointermove', (e) => this.move(e as PointerEvent, m)),
      this.listen(canvas, 'pointerdown', (e) => this.button(e as PointerEvent, m, true)),
      this.listen(canvas, 'pointerup', (e) => this.button(e as PointerEvent, m, false)),
      this.listen(canvas, 'wheel', (e) => this.onWheel(e as WheelEvent), { passive: false }),
      this.listen(canvas, 'contextmenu', (e) => e.preventDefault()),
    ];
    return () => offs.forEach((f) => f());
  }

  releaseAll(): void {
    this.keyboard.releaseAll();
    const inputs = this.host.inputs();
    for (const b of this.buttons.releaseAll()) inputs?.mouseRelease(b.button, b.mask);
  }

  /** Ctrl+Alt+Del as scancodes (the browser would never deliver it) */
  sendCtrlAltDel(): void {
    const inputs = this.host.inputs();
    if (!inputs || this.host.viewOnly()) return;
    inputs.sendCombo([0x1d, 0x38, 0xe053]);
  }

  /** press the keys (KeyboardEvent.code names) in order, release them in reverse (the Keys menu) */
  sendCodes(codes: readonly string[]): void {
    const inputs = this.host.inputs();
    const scs = codes.map((c) => scancodeOf(c));
    if (!inputs || this.host.viewOnly() || scs.some((sc) => sc === undefined)) return;
    inputs.sendCombo(scs as number[]);
  }

  dispose(): void {
    this.releaseAll();
    this.detach.forEach((f) => f());
  }

  private key(e: KeyboardEvent, type: 'down' | 'up'): void {
    if (this.host.viewOnly() || !this.host.inputs()) return;
    const handled = this.keyboard.handle({ type, code: e.code, key: e.key, repeat: e.repeat, timeStamp: e.timeStamp });
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  /** surface coordinates of the pointer over monitor `m` (its head's offset included) */
  private guestPoint(e: MouseEvent, m: Mon): { x: number; y: number } | null {
    const h = this.host.monitorRect(m.channelId, m.head);
    if (!h) return null;
    const r = m.canvas.getBoundingClientRect();
    if (!r.width || !r.height) return null;
    const x = Math.floor(((e.clientX - r.left) * h.width) / r.width);
    const y = Math.floor(((e.clientY - r.top) * h.height) / r.height);
    return { x: h.x + Math.min(h.width - 1, Math.max(0, x)), y: h.y + Math.min(h.height - 1, Math.max(0, y)) };
  }

  private move(e: PointerEvent, m: Mon): void {
    const inputs = this.host.inputs();
    if (!inputs || this.host.viewOnly()) return;
    const canvas = m.canvas;
    if (this.host.mouseMode() === MouseMode.CLIENT) {
      const p = this.guestPoint(e, m);
      if (p) inputs.mousePosition(p.x, p.y, this.buttons.mask, m.channelId);
    } else if (document.pointerLockElement === canvas) {
      inputs.mouseMotion(e.movementX, e.movementY, this.buttons.mask);
    }
  }

  private button(e: PointerEvent, m: Mon, down: boolean): void {
    const inputs = this.host.inputs();
    const canvas = m.canvas;
    this.focusTarget.focus({ preventScroll: true });
    if (!inputs || this.host.viewOnly()) return;
    e.preventDefault();
    if (this.host.mouseMode() === MouseMode.SERVER && document.pointerLockElement !== canvas) {
      // server mode needs relative motion: lock the pointer first; this click only does that
      if (down) void canvas.requestPointerLock?.();
      return;
    }
    if (down) canvas.setPointerCapture?.(e.pointerId);
    if (this.host.mouseMode() === MouseMode.CLIENT) {
      const p = this.guestPoint(e, m);
      if (p) inputs.mousePosition(p.x, p.y, this.buttons.mask, m.channelId);
    }
    this.keyboard.flushPending();
    const ev = down ? this.buttons.press(e.button) : this.buttons.release(e.button);
    if (!ev) return;
    if (down) inputs.mousePress(ev.button, ev.mask);
    else inputs.mouseRelease(ev.button, ev.mask);
  }

  private onWheel(e: WheelEvent): void {
    const inputs = this.host.inputs();
    e.preventDefault();
    if (!inputs || this.host.viewOnly()) return;
    const n = this.wheel.add(e.deltaY, e.deltaMode);
    if (n) inputs.wheel(n, this.buttons.mask);
  }

  private on(t: EventTarget, type: string, fn: (e: Event) => void): void {
    this.detach.push(this.listen(t, type, fn));
  }

  private listen(t: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): () => void {
    t.addEventListener(type, fn, opts);
    return () => t.removeEventListener(type, fn, opts);
  }
}
