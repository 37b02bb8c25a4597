/**
 * Inputs channel (spice-protocol.md §7): keys as set-1 scancodes, mouse motion/position with
 * the MOTION_ACK flow control, buttons, wheel, and lock-key (LED) sync. The shortest path from
 * a DOM event to the wire: every method sends at once (motion only while the window allows).
 */
import { hasCap } from '../protocol/caps';
import { ChannelType, InputsCap, MsgInputs, MsgcInputs } from '../protocol/enums';
import {
  buildKeyDown, buildKeyModifiers, buildKeyScancode, buildKeyUp, buildMouseMotion, buildMousePosition,
  buildMousePress, buildMouseRelease, parseInputsInit, parseKeyModifiers,
} from '../protocol/inputs';
import type { SpiceReader } from '../protocol/reader';
import { lockSyncMessage, type KeyOp, type LockState } from './keyboard';
import { MotionThrottle, wheelEvents } from './mouse';
import { scancodeBytes, spiceKeyCode } from './scancodes';
import { SpiceChannel, type ChannelOptions } from '../channels/channel';


export type InputsEvents = {
  /** the guest's lock LEDs (KeyboardModifier bits), from INIT and every KEY_MODIFIERS */
  modifiers: number;
};

export class InputsChannel extends SpiceChannel<InputsEvents> {
  /** guest LED state; undefined until INIT */
  guestModifiers: number | undefined;
  private readonly throttle: MotionThrottle;
  private pendingLocks: LockState | null = null;
  /** LEDs we asked for and the server has not reported yet */
  private expectedLeds: number | undefined;

  constructor(opts: Omit<ChannelOptions, 'channelType' | 'channelId'> & { channelId?: number }) {
    super({ ...opts, channelType: ChannelType.INPUTS, channelId: opts.channelId ?? 0 });
    this.throttle = new MotionThrottle({
      motion: (dx, dy, b) => this.send(MsgcInputs.MOUSE_MOTION, buildMouseMotion(dx, dy, b)),
      position: (x, y, b, d) => this.send(MsgcInputs.MOUSE_POSITION, buildMousePosition(x, y, b, d)),
    });
  }

  protected channelCaps(): number[] {
    return [];
  }

  /** the server takes raw byte sequences (KEY_SCANCODE) */
  get hasScancodeCap(): boolean {
    return hasCap(this.serverChannelCaps, InputsCap.KEY_SCANCODE);
  }

  /** unacknowledged motion messages (for diagnostics) */
  get motionInFlight(): number {
    return this.throttle.inFlight;
  }

  protected handle(type: number, r: SpiceReader): void {
    switch (type) {
      case MsgInputs.INIT:
        this.setModifiers(parseInputsInit(r));
        if (this.pendingLocks) this.syncModifiers(this.pendingLocks);
        return;
      case MsgInputs.KEY_MODIFIERS:
        this.setModifiers(parseKeyModifiers(r));
        return;
      case MsgInputs.MOUSE_MOTION_ACK:
        this.throttle.ack();
        return;
      default:
        return; // unknown message: skip
    }
  }

  protected override onClosed(): void {
    this.throttle.reset();
    this.pendingLocks = null;
    this.expectedLeds = undefined;
  }

  private setModifiers(m: number): void {
    this.guestModifiers = m;
    this.expectedLeds = undefined;
    this.ev.emit('modifiers', m);
  }

  // ---- keyboard ----

  /** KEY_DOWN with a packed u32 code (scancodes.ts `spiceKeyCode`) */
  keyDown(code: number): void {
    this.send(MsgcInputs.KEY_DOWN, buildKeyDown(code));
  }

  /** KEY_UP with a packed u32 code */
  keyUp(code: number): void {
    this.send(MsgcInputs.KEY_UP, buildKeyUp(code));
  }

  /** one scancode press or release (what KeyboardState emits) */
  sendKey(op: KeyOp): void {
    const code = spiceKeyCode(op.sc, op.down);
    if (op.down) this.keyDown(code);
    else this.keyUp(code);
  }

