/**
 * <spice-client>: the whole client UI — monitors (one canvas per display channel, drawn by its
 * worker), cursor (CSS in client mouse mode, overlay in server mode), a toolbar with the status
 * line, and the password prompt. It renders Session state and forwards events; it decodes no
 * pixels (screenshot() asks the display worker for a PNG of the exact surface).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { CursorShapeEvent } from '../channels/cursor-channel';
import { Session, type SessionStatus } from '../embed/session';
import type { ConnectSettings } from '../embed/settings';
import { MouseMode } from '../protocol/enums';
import { cssCursor, drawOverlay } from './cursor-css';
import { InputController } from './input-controller';

interface Monitor {
  channelId: number;
  canvas: HTMLCanvasElement;
  width: number;
  height: number;
  detach: () => void;
}

export class SpiceClientElement extends LitElement {
  static override properties = {
    status: { state: true },
    askPassword: { state: true },
    monitorsVersion: { state: true },
    viewOnly: { type: Boolean, attribute: 'view-only' },
    scaleViewport: { type: Boolean, attribute: 'scale-viewport' },
  };

  declare status: SessionStatus;
  declare askPassword: string | null;
  declare monitorsVersion: number;
  declare viewOnly: boolean;
  /** fit monitors into the element (true, default) or show them 1:1 with scrolling (noVNC's name) */
  declare scaleViewport: boolean;

  session: Session | null = null;
  /** navigation start → first frame on monitor 0, ms (also logged) */
  firstFrameMs: number | null = null;
  private settings: ConnectSettings | null = null;
  private readonly monitors = new Map<number, Monitor>();
  private input: InputController | null = null;
  private cursor: CursorShapeEvent | null = null;
  private overlay: HTMLCanvasElement | null = null;

  constructor() {
    super();
    this.status = { state: 'idle', message: 'not connected' };
    this.askPassword = null;
    this.monitorsVersion = 0;
    this.viewOnly = false;
    this.scaleViewport = true;
  }

  static override styles = css`
    :host { display: flex; flex-direction: column; width: 100%; height: 100%; background: #1e1e1e; color: #ddd; font: 13px system-ui, sans-serif; }
    .bar { display: flex; align-items: center; gap: 8px; padding: 3px 8px; background: #2b2b2b; border-bottom: 1px solid #111; flex: none; }
    .status { flex: 1; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    .status[data-state='connected'] { color: #9c9; }
    .status[data-error] { color: #f99; }
    button { background: #3a3a3a; color: #ddd; border: 1px solid #555; border-radius: 3px; padding: 2px 8px; font: inherit; cursor: pointer; }
    button:hover { background: #4a4a4a; }
    .screen { flex: 1; display: flex; align-items: center; justify-content: center; gap: 4px; overflow: hidden; outline: none; position: relative; min-height: 0; }
    .screen canvas.monitor { max-width: 100%; max-height: 100%; image-rendering: auto; background: #000; touch-action: none; flex: none; }
    .screen.native { overflow: auto; align-items: flex-start; justify-content: flex-start; }
    .screen.native canvas.monitor { max-width: none; max-height: none; }
    .overlay { position: absolute; pointer-events: none; left: 0; top: 0; }
    form.pw { position: absolute; inset: 0; margin: auto; width: 320px; height: fit-content; padding: 16px; background: #2b2b2b; border: 1px solid #555; border-radius: 6px; display: flex; flex-direction: column; gap: 8px; }
    form.pw input { font: inherit; padding: 4px; }
  `;

  /** connect with settings (URL, password, compression); reconnects when already connected */
  connect(settings: ConnectSettings): void {
    this.settings = settings;
    this.askPassword = null;
    this.session?.disconnect('reconnecting', true);
    const s = new Session({
      url: settings.url,
      password: settings.password,
      compression: settings.compression,
      canvasFor: (id) => this.addMonitor(id),
      dropCanvas: (id) => this.dropMonitor(id),
    });
    this.session = s;
    s.ev.on('status', (st) => {
      this.status = st;
      this.dispatchEvent(new CustomEvent('status', { detail: st }));
      if (st.state === 'disconnected') this.dispatchEvent(new CustomEvent('disconnect', { detail: { clean: !st.error, reason: st.message } }));
      if (st.state === 'connected') this.dispatchEvent(new CustomEvent('connect'));
    });
    s.ev.on('credentialsrequired', (c) => {
      this.askPassword = c.message;
      this.dispatchEvent(new CustomEvent('credentialsrequired', { detail: c }));
    });
    s.ev.on('display', (d) => {
      const m = this.monitors.get(d.channelId);
      if (m) {
        m.width = d.width;
        m.height = d.height;
      }
      this.monitorsVersion++;
      this.dispatchEvent(new CustomEvent('resize', { detail: d }));
    });
    s.ev.on('firstframe', (f) => {
      if (this.firstFrameMs === null) {
        this.firstFrameMs = f.at - performance.timeOrigin;
        console.info(`[spice-web] first frame ${this.firstFrameMs.toFixed(0)} ms after navigation`);
      }
    });
    s.ev.on('mousemode', () => this.applyCursor());
    s.ev.on('cursorshape', (c) => {
      this.cursor = c;
      this.applyCursor();
    });
    s.ev.on('cursormove', (p) => this.moveOverlay(p.x, p.y));
    s.ev.on('cursorhide', () => {
      this.cursor = { shape: null, visible: false, x: 0, y: 0, outcome: this.cursor?.outcome ?? ({} as CursorShapeEvent['outcome']) };
      this.applyCursor();
    });
    s.connect();
  }

  disconnect(): void {
    this.session?.disconnect();
  }

  sendCtrlAltDel(): void {
    this.input?.sendCtrlAltDel();
  }

  /** PNG Blob of monitor `index`'s exact surface pixels (no scaling, no cursor) */
  screenshot(index = 0): Promise<Blob> {
    if (!this.session) return Promise.reject(new Error('not connected'));
    return this.session.screenshot(index);
  }

  /** counters of monitor `index`'s display channel: messages and image types received */
  displayStats(index = 0): Promise<import('../display/worker-messages').DisplayStats> {
    if (!this.session) return Promise.reject(new Error('not connected'));
    return this.session.displayStats(index);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.input?.dispose();
    this.input = null;
    this.session?.disconnect();
  }

  protected override firstUpdated(): void {
    const screen = this.renderRoot.querySelector<HTMLElement>('.screen')!;
    this.overlay = this.renderRoot.querySelector<HTMLCanvasElement>('.overlay');
    this.input = new InputController(screen, {
      inputs: () => this.session?.inputs ?? null,
      mouseMode: () => this.session?.mouseMode ?? 0,
      surfaceSize: (id) => {
        const m = this.monitors.get(id);
        return m && m.width ? { width: m.width, height: m.height } : null;
      },
      viewOnly: () => this.viewOnly,
    });
    for (const m of this.monitors.values()) this.placeMonitor(m);
  }

  private addMonitor(channelId: number): HTMLCanvasElement {
    this.dropMonitor(channelId);
    // a canvas handed to a worker cannot be taken back: every connection gets a fresh one
    const canvas = document.createElement('canvas');
    canvas.className = 'monitor';
    canvas.dataset.channel = String(channelId);
    const m: Monitor = { channelId, canvas, width: 0, height: 0, detach: () => {} };
    this.monitors.set(channelId, m);
    this.placeMonitor(m);
    this.applyCursor();
    return canvas;
  }

  private placeMonitor(m: Monitor): void {
    const screen = this.renderRoot.querySelector<HTMLElement>('.screen');
    if (!screen || m.canvas.parentNode === screen) return;
    const after = [...this.monitors.values()].filter((o) => o.channelId > m.channelId && o.canvas.parentNode === screen).sort((a, b) => a.channelId - b.channelId)[0];
    screen.insertBefore(m.canvas, after?.canvas ?? this.overlay);
    if (this.input) m.detach = this.input.attachCanvas(m.canvas, m.channelId);
  }

  private dropMonitor(channelId: number): void {
    const m = this.monitors.get(channelId);
    if (!m) return;
    m.detach();
    m.canvas.remove();
    this.monitors.delete(channelId);
  }

  private applyCursor(): void {
    const client = (this.session?.mouseMode ?? MouseMode.CLIENT) === MouseMode.CLIENT;
    const c = this.cursor;
    const value = client ? (c ? cssCursor(c.shape, c.visible) : 'default') : 'none';
    for (const m of this.monitors.values()) m.canvas.style.cursor = value;
    if (this.overlay) {
      this.overlay.hidden = client || !c?.visible;
      if (!client) drawOverlay(this.overlay, c?.shape ?? null);
      if (!client && c) this.moveOverlay(c.x, c.y);
    }
  }

  /** server mode: the guest moves the cursor; place the overlay over monitor 0 */
  private moveOverlay(x: number, y: number): void {
    if (!this.overlay || this.overlay.hidden) return;
    const m = [...this.monitors.values()][0];
    const shape = this.cursor?.shape;
    if (!m || !m.width || !shape) return;
    const r = m.canvas.getBoundingClientRect();
    const host = (this.renderRoot.querySelector('.screen') as HTMLElement).getBoundingClientRect();
    const sx = r.width / m.width;
    const sy = r.height / m.height;
    this.overlay.style.transform = `translate(${r.left - host.left + (x - shape.hotX) * sx}px, ${r.top - host.top + (y - shape.hotY) * sy}px) scale(${sx}, ${sy})`;
    this.overlay.style.transformOrigin = '0 0';
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
    this.renderRoot.querySelector<HTMLElement>('.screen')?.focus();
  }

  private submitPassword(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input') as HTMLInputElement;
    if (!this.settings) return;
    this.connect({ ...this.settings, password: input.value });
  }

  protected override render() {
    const st = this.status;
    const connected = st.state === 'connected' || st.state === 'connecting';
    return html`
      <div class="bar" part="toolbar">
        <span class="status" role="status" aria-live="polite" data-state=${st.state} ?data-error=${!!st.error}>${st.error ? `Error: ${st.message}` : st.message}</span>
        <button @click=${() => this.sendCtrlAltDel()} title="Send Ctrl+Alt+Del">Ctrl+Alt+Del</button>
        <button @click=${() => this.saveScreenshot()} title="Save the screen as PNG">Save screenshot</button>
        <button @click=${() => (this.scaleViewport = !this.scaleViewport)} title="Fit to window or show 1:1">${this.scaleViewport ? '1:1' : 'Fit'}</button>
        <button @click=${() => this.toggleFullscreen()} title="Fullscreen (keys such as Esc and Alt+Tab go to the guest)">Fullscreen</button>
        ${connected
          ? html`<button @click=${() => this.disconnect()}>Disconnect</button>`
          : html`<button @click=${() => this.settings && this.connect(this.settings)} ?disabled=${!this.settings}>Reconnect</button>`}
      </div>
      <div class="screen ${this.scaleViewport ? '' : 'native'}" tabindex="0" part="screen">
        <canvas class="overlay" hidden></canvas>
        ${this.askPassword !== null
          ? html`<form class="pw" @submit=${this.submitPassword}>
              <label for="pw">The server refused the password. Password:</label>
              <input id="pw" type="password" autocomplete="current-password" autofocus />
              <button type="submit">Connect</button>
            </form>`
          : nothing}
      </div>
    `;
  }
}

customElements.define('spice-client', SpiceClientElement);

declare global {
  interface HTMLElementTagNameMap {
    'spice-client': SpiceClientElement;
  }
}
