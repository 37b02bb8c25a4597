/**
 * Key combinations as people write them ("Ctrl+Alt+F1", "Ctrl+Alt+Backspace", "PrintScreen")
 * → KeyboardEvent.code names, for the toolbar's Keys menu. Names a remote-viewer or noVNC user
 * would type are accepted; anything else must be a KeyboardEvent.code we have a scancode for.
 */
import { scancodeOf } from '../input/scancodes';

const NAMES: Record<string, string> = {
  ctrl: 'ControlLeft', control: 'ControlLeft', strg: 'ControlLeft', alt: 'AltLeft', altgr: 'AltRight', shift: 'ShiftLeft',
  super: 'MetaLeft', win: 'MetaLeft', meta: 'MetaLeft', del: 'Delete', delete: 'Delete', entf: 'Delete', backspace: 'Backspace',
  bksp: 'Backspace', esc: 'Escape', escape: 'Escape', tab: 'Tab', enter: 'Enter', return: 'Enter', space: 'Space',
  printscreen: 'PrintScreen', print: 'PrintScreen', prtsc: 'PrintScreen', sysrq: 'PrintScreen', ins: 'Insert', insert: 'Insert',
  home: 'Home', end: 'End', pgup: 'PageUp', pageup: 'PageUp', pgdn: 'PageDown', pagedown: 'PageDown',
  up: 'ArrowUp', down: 'ArrowDown', left: 'ArrowLeft', right: 'ArrowRight',
};

function codeOf(name: string): string | null {
  const n = name.trim();
  const lower = n.toLowerCase();
  let code = NAMES[lower];
  if (!code && /^f([1-9]|1[0-2])$/.test(lower)) code = `F${lower.slice(1)}`;
  if (!code && /^[a-z]$/.test(lower)) code = `Key${lower.toUpperCase()}`;
  if (!code && /^[0-9]$/.test(lower)) code = `Digit${lower}`;
  code ??= n;
  return scancodeOf(code) === undefined ? null : code;
}

/** the codes of a combination, in press order; null when a part is not a key we can send */
export function parseCombo(combo: string): string[] | null {
  const parts = combo.split('+').map((p) => p.trim());
  if (!combo.trim() || parts.some((p) => !p)) return null;
  const codes: string[] = [];
  for (const p of parts) {
    const c = codeOf(p);
    if (!c) return null;
    codes.push(c);
  }
  return codes;
}
