/**
 * Kiosk mode (`?kiosk=1`, or `new Kiosk(el, settings)`): a thin client's screen is the guest's.
 *  - no chrome: the element gets the `kiosk` attribute and the page hides its toolbar and panels
 *    (::part(toolbar), ::part(clipboard)); a full-screen notice replaces the status line while
 *    the session is not up;
 *  - full-screen: requested at once and again on the first click or key if the browser wants a
 *    gesture (under `chromium --kiosk` the window already covers the screen);
 *  - reconnects forever: SpiceClient's Reconnector already retries a lost connection with no
 *    attempt limit (a server that closed the session in order included); after a refusal
 *    (password, token, the proxy's list), which it does not retry, the kiosk connects again on a slow timer (5 s doubling to 60 s), so
 *    a fixed ticket, a restarted proxy or a reloaded token file recovers with nobody at the
 *    keyboard, without hammering the server;
 *  - keeps the screen awake (Screen Wake Lock), re-acquired when the page becomes visible again
 *    (the browser drops the lock whenever the page is hidden).
 */
import type { ConnectSettings } from './settings';

/** the delay before kiosk retry `n` (1-based) after a session that will not come back by itself */
export function kioskRetryDelay(n: number): number {
  return Math.min(60_000, 5_000 * 2 ** Math.max(0, n - 1));
}

const STYLE_ID = 'spice-web-kiosk-style';
const CSS = `
spice-client[kiosk]::part(toolbar), spice-client[kiosk]::part(clipboard) { display: none !important; }
spice-client[kiosk] { cursor: default; }
.spice-web-kiosk-notice { position: fixed; inset: auto 0 0 0; padding: 10px 16px; font: 16px system-ui, sans-serif;
  color: #eee; background: rgba(20, 20, 20, 0.85); text-align: center; z-index: 2147483647; pointer-events: none; }
.spice-web-kiosk-notice[hidden] { display: none; }
`;

interface KioskHost extends HTMLElement {
  connect(settings: ConnectSettings): void;
  toggleFullscreen(): Promise<void>;
  readonly status: { state: string; message: string };
}

type WakeLockSentinelLike = { released: boolean; release(): Promise<void>; addEventListener(t: 'release', f: () => void): void };

export class Kiosk {
  #wake: 'held' | 'released' | 'unsupported' | 'denied' = 'released';
  /** 'held' while the screen is kept awake; 'unsupported' / 'denied' say why not (also the element's data-wake-lock) */
  get wakeLock(): 'held' | 'released' | 'unsupported' | 'denied' {
    return this.#wake;
  }
  set wakeLock(v: 'held' | 'released' | 'unsupported' | 'denied') {
    this.#wake = v;
    this.el.dataset['wakeLock'] = v;
  }
  /** kiosk-level reconnects so far (after refusals and clean ends) */
  retries = 0;
  #sentinel: WakeLockSentinelLike | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #notice: HTMLDivElement;
  #offs: Array<() => void> = [];
  #disposed = false;

  constructor(private readonly el: KioskHost, private settings: ConnectSettings) {
    el.setAttribute('kiosk', '');
    if (!document.getElementById(STYLE_ID)) {
      const st = document.createElement('style');
      st.id = STYLE_ID;
      st.textContent = CSS;
      document.head.appendChild(st);
    }
    this.#notice = document.createElement('div');
    this.#notice.className = 'spice-web-kiosk-notice';
    this.#notice.setAttribute('role', 'status');
    this.#notice.hidden = true;
    document.body.appendChild(this.#notice);
    this.#on(el, 'status', (e) => this.#showStatus((e as CustomEvent<{ state: string; message: string }>).detail));
    this.#on(el, 'connect', () => (this.retries = 0));
    this.#on(el, 'disconnect', (e) => this.#ended((e as CustomEvent<{ local?: boolean }>).detail));
    this.#on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.keepAwake();
    });
    const gesture = () => {
      if (!document.fullscreenElement) void el.toggleFullscreen().catch(() => undefined);
      void this.keepAwake();
    };
    this.#on(window, 'pointerdown', gesture, true);
    this.#on(window, 'keydown', gesture, true);
    void el.toggleFullscreen().catch(() => undefined);
    void this.keepAwake();
  }

  /** the settings the kiosk reconnects with (a portal posting a new ticket replaces them) */
  setSettings(s: ConnectSettings): void {
    this.settings = s;
  }

  /** ask for the screen wake lock (again); resolves with the state */
  async keepAwake(): Promise<Kiosk['wakeLock']> {
    const wl = (navigator as Navigator & { wakeLock?: { request(t: 'screen'): Promise<WakeLockSentinelLike> } }).wakeLock;
    if (!wl) return (this.wakeLock = 'unsupported');
    if (this.#sentinel && !this.#sentinel.released) return (this.wakeLock = 'held');
    if (document.visibilityState !== 'visible') return this.wakeLock;
    try {
      const s = await wl.request('screen');
      if (this.#disposed) {
        void s.release();
        return this.wakeLock;
      }
      this.#sentinel = s;
      this.wakeLock = 'held';
      s.addEventListener('release', () => {
        if (this.#sentinel === s) this.wakeLock = 'released';
      });
    } catch {
      this.wakeLock = 'denied';
    }
    return this.wakeLock;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const off of this.#offs.splice(0)) off();
    void this.#sentinel?.release().catch(() => undefined);
    this.#notice.remove();
    this.el.removeAttribute('kiosk');
  }

  #ended(d: { local?: boolean } | undefined): void {
    // the user's (or the page's) own disconnect is not undone; everything else is retried
    if (d?.local || this.#disposed) return;
    if (this.#timer) clearTimeout(this.#timer);
    const delay = kioskRetryDelay(++this.retries);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#disposed) this.el.connect(this.settings);
    }, delay);
    this.#showStatus({ state: 'reconnecting', message: `${this.el.status.message}; connecting again in ${Math.round(delay / 1000)} s` });
  }

  #showStatus(s: { state: string; message: string }): void {
    this.#notice.hidden = s.state === 'connected';
    this.#notice.textContent = s.message;
  }

  #on(t: EventTarget, type: string, f: (e: Event) => void, capture = false): void {
    t.addEventListener(type, f, capture);
    this.#offs.push(() => t.removeEventListener(type, f, capture));
  }
}
