import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFS, STORAGE_KEY, effectivePrefs, loadSaved, sanitizePrefs, savePrefs } from './prefs';
import { parseCombo } from './key-combos';

function memory(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) } as unknown as Storage & { data: Map<string, string> };
}

describe('settings persistence', () => {
  it('defaults < page presets < saved choices', () => {
    const p = effectivePrefs({ scale: 'none', autoHide: true }, { scale: 'remote' });
    expect(p.scale).toBe('remote');
    expect(p.autoHide).toBe(true);
    expect(p.sound).toBe(DEFAULT_PREFS.sound);
  });
  it('saves only what differs from presets and defaults, and reads it back', () => {
    const s = memory();
    const presets = { autoHide: true };
    const chosen = { ...effectivePrefs(presets, {}), devicePixels: true, language: 'de' };
    expect(savePrefs(s, chosen, presets)).toEqual({ devicePixels: true, language: 'de' });
    expect(effectivePrefs(presets, loadSaved(s))).toEqual(chosen);
  });
  it('ignores garbage in storage and in presets', () => {
    const s = memory();
    s.data.set(STORAGE_KEY, '{not json');
    expect(loadSaved(s)).toEqual({});
    s.data.set(STORAGE_KEY, JSON.stringify({ scale: 'huge', sound: 'yes', compression: 'LZ4', keys: ['Ctrl+Alt+F2', 'Ctrl+Nope', 3] }));
    expect(loadSaved(s)).toEqual({ compression: 'lz4', keys: ['Ctrl+Alt+F2'] });
    expect(sanitizePrefs(null)).toEqual({});
    expect(sanitizePrefs({ language: '<script>' })).toEqual({});
  });
  it('survives storage that throws', () => {
    const bad = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    expect(loadSaved(bad)).toEqual({});
    expect(() => savePrefs(bad, effectivePrefs({}, {}), {})).not.toThrow();
  });
});

describe('key combinations', () => {
  it('parses the names people write', () => {
    expect(parseCombo('Ctrl+Alt+F1')).toEqual(['ControlLeft', 'AltLeft', 'F1']);
    expect(parseCombo('ctrl + alt + backspace')).toEqual(['ControlLeft', 'AltLeft', 'Backspace']);
    expect(parseCombo('PrintScreen')).toEqual(['PrintScreen']);
    expect(parseCombo('Super+L')).toEqual(['MetaLeft', 'KeyL']);
    expect(parseCombo('Ctrl+Alt+Del')).toEqual(['ControlLeft', 'AltLeft', 'Delete']);
  });
  it('refuses what is not a key', () => {
    expect(parseCombo('Ctrl+Banana')).toBeNull();
    expect(parseCombo('Ctrl++')).toBeNull();
    expect(parseCombo('')).toBeNull();
    expect(parseCombo('F99')).toBeNull();
  });
});
