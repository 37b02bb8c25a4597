/**
 * The user's display and toolbar choices (the settings dialog), kept in localStorage. Order of
 * precedence: built-in defaults < the page's presets (`<spice-client>.preferences`) < what the
 * user saved. Presets are defaults, not locks: a user who changes a setting keeps the change.
 * Everything read back is checked, so a hand-edited or old entry cannot break the client.
 */
import { parseCombo } from './key-combos';

export type ScaleMode = 'fit' | 'none' | 'remote';

export interface UiPrefs {
  /** fit (both ways), 1:1, or the guest's screen follows the window (resize-session) */
  scale: ScaleMode;
  /** one guest pixel = one device pixel on HiDPI screens */
  devicePixels: boolean;
  /** preferred image compression name ('' = the server's choice) */
  compression: string;
  sound: boolean;
  autoHide: boolean;
  /** '' = the browser's language */
  language: string;
  /** key combinations for the Keys menu, e.g. "Ctrl+Alt+F1" */
  keys: string[];
}

export const COMPRESSIONS = ['', 'auto_glz', 'auto_lz', 'quic', 'glz', 'lz', 'lz4', 'off'];

export const DEFAULT_KEYS: readonly string[] = [
  ...Array.from({ length: 12 }, (_, i) => `Ctrl+Alt+F${i + 1}`),
  'Ctrl+Alt+Backspace',
  'PrintScreen',
  'Alt+PrintScreen',
];

export const DEFAULT_PREFS: Readonly<UiPrefs> = Object.freeze({
  scale: 'fit',
  devicePixels: false,
  compression: '',
  sound: true,
  autoHide: false,
  language: '',
  keys: [...DEFAULT_KEYS],
});

export const STORAGE_KEY = 'spice-web.settings';

/** the valid fields of an untrusted object (storage, a page's presets); the rest is dropped */
export function sanitizePrefs(o: unknown): Partial<UiPrefs> {
  if (!o || typeof o !== 'object') return {};
  const v = o as Record<string, unknown>;
  const out: Partial<UiPrefs> = {};
  if (v.scale === 'fit' || v.scale === 'none' || v.scale === 'remote') out.scale = v.scale;
  for (const k of ['devicePixels', 'sound', 'autoHide'] as const) if (typeof v[k] === 'boolean') out[k] = v[k];
  if (typeof v.compression === 'string' && COMPRESSIONS.includes(v.compression.toLowerCase())) out.compression = v.compression.toLowerCase();
  if (typeof v.language === 'string' && /^[A-Za-z-]{0,20}$/.test(v.language)) out.language = v.language;
  if (Array.isArray(v.keys)) out.keys = v.keys.filter((k): k is string => typeof k === 'string' && parseCombo(k) !== null);
  return out;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/** the page's localStorage, or null where it is not allowed (sandboxed frames, some privacy modes) */
export function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** what the user saved (nothing when storage is unavailable or holds garbage) */
export function loadSaved(storage: StorageLike | null): Partial<UiPrefs> {
  try {
    const s = storage?.getItem(STORAGE_KEY);
    return s ? sanitizePrefs(JSON.parse(s)) : {};
  } catch {
    return {};
  }
}

/** defaults < presets < saved */
export function effectivePrefs(presets: unknown, saved: Partial<UiPrefs>): UiPrefs {
  return { ...DEFAULT_PREFS, keys: [...DEFAULT_PREFS.keys], ...sanitizePrefs(presets), ...saved };
}

/**
 * Store the user's choice: only the fields that differ from what the page and the defaults
 * would give, so a page that changes its presets later still reaches users who never chose.
 */
export function savePrefs(storage: StorageLike | null, prefs: UiPrefs, presets: unknown): Partial<UiPrefs> {
  const base = effectivePrefs(presets, {});
  const diff: Partial<UiPrefs> = {};
  for (const k of Object.keys(prefs) as Array<keyof UiPrefs>) {
    if (JSON.stringify(prefs[k]) !== JSON.stringify(base[k])) (diff as Record<string, unknown>)[k] = prefs[k];
  }
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(diff));
  } catch {
    // private mode or a full quota: the choice holds for this page only
  }
  return diff;
}
