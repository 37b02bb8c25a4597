/**
 * A monitor in its own browser window (issue 9): the monitor's canvas moves into a popup (a
 * same-origin about:blank window the page opens), its display worker draws there (the worker
 * takes a fresh OffscreenCanvas for the head and repaints it whole), and the popup's pointer and
 * keyboard events go to that head through the same InputController as the main page (the canvas'
 * own bounding box maps CSS pixels to guest pixels, so coordinates are right in the popup too).
 *
 * With the Window Management API (window.getScreenDetails(), permission 'window-management')
 * already granted, the popup is placed on another physical screen (its available area) and a
 * button in it goes full screen there (requestFullscreen needs a click in that window; the
 * opener's click is used up by window.open). We never prompt for the permission here: the prompt
 * would use up the click that window.open needs; a page that wants it calls getScreenDetails()
 * itself first. Without the API, or without the permission, the monitor opens in a plain popup.
 *
 * Closing the popup puts the monitor back into the main view; the monitor going away, the
 * session ending or the client being disposed closes the popup.
 */
import type { DisplayFeature, MonitorInfo } from '../session/index';
import type { ScreenView } from '../ui/screen-view';

const STRINGS = {
  title: (n: number, name: string) => `Monitor ${n}${name ? ` — ${name}` : ''}`,
  fullscreen: 'Full screen',
  noMonitor: (i: number) => `there is no monitor ${i}`,
  blocked: 'the browser blocked the monitor window (allow popups for this page)',
};

/** where the window was asked to go (screen pixels) */
export interface MonitorWindowPlacement {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface MonitorWindowInfo {
  channelId: number;
  head: number;
  /** 'other-screen': placed with the Window Management API; 'popup': a plain popup */
  mode: 'other-screen' | 'popup';
  /** the features asked of window.open (null for a plain popup of the monitor's size) */
  placement: MonitorWindowPlacement | null;
  window: Window;
}

interface ScreenDetailed {
  left: number;
  top: number;
  availLeft: number;
  availTop: number;
  availWidth: number;
  availHeight: number;
  label?: string;
}
interface ScreenDetails {
  screens: ScreenDetailed[];
  currentScreen: ScreenDetailed;
}

interface Open {
  info: MonitorWindowInfo;
  canvas: HTMLCanvasElement;
  off: Array<() => void>;
  closing: boolean;
}

const key = (channelId: number, head: number) => `${channelId}:${head}`;

/**
 * The screen for a monitor window: the first one that is not where the page is (compared by
 * position: some browsers hand out new objects per call), or null when there is only one.
 */
export function pickOtherScreen<S extends { availLeft: number; availTop: number; left?: number; top?: number }>(screens: readonly S[], current: S): S | null {
  const at = (s: S) => `${s.left ?? s.availLeft},${s.top ?? s.availTop}`;
  return screens.find((s) => s !== current && at(s) !== at(current)) ?? null;
}

/** another screen than the page's, when the Window Management API may be used without a prompt */
async function otherScreen(): Promise<ScreenDetailed | null> {
  const w = window as unknown as { getScreenDetails?: () => Promise<ScreenDetails> };
  if (typeof w.getScreenDetails !== 'function' || !navigator.permissions) return null;
  try {
    const p = await navigator.permissions.query({ name: 'window-management' as PermissionName });
    if (p.state !== 'granted') return null;
    const d = await w.getScreenDetails();
    return pickOtherScreen(d.screens, d.currentScreen);
  } catch {
    return null; // an older name of the permission, or a browser without it: a plain popup
  }
}

export class MonitorWindows {
  readonly #open = new Map<string, Open>();

