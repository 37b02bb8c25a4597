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
import type { DisplayStats } from '../display/worker-messages';
import { ImageCompression } from '../protocol/enums';
import { opusDecoderFactory } from '../audio/web/opus';
import { WebAudioSink } from '../audio/web/web-audio-sink';
import {
  CursorFeature, DisplayFeature, InputsFeature, PlaybackFeature, Session, type ChannelInfo, type MonitorInfo, type SessionStatus, type WorkerLike,
} from '../session/index';
import { ScreenView } from '../ui/screen-view';
import type { AudioStatus, SpiceClientEventDetails, SpiceClientEventMap } from './events';

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
}

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
  #status: SessionStatus = { state: 'idle', message: 'not connected' };
  #sizes = new Map<string, string>();
  #sink: WebAudioSink | null = null;
  #audio: AudioStatus = { output: 'idle', playing: false, mode: null, rate: 0, channels: 0, volume: [], muted: false, bufferedMs: 0, underruns: 0, dropped: 0 };

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
    if (options.autoconnect ?? true) this.connect();
  }

  /** fit monitors into the element (true) or show them 1:1 with scrolling */
  get scaleViewport(): boolean {
    return this.#view.scaleToFit;
  }
  set scaleViewport(v: boolean) {
    this.#view.scaleToFit = v;
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
    const session = new Session({ transport: () => new WebSocketTransport(o.url, PROTOCOLS), encrypt: webCryptoEncrypt, password: o.password ?? '' });
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
    const sink = new WebAudioSink();
    this.#sink = sink;
    const playback = session.use(new PlaybackFeature({ sink: () => sink, opus: opusDecoderFactory() }));
    sink.onstate = (output, detail) => {
      if (!live()) return;
      if (output === 'failed') this.#emit('spiceerror', { type: 'mediaError', details: 'audioOutputFailed', fatal: false, message: `playback: ${detail ?? 'audio output failed'}`, channel: { channelType: 5, channelId: 0 } });
      this.#audioChanged({ output });
    };
    playback.ev.on('state', (p) => live() && this.#audioChanged({ playing: p.playing, mode: p.mode, rate: p.rate, channels: p.channels, volume: p.volume, muted: p.muted }));
    const cursor = session.use(new CursorFeature());
    this.#session = session;
    this.#display = display;
    this.#cursor = cursor;
    const live = () => this.#session === session;

    session.ev.on('status', (s) => {
      if (!live()) return;
      this.#status = s;
      this.#emit('status', s);
    });
    session.ev.on('connected', (c) => live() && this.#emit('connect', c));
    session.ev.on('disconnected', (d) => live() && this.#emit('disconnect', d));
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
      if (this.firstFrameMs === null) {
        this.firstFrameMs = f.at - performance.timeOrigin;
        console.info(`[spice-web] first frame ${this.firstFrameMs.toFixed(0)} ms after navigation`);
      }
      this.#emit('firstframe', f);
    });
    cursor.ev.on('shape', (c) => live() && view.cursorShape(c));
    cursor.ev.on('move', (p) => live() && view.cursorMove(p.channelId, p.x, p.y));
    cursor.ev.on('hide', (h) => live() && view.cursorHide(h.channelId));
    session.connect();
  }

  disconnect(): void {
    this.#session?.disconnect();
  }

  /**
   * Sound: output state ('blocked' = the browser's autoplay block: call enableAudio() from a
   * click), the stream's mode, rate, volume and mute, and the jitter buffer's figures.
   */
  get audio(): AudioStatus {
    const st = this.#sink?.stats;
    return { ...this.#audio, bufferedMs: st && this.#audio.rate ? (st.buffered / this.#audio.rate) * 1000 : 0, underruns: st?.underruns ?? 0, dropped: st?.dropped ?? 0 };
  }

  /** lift the browser's autoplay block; call it from a user gesture (a click) */
  enableAudio(): Promise<void> {
    return this.#sink ? this.#sink.enable() : Promise.resolve();
  }

  /**
   * The next `frames` frames the playback worklet outputs, after volume and mute, one array per
   * channel: a diagnostics and test hook (the e2e tests measure frequency and level from it).
   * Rejects where the fallback output (no AudioWorklet) is in use.
   */
  captureAudio(frames: number): Promise<Float32Array[]> {
    return this.#sink ? this.#sink.tap(frames) : Promise.reject(new Error('no audio output'));
  }

  #audioChanged(p: Partial<AudioStatus>): void {
    this.#audio = { ...this.#audio, ...p };
    this.#emit('audio', this.audio);
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
    this.#teardown();
    this.#view.dispose();
  }

  #teardown(): void {
    const s = this.#session;
    this.#session = null;
    s?.disconnect();
    this.#sizes.clear();
    this.#sink?.close();
    this.#sink = null;
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
