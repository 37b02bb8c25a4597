/**
 * Inputs channel messages (spice-protocol.md §7). Client messages are tiny fixed layouts; the
 * server sends only its keyboard LED state (INIT, KEY_MODIFIERS) and empty MOUSE_MOTION_ACKs.
 */
import { SpiceProtocolError } from './errors';
import type { SpiceReader } from './reader';
import { SpiceWriter } from './writer';

/** KEY_DOWN: a set-1 make code packed first-byte-lowest (see input/scancodes.ts) */
export function buildKeyDown(code: number): Uint8Array {
  return new SpiceWriter(4).u32(code).finish();
}

/** KEY_UP: a set-1 break code packed first-byte-lowest */
export function buildKeyUp(code: number): Uint8Array {
  return new SpiceWriter(4).u32(code).finish();
}

/** KEY_MODIFIERS: the lock-key state the guest should take (KeyboardModifier bits) */
export function buildKeyModifiers(modifiers: number): Uint8Array {
  return new SpiceWriter(2).u16(modifiers & 0xffff).finish();
}

/**
 * KEY_SCANCODE: raw scancode bytes, fed to the guest keyboard one by one. Only for servers
 * with the INPUTS cap KEY_SCANCODE.
 */
export function buildKeyScancode(bytes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new SpiceProtocolError('malformed', `scancode byte ${b} out of range`);
    out[i] = b;
  }
  return out;
}

/** MOUSE_MOTION (server mouse mode): relative motion, i32 dx, i32 dy, u16 buttons_state */
export function buildMouseMotion(dx: number, dy: number, buttons: number): Uint8Array {
  return new SpiceWriter(10).i32(clampI32(dx)).i32(clampI32(dy)).u16(buttons & 0xffff).finish();
}

/** MOUSE_POSITION (client mouse mode): u32 x, u32 y, u16 buttons_state, u8 display_id */
export function buildMousePosition(x: number, y: number, buttons: number, displayId: number): Uint8Array {
  return new SpiceWriter(11).u32(clampU32(x)).u32(clampU32(y)).u16(buttons & 0xffff).u8(displayId & 0xff).finish();
}

/** MOUSE_PRESS: u8 button (SpiceMouseButton), u16 buttons_state after the press */
export function buildMousePress(button: number, buttons: number): Uint8Array {
  return new SpiceWriter(3).u8(button & 0xff).u16(buttons & 0xffff).finish();
}

/** MOUSE_RELEASE: u8 button, u16 buttons_state after the release */
export function buildMouseRelease(button: number, buttons: number): Uint8Array {
  return new SpiceWriter(3).u8(button & 0xff).u16(buttons & 0xffff).finish();
}

/** server INIT: u16 keyboard_modifiers (the guest's LED state) */
export function parseInputsInit(r: SpiceReader): number {
  return r.u16();
}

/** server KEY_MODIFIERS: u16 modifiers (guest LED state changed) */
export function parseKeyModifiers(r: SpiceReader): number {
  return r.u16();
}

function clampI32(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.max(-0x80000000, Math.min(0x7fffffff, Math.trunc(v)));
}

function clampU32(v: number): number {
  if (!Number.isFinite(v) || v < 0) return 0;
  return Math.min(0xffffffff, Math.trunc(v));
}