  constructor(
    events: EventTarget,
    private readonly view: () => ScreenView,
    private readonly display: () => DisplayFeature | null,
    private readonly name: () => string,
  ) {
    events.addEventListener('monitors', (e) => this.#sync((e as CustomEvent<MonitorInfo[]>).detail));
    events.addEventListener('disconnect', () => this.closeAll());
  }

  /** monitors shown in their own windows, "channel:head" */
  get keys(): string[] {
    return [...this.#open.keys()];
  }

  async open(index: number): Promise<MonitorWindowInfo> {
    const display = this.display();
    const m = display?.monitors[index];
    const client = m && display?.clients.get(m.channelId);
    if (!display || !m || !client) throw new Error(STRINGS.noMonitor(index));
    const k = key(m.channelId, m.head);
    const had = this.#open.get(k);
    if (had && !had.info.window.closed) {
      had.info.window.focus();
      return had.info;
    }
    const screen = await otherScreen();
    const placement = screen ? { left: screen.availLeft, top: screen.availTop, width: screen.availWidth, height: screen.availHeight } : null;
    const features = placement
      ? `popup,left=${placement.left},top=${placement.top},width=${placement.width},height=${placement.height}`
      : `popup,width=${m.width},height=${m.height}`;
    const win = window.open('', `spice-monitor-${m.channelId}-${m.head}`, features);
    if (!win) throw new Error(STRINGS.blocked);
    const doc = win.document;
    doc.title = STRINGS.title(index + 1, this.name());
    Object.assign(doc.body.style, { margin: '0', height: '100vh', background: '#000', display: 'flex', alignItems: 'center', justifyContent: 'center', overflow: 'hidden' });
    // the monitor leaves the main view: a new canvas in the popup, handed to the same worker
    const canvas = this.view().addMonitor(m.channelId, m.head, doc.body);
    client.attachHead(m.head, canvas.transferControlToOffscreen());
    this.view().setLayout(display.monitors); // where the head sits, for input coordinates
    this.view().applyCursor();
    const info: MonitorWindowInfo = { channelId: m.channelId, head: m.head, mode: screen ? 'other-screen' : 'popup', placement, window: win };
    const entry: Open = { info, canvas, off: [], closing: false };
    this.#open.set(k, entry);
    entry.off.push(this.view().attachKeys(win));
    const onHide = () => this.#dock(k, entry);
    win.addEventListener('pagehide', onHide);
    entry.off.push(() => win.removeEventListener('pagehide', onHide));
    if (screen) this.#fullscreenButton(doc, screen);
    return info;
  }

  /** close every monitor window (the monitors go back into the main view if they still exist) */
  closeAll(): void {
    for (const [k, e] of [...this.#open]) {
      this.#dock(k, e);
      e.info.window.close();
    }
  }

  /** the popup closed: its monitor comes back into the main view */
  #dock(k: string, e: Open): void {
    if (this.#open.get(k) !== e || e.closing) return;
    e.closing = true;
    this.#open.delete(k);
    for (const f of e.off) f();
    const display = this.display();
    const { channelId, head } = e.info;
    const client = display?.clients.get(channelId);
    const view = this.view();
    // only when the popup still holds the monitor (a new worker may have given it a main canvas)
    if (view.canvasOf(channelId, head) !== e.canvas) return;
    if (client && !client.isTerminated && display!.monitors.some((m) => m.channelId === channelId && m.head === head)) {
      client.attachHead(head, view.addMonitor(channelId, head).transferControlToOffscreen());
      view.setLayout(display!.monitors);
      view.applyCursor();
    } else {
      view.dropMonitor(channelId, head);
    }
  }

  /** the monitor list changed: windows whose monitor went away (or lost its canvas) close */
  #sync(list: MonitorInfo[]): void {
    for (const [k, e] of [...this.#open]) {
      const gone = !list.some((m) => key(m.channelId, m.head) === k) || this.view().canvasOf(e.info.channelId, e.info.head) !== e.canvas;
      if (!gone) continue;
      e.closing = true;
      this.#open.delete(k);
      for (const f of e.off) f();
      e.info.window.close();
    }
  }

  /** a button in the popup that takes it full screen on its screen (needs a click there) */
  #fullscreenButton(doc: Document, screen: ScreenDetailed): void {
    const b = doc.createElement('button');
    b.textContent = STRINGS.fullscreen;
    Object.assign(b.style, { position: 'fixed', top: '8px', right: '8px', zIndex: '1', opacity: '0.8' });
    b.addEventListener('click', () => {
      void doc.documentElement.requestFullscreen({ screen } as FullscreenOptions).catch(() => undefined);
    });
    doc.addEventListener('fullscreenchange', () => (b.hidden = !!doc.fullscreenElement));
    doc.body.appendChild(b);
  }
}
