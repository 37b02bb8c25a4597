/**
 * DOM events → inputs channel. Keyboard by KeyboardEvent.code (layout independent; the guest's
 * layout applies), all keys released on blur/hidden; mouse absolute in client mode (coordinates
 * corrected for CSS scaling of the monitor canvas) and relative under Pointer Lock in server mode.
 * Also released when fullscreen ends: holding Escape under Keyboard Lock leaves fullscreen, and its
 * keyup may never come. Lock keys are synced on focus (lock-sync.ts); touch goes through gestures
 * (touch-input.ts); typeText() types a string as US key presses. No alert(), no prompts.
 */
import type { InputsChannel } from '../input/inputs-channel';
import { KeyboardState } from '../input/keyboard';
import { LockSync, localLocks, lockPlatform } from '../input/lock-sync';
import { ButtonState, WheelAccumulator } from '../input/mouse';
import type { GestureAction } from '../input/touch-gestures';
import { textToKeyOps } from '../input/type-text';
import { scancodeOf } from '../input/scancodes';
import { MouseMode } from '../protocol/enums';
import { TouchInput } from './touch-input';

/** type-text pacing: characters per tick and ms between ticks (a PS/2 queue holds ~256 bytes) */
const TYPE_CHARS_PER_TICK = 8;
const TYPE_TICK_MS = 10;

