/**
 * <spice-client>: a SpiceClient (the screen, cursor, keyboard and mouse) with a toolbar, the
 * status line and the password prompt around it. Same options as attributes/properties, same
 * typed events (re-dispatched from the SpiceClient) and the same methods; nothing internal is
 * reachable from the element.
 */
import type { MonitorWindowInfo } from './monitor-window';
import { LitElement, css, html, nothing } from 'lit';
import type { DisplayStats } from '../display/worker-messages';
import type { ClientStats } from '../session/index';
import type { ChannelInfo, MonitorInfo, SessionStatus } from '../session/index';
import type { SpiceClientEventDetails, SpiceClientEventMap } from './events';
import type { ConnectSettings } from './settings';
import { SpiceClient } from './spice-client';
import { clearLiveInterval, liveCounts, liveInterval, type LiveCounts } from '../common/live-counts';

const FORWARDED: Array<keyof SpiceClientEventDetails> = [
  'connect', 'disconnect', 'reconnecting', 'credentialsrequired', 'spiceerror', 'status', 'resize', 'monitors', 'firstframe', 'channel', 'mousemode', 'migration',
  'agent', 'clipboard', 'filetransfer', 'audio', 'microphone',
];

export class SpiceClientElement extends LitElement {
  static override properties = {
    status: { state: true },
    askPassword: { state: true },
    clipPanel: { state: true },
    agentOn: { state: true },
    soundBlocked: { state: true },
    viewOnly: { type: Boolean, attribute: 'view-only' },
    scaleViewport: { type: Boolean, attribute: 'scale-viewport' },
    resizeSession: { type: Boolean, attribute: 'resize-session' },
  };

  declare status: SessionStatus;
  declare askPassword: string | null;
  /** the clipboard panel is open (for pages where the async Clipboard API is not allowed) */
  declare clipPanel: boolean;
  declare agentOn: boolean;
  /** the guest's last copied text, shown in the panel */
  #guestText = '';
  /** the browser holds the guest's sound until a click: the "Enable sound" button shows */
  declare soundBlocked: boolean;
  declare viewOnly: boolean;
  /** fit monitors into the element (true, default) or show them 1:1 with scrolling (noVNC's name) */
  declare scaleViewport: boolean;
  /** the guest's screen follows the element's size (through the agent; noVNC's name) */
  declare resizeSession: boolean;

  #client: SpiceClient | null = null;
  #settings: ConnectSettings | null = null;
  /** the SpiceClient's element: made once, rendered into the shadow root by Lit */
  readonly #screen: HTMLDivElement;

  constructor() {
    super();
    this.status = { state: 'idle', message: 'not connected' };
    this.askPassword = null;
    this.clipPanel = false;
    this.agentOn = false;
    this.soundBlocked = false;
    this.viewOnly = false;
    this.scaleViewport = true;
    this.resizeSession = false;
    this.#screen = document.createElement('div');
    this.#screen.className = 'screen';
    this.#screen.setAttribute('part', 'screen');
  }

  static override styles = css`
    :host { display: flex; flex-direction: column; width: 100%; height: 100%; background: #1e1e1e; color: #ddd; font: 13px system-ui, sans-serif; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; padding: 3px 8px; background: #2b2b2b; border-bottom: 1px solid #111; flex: none; }
    .status { flex: 1 1 14em; min-width: 10em; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    .status[data-state='connected'] { color: #9c9; }
    .status[data-error] { color: #f99; }
    button { background: #3a3a3a; color: #ddd; border: 1px solid #555; border-radius: 3px; padding: 2px 8px; font: inherit; cursor: pointer; }
    button:hover { background: #4a4a4a; }
    .screen { flex: 1; }
    form.pw { position: absolute; inset: 0; margin: auto; width: 320px; height: fit-content; padding: 16px; background: #2b2b2b; border: 1px solid #555; border-radius: 6px; display: flex; flex-direction: column; gap: 8px; z-index: 1; }
    form.pw input { font: inherit; padding: 4px; }
    .clip { display: flex; gap: 8px; padding: 4px 8px; background: #2b2b2b; }
    .clip textarea { flex: 1; height: 4em; font: 12px monospace; }
    .stage { flex: 1; display: flex; position: relative; min-height: 0; }
    button.sound { position: absolute; right: 12px; bottom: 12px; z-index: 1; padding: 6px 12px; background: #2d5a8a; border-color: #6ab; }
  `;

