import { describe, expect, it } from 'vitest';
import { CODE_ALIASES, PAUSE_E1_BYTES, SCANCODES, canonicalCode, isExtended, scancodeBytes, scancodeOf, spiceKeyCode } from './scancodes';

// Expected values typed in from the PS/2 scan code set 1 tables, not from the module.
const SPOT: Array<[string, number]> = [
  ['Escape', 0x01], ['Digit1', 0x02], ['Digit0', 0x0b], ['Minus', 0x0c], ['Equal', 0x0d],
  ['Backspace', 0x0e], ['Tab', 0x0f], ['KeyQ', 0x10], ['KeyP', 0x19], ['BracketLeft', 0x1a],
  ['Enter', 0x1c], ['ControlLeft', 0x1d], ['KeyA', 0x1e], ['KeyL', 0x26], ['Semicolon', 0x27],
  ['Quote', 0x28], ['Backquote', 0x29], ['ShiftLeft', 0x2a], ['Backslash', 0x2b], ['KeyZ', 0x2c],
  ['KeyM', 0x32], ['Slash', 0x35], ['ShiftRight', 0x36], ['NumpadMultiply', 0x37], ['AltLeft', 0x38],
  ['Space', 0x39], ['CapsLock', 0x3a], ['F1', 0x3b], ['F10', 0x44], ['NumLock', 0x45],
  ['ScrollLock', 0x46], ['Numpad7', 0x47], ['NumpadSubtract', 0x4a], ['Numpad5', 0x4c],
  ['NumpadAdd', 0x4e], ['Numpad0', 0x52], ['NumpadDecimal', 0x53], ['IntlBackslash', 0x56],
  ['F11', 0x57], ['F12', 0x58], ['KanaMode', 0x70], ['IntlRo', 0x73], ['Convert', 0x79],
  ['NonConvert', 0x7b], ['IntlYen', 0x7d], ['Lang1', 0x72], ['Lang2', 0x71],
];

// every E0 key of a 104/105-key keyboard
const E0_KEYS: Array<[string, number]> = [
  ['ControlRight', 0x1d], ['AltRight', 0x38], ['MetaLeft', 0x5b], ['MetaRight', 0x5c],
  ['ContextMenu', 0x5d], ['PrintScreen', 0x37], ['NumpadEnter', 0x1c], ['NumpadDivide', 0x35],
  ['Insert', 0x52], ['Delete', 0x53], ['Home', 0x47], ['End', 0x4f], ['PageUp', 0x49],
  ['PageDown', 0x51], ['ArrowUp', 0x48], ['ArrowLeft', 0x4b], ['ArrowDown', 0x50], ['ArrowRight', 0x4d],
];