export interface InputHost {
  inputs(): InputsChannel | null;
  mouseMode(): number;
  /** where monitor (channel, head) sits in its channel's surface, to map CSS pixels to guest pixels */
  monitorRect(channelId: number, head: number): { x: number; y: number; width: number; height: number } | null;
  viewOnly(): boolean;
  /** pinch: scale the view by `factor` around client point (x, y), then pan by (dx, dy) */
  zoom?(factor: number, x: number, y: number, dx: number, dy: number): void;
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
  private readonly locks = new LockSync();
  private readonly platform = lockPlatform(navigator.platform);
  private readonly touch = new TouchInput<Mon>((a, m) => this.touchAction(a, m));
  private typing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly focusTarget: HTMLElement,
    private readonly host: InputHost,
  ) {
    this.keyboard = new KeyboardState((op) => this.host.inputs()?.sendKey(op), { capsLockToggles: /Mac/.test(navigator.platform) });
    this.on(focusTarget, 'keydown', (e) => this.key(e as KeyboardEvent, 'down'));
    this.on(focusTarget, 'keyup', (e) => this.key(e as KeyboardEvent, 'up'));
    this.on(focusTarget, 'blur', () => this.releaseAll());
    this.on(focusTarget, 'focus', () => this.locks.focus());
    this.on(document, 'visibilitychange', () => document.hidden && this.releaseAll());
    this.on(document, 'fullscreenchange', () => !document.fullscreenElement && this.releaseAll());
    this.on(window, 'blur', () => this.releaseAll());
  }

  /** wire the canvas of monitor (channel, head) */
  attachCanvas(canvas: HTMLCanvasElement, channelId: number, head = 0): () => void {
    const m: Mon = { canvas, channelId, head };
    const offs = [
      this.listen(canvas, 'pointermove', (e) => this.isTouch(e, 'move', m) || this.move(e as PointerEvent, m)),
      this.listen(canvas, 'pointerdown', (e) => this.isTouch(e, 'down', m) || this.button(e as PointerEvent, m, true)),
      this.listen(canvas, 'pointerup', (e) => this.isTouch(e, 'up', m) || this.button(e as PointerEvent, m, false)),
      this.listen(canvas, 'pointercancel', (e) => this.isTouch(e, 'cancel', m)),
      this.listen(canvas, 'wheel', (e) => this.onWheel(e as WheelEvent), { passive: false }),
      this.listen(canvas, 'contextmenu', (e) => e.preventDefault()),
    ];
    return () => offs.forEach((f) => f());
  }

  /** keyboard events of another window (a monitor in its own window); its blur releases all keys */
  attachKeys(target: EventTarget): () => void {
    const offs = [
      this.listen(target, 'keydown', (e) => this.key(e as KeyboardEvent, 'down')),
      this.listen(target, 'keyup', (e) => this.key(e as KeyboardEvent, 'up')),
      this.listen(target, 'blur', () => this.releaseAll()),
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

  /**
   * Type `text` as US-layout key presses (type-text.ts), paced so a guest's keyboard queue never
   * overflows; calls queue behind each other. Resolves with the characters that have no key
   * (each occurrence), after the rest went out; rejects when not connected.
   */
  typeText(text: string): Promise<string[]> {
    const run = this.typing.then(() => this.typeNow(text));
    this.typing = run.catch(() => undefined);
    return run;
  }

  private async typeNow(text: string): Promise<string[]> {
    const first = this.host.inputs();
    if (this.host.viewOnly()) throw new Error('view only: no keys go to the guest');
    if (!first) throw new Error('not connected');
    this.keyboard.releaseAll(); // a key still held would combine with the typed ones
    const { chars, skipped } = textToKeyOps(text, { guestModifiers: first.guestModifiers });
    for (let i = 0; i < chars.length; i += TYPE_CHARS_PER_TICK) {
      if (i) await new Promise((r) => setTimeout(r, TYPE_TICK_MS));
      const inputs = this.host.inputs();
      if (inputs !== first) throw new Error('disconnected while typing');
      for (const ops of chars.slice(i, i + TYPE_CHARS_PER_TICK)) inputs.sendKeys(ops);
    }
    return skipped;
  }

  /** press the keys (KeyboardEvent.code names) in order, release them in reverse (the Keys menu) */
  sendCodes(codes: readonly string[]): void {
    const inputs = this.host.inputs();
    const scs = codes.map((c) => scancodeOf(c));
    if (!inputs || this.host.viewOnly() || scs.some((sc) => sc === undefined)) return;
    inputs.sendCombo(scs as number[]);
  }

  dispose(): void {
    this.touch.dispose();
    this.releaseAll();
    this.detach.forEach((f) => f());
  }

  private key(e: KeyboardEvent, type: 'down' | 'up'): void {
    if (this.host.viewOnly() || !this.host.inputs()) return;
    this.syncLocks(e, e.code);
    const handled = this.keyboard.handle({ type, code: e.code, key: e.key, repeat: e.repeat, timeStamp: e.timeStamp });
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  /** the first key or button after focus (or a new session) carries the local lock state */
  private syncLocks(e: KeyboardEvent | MouseEvent, code: string | null): void {
    const inputs = this.host.inputs();
    const want = this.locks.onEvent(inputs, code, localLocks(e, this.platform));
    if (want && inputs) inputs.syncModifiers(want);
  }

  private isTouch(e: Event, kind: 'down' | 'move' | 'up' | 'cancel', m: Mon): boolean {
    const p = e as PointerEvent;
    if (p.pointerType !== 'touch') return false;
    e.preventDefault();
    if (kind === 'down') this.focusTarget.focus({ preventScroll: true });
    this.touch.pointer(kind, p, m);
    return true;
  }

  private touchAction(a: GestureAction, m: Mon): void {
    if (a.type === 'zoom') {
      this.host.zoom?.(a.factor, a.x, a.y, a.dx, a.dy);
      return;
    }
    const inputs = this.host.inputs();
    if (!inputs || this.host.viewOnly()) return;
    if (a.type === 'move') {
      const p = this.guestPoint(a, m);
      if (p && this.host.mouseMode() === MouseMode.CLIENT) inputs.mousePosition(p.x, p.y, this.buttons.mask, m.channelId);
    } else if (a.type === 'wheel') {
      inputs.wheel(a.notches, this.buttons.mask);
    } else {
      this.keyboard.flushPending();
      const dom = a.button === 'left' ? 0 : 2;
      const ev = a.type === 'press' ? this.buttons.press(dom) : this.buttons.release(dom);
      if (ev && a.type === 'press') inputs.mousePress(ev.button, ev.mask);
      else if (ev) inputs.mouseRelease(ev.button, ev.mask);
    }
  }

  /** surface coordinates of client point (x, y) over monitor `m` (its head's offset included) */
  private guestPoint(e: { x: number; y: number } | MouseEvent, m: Mon): { x: number; y: number } | null {
    const h = this.host.monitorRect(m.channelId, m.head);
    if (!h) return null;
    const r = m.canvas.getBoundingClientRect();
    if (!r.width || !r.height) return null;
    const cx = 'clientX' in e ? e.clientX : e.x, cy = 'clientY' in e ? e.clientY : e.y;
    const x = Math.floor(((cx - r.left) * h.width) / r.width);
    const y = Math.floor(((cy - r.top) * h.height) / r.height);
    return { x: h.x + Math.min(h.width - 1, Math.max(0, x)), y: h.y + Math.min(h.height - 1, Math.max(0, y)) };
  }

  private move(e: PointerEvent, m: Mon): void {
    const inputs = this.host.inputs();
    if (!inputs || this.host.viewOnly()) return;
    const canvas = m.canvas;
    if (this.host.mouseMode() === MouseMode.CLIENT) {
      const p = this.guestPoint(e, m);
      if (p) inputs.mousePosition(p.x, p.y, this.buttons.mask, m.channelId);
    } else if (canvas.ownerDocument.pointerLockElement === canvas) {
      inputs.mouseMotion(e.movementX, e.movementY, this.buttons.mask);
    }
  }

  private button(e: PointerEvent, m: Mon, down: boolean): void {
    const inputs = this.host.inputs();
    const canvas = m.canvas;
    // a canvas in another window (its own monitor window) keeps the focus in that window
    if (canvas.ownerDocument === this.focusTarget.ownerDocument) this.focusTarget.focus({ preventScroll: true });
    if (!inputs || this.host.viewOnly()) return;
    e.preventDefault();
    if (down) this.syncLocks(e, null);
    if (this.host.mouseMode() === MouseMode.SERVER && canvas.ownerDocument.pointerLockElement !== canvas) {
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
