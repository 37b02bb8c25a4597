/**
 * SpiceClient: the library's entry (noVNC's RFB is the model). `new SpiceClient(element,
 * options)` shows the remote desktop inside `element` — one canvas per monitor, the cursor,
 * keyboard and mouse — and is an EventTarget with typed events (events.ts). It builds a Session
 * (src/session) with the browser's factories: a WebSocket per channel to the proxy, a module
 * Worker per display channel, the view's canvases for monitors. No toolbar: <spice-client>
 * (element.ts) adds that around it.
 */
import { WebSocketTransport } from '../channels/transport';
import { webCryptoEncrypt } from '../channels/webcrypto';
import { ErrorDetails, type SpiceError } from '../common/errors';
import type { DisplayStats } from '../display/worker-messages';
import { ImageCompression } from '../protocol/enums';
import {
  AgentFeature, CursorFeature, DisplayFeature, InputsFeature, MigrationFeature, Reconnector, Session, withTarget, type ChannelInfo, type MonitorInfo, type SessionStatus, type WorkerLike,
} from '../session/index';
import { ScreenView } from '../ui/screen-view';
import type { SpiceClientEventDetails, SpiceClientEventMap } from './events';

export interface SpiceClientOptions {
  /** the proxy's WebSocket URL (one socket per SPICE channel goes there) */
  url: string;
  /** the SPICE password (ticket) */
  password?: string;
  /** preferred image compression: off, auto_glz, auto_lz, quic, glz, lz, lz4 */
  compression?: string | null;
  /** show only: no keyboard or mouse goes to the guest */
  viewOnly?: boolean;
  /** fit monitors into the element (default) or show them 1:1 */
  scaleViewport?: boolean;
  /** connect at once (default true) */
  autoconnect?: boolean;
  /**
   * Reconnect by itself when the server, the proxy or the network goes away (default true):
   * jittered backoff, the last frame kept (dimmed) meanwhile; never after a refusal.
   */
  reconnect?: boolean;
  /** the guest's screen follows the element's size through the agent (noVNC's name; default false) */
  resizeSession?: boolean;
  /** write guest copies to the system clipboard when the page is focused and allowed (default true) */
  clipboardSync?: boolean;
}

/** ms a new element size must hold before the guest is asked for it */
const RESIZE_DEBOUNCE_MS = 150;

const PROTOCOLS = ['binary'];
/** smaller elements (hidden, collapsed) do not resize the guest */
const MIN_SIZE = 64;

/** a short cause for the status line; the full typed error goes out with 'spiceerror' */
function lostBecause(e: SpiceError | undefined): string {
  switch (e?.details) {
    case undefined:
      return 'the server closed the session';
    case ErrorDetails.CONNECT_FAILED:
    case ErrorDetails.SERVER_UNREACHABLE:
      return 'the server cannot be reached';
    case ErrorDetails.STALLED:
      return 'the connection stalled';
    default:
      return 'the connection to the server was lost';
  }
}

function compressionOf(name: string | null | undefined): number | undefined {
  const n = name?.toUpperCase();
  return n && n in ImageCompression ? ImageCompression[n as keyof typeof ImageCompression] : undefined;
}

export class SpiceClient extends EventTarget {
  /** navigation start → first frame on the first monitor, ms (also logged) */
  firstFrameMs: number | null = null;
  viewOnly: boolean;
  #opts: SpiceClientOptions;
  #view: ScreenView;
  #session: Session | null = null;
  #display: DisplayFeature | null = null;
  #inputs: InputsFeature | null = null;
  #cursor: CursorFeature | null = null;
  #agent: AgentFeature | null = null;
  #target: HTMLElement;
  #resizeObserver: ResizeObserver | null = null;
  #resizeSession = false;
  /** the last text that went between guest and system clipboard (either way), so it does not bounce back */
  #clipSeen = '';
  #status: SessionStatus = { state: 'idle', message: 'not connected' };
  #sizes = new Map<string, string>();
  #reconnector: Reconnector | null = null;
  #net = { online: () => this.#reconnector?.online(), offline: () => this.#reconnector?.offline() };

