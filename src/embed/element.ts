/**
 * <spice-client>: a SpiceClient (the screen, cursor, keyboard and mouse) with the app's chrome
 * around it, composed from src/ui: the toolbar (its controls are the list in toolbar-items.ts),
 * the status area, the connect and settings dialogs, the password prompt. Same options as
 * attributes/properties, same typed events (re-dispatched from the SpiceClient) and the same
 * methods; nothing internal is reachable from the element.
 *
 * Settings: `preferences` (a page's presets, see src/ui/prefs.ts) < what the user saved in the
 * settings dialog (localStorage). Presets are defaults; the user's saved choice wins.
 */
import type { MonitorWindowInfo } from './monitor-window';
import { ClientElementBase, bindClient } from './element-api';
import type { DisplayStats } from '../display/worker-messages';
import type { ClientStats } from '../session/index';
import type { ChannelInfo, MonitorInfo, SessionStatus } from '../session/index';
import type { SpiceClientEventDetails, SpiceClientEventMap } from './events';
import type { ConnectSettings } from './settings';
import { SpiceClient } from './spice-client';
import { clearLiveInterval, liveCounts, liveInterval, type LiveCounts } from '../common/live-counts';
import { channelLabel } from '../common/errors';
import { setLanguage, t } from '../ui/i18n/index';
import { effectivePrefs, loadSaved, savePrefs, storage, type ScaleMode, type UiPrefs } from '../ui/prefs';
import { downloadPng } from '../ui/status-area';
import type { SpiceSettingsDialog } from '../ui/settings-dialog';
import { connectErrorText, type SpiceConnectDialog } from '../ui/connect-dialog';
import { makeHost } from './toolbar-items';
import { FORWARDED, elementStyles, renderElement } from './element-view';

export class SpiceClientElement extends ClientElementBase {
  static override properties = {
    status: { state: true },
    askPassword: { state: true },
    clipPanel: { state: true },
    typePanel: { state: true },
    statsOn: { state: true },
    agentOn: { state: true },
    soundBlocked: { state: true },
    viewOnly: { type: Boolean, attribute: 'view-only' },
    scaleViewport: { type: Boolean, attribute: 'scale-viewport' },
    resizeSession: { type: Boolean, attribute: 'resize-session' },
    preferences: { attribute: false },
    prefs: { state: true },
    connectError: { state: true },
    details: { state: true },
  };

  declare status: SessionStatus;
  declare askPassword: string | null;
  /** the clipboard panel is open (for pages where the async Clipboard API is not allowed) */
  declare clipPanel: boolean;
  declare agentOn: boolean;
  /** the type-text panel is open; the live stats overlay shows */
  declare typePanel: boolean;
  declare statsOn: boolean;
  /** the guest's last copied text, shown in the panel */
  #guestText = '';
  /** the browser holds the guest's sound until a click: the "Enable sound" button shows */
  declare soundBlocked: boolean;
  declare viewOnly: boolean;
  /** fit monitors into the element (true, default) or show them 1:1 with scrolling (noVNC's name) */
  declare scaleViewport: boolean;
  /** the guest's screen follows the element's size (through the agent; noVNC's name) */
  declare resizeSession: boolean;
  /** the page's presets for the settings (UiPrefs fields); the user's saved choices win over them */
  declare preferences: Partial<UiPrefs>;
  /** the settings in effect */
  declare prefs: UiPrefs;
  declare connectError: string;
  declare details: boolean;

  #client: SpiceClient | null = null;
  #settings: ConnectSettings | null = null;
  #firstFrame = false;
  #linking: string | null = null;
  #loaded = false;
  #presets: Partial<UiPrefs> = {};
  /** the SpiceClient's element: made once, rendered into the shadow root by Lit */
  readonly #screen: HTMLDivElement;

