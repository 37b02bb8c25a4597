/**
 * The keyboard as a state machine, free of the DOM: the UI feeds it plain key events
 * ({type, code, key, repeat, timeStamp} copied from a KeyboardEvent) and it emits the scancode
 * presses and releases to send (spice-protocol.md §7). It tracks which keys it pressed on the
 * guest, so `releaseAll()` (blur, visibility loss, disconnect) leaves no key stuck down.
 *
 * Rules:
 *  - keys are identified by `code` (physical position); the guest applies its own layout.
 *  - unmapped codes (Fn, "Unidentified", "") are ignored: `handle` returns false, nothing throws.
 *  - auto-repeat sends the make code again, as a PC keyboard does; a keyup for a key we never
 *    pressed (held before focus came) is dropped.
 *  - Pause sends press and release on keydown and nothing on keyup or repeat, as the hardware
 *    does (it has no break code and does not repeat).
 *  - AltGr. Windows delivers AltGr as a synthetic ControlLeft keydown followed by AltRight with
 *    the same timeStamp. A ControlLeft keydown is therefore held back for up to
 *    `altGrWindowMs` (50 ms): if an AltRight keydown (whose `key` is "AltGraph" or absent)
 *    arrives within that time the ControlLeft is dropped as synthetic — along with its repeats
 *    and its keyup; any other event, or the timer, sends it first. AltRight itself is always
 *    its own E0 38 scancode. Set `altGrFix: false` where no such synthetic Ctrl exists. Mouse
 *    buttons travel another path: call `flushPending()` before sending one (Ctrl+click).
 *  - `capsLockToggles` (macOS browsers): CapsLock arrives as keydown when it turns on and keyup
 *    when it turns off, so every CapsLock event becomes a complete press + release.
 */
import { KeyboardModifier } from '../protocol/enums';
import { buildKeyModifiers } from '../protocol/inputs';
import { canonicalCode, scancodeOf } from './scancodes';

export interface KeyInput {
  type: 'down' | 'up';
  /** KeyboardEvent.code */
  code: string;
  /** KeyboardEvent.key (used only to recognise AltGr) */
  key?: string;
  repeat?: boolean;
  /** KeyboardEvent.timeStamp, ms */
  timeStamp?: number;
}

/** one scancode press or release to send (see scancodes.ts for the number format) */
export interface KeyOp {
  sc: number;
  down: boolean;
}

export interface KeyTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface KeyboardOptions {
  /** hold ControlLeft back to recognise Windows' synthetic AltGr Ctrl (default true) */
  altGrFix?: boolean;
  /** how long a ControlLeft waits for its AltRight, ms (default 50) */
  altGrWindowMs?: number;
  /** CapsLock events are toggles, not press/release (macOS) — default false */
  capsLockToggles?: boolean;
  /** timer used to send a held-back ControlLeft (tests inject a fake one) */
  timer?: KeyTimer;
}

const defaultTimer: KeyTimer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Held {
  sc: number;
  /** a synthetic key we swallowed: its repeats and keyup are swallowed too, nothing to release */
  fake: boolean;
}

export class KeyboardState {
  private readonly emit: (op: KeyOp) => void;
  private readonly altGrFix: boolean;
  private readonly altGrWindowMs: number;
  private readonly capsLockToggles: boolean;
  private readonly timer: KeyTimer;
  /** code → what we pressed, in press order */
  private readonly held = new Map<string, Held>();
  private pendingCtrl: { timeStamp: number | undefined; handle: unknown } | null = null;

  constructor(emit: (op: KeyOp) => void, opts: KeyboardOptions = {}) {
    this.emit = emit;
    this.altGrFix = opts.altGrFix ?? true;
    this.altGrWindowMs = opts.altGrWindowMs ?? 50;
    this.capsLockToggles = opts.capsLockToggles ?? false;
    this.timer = opts.timer ?? defaultTimer;
  }

  /** codes currently held down on the guest (synthetic ones excluded) */
  get pressed(): string[] {
    const out: string[] = [];
    for (const [code, h] of this.held) if (!h.fake) out.push(code);
    return out;
  }

  isPressed(code: string): boolean {
    const c = canonicalCode(code);
    const h = c === undefined ? undefined : this.held.get(c);
    return !!h && !h.fake;
  }

  /**
   * Feed one key event. Returns true when the key is one we send to the guest (the UI should
   * then preventDefault), false for keys we ignore.
   */
  handle(ev: KeyInput): boolean {
    const code = canonicalCode(ev.code);
    const sc = code === undefined ? undefined : scancodeOf(code);
    if (code === undefined || sc === undefined) {
      this.flushPendingCtrl();
      return false;
    }

    if (this.pendingCtrl) {
      if (ev.type === 'down' && code === 'AltRight' && (ev.key === undefined || ev.key === 'AltGraph') && this.withinAltGrWindow(ev.timeStamp)) {
        this.cancelPendingCtrl();
        this.held.set('ControlLeft', { sc: scancodeOf('ControlLeft')!, fake: true });
      } else {
        this.flushPendingCtrl();
      }
    }

    if (ev.type === 'down') this.down(code, sc, ev);
    else this.up(code, sc);
    return true;
  }

