import { describe, expect, it } from 'vitest';
import { KeyboardModifier } from '../protocol/enums';
import { SCANCODES } from './scancodes';
import { textOfInput, textToKeyOps, usKeyOf } from './type-text';

/** ops as "+1e" / "-2a" strings, flattened */
const flat = (text: string, guestModifiers?: number) =>
  textToKeyOps(text, { guestModifiers }).chars.flat().map((o) => `${o.down ? '+' : '-'}${o.sc.toString(16)}`);

describe('textToKeyOps (US layout)', () => {
  it('types lower case, digits and space without Shift', () => {
    expect(flat('a1 ')).toEqual(['+1e', '-1e', '+2', '-2', '+39', '-39']);
  });

  it('wraps capitals and shifted punctuation in Shift', () => {
    expect(flat('A!')).toEqual(['+2a', '+1e', '-1e', '-2a', '+2a', '+2', '-2', '-2a']);
  });

  it('has a key for every printable ASCII character, with Shift exactly where a US keyboard needs it', () => {
    const shifted = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZ~!@#$%^&*()_+{}|:"<>?');
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      const k = usKeyOf(ch);
      expect(k, ch).toBeDefined();
      expect(k!.shift, ch).toBe(shifted.has(ch));
      expect(SCANCODES[k!.code], ch).toBeDefined();
    }
  });

  it('maps newline, CR LF, tab and backspace to their keys', () => {
    const r = textToKeyOps('x\ny\r\nz\t\b');
    const keys = r.chars.map((ops) => ops.find((o) => o.down && o.sc !== SCANCODES.ShiftLeft)!.sc);
    expect(keys).toEqual([SCANCODES.KeyX, SCANCODES.Enter, SCANCODES.KeyY, SCANCODES.Enter, SCANCODES.KeyZ, SCANCODES.Tab, SCANCODES.Backspace]);
    expect(r.skipped).toEqual([]);
  });

  it('lists every character without a key, in order, and types the rest', () => {
    const r = textToKeyOps('héllo € 😀\u0007!');
    expect(r.skipped).toEqual(['é', '€', '😀', '\u0007']);
    expect(r.chars.length).toBe('hllo  !'.length);
  });

  it('inverts Shift for letters only while the guest has Caps Lock on', () => {
    const caps = KeyboardModifier.CAPS_LOCK;
    expect(flat('a', caps)).toEqual(['+2a', '+1e', '-1e', '-2a']);
    expect(flat('A', caps)).toEqual(['+1e', '-1e']);
    expect(flat('1!', caps)).toEqual(flat('1!'));
    expect(flat('a', KeyboardModifier.NUM_LOCK)).toEqual(['+1e', '-1e']);
  });

  it('gives nothing for an empty string', () => {
    expect(textToKeyOps('')).toEqual({ chars: [], skipped: [] });
  });
});

describe('textOfInput (on-screen keyboard input → type-text characters)', () => {
  it('inserted text is typed as it is', () => {
    expect(textOfInput('insertText', 'hé!')).toBe('hé!');
    expect(textOfInput('insertReplacementText', 'word')).toBe('word');
    expect(textOfInput('insertFromPaste', null)).toBe('');
  });
  it('line breaks are Enter and a backward deletion is Backspace', () => {
    expect(textOfInput('insertLineBreak', null)).toBe('\n');
    expect(textOfInput('insertParagraph', null)).toBe('\n');
    expect(textOfInput('deleteContentBackward', null)).toBe('\b');
  });
  it('other edits type nothing', () => {
    expect(textOfInput('deleteContentForward', null)).toBe('');
    expect(textOfInput('historyUndo', null)).toBe('');
  });
});
