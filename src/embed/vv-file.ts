/**
 * remote-viewer connection files (.vv): an INI file whose `[virt-viewer]` group says where and
 * how to connect (virt-viewer's remote-viewer(1), CONNECTION FILE). Pure: text in, a typed
 * description out; what the page does with it is vv-open.ts.
 *
 * The browser cannot dial `host`/`port`: they become a request the proxy answers from its own
 * list (`?target=HOST:PORT`, src/proxy/address-request.ts). Keys that only make sense to the
 * proxy (ca, host-subject, proxy, tls-ciphers) or to a desktop client (usb, smartcard) are listed
 * as not applied, never silently dropped.
 */

/** a file that cannot be used; the message says why, in words for the user */
export class VvError extends Error {
  override name = 'VvError';
}

/** remote-viewer's hotkey actions we have a counterpart for */
export type VvAction = 'toggle-fullscreen' | 'release-cursor' | 'secure-attention';

export interface VvHotkey {
  action: VvAction;
  /** as written in the file, e.g. "shift+f11" */
  spec: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  /** KeyboardEvent.key, lower case ("f11", "end", "r", "insert") */
  key: string;
}

export interface VvFile {
  type: 'spice';
  host: string | null;
  port: number | null;
  tlsPort: number | null;
  password: string | null;
  title: string | null;
  fullscreen: boolean;
  hotkeys: VvHotkey[];
  /** the file asked to be deleted after reading (a browser cannot; the page says so) */
  deleteThisFile: boolean;
  /** keys we do not know (ignored) */
  unknownKeys: string[];
  /** keys we know but do not apply here, with why */
  notApplied: Array<{ key: string; why: string }>;
  /** hotkey keys whose value we could not read, or whose action we do not have */
  badHotkeys: Array<{ key: string; value: string; why: string }>;
}

const NOT_APPLIED: Record<string, string> = {
  ca: 'TLS to the server is the proxy\'s (its token or --target-ca)',
  'host-subject': 'TLS to the server is the proxy\'s (host-subject in its configuration)',
  'tls-ciphers': 'TLS to the server is the proxy\'s',
  proxy: 'the spice-web proxy is the way to the server',
  'secure-channels': 'TLS to the server is the proxy\'s',
  'disable-channels': 'not supported yet',
  username: 'SPICE has no user name (SASL is not available in a browser)',
  'unix-path': 'a browser cannot reach a local socket',
  'color-depth': 'not supported yet',
  'disable-effects': 'not supported yet',
  'enable-smartcard': 'no smartcard in the browser',
  'enable-usbredir': 'USB redirection is not supported yet',
  'enable-usb-autoshare': 'USB redirection is not supported yet',
  'usb-filter': 'USB redirection is not supported yet',
  version: 'no minimum client version applies',
  versions: 'no minimum client version applies',
  'newer-version-url': 'no minimum client version applies',
  'zoom-in': 'no zoom hotkeys yet',
  'zoom-out': 'no zoom hotkeys yet',
  'zoom-reset': 'no zoom hotkeys yet',
  'smartcard-insert': 'no smartcard in the browser',
  'smartcard-remove': 'no smartcard in the browser',
  'usb-device-reset': 'USB redirection is not supported yet',
};

const ACTIONS: readonly VvAction[] = ['toggle-fullscreen', 'release-cursor', 'secure-attention'];

/** a file's name for a key as a browser's KeyboardEvent.key names it */
const KEY_NAMES: Record<string, string> = {
  ins: 'insert', insert: 'insert', del: 'delete', delete: 'delete', end: 'end', home: 'home', esc: 'escape', escape: 'escape',
  return: 'enter', enter: 'enter', space: ' ', tab: 'tab', backspace: 'backspace', pgup: 'pageup', prior: 'pageup', pageup: 'pageup',
  pgdn: 'pagedown', next: 'pagedown', pagedown: 'pagedown', pause: 'pause', print: 'printscreen',
};

/** "Ctrl+Alt+End" → a hotkey; GTK accelerator spellings (<ctrl><alt>end) work too. Throws VvError. */
export function parseHotkey(action: VvAction, spec: string): VvHotkey {
  const parts = spec.replace(/>\s*/g, '>+').replace(/[<>]/g, '').split('+').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const hk: VvHotkey = { action, spec, ctrl: false, alt: false, shift: false, key: '' };
  for (const p of parts) {
    if (p === 'ctrl' || p === 'control' || p === 'ctrl_l' || p === 'control_l' || p === 'ctrl_r' || p === 'control_r' || p === 'primary') hk.ctrl = true;
    else if (p === 'alt' || p === 'alt_l' || p === 'alt_r' || p === 'mod1') hk.alt = true;
    else if (p === 'shift' || p === 'shift_l' || p === 'shift_r') hk.shift = true;
    else if (hk.key) throw new VvError(`hotkey "${spec}" has more than one key`);
    else if (/^f([1-9]|1[0-9]|2[0-4])$/.test(p) || /^[a-z0-9]$/.test(p)) hk.key = p;
    else if (KEY_NAMES[p]) hk.key = KEY_NAMES[p]!;
    else throw new VvError(`hotkey "${spec}": unknown key "${p}"`);
  }
  // remote-viewer's release-cursor may be modifiers alone (its default is Ctrl+Alt)
  if (!hk.key && !(action === 'release-cursor' && (hk.ctrl || hk.alt || hk.shift))) throw new VvError(`hotkey "${spec}" names no key`);
  return hk;
}

