/**
 * "Type text": a string turned into the key presses a US keyboard would need to type it, for
 * guests without an agent (no clipboard) and for characters the user's own layout has no key
 * for. The guest applies its own layout to the scancodes, so the result is exact on a guest with
 * the US (or a US-compatible, e.g. "us intl" without dead keys) layout; that is the layout of
 * Xspice's and most servers' default keymaps.
 *
 * Characters without a key here (non-ASCII, control characters other than \n \r \t \b) are never
 * dropped silently: `textToKeyOps` lists them in `skipped`, and the caller reports them back.
 */
import { KeyboardModifier } from '../protocol/enums';
import type { KeyOp } from './keyboard';
import { SCANCODES } from './scancodes';

const SHIFT = SCANCODES.ShiftLeft!;

/** character → [KeyboardEvent.code of the US key, Shift needed] */
const US_KEYS: ReadonlyMap<string, readonly [string, boolean]> = (() => {
  const m = new Map<string, readonly [string, boolean]>();
  for (let i = 0; i < 26; i++) {
    const lower = String.fromCharCode(97 + i);
    const code = `Key${lower.toUpperCase()}`;
    m.set(lower, [code, false]);
    m.set(lower.toUpperCase(), [code, true]);
  }
  const shiftedDigits = ')!@#$%^&*(';
  for (let i = 0; i < 10; i++) {
    m.set(String(i), [`Digit${i}`, false]);
    m.set(shiftedDigits[i]!, [`Digit${i}`, true]);
  }
  const pairs: Array<[string, string, string]> = [
    ['-', '_', 'Minus'], ['=', '+', 'Equal'], ['[', '{', 'BracketLeft'], [']', '}', 'BracketRight'],
    ['\\', '|', 'Backslash'], [';', ':', 'Semicolon'], ["'", '"', 'Quote'], [',', '<', 'Comma'],
    ['.', '>', 'Period'], ['/', '?', 'Slash'], ['`', '~', 'Backquote'],
  ];
  for (const [plain, shifted, code] of pairs) {
    m.set(plain, [code, false]);
    m.set(shifted, [code, true]);
  }
  m.set(' ', ['Space', false]);
  m.set('\n', ['Enter', false]);
  m.set('\r', ['Enter', false]);
  m.set('\t', ['Tab', false]);
  m.set('\b', ['Backspace', false]);
  return m;
})();

/** the US key for one character, or undefined when it has none */
export function usKeyOf(ch: string): { code: string; shift: boolean } | undefined {
  const k = US_KEYS.get(ch);
  return k && { code: k[0], shift: k[1] };
}

export interface TypedText {
  /** one entry per typed character: the presses and releases that type it */
  chars: KeyOp[][];
  /** characters with no key, in order of appearance (each occurrence listed) */
  skipped: string[];
}

export interface TypeTextOptions {
  /** the guest's lock LEDs (KeyboardModifier bits): with Caps Lock on, letters swap Shift */
  guestModifiers?: number;
}

/**
 * The key presses that type `text`. "\r\n" is one Enter. A letter's Shift is inverted while the
 * guest has Caps Lock on (Caps Lock + Shift gives the lower case on PC layouts), so the text
 * arrives as written whatever the guest's lock state.
 */
export function textToKeyOps(text: string, opts: TypeTextOptions = {}): TypedText {
  const caps = ((opts.guestModifiers ?? 0) & KeyboardModifier.CAPS_LOCK) !== 0;
  const chars: KeyOp[][] = [];
  const skipped: string[] = [];
  let prev = '';
  for (const ch of text) { // by code point: a surrogate pair is one skipped character
    if (ch === '\n' && prev === '\r') {
      prev = ch;
      continue;
    }
    prev = ch;
    const k = usKeyOf(ch);
    if (!k) {
      skipped.push(ch);
      continue;
    }
    const sc = SCANCODES[k.code]!;
    const isLetter = /^[a-zA-Z]$/.test(ch);
    const shift = isLetter && caps ? !k.shift : k.shift;
    chars.push(shift
      ? [{ sc: SHIFT, down: true }, { sc, down: true }, { sc, down: false }, { sc: SHIFT, down: false }]
      : [{ sc, down: true }, { sc, down: false }]);
  }
  return { chars, skipped };
}

/**
 * The text an `input` event of an on-screen keyboard's field adds (InputEvent.inputType, .data),
 * as type-text characters: line breaks are Enter, a backward deletion is Backspace ("\b"),
 * other edits type nothing.
 */
export function textOfInput(inputType: string, data: string | null): string {
  if (inputType === 'insertLineBreak' || inputType === 'insertParagraph') return '\n';
  if (inputType === 'deleteContentBackward') return '\b';
  if (inputType.startsWith('insert')) return data ?? '';
  return '';
}