  constructor() {
    super();
    this.status = { state: 'idle', message: 'not connected' };
    this.askPassword = null;
    this.clipPanel = false;
    this.typePanel = false;
    this.statsOn = false;
    this.agentOn = false;
    this.soundBlocked = false;
    this.viewOnly = false;
    this.scaleViewport = true;
    this.resizeSession = false;
    this.preferences = {};
    this.prefs = effectivePrefs({}, {});
    this.connectError = '';
    this.details = false;
    this.#screen = document.createElement('div');
    this.#screen.className = 'screen';
    this.#screen.setAttribute('part', 'screen');
  }

  static override styles = elementStyles;

  /** the dialog asking for the proxy URL, token and password; `error` (a SettingsError, a message) is shown in it */
  async showConnectDialog(opts: { url?: string; error?: unknown } = {}): Promise<void> {
    this.connectError = connectErrorText(opts.error);
    await this.updateComplete;
    const d = this.renderRoot.querySelector('spice-connect') as SpiceConnectDialog;
    if (opts.url !== undefined) d.url = opts.url;
    await d.open();
  }

  /** open the settings dialog */
  openSettings(): void {
    void (this.renderRoot.querySelector('spice-settings') as SpiceSettingsDialog).open(this.prefs);
  }

  /** apply settings (and store the user's choice when `save`) */
  applyPrefs(p: UiPrefs, save: boolean): void {
    if (save) savePrefs(storage(), p, this.#presets);
    this.prefs = p;
    this.lang = setLanguage(p.language || globalThis.navigator?.language);
    this.scaleViewport = p.scale !== 'none';
    this.resizeSession = p.scale === 'remote';
  }

  get #scale(): ScaleMode {
    return this.resizeSession ? 'remote' : this.scaleViewport ? 'fit' : 'none';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!this.#loaded || changed.has('preferences')) {
      // attributes and properties the page set count as presets too
      const presets = { scale: this.#scale, ...this.preferences };
      this.#presets = presets;
      this.#loaded = true;
      this.applyPrefs(effectivePrefs(presets, loadSaved(storage())), false);
    }
  }