  /**
   * Raw scancode bytes. With the KEY_SCANCODE cap they go in one message (the guest sees them
   * back to back); otherwise they are packed, up to 4 non-zero bytes each, into KEY_DOWN/KEY_UP
   * codes, which the server feeds to the keyboard the same way.
   */
  sendScancodes(bytes: ArrayLike<number>): void {
    if (bytes.length === 0) return;
    if (this.hasScancodeCap) {
      this.send(MsgcInputs.KEY_SCANCODE, buildKeyScancode(bytes));
      return;
    }
    let code = 0;
    let n = 0;
    let first = 0;
    const flush = (): void => {
      if (!n) return;
      if (first & 0x80 && first !== 0xe0 && first !== 0xe1) this.keyUp(code);
      else this.keyDown(code);
      code = 0;
      n = 0;
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]! & 0xff;
      if (b === 0) continue; // a 0 byte ends a packed code: it cannot be carried this way
      if (n === 0) first = b;
      code = (code | (b << (8 * n))) >>> 0;
      if (++n === 4) flush();
    }
    flush();
  }

  /** a sequence of presses/releases, atomically when the server allows (e.g. Ctrl+Alt+Del) */
  sendKeys(ops: readonly KeyOp[]): void {
    if (this.hasScancodeCap && ops.length > 1) {
      const bytes: number[] = [];
      for (const op of ops) bytes.push(...scancodeBytes(op.sc, op.down));
      this.sendScancodes(bytes);
    } else {
      for (const op of ops) this.sendKey(op);
    }
  }

  /** press `scancodes` in order, then release them in reverse (key combinations) */
  sendCombo(scancodes: readonly number[]): void {
    const ops: KeyOp[] = scancodes.map((sc) => ({ sc, down: true }));
    for (let i = scancodes.length - 1; i >= 0; i--) ops.push({ sc: scancodes[i]!, down: false });
    this.sendKeys(ops);
  }

  /** send the guest lock-key state `m` (KeyboardModifier bits) */
  sendModifiers(m: number): void {
    this.send(MsgcInputs.KEY_MODIFIERS, buildKeyModifiers(m));
  }

  /**
   * Align the guest's Caps/Num/Scroll Lock with the local keyboard (after connect and on
   * focus). Returns true when a KEY_MODIFIERS went out. Before INIT the guest's LEDs are
   * unknown: the request is kept and applied when INIT arrives. The server reports LED changes
   * only after a delay (about a second), so the state we asked for counts as the guest's until
   * it does: a second sync right after the first compares against that, not a stale report.
   */
  syncModifiers(local: LockState): boolean {
    const known = this.expectedLeds ?? this.guestModifiers;
    if (known === undefined) {
      this.pendingLocks = { ...local };
      return false;
    }
    this.pendingLocks = null;
    const body = lockSyncMessage(known, local);
    if (!body) return false;
    this.expectedLeds = body[0]!;
    this.send(MsgcInputs.KEY_MODIFIERS, body);
    return true;
  }

  // ---- mouse ----

  /** client mouse mode: absolute guest coordinates on monitor `displayId` (throttled) */
  mousePosition(x: number, y: number, buttons: number, displayId: number): void {
    this.throttle.position(x, y, buttons, displayId);
  }

  /** server mouse mode: relative motion (throttled, deltas accumulate) */
  mouseMotion(dx: number, dy: number, buttons: number): void {
    this.throttle.motion(dx, dy, buttons);
  }

  /** `button` is a SpiceMouseButton, `buttons` the mask after the press */
  mousePress(button: number, buttons: number): void {
    this.throttle.flush();
    this.send(MsgcInputs.MOUSE_PRESS, buildMousePress(button, buttons));
  }

  mouseRelease(button: number, buttons: number): void {
    this.throttle.flush();
    this.send(MsgcInputs.MOUSE_RELEASE, buildMouseRelease(button, buttons));
  }

  /** `notches` wheel notches (negative = up) while `buttons` are held */
  wheel(notches: number, buttons: number): void {
    if (!notches) return;
    this.throttle.flush();
    for (const e of wheelEvents(notches, buttons)) {
      this.send(e.press ? MsgcInputs.MOUSE_PRESS : MsgcInputs.MOUSE_RELEASE, e.press ? buildMousePress(e.button, e.mask) : buildMouseRelease(e.button, e.mask));
    }
  }
}
