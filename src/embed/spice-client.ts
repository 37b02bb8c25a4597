/**
 * SpiceClient: the library's entry (noVNC's RFB is the model). `new SpiceClient(element,
 * options)` shows the remote desktop inside `element` — one canvas per monitor, the cursor,
 * keyboard and mouse — and is an EventTarget with typed events (events.ts). It builds a Session
 * (src/session) with the browser's factories: a WebSocket per channel to the proxy, a module
 * Worker per display channel, the view's canvases for monitors. No toolbar: <spice-client>
 * (element.ts) adds that around it.
 *
 * Size: about 17 KB; this class is the library's public surface (every method, getter and
 * typed listener an embedder uses) in one place; the DOM glue lives in agent-glue.ts,
 * audio-glue.ts, mic-glue.ts and stats-glue.ts, the event wiring in client-wiring.ts and
 * client-status.ts.
 */
import { WebSocketTransport } from '../channels/transport';
import { webCryptoEncrypt } from '../channels/webcrypto';
import type { DisplayStats } from '../display/worker-messages';
import { ImageCompression } from '../protocol/enums';
import {
  AgentFeature, CursorFeature, DisplayFeature, InputsFeature, MigrationFeature, Reconnector, Session, withTarget, type ChannelInfo, type MonitorInfo, type SessionStatus, type WorkerLike,
  StatsTracker,
  type ClientStats,
} from '../session/index';
import { ScreenView } from '../ui/screen-view';
import { AgentGlue } from './agent-glue';
import { AudioGlue } from './audio-glue';
import { MicGlue, type MicSettings } from './mic-glue';
import { collectStats } from './stats-glue';
import { wireMigration, wireReconnect } from './client-status';
import { wireAgent, wireCursor, wireDisplay, wireSession, type Emit } from './client-wiring';
import { MonitorWindows, type MonitorWindowInfo } from './monitor-window';
import type { AudioStatus, MicrophoneStatus, SpiceClientEventDetails, SpiceClientEventMap } from './events';

export interface SpiceClientOptions extends MicSettings {
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
  /** a server that pings while idle and then says nothing this long (ms) is gone (default 40 s; 0: never) */
  silenceTimeoutMs?: number;
  /** the guest's screen follows the element's size through the agent (noVNC's name; default false) */
  resizeSession?: boolean;
  /** write guest copies to the system clipboard when the page is focused and allowed (default true) */
  clipboardSync?: boolean;
}

/** ms a new element size must hold before the guest is asked for it */
const RESIZE_DEBOUNCE_MS = 150;