  constructor(target: HTMLElement, options: SpiceClientOptions) {
    super();
    this.#opts = { ...options };
    this.viewOnly = !!options.viewOnly;
    this.#view = new ScreenView(target, {
      inputs: () => this.#inputs?.channel ?? null,
      mouseMode: () => this.mouseMode,
      viewOnly: () => this.viewOnly,
    });
    this.#view.scaleToFit = options.scaleViewport ?? true;
    globalThis.addEventListener?.('online', this.#net.online);
    globalThis.addEventListener?.('offline', this.#net.offline);
    this.#target = target;
    this.resizeSession = !!options.resizeSession;
    // the page's clipboard goes to the guest when the screen gets focus (if the browser lets us read it)
    target.addEventListener('focusin', () => this.#pullPageClipboard());
    // files dropped on the screen go to the guest (its agent's download folder)
    target.addEventListener('dragover', (e) => {
      if (this.#agent?.connected && e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    target.addEventListener('drop', (e) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length || !this.#agent?.connected) return;
      e.preventDefault();
      void (async () => {
        for (const f of files) await this.sendFile(f).catch(() => undefined); // failures arrive as events
      })();
    });
    if (options.autoconnect ?? true) this.connect();
  }

  /** when the pending automatic reconnect starts (epoch ms), or null when none is pending */
  get reconnectAt(): number | null {
    return this.#reconnector?.nextAt ?? null;
  }

  /** stop reconnecting; the kept last frame goes */
  cancelReconnect(): void {
    this.#reconnector?.cancel();
  }

  /** reconnect now instead of waiting for the countdown */
  reconnectNow(): void {
    this.#reconnector?.retryNow();
  }

  /** fit monitors into the element (true) or show them 1:1 with scrolling */
  get scaleViewport(): boolean {
    return this.#view.scaleToFit;
  }
  set scaleViewport(v: boolean) {
    this.#view.scaleToFit = v;
  }

  /** the guest's screen follows the element's size (needs the guest agent) */
  get resizeSession(): boolean {
    return this.#resizeSession;
  }
  set resizeSession(v: boolean) {
    this.#resizeSession = v;
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
    if (!v) return;
    this.#resizeObserver = new ResizeObserver(() => this.#followSize());
    this.#resizeObserver.observe(this.#target);
  }

  /** the guest agent is connected */
  get agentConnected(): boolean {
    return !!this.#agent?.connected;
  }

  /** put text on the guest's clipboard; false (and a spiceerror) without a clipboard agent */
  setClipboard(text: string, selection = 0): boolean {
    return this.#agent ? this.#agent.setClipboardText(text, selection) : false;
  }

  /** put a PNG image on the guest's clipboard */
  async setClipboardImage(png: Blob | Uint8Array, selection = 0): Promise<boolean> {
    const bytes = png instanceof Uint8Array ? png : new Uint8Array(await png.arrayBuffer());
    return this.#agent ? this.#agent.setClipboardImage(bytes, selection) : false;
  }

  /** the guest's monitors, index = monitor id; a 0×0 entry disables that monitor (debounced) */
  setGuestMonitors(monitors: Array<{ width: number; height: number; x: number; y: number }>): void {
    this.#agent?.setMonitors(monitors);
  }

  /** send a file to the guest; resolves when the agent wrote it (progress: `filetransfer` events) */
  sendFile(file: File): Promise<void> {
    return this.#agent ? this.#agent.sendFile(file) : Promise.reject(new Error('not connected'));
  }

  /** cancel one transfer by id, or all */
  cancelFileTransfer(id?: number): void {
    this.#agent?.cancelFile(id);
  }

  get status(): SessionStatus {
    return this.#status;
  }

  /** 1 server (relative, pointer lock), 2 client (absolute); 0 before the server said */
  get mouseMode(): number {
    return this.#session?.mouseMode ?? 0;
  }

  /** every monitor: (channel, head), its place in the channel's surface and its size */
  get monitors(): MonitorInfo[] {
    return this.#display?.monitors ?? [];
  }

  /** every channel of the session and its state */
  get channels(): ChannelInfo[] {
    return this.#session?.channels ?? [];
  }

  /** the guest cursor as last set on cursor channel 0 (null before any) */
  get cursor(): { visible: boolean; width: number; height: number; x: number; y: number } | null {
    const c = this.#cursor?.current(0);
    return c ? { visible: c.visible, width: c.shape?.width ?? 0, height: c.shape?.height ?? 0, x: c.x, y: c.y } : null;
  }

  /** (re)connect; options given here replace those given before */
  connect(options: Partial<SpiceClientOptions> = {}): void {
    this.#opts = { ...this.#opts, ...options };
    if (options.viewOnly !== undefined) this.viewOnly = options.viewOnly;
    this.#teardown();
    const o = this.#opts;
    const session = new Session({ transport: (_type, _id, target) => new WebSocketTransport(withTarget(o.url, target ?? null), PROTOCOLS), encrypt: webCryptoEncrypt, password: o.password ?? '' });
    const view = this.#view;
    const display = session.use(
      new DisplayFeature({
        url: o.url,
        protocols: PROTOCOLS,
        preferredCompression: compressionOf(o.compression),
        workers: (channelId) => new Worker(new URL('../../workers/display-worker.ts', import.meta.url), { type: 'module', name: `display-${channelId}` }) as unknown as WorkerLike,
        host: {
          canvas: (channelId, head) => view.addMonitor(channelId, head).transferControlToOffscreen(),
          drop: (channelId, head) => view.dropMonitor(channelId, head),
        },
      }),
    );
    this.#inputs = session.use(new InputsFeature());
    const cursor = session.use(new CursorFeature());
    const migration = session.use(new MigrationFeature());
    const agent = session.use(new AgentFeature({ resizeDebounceMs: RESIZE_DEBOUNCE_MS }));
    this.#agent = agent;
    this.#session = session;
    this.#display = display;
    this.#cursor = cursor;
    const live = () => this.#session === session;
    // before our own 'disconnected' handler: it decides first whether a retry follows
    const rc = new Reconnector(session);
    rc.enabled = o.reconnect ?? true;
    this.#reconnector = rc;
    rc.ev.on('scheduled', (e) => {
      if (!live()) return;
      const why = lostBecause(e.error);
      this.#setStatus({ state: 'reconnecting', message: `connection lost (${why}); reconnecting in ${Math.max(1, Math.round(e.delayMs / 1000))} s`, error: e.error });
      this.#emit('reconnecting', { attempt: e.attempt, delayMs: e.delayMs, at: e.at, error: e.error });
    });
    rc.ev.on('offline', () => live() && this.#setStatus({ state: 'reconnecting', message: 'offline: reconnecting when the network is back' }));
    rc.ev.on('stopped', (e) => {
      if (!live() || e.reason === 'refused' || e.reason === 'disabled') return; // the session's own disconnect stands
      this.#setStatus({ state: 'disconnected', message: e.reason === 'cancelled' ? 'reconnect cancelled' : 'gave up reconnecting', error: e.error });
      view.setStale(false);
      this.#emit('disconnect', { clean: e.reason === 'cancelled', reason: this.#status.message, error: e.error });
    });

    session.ev.on('status', (s) => {
      if (!live()) return;
      // a retry's "connecting…" keeps saying that it is a reconnect
      if (s.state === 'connecting' && rc.pending === false && this.#status.state === 'reconnecting') s = { state: 'connecting', message: 'reconnecting…' };
      this.#setStatus(s);
    });
    session.ev.on('connected', (c) => {
      if (!live()) return;
      if (!display.monitors.length) view.setStale(false);
      this.#emit('connect', c);
    });
    session.ev.on('disconnected', (d) => {
      if (!live()) return;
      if (rc.pending) {
        view.setStale(true); // the last frame stays, dimmed, while the countdown runs
        return;
      }
      view.setStale(false);
      this.#emit('disconnect', d);
    });
    session.ev.on('credentialsrequired', (c) => live() && this.#emit('credentialsrequired', c));
    session.ev.on('error', (e) => live() && this.#emit('spiceerror', e));
    session.ev.on('channel', (c) => live() && this.#emit('channel', c));
    session.ev.on('mousemode', (m) => {
      if (!live()) return;
      view.applyCursor();
      this.#emit('mousemode', m);
    });
    display.ev.on('monitors', (list) => {
      if (!live()) return;
      view.setLayout(list);
      this.#emit('monitors', list);
      for (const m of list) {
        const k = `${m.channelId}:${m.head}`, size = `${m.width}x${m.height}`;
        if (this.#sizes.get(k) === size) continue;
        this.#sizes.set(k, size);
        this.#emit('resize', { channelId: m.channelId, head: m.head, width: m.width, height: m.height });
      }
    });
    display.ev.on('firstframe', (f) => {
      if (!live()) return;
      view.setStale(false);
      if (this.firstFrameMs === null) {
        this.firstFrameMs = f.at - performance.timeOrigin;
        console.info(`[spice-web] first frame ${this.firstFrameMs.toFixed(0)} ms after navigation`);
      }
      this.#emit('firstframe', f);
    });
    migration.ev.on('begin', (m) => live() && this.#emit('migration', { phase: 'begin', target: m.target }));
    migration.ev.on('connected', (m) => live() && this.#emit('migration', { phase: 'connected', target: m.target }));
    migration.ev.on('completed', (m) => live() && this.#emit('migration', { phase: 'completed', target: m.target }));
    migration.ev.on('failed', (m) => live() && this.#emit('migration', { phase: 'failed', target: m.target, reason: m.reason }));
    migration.ev.on('cancelled', () => live() && this.#emit('migration', { phase: 'cancelled', target: '' }));
    migration.ev.on('switchHost', (m) => live() && this.#emit('migration', { phase: 'switch-host', target: m.target }));
    agent.ev.on('agent', (a) => {
      if (!live()) return;
      this.#emit('agent', a);
      if (a.connected) this.#followSize();
    });
    agent.ev.on('clipboard', (c) => {
      if (!live()) return;
      this.#emit('clipboard', c);
      // the system clipboard only takes writes from a focused page (and a secure context); only the
      // guest's CLIPBOARD selection goes there, not PRIMARY (every text selection in an X guest)
      if (c.selection !== 0 || !(this.#opts.clipboardSync ?? true)) return;
      if (c.text !== undefined && document.hasFocus() && navigator.clipboard?.writeText) {
        this.#clipSeen = c.text;
        navigator.clipboard.writeText(c.text).catch(() => undefined);
      } else if (c.data && document.hasFocus() && navigator.clipboard?.write && typeof ClipboardItem !== 'undefined') {
        navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([c.data as Uint8Array<ArrayBuffer>], { type: 'image/png' }) })]).catch(() => undefined);
      }
    });
    agent.ev.on('fileprogress', (p) => live() && this.#emit('filetransfer', { ...p, state: 'progress' }));
    agent.ev.on('filedone', (p) => live() && this.#emit('filetransfer', { ...p, sent: p.size, state: 'done' }));
    agent.ev.on('filefailed', (f) => live() && this.#emit('filetransfer', { id: f.id, name: f.name, size: 0, sent: 0, state: f.cancelled ? 'cancelled' : 'failed', error: f.error }));
    cursor.ev.on('shape', (c) => live() && view.cursorShape(c));
    cursor.ev.on('move', (p) => live() && view.cursorMove(p.channelId, p.x, p.y));
    cursor.ev.on('hide', (h) => live() && view.cursorHide(h.channelId));
    session.connect();
  }

  disconnect(): void {
    this.#reconnector?.cancel();
    this.#session?.disconnect();
  }

  /** the system clipboard's text → the guest, unless it is what the guest itself copied last */
  #pullPageClipboard(): void {
    if (!(this.#opts.clipboardSync ?? true) || !this.#agent?.connected || !navigator.clipboard?.readText) return;
    navigator.clipboard.readText().then((t) => {
      if (t && t !== this.#clipSeen) {
        this.#clipSeen = t;
        this.#agent?.setClipboardText(t);
      }
    }, () => undefined); // not allowed (no permission, insecure context): the panel is the way
  }

  /** with resizeSession: ask the guest for the element's size (the agent debounces) */
  #followSize(): void {
    if (!this.#resizeSession || !this.#agent) return;
    // widths go in multiples of 8: spice-vdagent's X11 side rounds them down (1100 → 1096 seen on
    // Xspice), and asking for what the guest can give keeps us from chasing a size it never takes
    const w = Math.floor(this.#target.clientWidth / 8) * 8, h = Math.floor(this.#target.clientHeight);
    if (w >= MIN_SIZE && h >= MIN_SIZE) this.#agent.resize(w, h);
  }

  /** Ctrl+Alt+Del as scancodes (the browser would never deliver it) */
  sendCtrlAltDel(): void {
    this.#view.sendCtrlAltDel();
  }

  /** PNG of monitor `index`'s exact pixels (no scaling, no cursor); monitors ordered by channel, head */
  screenshot(index = 0): Promise<Blob> {
    return this.#display ? this.#display.screenshot(index) : Promise.reject(new Error('not connected'));
  }

  /** counters of monitor `index`'s display channel: messages and image types received, stream timing */
  displayStats(index = 0): Promise<DisplayStats> {
    return this.#display ? this.#display.stats(index) : Promise.reject(new Error('not connected'));
  }

  focus(): void {
    this.#view.focus();
  }

  /** disconnect and remove everything this client put into its element */
  dispose(): void {
    this.#resizeObserver?.disconnect();
    this.#teardown();
    this.#view.dispose();
    globalThis.removeEventListener?.('online', this.#net.online);
    globalThis.removeEventListener?.('offline', this.#net.offline);
  }

  #teardown(): void {
    const s = this.#session;
    this.#session = null;
    this.#reconnector?.dispose();
    this.#reconnector = null;
    s?.disconnect();
    this.#sizes.clear();
    this.#view.setStale(false);
  }

  #setStatus(s: SessionStatus): void {
    this.#status = s;
    this.#emit('status', s);
  }

  #emit<K extends keyof SpiceClientEventDetails>(type: K, detail: SpiceClientEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  override addEventListener<K extends keyof SpiceClientEventMap>(type: K, listener: (ev: SpiceClientEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null | ((ev: never) => void), options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends keyof SpiceClientEventMap>(type: K, listener: (ev: SpiceClientEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null | ((ev: never) => void), options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }
}