describe('scancode table', () => {
  it.each(SPOT)('%s → %i', (code, sc) => {
    expect(scancodeOf(code)).toBe(sc);
    expect(isExtended(sc)).toBe(false);
  });

  it.each(E0_KEYS)('%s is E0 + %i', (code, low) => {
    const sc = scancodeOf(code)!;
    expect(isExtended(sc)).toBe(true);
    expect(sc & 0xff).toBe(low);
    expect(scancodeBytes(sc, true)).toEqual([0xe0, low]);
    expect(scancodeBytes(sc, false)).toEqual([0xe0, low | 0x80]);
  });

  it('maps every key of a 104/105/106/107-key PC keyboard', () => {
    const keys = [
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => `Key${c}`),
      ...'0123456789'.split('').map((d) => `Digit${d}`),
      ...Array.from({ length: 24 }, (_, i) => `F${i + 1}`),
      ...'0123456789'.split('').map((d) => `Numpad${d}`),
      'NumpadAdd', 'NumpadSubtract', 'NumpadMultiply', 'NumpadDivide', 'NumpadDecimal', 'NumpadEnter', 'NumLock',
      'Escape', 'PrintScreen', 'ScrollLock', 'Pause', 'Backquote', 'Minus', 'Equal', 'Backspace', 'Tab',
      'BracketLeft', 'BracketRight', 'Backslash', 'CapsLock', 'Semicolon', 'Quote', 'Enter', 'ShiftLeft',
      'IntlBackslash', 'Comma', 'Period', 'Slash', 'ShiftRight', 'ControlLeft', 'MetaLeft', 'AltLeft', 'Space',
      'AltRight', 'MetaRight', 'ContextMenu', 'ControlRight', 'Insert', 'Home', 'PageUp', 'Delete', 'End',
      'PageDown', 'ArrowUp', 'ArrowLeft', 'ArrowDown', 'ArrowRight',
      'IntlRo', 'IntlYen', 'KanaMode', 'Convert', 'NonConvert', 'Lang1', 'Lang2',
      'AudioVolumeMute', 'AudioVolumeUp', 'AudioVolumeDown', 'MediaPlayPause', 'MediaTrackNext', 'MediaTrackPrevious',
      'MediaStop', 'BrowserBack', 'BrowserForward', 'BrowserHome', 'LaunchMail',
    ];
    const missing = keys.filter((k) => scancodeOf(k) === undefined);
    expect(missing).toEqual([]);
  });

  it('has no duplicate scancodes', () => {
    const seen = new Map<number, string>();
    const dups: string[] = [];
    for (const [code, sc] of Object.entries(SCANCODES)) {
      const prev = seen.get(sc);
      if (prev) dups.push(`${prev}/${code} 0x${sc.toString(16)}`);
      seen.set(sc, code);
    }
    expect(dups).toEqual([]);
  });

  it('holds only valid set-1 codes', () => {
    for (const [code, sc] of Object.entries(SCANCODES)) {
      const low = sc & 0xff;
      expect(low, code).toBeGreaterThan(0);
      expect(low, code).toBeLessThan(0x80);
      expect(sc === low || sc === (0xe000 | low), code).toBe(true);
    }
  });

  it('resolves aliases and ignores unknown codes', () => {
    expect(scancodeOf('OSLeft')).toBe(0xe05b);
    expect(scancodeOf('OSRight')).toBe(0xe05c);
    expect(canonicalCode('OSLeft')).toBe('MetaLeft');
    for (const target of Object.values(CODE_ALIASES)) expect(SCANCODES[target]).toBeDefined();
    expect(scancodeOf('')).toBeUndefined();
    expect(scancodeOf('Unidentified')).toBeUndefined();
    expect(scancodeOf('Fn')).toBeUndefined();
    expect(scancodeOf('toString')).toBeUndefined();
    expect(scancodeOf('__proto__')).toBeUndefined();
  });
});

describe('SPICE key codes', () => {
  it('packs ordinary keys as sc / sc|0x80', () => {
    expect(spiceKeyCode(0x1e, true)).toBe(0x1e);
    expect(spiceKeyCode(0x1e, false)).toBe(0x9e);
  });

  it('packs E0 keys first byte lowest', () => {
    expect(spiceKeyCode(scancodeOf('ControlRight')!, true)).toBe(0x1de0);
    expect(spiceKeyCode(scancodeOf('ControlRight')!, false)).toBe(0x9de0);
    expect(spiceKeyCode(scancodeOf('ArrowUp')!, true)).toBe(0x48e0);
    expect(spiceKeyCode(scancodeOf('ArrowUp')!, false)).toBe(0xc8e0);
    expect(spiceKeyCode(scancodeOf('AltRight')!, true)).toBe(0x38e0);
    expect(spiceKeyCode(scancodeOf('MetaLeft')!, false)).toBe(0xdbe0);
  });

  it('packs Pause as E0 46 / E0 C6 (what QEMU and Xspice both decode as Pause)', () => {
    const sc = scancodeOf('Pause')!;
    expect(sc).toBe(0xe046);
    expect(spiceKeyCode(sc, true)).toBe(0x46e0);
    expect(spiceKeyCode(sc, false)).toBe(0xc6e0);
    expect(scancodeBytes(sc, true)).toEqual([0xe0, 0x46]);
    // the hardware sequence stays available for sendScancodes
    expect(PAUSE_E1_BYTES).toEqual([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
  });

  it('never produces a 0 byte inside a code (the server stops at 0)', () => {
    for (const sc of Object.values(SCANCODES)) {
      for (const down of [true, false]) {
        const bytes = scancodeBytes(sc, down);
        expect(bytes.every((b) => b > 0 && b < 256)).toBe(true);
        const code = spiceKeyCode(sc, down);
        for (let i = 0; i < bytes.length; i++) expect((code >>> (8 * i)) & 0xff).toBe(bytes[i]);
        expect(code >>> (8 * bytes.length)).toBe(0);
      }
    }
  });
});