  /** connect with settings (URL, password, compression); reconnects when already connected */
  connect(settings: ConnectSettings): void {
    this.#settings = settings;
    this.askPassword = null;
    const opts = { url: settings.url, password: settings.password, compression: settings.compression, viewOnly: this.viewOnly,
      microphone: settings.microphone, microphoneOpus: settings.microphoneOpus, microphoneProcessing: settings.microphoneProcessing };
    if (this.#client) {
      this.#client.connect(opts);
      return;
    }
    const c = new SpiceClient(this.#screen, { ...opts, scaleViewport: this.scaleViewport, resizeSession: this.resizeSession, autoconnect: false });
    this.#client = c;
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
    c.connect();
  }

  disconnect(): void {
    this.#client?.disconnect();
  }

  /** stop an automatic reconnect that is counting down */
  cancelReconnect(): void {
    this.#client?.cancelReconnect();
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

  sendCtrlAltDel(): void {
    this.#client?.sendCtrlAltDel();
  }

  /** monitor `index` in its own window (another screen with the Window Management API); see SpiceClient */
  openMonitorWindow(index = 0): Promise<MonitorWindowInfo> {
    return this.#client ? this.#client.openMonitorWindow(index) : Promise.reject(new Error('not connected'));
  }

  /** see SpiceClient.typeText */
  typeText(text: string): Promise<string[]> {
    return this.#client ? this.#client.typeText(text) : Promise.reject(new Error('not connected'));
  }

  get keyboardLocks(): SpiceClient['keyboardLocks'] {
    return this.#client?.keyboardLocks ?? null;
  }

  get viewZoom(): SpiceClient['viewZoom'] {
    return this.#client?.viewZoom ?? { scale: 1, x: 0, y: 0 };
  }

  /** PNG Blob of monitor `index`'s exact pixels (no scaling, no cursor) */
  screenshot(index = 0): Promise<Blob> {
    return this.#client ? this.#client.screenshot(index) : Promise.reject(new Error('not connected'));
  }

  /** counters of monitor `index`'s display channel: messages and image types received */
  displayStats(index = 0): Promise<DisplayStats> {
    return this.#client ? this.#client.displayStats(index) : Promise.reject(new Error('not connected'));
  }

  /** live figures per display channel, sound and round trip (see SpiceClient.stats) */
  stats(): Promise<ClientStats> {
    return this.#client ? this.#client.stats() : Promise.reject(new Error('not connected'));
  }

  /** put text on the guest's clipboard (false without an agent that does the clipboard) */
  setClipboard(text: string, selection = 0): boolean {
    return this.#client?.setClipboard(text, selection) ?? false;
  }

  /** put a PNG image on the guest's clipboard */
  setClipboardImage(png: Blob | Uint8Array, selection = 0): Promise<boolean> {
    return this.#client?.setClipboardImage(png, selection) ?? Promise.resolve(false);
  }

  /** the guest's monitors (index = monitor id; 0×0 disables one); needs the agent */
  setGuestMonitors(monitors: Array<{ width: number; height: number; x: number; y: number }>): void {
    this.#client?.setGuestMonitors(monitors);
  }

  /** send a file to the guest (resolves when the agent has written it); progress: `filetransfer` events */
  sendFile(file: File): Promise<void> {
    return this.#client ? this.#client.sendFile(file) : Promise.reject(new Error('not connected'));
  }

  /** cancel a file transfer (or all of them) */
  cancelFileTransfer(id?: number): void {
    this.#client?.cancelFileTransfer(id);
  }

  get agentConnected(): boolean {
    return this.#client?.agentConnected ?? false;
  }

  get mouseMode(): number {
    return this.#client?.mouseMode ?? 0;
  }

  get monitors(): MonitorInfo[] {
    return this.#client?.monitors ?? [];
  }

  get channels(): ChannelInfo[] {
    return this.#client?.channels ?? [];
  }

  get cursor(): SpiceClient['cursor'] {
    return this.#client?.cursor ?? null;
  }

  /** sockets, display workers and timers this page holds open (a leak check for tests and kiosks) */
  get liveCounts(): LiveCounts {
    return liveCounts();
  }

  /** navigation start → first frame on the first monitor, ms */
  get firstFrameMs(): number | null {
    return this.#client?.firstFrameMs ?? null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#countdown(false);
    this.#client?.dispose();
    this.#client = null;
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (!this.#client) return;
    if (changed.has('scaleViewport')) this.#client.scaleViewport = this.scaleViewport;
    if (changed.has('viewOnly')) this.#client.viewOnly = this.viewOnly;
    if (changed.has('resizeSession')) this.#client.resizeSession = this.resizeSession;
  }

  private async saveScreenshot(): Promise<void> {
    try {
      const blob = await this.screenshot(0);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `spice-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      this.status = { ...this.status, message: `screenshot failed: ${e instanceof Error ? e.message : String(e)}` };
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

  /** sound output and stream state (SpiceClient.audio) */
  get audio() {
    return this.#client?.audio ?? null;
  }

  /** lift the browser's autoplay block (the "Click to enable sound" button calls this) */
  async enableAudio(): Promise<void> {
    await this.#client?.enableAudio();
    this.soundBlocked = this.#client?.audio.output === 'blocked';
  }

  /** the microphone's state (SpiceClient.microphone) */
  get microphone() {
    return this.#client?.microphone ?? null;
  }

  /** the user agrees to send the microphone while the guest records (SpiceClient.enableMicrophone) */
  enableMicrophone(): void {
    this.#client?.enableMicrophone();
  }

  disableMicrophone(): void {
    this.#client?.disableMicrophone();
  }

  /** the next `frames` frames of sound output, after volume/mute (diagnostics, tests) */
  captureAudio(frames: number): Promise<Float32Array[]> {
    return this.#client ? this.#client.captureAudio(frames) : Promise.reject(new Error('not connected'));
  }

  protected override render() {
    const st = this.status;
    const connected = st.state === 'connected' || st.state === 'connecting';
    const at = st.state === 'reconnecting' ? this.#client?.reconnectAt : null;
    const message = at ? st.message.replace(/reconnecting in \d+ s$/, `reconnecting in ${Math.max(0, Math.ceil((at - Date.now()) / 1000))} s`) : st.message;
    return html`
      <div class="bar" part="toolbar">
        <span class="status" role="status" aria-live="polite" data-state=${st.state} ?data-error=${!!st.error && st.state !== 'reconnecting'}>${st.error && st.state !== 'reconnecting' ? `Error: ${message}` : message}</span>
        <button @click=${() => this.sendCtrlAltDel()} title="Send Ctrl+Alt+Del">Ctrl+Alt+Del</button>
        <button @click=${() => this.saveScreenshot()} title="Save the screen as PNG">Save screenshot</button>
        <button @click=${() => (this.scaleViewport = !this.scaleViewport)} title="Fit to window or show 1:1">${this.scaleViewport ? '1:1' : 'Fit'}</button>
        ${this.agentOn ? html`<button @click=${() => (this.clipPanel = !this.clipPanel)} title="Text to and from the guest's clipboard">Clipboard</button>` : nothing}
        <button @click=${() => this.toggleFullscreen()} title="Fullscreen (keys such as Esc and Alt+Tab go to the guest)">Fullscreen</button>
        ${st.state === 'reconnecting'
          ? html`<button @click=${() => this.#client?.reconnectNow()}>Reconnect now</button>
              <button @click=${() => this.cancelReconnect()}>Cancel</button>`
          : connected
            ? html`<button @click=${() => this.disconnect()}>Disconnect</button>`
            : html`<button @click=${() => this.#settings && this.connect(this.#settings)} ?disabled=${!this.#settings}>Reconnect</button>`}
      </div>
      ${this.clipPanel
        ? html`<div class="clip" part="clipboard"><textarea .value=${this.#guestText} aria-label="Clipboard text"></textarea>
            <button @click=${(e: Event) => this.setClipboard(((e.target as HTMLElement).previousElementSibling as HTMLTextAreaElement).value)} title="Put this text on the guest's clipboard">Send to guest</button></div>`
        : nothing}
      <div class="stage">
        ${this.#screen}
        ${this.askPassword !== null
          ? html`<form class="pw" @submit=${this.submitPassword}>
              <label for="pw">The server refused the password. Password:</label>
              <input id="pw" type="password" autocomplete="current-password" autofocus />
              <button type="submit">Connect</button>
            </form>`
          : nothing}
        ${this.soundBlocked
          ? html`<button class="sound" @click=${() => void this.enableAudio()} title="The browser holds the sound until you click">🔇 Click to enable sound</button>`
          : nothing}
      </div>
    `;
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
