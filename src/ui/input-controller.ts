/**
 * DOM events → inputs channel. Keyboard by KeyboardEvent.code (layout independent; the guest's
 * layout applies), all keys released on blur/hidden; mouse absolute in client mode (coordinates
 * corrected for CSS scaling of the monitor canvas) and relative under Pointer Lock in server mode.
 * No alert(), no prompts: problems go to the status line.
 */
import type { InputsChannel } from '../channels/inputs-channel';
import { KeyboardState } from '../input/keyboard';
import { ButtonState, WheelAccumulator } from '../input/mouse';
import { MouseMode } from '../protocol/enums';

export interface InputHost {
  inputs(): InputsChannel | null;
  mouseMode(): number;
  /** surface size of display `channelId`, to map CSS pixels to guest pixels */
  surfaceSize(channelId: number): { width: number; height: number } | null;
  viewOnly(): boolean;
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

  /** wire a monitor canvas for display `channelId` */
  attachCanvas(canvas: HTMLCanvasElement, channelId: number): () => void {
    const offs = [
      this.listen(canvas, 'pointermove', (e) => this.move(e as PointerEvent, canvas, channelId)),
      this.listen(canvas, 'pointerdown', (e) => this.button(e as PointerEvent, canvas, channelId, true)),
      this.listen(canvas, 'pointerup', (e) => this.button(e as PointerEvent, canvas, channelId, false)),
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

  private guestPoint(e: MouseEvent, canvas: HTMLCanvasElement, channelId: number): { x: number; y: number } | null {
    const size = this.host.surfaceSize(channelId);
    if (!size) return null;
    const r = canvas.getBoundingClientRect();
    if (!r.width || !r.height) return null;
    const x = Math.floor(((e.clientX - r.left) * size.width) / r.width);
    const y = Math.floor(((e.clientY - r.top) * size.height) / r.height);
    return { x: Math.min(size.width - 1, Math.max(0, x)), y: Math.min(size.height - 1, Math.max(0, y)) };
  }

  private move(e: PointerEvent, canvas: HTMLCanvasElement, channelId: number): void {
    const inputs = this.host.inputs();
    if (!inputs || this.host.viewOnly()) return;
    if (this.host.mouseMode() === MouseMode.CLIENT) {
      const p = this.guestPoint(e, canvas, channelId);
      if (p) inputs.mousePosition(p.x, p.y, this.buttons.mask, channelId);
    } else if (document.pointerLockElement === canvas) {
      inputs.mouseMotion(e.movementX, e.movementY, this.buttons.mask);
    }
  }

  private button(e: PointerEvent, canvas: HTMLCanvasElement, channelId: number, down: boolean): void {
    const inputs = this.host.inputs();
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
      const p = this.guestPoint(e, canvas, channelId);
      if (p) inputs.mousePosition(p.x, p.y, this.buttons.mask, channelId);
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
