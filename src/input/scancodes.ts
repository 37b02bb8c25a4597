/**
 * `KeyboardEvent.code` (W3C UI Events code values, i.e. physical key positions) → PC/AT scan
 * code set 1, the codes SPICE carries (spice-protocol.md §7).
 *
 * A scancode here is a number:
 *  - 0x01–0x7F        an ordinary key (make code; break = code | 0x80)
 *  - 0xE001–0xE07F    an E0-prefixed ("extended") key: E0 then the low byte
 *
 * Values are the set-1 codes that QEMU decodes (its "qnum" = set 1 with E0 folded into bit 7),
 * since QEMU turns every byte it gets from SPICE back into a key with that table. Where the
 * various set-1 references disagree it matters:
 *  - F13–F24 use the Linux/QEMU assignment (F13 0x5D … F24 0x6F), not the Microsoft one
 *    (F13 0x64 …), which QEMU would decode as unrelated keys (0x64 is "Open").
 *  - Lang1 (Hangul) / Lang2 (Hanja) are real-keyboard F2 / F1 without a break code; those bytes
 *    look like breaks of 0x72 / 0x71, so QEMU expects 0x72 / 0x71 with ordinary make/break.
 *  - PrintScreen is sent as E0 37 without the fake-shift E0 2A a real keyboard adds; QEMU and
 *    Xspice both take E0 37, and QEMU itself turns Alt+Print into SysRq for the guest.
 *  - Pause is sent as E0 46 / E0 C6 (the code a keyboard sends for Ctrl+Pause, i.e. Break),
 *    not as the hardware's E1 1D 45 E1 9D C5. QEMU maps both to its Pause key and then emits
 *    the right sequence to the guest itself (E1… or, with Ctrl held, the Break form); Xspice
 *    knows only E0 prefixes and turns E1 1D 45 into Ctrl + NumLock presses (checked against
 *    Xspice: E0 46 arrives as X "Pause"). spice-gtk sends E0 46 as well. The hardware bytes
 *    remain available as PAUSE_E1_BYTES for `InputsChannel.sendScancodes`.
 * Facts gathered from the PS/2 set-1 tables and cross-checked against QEMU's keymap data; the
 * table itself is written here by hand.
 */

const E0 = 0xe000;

