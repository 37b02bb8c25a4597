/**
 * Opening a .vv file in the page: connect <spice-client> as remote-viewer would, through the
 * proxy (the file's server becomes an address request the proxy answers from its own list; an
 * unlisted one is refused with close code 4403 and the reason shows in the status line), then
 * apply the file's window settings: title (document.title and a `connectionfile` event),
 * fullscreen (now, or on the first click or key if the browser wants a user gesture), hotkeys
 * (toggle-fullscreen, release-cursor, secure-attention → Ctrl+Alt+Del), password.
 */
import type { ConnectSettings } from './settings';
import { hotkeyMatches, parseVv, vvSocketUrl, type VvFile, type VvHotkey } from './vv-file';

/** what opening a file did, also the `connectionfile` event's detail */
export interface ConnectionFileInfo {
  title: string | null;
  fullscreen: boolean;
  /** hotkeys in force: action and the file's spelling */
  hotkeys: Array<{ action: string; spec: string }>;
  /** keys ignored because we do not know them */
  unknownKeys: string[];
  /** keys known but not applied here, with why (TLS is the proxy's, USB, …) */
  notApplied: Array<{ key: string; why: string }>;
  badHotkeys: Array<{ key: string; value: string; why: string }>;
  /** the file asked to be deleted; a browser cannot touch the user's files */
  deleteThisFile: boolean;
}

/** what vv-open needs of <spice-client> (its public API) */
export interface ConnectionFileHost extends HTMLElement {
  connect(settings: ConnectSettings): void;
  sendCtrlAltDel(): void;
  toggleFullscreen(): Promise<void>;
}

const installed = new WeakMap<ConnectionFileHost, () => void>();

export function infoOf(vv: VvFile): ConnectionFileInfo {
  return {
    title: vv.title,
    fullscreen: vv.fullscreen,
    hotkeys: vv.hotkeys.map((h) => ({ action: h.action, spec: h.spec })),
    unknownKeys: vv.unknownKeys,
    notApplied: vv.notApplied,
    badHotkeys: vv.badHotkeys,
    deleteThisFile: vv.deleteThisFile,
  };
}

/**
 * Parses `text` (throws VvError), connects `el` through the proxy endpoint `base` (the page's
 * settings: its ws URL, token and compression stay), applies the window settings.
 */
export function openConnectionFile(el: ConnectionFileHost, text: string, base: ConnectSettings): ConnectionFileInfo {
  const vv = parseVv(text);
  el.connect({ ...base, url: vvSocketUrl(vv, base.url), password: vv.password ?? base.password, autoconnect: true });
  if (vv.title) document.title = vv.title;
  installHotkeys(el, vv.hotkeys);
  if (vv.fullscreen) fullscreenSoon(el);
  const info = infoOf(vv);
  if (info.unknownKeys.length) console.info(`[spice-web] connection file: ignored unknown keys ${info.unknownKeys.join(', ')}`);
  el.dispatchEvent(new CustomEvent('connectionfile', { detail: info }));
  return info;
}

/** the file's hotkeys, taken before the guest sees the keys (capture phase on the window) */
function installHotkeys(el: ConnectionFileHost, hotkeys: readonly VvHotkey[]): void {
  installed.get(el)?.();
  installed.delete(el);
  if (!hotkeys.length) return;
  const onKey = (e: KeyboardEvent) => {
    const h = hotkeys.find((k) => hotkeyMatches(k, e));
    if (!h) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (h.action === 'secure-attention') el.sendCtrlAltDel();
    else if (h.action === 'toggle-fullscreen') void el.toggleFullscreen().catch(() => undefined);
    else if (h.action === 'release-cursor') {
      document.exitPointerLock?.();
      (document.activeElement as HTMLElement | null)?.blur?.();
    }
  };
  window.addEventListener('keydown', onKey, true);
  installed.set(el, () => window.removeEventListener('keydown', onKey, true));
}

/**
 * Fullscreen now if the browser allows it (the open came with a user gesture), else on the next
 * click or key press: browsers grant fullscreen only to a gesture.
 */
export function fullscreenSoon(el: HTMLElement & { toggleFullscreen(): Promise<void> }): void {
  if (document.fullscreenElement) return;
  const onGesture = () => {
    window.removeEventListener('pointerdown', onGesture, true);
    window.removeEventListener('keydown', onGesture, true);
    if (!document.fullscreenElement) void el.toggleFullscreen().catch(() => undefined);
  };
  el.toggleFullscreen().catch(() => {
    window.addEventListener('pointerdown', onGesture, true);
    window.addEventListener('keydown', onGesture, true);
  });
}
