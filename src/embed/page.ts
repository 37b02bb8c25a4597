/**
 * The client page's extras around <spice-client> (src/main.ts calls startPage once):
 *  - the portal bridge (post-message.ts) when the page is framed or opened by a portal, with the
 *    allowlist the proxy serves at embed-config.json (next to the page);
 *  - kiosk mode (kiosk.ts) with `?kiosk=1`;
 *  - .vv files: <spice-vv-open> (a picker and a window-wide drop target) while no session is up,
 *    outside kiosk mode; a file posted by the portal goes the same way.
 */
import { EmbedBridge, portalWindow, type InboundMessage } from './post-message';
import { Kiosk } from './kiosk';
import type { ConnectSettings } from './settings';
import type { SpiceClientElement } from './element';
import { openConnectionFile, type ConnectionFileInfo } from './vv-open';
import { VvOpenElement } from './vv-picker';

export interface PageHandle {
  kiosk: Kiosk | null;
  bridge: EmbedBridge | null;
  picker: VvOpenElement | null;
  /** the origins the proxy lets frame this page and post it tickets */
  parentOrigins: string[];
}

/** the proxy's embedding policy for this page; none (nobody may post) when it cannot be read */
export async function loadEmbedConfig(pageUrl: string): Promise<{ parentOrigins: string[] }> {
  try {
    const r = await fetch(new URL('embed-config.json', pageUrl), { cache: 'no-store', credentials: 'same-origin' });
    if (!r.ok) return { parentOrigins: [] };
    const j = (await r.json()) as { parentOrigins?: unknown };
    const list = Array.isArray(j.parentOrigins) ? j.parentOrigins.filter((o): o is string => typeof o === 'string') : [];
    return { parentOrigins: list };
  } catch {
    return { parentOrigins: [] };
  }
}

function withToken(url: string, token: string | null): string {
  if (token === null) return url;
  const u = new URL(url);
  u.searchParams.set('token', token);
  return u.toString();
}

/**
 * `problem`: the page's parameters could not be used (a SettingsError); the connect dialog says so.
 * The connect dialog opens when nothing connects by itself: not in kiosk mode, and not when a
 * portal frames or opened the page (its ticket will come by message).
 */
export async function startPage(el: SpiceClientElement, settings: ConnectSettings, loc: { href: string } = location, problem: unknown = null): Promise<PageHandle> {
  const q = new URL(loc.href).searchParams;
  const kioskOn = q.get('kiosk') === '1' || q.get('kiosk') === 'true';
  const handle: PageHandle = { kiosk: null, bridge: null, picker: null, parentOrigins: [] };
  let current = settings;
  if (kioskOn) handle.kiosk = new Kiosk(el, settings);
  const portal = portalWindow(window);
  if (!kioskOn && !portal && (problem || !settings.autoconnect)) void el.showConnectDialog(problem ? { error: problem } : { url: settings.url });

  const open = (text: string, base: ConnectSettings): ConnectionFileInfo => {
    const info = openConnectionFile(el, text, base);
    current = { ...base };
    handle.picker?.showIgnored(info);
    return info;
  };

  if (!kioskOn) {
    const picker = document.createElement('spice-vv-open');
    // inside the connect dialog (<spice-client> forwards the slot), so a modal dialog does not make it inert
    picker.slot = 'connect';
    picker.addEventListener('vvfile', (e) => {
      try {
        open((e as CustomEvent<{ text: string }>).detail.text, current);
      } catch (err) {
        picker.showError((err as Error).message);
      }
    });
    const show = (state: string) => (picker.hidden = state === 'connected' || state === 'connecting');
    el.addEventListener('status', (e) => show(e.detail.state));
    show(el.status.state);
    el.appendChild(picker);
    handle.picker = picker;
  }

  if (portal) {
    const { parentOrigins } = await loadEmbedConfig(loc.href);
    handle.parentOrigins = parentOrigins;
    const bridge = new EmbedBridge(window, portal, parentOrigins, {
      connect: (m: Extract<InboundMessage, { kind: 'connect' }>) => {
        const base: ConnectSettings = { ...settings, url: withToken(settings.url, m.token), password: m.password ?? settings.password, autoconnect: true };
        if (m.title) {
          document.title = m.title;
          bridge.post({ type: 'spice-web:title', title: m.title });
        }
        if (m.vv !== null) open(m.vv, base);
        else {
          current = base;
          el.connect(base);
        }
        handle.kiosk?.setSettings(current);
      },
      disconnect: () => el.disconnect(),
      sendCtrlAltDel: () => el.sendCtrlAltDel(),
    });
    const errOf = (e?: { type: string; details: string }) => (e ? { error: { type: e.type, details: e.details } } : {});
    el.addEventListener('status', (e) => bridge.post({ type: 'spice-web:status', state: e.detail.state, message: e.detail.message, ...errOf(e.detail.error) }));
    el.addEventListener('connect', (e) => bridge.post({ type: 'spice-web:connected', sessionId: e.detail.sessionId }));
    el.addEventListener('disconnect', (e) => bridge.post({ type: 'spice-web:disconnected', clean: e.detail.clean, reason: e.detail.reason, ...errOf(e.detail.error) }));
    el.addEventListener('spiceerror', (e) => bridge.post({ type: 'spice-web:error', errorType: e.detail.type, details: e.detail.details, fatal: e.detail.fatal, message: e.detail.message }));
    (el as EventTarget).addEventListener('connectionfile', (e) => {
      const title = (e as CustomEvent<ConnectionFileInfo>).detail.title;
      if (title) bridge.post({ type: 'spice-web:title', title });
    });
    handle.bridge = bridge;
    // a mark for tests and portal developers: the bridge listens (with this many allowed origins)
    el.dataset['portalBridge'] = String(parentOrigins.length);
  }
  return handle;
}