  /** connect with settings (URL, password, compression); reconnects when already connected */
  connect(settings: ConnectSettings): void {
    this.#settings = settings;
    this.askPassword = null;
    this.#firstFrame = false;
    (this.renderRoot.querySelector('spice-connect') as SpiceConnectDialog | null)?.close();
    const opts = { url: settings.url, password: settings.password, compression: settings.compression ?? (this.prefs.compression || null), viewOnly: this.viewOnly,
      microphone: settings.microphone, microphoneOpus: settings.microphoneOpus, microphoneProcessing: settings.microphoneProcessing };
    if (this.#client) {
      this.#client.connect(opts);
      return;
    }
    const c = new SpiceClient(this.#screen, { ...opts, scaleViewport: this.scaleViewport, resizeSession: this.resizeSession, autoconnect: false });
    this.#client = c;
    bindClient(this, c);
    c.devicePixels = this.prefs.devicePixels;
    c.soundMuted = !this.prefs.sound;
    for (const type of FORWARDED) {
      c.addEventListener(type, (e: Event) => this.dispatchEvent(new CustomEvent(type, { detail: (e as CustomEvent).detail })));
    }
    c.addEventListener('status', (e) => {
      this.status = e.detail;
      this.#countdown(e.detail.state === 'reconnecting');
    });
    c.addEventListener('credentialsrequired', (e) => (this.askPassword = e.detail.message));
    c.addEventListener('agent', (e) => (this.agentOn = e.detail.connected));
    c.addEventListener('clipboard', (e) => {
      if (e.detail.text === undefined || e.detail.selection !== 0) return;
      this.#guestText = e.detail.text;
      this.requestUpdate();
    });
    c.addEventListener('audio', (e) => (this.soundBlocked = e.detail.output === 'blocked'));
    c.addEventListener('firstframe', () => {
      this.#firstFrame = true;
      this.requestUpdate();
    });
    c.addEventListener('channel', (e) => {
      this.#linking = e.detail.state === 'linking' ? channelLabel(e.detail).replace(/:\d+$/, '') : null;
      this.requestUpdate();
    });
    c.connect();
  }

  #ticker: ReturnType<typeof setInterval> | null = null;

  /** re-render every second while a reconnect counts down (the status shows the seconds left) */
  #countdown(on: boolean): void {
    if (on && !this.#ticker) this.#ticker = liveInterval(() => this.requestUpdate(), 1000);
    if (!on && this.#ticker) {
      clearLiveInterval(this.#ticker);
      this.#ticker = null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#countdown(false);
    this.#client?.dispose();
    this.#client = null;
    bindClient(this, null);
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (!this.#client) return;
    if (changed.has('scaleViewport')) this.#client.scaleViewport = this.scaleViewport;
    if (changed.has('viewOnly')) this.#client.viewOnly = this.viewOnly;
    if (changed.has('resizeSession')) this.#client.resizeSession = this.resizeSession;
    if (changed.has('prefs')) {
      this.#client.devicePixels = this.prefs.devicePixels;
      this.#client.soundMuted = !this.prefs.sound;
    }
  }

  /** something the user asked for failed (a monitor window the browser blocked…): say so in the status line */
  reportProblem(e: unknown): void {
    this.status = { ...this.status, message: e instanceof Error ? e.message : String(e) };
  }

  private async saveScreenshot(): Promise<void> {
    try {
      downloadPng(await this.screenshot(0));
    } catch (e) {
      this.status = { ...this.status, message: t('status.screenshotFailed', { message: e instanceof Error ? e.message : String(e) }) };
    }
  }

  /**
   * Fullscreen, with the Keyboard Lock API where the browser has it, so that Escape, Alt+Tab,
   * Ctrl+W and friends reach the guest instead of the browser (hold Escape to leave).
   */
  async toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement) {
      await document.exitFullscreen();
      return;
    }
    await this.requestFullscreen();
    const kb = (navigator as Navigator & { keyboard?: { lock?: () => Promise<void> } }).keyboard;
    await kb?.lock?.().catch(() => undefined);
    this.#client?.focus();
  }

  private submitPassword(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input') as HTMLInputElement;
    if (!this.#settings) return;
    this.connect({ ...this.#settings, password: input.value });
  }

  /** lift the browser's autoplay block (the "Click to enable sound" button calls this) */
  async enableAudio(): Promise<void> {
    await this.#client?.enableAudio();
    this.soundBlocked = this.#client?.audio.output === 'blocked';
  }

  protected override render() {
    const at = this.status.state === 'reconnecting' ? this.#client?.reconnectAt : null;
    const host = makeHost(this, {
      scale: this.#scale,
      configured: !!this.#settings,
      saveScreenshot: () => this.saveScreenshot(),
      openConnect: () => void this.showConnectDialog(this.#settings ? { url: this.#settings.url } : {}),
      reconnect: () => this.#settings && this.connect(this.#settings),
      reconnectNow: () => this.#client?.reconnectNow(),
    });
    return renderElement(this, host, {
      screen: this.#screen,
      guestText: this.#guestText,
      ctx: { secondsLeft: at ? Math.ceil((at - Date.now()) / 1000) : null, linking: this.#linking, firstFrame: this.#firstFrame },
      submitPassword: (e) => this.submitPassword(e),
      connectTo: (r) => this.connect({ url: r.url, password: r.password, compression: null, autoconnect: true, resizeSession: this.resizeSession }),
    });
  }

  override addEventListener<K extends keyof SpiceClientEventMap>(type: K, listener: (ev: SpiceClientEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  override addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: HTMLElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: unknown, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject, options);
  }
}

if (!customElements.get('spice-client')) customElements.define('spice-client', SpiceClientElement);

declare global {
  interface HTMLElementTagNameMap {
    'spice-client': SpiceClientElement;
  }
}