/** Pause as a real keyboard sends it (make and "break" at once, on press; see above) */
export const PAUSE_E1_BYTES: readonly number[] = Object.freeze([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);

/** code value → scancode. Keys without a set-1 code (Fn, FnLock, …) are simply absent. */
export const SCANCODES: Readonly<Record<string, number>> = Object.freeze({
  // main block, row by row
  Escape: 0x01,
  Digit1: 0x02, Digit2: 0x03, Digit3: 0x04, Digit4: 0x05, Digit5: 0x06,
  Digit6: 0x07, Digit7: 0x08, Digit8: 0x09, Digit9: 0x0a, Digit0: 0x0b,
  Minus: 0x0c, Equal: 0x0d, Backspace: 0x0e,
  Tab: 0x0f,
  KeyQ: 0x10, KeyW: 0x11, KeyE: 0x12, KeyR: 0x13, KeyT: 0x14,
  KeyY: 0x15, KeyU: 0x16, KeyI: 0x17, KeyO: 0x18, KeyP: 0x19,
  BracketLeft: 0x1a, BracketRight: 0x1b, Enter: 0x1c,
  ControlLeft: 0x1d,
  KeyA: 0x1e, KeyS: 0x1f, KeyD: 0x20, KeyF: 0x21, KeyG: 0x22,
  KeyH: 0x23, KeyJ: 0x24, KeyK: 0x25, KeyL: 0x26,
  Semicolon: 0x27, Quote: 0x28, Backquote: 0x29,
  ShiftLeft: 0x2a, Backslash: 0x2b,
  KeyZ: 0x2c, KeyX: 0x2d, KeyC: 0x2e, KeyV: 0x2f, KeyB: 0x30, KeyN: 0x31, KeyM: 0x32,
  Comma: 0x33, Period: 0x34, Slash: 0x35, ShiftRight: 0x36,
  AltLeft: 0x38, Space: 0x39, CapsLock: 0x3a,
  IntlBackslash: 0x56, // the extra key left of Z on 102/105-key (ISO) keyboards
  IntlRo: 0x73, // JIS: ろ / backslash-underscore, left of right Shift
  IntlYen: 0x7d, // JIS: ¥, left of Backspace
  ControlRight: E0 | 0x1d,
  AltRight: E0 | 0x38, // also AltGr: set 1 has no separate AltGr key
  MetaLeft: E0 | 0x5b,
  MetaRight: E0 | 0x5c,
  ContextMenu: E0 | 0x5d,

  // function row
  F1: 0x3b, F2: 0x3c, F3: 0x3d, F4: 0x3e, F5: 0x3f, F6: 0x40,
  F7: 0x41, F8: 0x42, F9: 0x43, F10: 0x44, F11: 0x57, F12: 0x58,
  F13: 0x5d, F14: 0x5e, F15: 0x5f, F16: 0x55, F17: E0 | 0x03, F18: E0 | 0x77,
  F19: E0 | 0x04, F20: 0x5a, F21: 0x74, F22: E0 | 0x79, F23: 0x6d, F24: 0x6f,
  PrintScreen: E0 | 0x37,
  ScrollLock: 0x46,
  Pause: E0 | 0x46, // see the header: E0 46 rather than E1 1D 45

  // navigation block and arrows (all E0: the grey keys beside the keypad)
  Insert: E0 | 0x52, Delete: E0 | 0x53,
  Home: E0 | 0x47, End: E0 | 0x4f,
  PageUp: E0 | 0x49, PageDown: E0 | 0x51,
  ArrowUp: E0 | 0x48, ArrowLeft: E0 | 0x4b, ArrowDown: E0 | 0x50, ArrowRight: E0 | 0x4d,

  // numeric keypad
  NumLock: 0x45,
  NumpadDivide: E0 | 0x35,
  NumpadMultiply: 0x37,
  NumpadSubtract: 0x4a,
  NumpadAdd: 0x4e,
  NumpadEnter: E0 | 0x1c,
  NumpadDecimal: 0x53,
  Numpad0: 0x52, Numpad1: 0x4f, Numpad2: 0x50, Numpad3: 0x51, Numpad4: 0x4b,
  Numpad5: 0x4c, Numpad6: 0x4d, Numpad7: 0x47, Numpad8: 0x48, Numpad9: 0x49,
  NumpadEqual: 0x59,
  NumpadComma: 0x7e, // Brazilian / JIS keypad separator

  // Japanese and Korean input keys
  KanaMode: 0x70, // カタカナ/ひらがな/ローマ字
  Convert: 0x79, // 変換
  NonConvert: 0x7b, // 無変換
  Lang1: 0x72, // Korean 한/영 (Hangul), JIS かな on Apple keyboards
  Lang2: 0x71, // Korean 한자 (Hanja), JIS 英数 on Apple keyboards
  Lang3: 0x78, // Katakana
  Lang4: 0x77, // Hiragana
  Lang5: 0x76, // Zenkaku/Hankaku (most JIS keyboards report that key as Backquote instead)

  // media and browser keys (multimedia keyboards, all E0)
  MediaTrackPrevious: E0 | 0x10,
  MediaTrackNext: E0 | 0x19,
  AudioVolumeMute: E0 | 0x20,
  LaunchApp2: E0 | 0x21, // Calculator
  MediaPlayPause: E0 | 0x22,
  MediaStop: E0 | 0x24,
  AudioVolumeDown: E0 | 0x2e,
  AudioVolumeUp: E0 | 0x30,
  BrowserHome: E0 | 0x32,
  Power: E0 | 0x5e,
  Sleep: E0 | 0x5f,
  WakeUp: E0 | 0x63,
  BrowserSearch: E0 | 0x65,
  BrowserFavorites: E0 | 0x66,
  BrowserRefresh: E0 | 0x67,
  BrowserStop: E0 | 0x68,
  BrowserForward: E0 | 0x69,
  BrowserBack: E0 | 0x6a,
  LaunchApp1: E0 | 0x6b, // My Computer
  LaunchMail: E0 | 0x6c,
  MediaSelect: E0 | 0x6d,
  Eject: E0 | 0x7d,
});

/** Older code values some browsers still send (Firefox before 118: OSLeft/OSRight; early Chromium: Katakana/Hiragana). */
export const CODE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  OSLeft: 'MetaLeft',
  OSRight: 'MetaRight',
  Katakana: 'Lang3',
  Hiragana: 'Lang4',
});

/** the canonical code value for `code` (resolves aliases), or undefined when unmapped */
export function canonicalCode(code: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(SCANCODES, code)) return code;
  const alias = Object.prototype.hasOwnProperty.call(CODE_ALIASES, code) ? CODE_ALIASES[code] : undefined;
  return alias;
}

/** the set-1 scancode of a `KeyboardEvent.code`, or undefined for keys we cannot send */
export function scancodeOf(code: string): number | undefined {
  const c = canonicalCode(code);
  return c === undefined ? undefined : SCANCODES[c];
}

export function isExtended(sc: number): boolean {
  return (sc & 0xff00) === E0;
}

/** the bytes a PS/2 keyboard emits for a press (`down`) or release of `sc` */
export function scancodeBytes(sc: number, down: boolean): number[] {
  const low = (sc & 0x7f) | (down ? 0 : 0x80);
  return isExtended(sc) ? [0xe0, low] : [low];
}

/**
 * The u32 `code` of KEY_DOWN / KEY_UP: the scancode bytes, first byte in the least significant
 * byte (the server feeds bytes until it meets a 0). E.g. A: 0x1E / 0x9E, Right Ctrl: 0x1DE0 /
 * 0x9DE0, Pause: 0x46E0 / 0xC6E0.
 */
export function spiceKeyCode(sc: number, down: boolean): number {
  const bytes = scancodeBytes(sc, down);
  let v = 0;
  for (let i = 0; i < bytes.length; i++) v |= bytes[i]! << (8 * i);
  return v >>> 0;
}