const PROTOCOLS = ['binary'];

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
  #glue: AgentGlue;
  #status: SessionStatus = { state: 'idle', message: 'not connected' };
  #sizes = new Map<string, string>();
  #reconnector: Reconnector | null = null;
  #net = { online: () => this.#reconnector?.online(), offline: () => this.#reconnector?.offline() };
  #windows = new MonitorWindows(this, () => this.#view, () => this.#display, () => document.title);
  #sound = new AudioGlue((s) => this.#emit('audio', s), (e) => this.#emit('spiceerror', e));
  #mic: MicGlue;

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
    this.#mic = new MicGlue(target, () => this.#opts, (s) => this.#emit('microphone', s));
    this.#glue = new AgentGlue(target, () => this.#agent, () => this.#opts.clipboardSync ?? true, (f) => this.sendFile(f), () => this.devicePixels);
    this.resizeSession = !!options.resizeSession;
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
    return this.#glue.resizeSession;
  }
  set resizeSession(v: boolean) {
    this.#glue.resizeSession = v;
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
    const session = new Session({ transport: (_type, _id, target) => new WebSocketTransport(withTarget(o.url, target ?? null), PROTOCOLS), encrypt: webCryptoEncrypt, password: o.password ?? '', silenceMs: o.silenceTimeoutMs });
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
    this.#sound.attach(session, () => live());
    this.#mic.attach(session, () => live());
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
    wireReconnect(rc, live, (st) => this.#setStatus(st), (t, d) => this.#emit(t, d), () => view.setStale(false));

    const emit: Emit = (t, d) => this.#emit(t, d);
    wireSession(session, rc, live, view, emit, () => this.#status, (st) => this.#setStatus(st), () => display.monitors.length > 0);
    wireDisplay(display, live, view, emit, this.#sizes, (at) => {
      if (this.firstFrameMs !== null) return;
      this.firstFrameMs = at - performance.timeOrigin;
      console.info(`[spice-web] first frame ${this.firstFrameMs.toFixed(0)} ms after navigation`);
    });
    wireMigration(migration, (d) => live() && this.#emit('migration', d));
    wireAgent(agent, live, emit, this.#glue);
    wireCursor(cursor, live, view);
    session.connect();
  }

  disconnect(): void {
    this.#reconnector?.cancel();
    this.#session?.disconnect();
  }

  /**
   * Sound: output state ('blocked' = the browser's autoplay block: call enableAudio() from a
   * click), the stream's mode, rate, volume and mute, and the jitter buffer's figures.
   */
  get audio(): AudioStatus {
    return this.#sound.status;
  }

  /** lift the browser's autoplay block; call it from a user gesture (a click) */
  enableAudio(): Promise<void> {
    return this.#sound.enable();
  }

  /**
   * The next `frames` frames the playback worklet outputs, after volume and mute, one array per
   * channel: a diagnostics and test hook (the e2e tests measure frequency and level from it).
   * Rejects where the fallback output (no AudioWorklet) is in use.
   */
  captureAudio(frames: number): Promise<Float32Array[]> {
    return this.#sound.capture(frames);
  }

  /**
   * The microphone (the guest's record channel): 'asking' while the consent prompt waits,
   * 'recording' while sound goes to the guest, 'denied' when the browser refused.
   */
  get microphone(): MicrophoneStatus {
    return this.#mic.status;
  }

  /**
   * The user agrees to send the microphone whenever the guest records (call it from a click).
   * The microphone still opens only while the guest asks (RECORD_START … STOP).
   */
  enableMicrophone(): void {
    this.#mic.enable();
  }

  /** the user withdraws: the microphone closes now and stays closed until enableMicrophone() */
  disableMicrophone(): void {
    this.#mic.disable();
  }

  /** Ctrl+Alt+Del as scancodes (the browser would never deliver it) */
  sendCtrlAltDel(): void {
    this.#view.sendCtrlAltDel();
  }

  /**
   * Show monitor `index` in its own window: on another physical screen when the Window Management
   * API's permission is granted, else a plain popup; closing it puts the monitor back (monitor-window.ts)
   */
  openMonitorWindow(index = 0): Promise<MonitorWindowInfo> {
    return this.#windows.open(index);
  }

  /**
   * Type `text` as key presses of a US keyboard (for guests without an agent, and characters the
   * local layout has no key for); letters come out right whatever the guest's Caps Lock. Resolves,
   * once sent, with the characters that have no key (non-ASCII…), which were not typed.
   */
  typeText(text: string): Promise<string[]> {
    return this.#view.typeText(text);
  }

  /** the guest's lock keys as its keyboard LEDs last reported them (null before the inputs channel) */
  get keyboardLocks(): { capsLock: boolean; numLock: boolean; scrollLock: boolean } | null {
    const m = this.#inputs?.channel?.guestModifiers;
    return m === undefined ? null : { capsLock: !!(m & 4), numLock: !!(m & 2), scrollLock: !!(m & 1) };
  }

  /** the view's pinch zoom (touch); `resetZoom()` goes back to 1× */
  get viewZoom(): { scale: number; x: number; y: number } {
    return this.#view.zoom;
  }
  resetZoom(): void {
    this.#view.resetZoom();
  }

  /** press a key combination, KeyboardEvent.code names in press order (['ControlLeft', 'AltLeft', 'F1']) */
  sendKeys(codes: readonly string[]): void {
    this.#view.sendCodes(codes);
  }

  /** HiDPI: one guest pixel per device pixel instead of per CSS pixel */
  get devicePixels(): boolean {
    return this.#view.devicePixels;
  }
  set devicePixels(v: boolean) {
    this.#view.devicePixels = v;
    this.#glue.followSize(); // with resizeSession the guest's size is counted in device pixels now
  }

  /** silence the guest's sound here (the server's own volume and mute still apply) */
  get soundMuted(): boolean {
    return this.#sound.muted;
  }
  set soundMuted(v: boolean) {
    this.#sound.muted = v;
  }

  /**
   * PNG of monitor `index`'s exact pixels (no scaling, no cursor); monitors ordered by channel,
   * head. `{ shown: true }`: what its canvas shows instead, video frames as the browser decoded
   * and drew them (the exact pixels hold the same frames read back the same way)
   */
  screenshot(index = 0, options: { shown?: boolean } = {}): Promise<Blob> {
    return this.#display ? this.#display.screenshot(index, options.shown ?? false) : Promise.reject(new Error('not connected'));
  }

  /** counters of monitor `index`'s display channel: messages and image types received, stream timing */
  displayStats(index = 0): Promise<DisplayStats> {
    return this.#display ? this.#display.stats(index) : Promise.reject(new Error('not connected'));
  }

  /**
   * Live figures, per display channel (its monitors): fps received / shown / dropped, codec,
   * bit rate, decode time and lip-sync offsets since the previous call; sound buffer and
   * latency; the round trip. The stats overlay shows them once a second.
   */
  stats(): Promise<ClientStats> {
    return collectStats(this.#statsTracker, this.#display, this.#session, { status: this.#sound.status, latencyMs: this.#sound.latencyMs(), heardMmTime: this.#sound.heardMmTime() });
  }

  #statsTracker = new StatsTracker();

  focus(): void {
    this.#view.focus();
  }

  /** disconnect and remove everything this client put into its element */
  dispose(): void {
    this.#glue.dispose();
    this.#mic.dispose();
    this.#teardown();
    this.#view.dispose();
    globalThis.removeEventListener?.('online', this.#net.online);
    globalThis.removeEventListener?.('offline', this.#net.offline);
  }

  #teardown(): void {
    this.#windows.closeAll();
    const s = this.#session;
    this.#session = null;
    this.#reconnector?.dispose();
    this.#reconnector = null;
    s?.disconnect();
    this.#sizes.clear();
    this.#sound.close();
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