function bool(v: string): boolean {
  return /^(1|true|yes|on)$/i.test(v.trim());
}

function port(key: string, v: string): number {
  const t = v.trim();
  if (!/^\d{1,5}$/.test(t) || Number(t) < 1 || Number(t) > 65535) throw new VvError(`${key}: "${v}" is not a port number`);
  return Number(t);
}

/** INI values may carry C-style escapes (\n in `ca`, \\, \s, \t) as GLib's key files do */
function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', s: ' ', '\\': '\\' })[c] ?? `\\${c}`);
}

/** Largest file we read: real ones are well under 8 KB (a CA certificate is the bulk). */
export const MAX_VV_BYTES = 256 * 1024;

/** Parses a .vv file's text. Throws VvError with a sentence a user can act on. */
export function parseVv(text: string): VvFile {
  if (text.length > MAX_VV_BYTES) throw new VvError('this file is too large to be a connection file');
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const g = /^\[([^\]]+)\]$/.exec(line);
    if (g) {
      const name = g[1]!.trim();
      current = groups.get(name) ?? new Map();
      groups.set(name, current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new VvError(`line ${i + 1} is neither [group] nor key=value`);
    if (!current) throw new VvError(`line ${i + 1}: a key before any [group]`);
    (current as Map<string, string>).set(line.slice(0, eq).trim(), unescape(line.slice(eq + 1).trim()));
  });
  const vv = groups.get('virt-viewer');
  if (!vv) throw new VvError('not a connection file: there is no [virt-viewer] group');
  const type = vv.get('type');
  if (type === undefined) throw new VvError('the connection file has no type');
  if (type.trim().toLowerCase() !== 'spice') throw new VvError(`this is a "${type}" connection file; spice-web connects to SPICE only`);
  const out: VvFile = {
    type: 'spice', host: null, port: null, tlsPort: null, password: null, title: null, fullscreen: false, hotkeys: [], deleteThisFile: false,
    unknownKeys: [], notApplied: [], badHotkeys: [],
  };
  for (const [key, value] of vv) {
    switch (key) {
      case 'type': break;
      case 'host': out.host = value.trim() || null; break;
      case 'port': if (value.trim() !== '' && value.trim() !== '-1') out.port = port(key, value); break;
      case 'tls-port': if (value.trim() !== '' && value.trim() !== '-1') out.tlsPort = port(key, value); break;
      case 'password': out.password = value; break;
      case 'title': out.title = value.slice(0, 200) || null; break;
      case 'fullscreen': out.fullscreen = bool(value); break;
      case 'delete-this-file': out.deleteThisFile = bool(value); break;
      default:
        if ((ACTIONS as readonly string[]).includes(key)) {
          try {
            if (value.trim()) out.hotkeys.push(parseHotkey(key as VvAction, value));
          } catch (e) {
            out.badHotkeys.push({ key, value, why: (e as Error).message });
          }
        } else if (NOT_APPLIED[key]) out.notApplied.push({ key, why: NOT_APPLIED[key]! });
        else out.unknownKeys.push(key);
    }
  }
  for (const g of groups.keys()) if (g !== 'virt-viewer') out.notApplied.push({ key: `[${g}]`, why: 'only the [virt-viewer] group applies' });
  if (!out.host) throw new VvError('the connection file names no host');
  if (out.port === null && out.tlsPort === null) throw new VvError('the connection file names neither port nor tls-port');
  return out;
}

/**
 * The WebSocket URL for a file: the proxy's endpoint `base` (its token, if any, kept) with the
 * file's server as an address request — `port` first, then `tls-port` (the proxy picks the one
 * on its list, with its own TLS settings).
 */
export function vvSocketUrl(vv: VvFile, base: string): string {
  const u = new URL(base);
  u.searchParams.delete('target');
  const host = vv.host!.includes(':') && !vv.host!.startsWith('[') ? `[${vv.host}]` : vv.host!;
  for (const p of [vv.port, vv.tlsPort]) if (p !== null) u.searchParams.append('target', `${host}:${p}`);
  return u.toString();
}

/** does this key event match the hotkey (exact modifiers; Meta never) */
export function hotkeyMatches(h: VvHotkey, e: { key: string; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }): boolean {
  if (e.metaKey || e.ctrlKey !== h.ctrl || e.altKey !== h.alt || e.shiftKey !== h.shift) return false;
  if (!h.key) return e.key === 'Control' || e.key === 'Alt' || e.key === 'Shift';
  return e.key.toLowerCase() === h.key;
}