  private down(code: string, sc: number, ev: KeyInput): void {
    const h = this.held.get(code);
    if (h?.fake) return; // repeat of a swallowed synthetic key

    if (code === 'Pause') {
      if (ev.repeat) return; // a keyboard does not repeat Pause
      this.emit({ sc, down: true });
      this.emit({ sc, down: false });
      return;
    }
    if (code === 'CapsLock' && this.capsLockToggles) {
      this.emit({ sc, down: true });
      this.emit({ sc, down: false });
      return;
    }
    if (code === 'ControlLeft' && this.altGrFix && !h && !ev.repeat) {
      const handle = this.timer.set(() => {
        this.pendingCtrl = null;
        this.pressKey('ControlLeft', sc);
      }, this.altGrWindowMs);
      this.pendingCtrl = { timeStamp: ev.timeStamp, handle };
      return;
    }
    this.pressKey(code, sc);
  }

  private pressKey(code: string, sc: number): void {
    // a repeat (or a keydown whose keyup we missed) keeps its place in press order
    if (!this.held.has(code)) this.held.set(code, { sc, fake: false });
    this.emit({ sc, down: true });
  }

  private up(code: string, sc: number): void {
    if (code === 'Pause') return; // everything went out on keydown
    if (code === 'CapsLock' && this.capsLockToggles) {
      this.emit({ sc, down: true });
      this.emit({ sc, down: false });
      return;
    }
    const h = this.held.get(code);
    if (!h) return; // never pressed on the guest
    this.held.delete(code);
    if (!h.fake) this.emit({ sc: h.sc, down: false });
  }

  /**
   * Send a held-back ControlLeft now. Call it before sending a mouse button or wheel event so
   * Ctrl+click reaches the guest in order (the click must not overtake the Ctrl).
   */
  flushPending(): void {
    this.flushPendingCtrl();
  }

  /** release every key held on the guest (latest first) and forget all state */
  releaseAll(): void {
    this.cancelPendingCtrl(); // never sent, so nothing to release
    const keys = [...this.held.values()].reverse();
    this.held.clear();
    for (const h of keys) if (!h.fake) this.emit({ sc: h.sc, down: false });
  }

  private withinAltGrWindow(ts: number | undefined): boolean {
    const start = this.pendingCtrl?.timeStamp;
    if (ts === undefined || start === undefined) return true; // the timer bounds the wait
    return ts - start <= this.altGrWindowMs;
  }

  private cancelPendingCtrl(): void {
    if (!this.pendingCtrl) return;
    this.timer.clear(this.pendingCtrl.handle);
    this.pendingCtrl = null;
  }

  private flushPendingCtrl(): void {
    if (!this.pendingCtrl) return;
    this.cancelPendingCtrl();
    this.pressKey('ControlLeft', scancodeOf('ControlLeft')!);
  }
}

/** local lock-key state; undefined = unknown (e.g. NumLock on macOS), keep the guest's */
export interface LockState {
  capsLock?: boolean;
  numLock?: boolean;
  scrollLock?: boolean;
}

/**
 * The KeyboardModifier bits the guest should have to match `local`, starting from the guest's
 * current LEDs (`guest`, from inputs INIT / KEY_MODIFIERS). Unknown local locks keep the
 * guest's bit.
 */
export function wantedModifiers(guest: number, local: LockState): number {
  let m = guest & (KeyboardModifier.SCROLL_LOCK | KeyboardModifier.NUM_LOCK | KeyboardModifier.CAPS_LOCK);
  const set = (bit: number, on: boolean | undefined): void => {
    if (on === undefined) return;
    m = on ? m | bit : m & ~bit;
  };
  set(KeyboardModifier.CAPS_LOCK, local.capsLock);
  set(KeyboardModifier.NUM_LOCK, local.numLock);
  set(KeyboardModifier.SCROLL_LOCK, local.scrollLock);
  return m;
}

/**
 * Lock-key sync (send once after connect and on focus): the KEY_MODIFIERS body to send so the
 * guest's Caps/Num/Scroll Lock match the local keyboard, or null when they already do. The
 * server compares it with the LEDs it knows and taps the lock keys that differ.
 */
export function lockSyncMessage(guest: number, local: LockState): Uint8Array | null {
  const want = wantedModifiers(guest, local);
  return want === (guest & 7) ? null : buildKeyModifiers(want);
}
