/**
 * A SPICE session on the UI thread (architecture.md "Threads"): main, inputs and cursor channels
 * here, one display worker per display channel. It owns no pixels: display workers draw into the
 * OffscreenCanvas of their monitor; the UI only composes canvases, cursor and status.
 */
import type { ChannelError } from '../channels/channel';
import { CursorChannel, type CursorShapeEvent } from '../channels/cursor-channel';
import { Emitter } from '../channels/emitter';
import { InputsChannel } from '../channels/inputs-channel';
import { MainChannel } from '../channels/main-channel';
import { WebSocketTransport } from '../channels/transport';
import { webCryptoEncrypt } from '../channels/webcrypto';
import type { DisplayStats, FromDisplayWorker, ToDisplayWorker } from '../display/worker-messages';
import { ChannelType, ImageCompression, LinkErr, MouseMode, channelTypeName } from '../protocol/enums';

export type SessionState = 'idle' | 'connecting' | 'connected' | 'disconnected';

export interface SessionStatus {
  state: SessionState;
  message: string;
  /** the typed error that ended (or damaged) the session, with the channel it came from */
  error?: ChannelError;
}

export type SessionEvents = {
  status: SessionStatus;
  /** the server refused the ticket: ask the user and call connect() again */
  credentialsrequired: { message: string };
  /** a display channel's primary surface was created or resized */
  display: { channelId: number; width: number; height: number };
  /** first pixels of a primary surface reached the canvas (ms since epoch) */
  firstframe: { channelId: number; at: number };
  mousemode: number;
  cursorshape: CursorShapeEvent;
  cursormove: { x: number; y: number };
  cursorhide: void;
};

export interface SessionOptions {
  url: string;
  password: string;
  /** image compression name (off, auto_glz, auto_lz, quic, glz, lz, lz4) */
  compression?: string | null;
  /** the UI's canvas for a display channel; the session transfers it to the worker */
  canvasFor(channelId: number): HTMLCanvasElement;
  /** the display channel went away */
  dropCanvas?(channelId: number): void;
}

interface DisplayHandle {
  worker: Worker;
  width: number;
  height: number;
  shots: Map<number, { resolve: (b: Blob) => void; reject: (e: Error) => void }>;
  statsWaiters: Map<number, (s: DisplayStats) => void>;
}

export class Session {
  readonly ev = new Emitter<SessionEvents>();
  main: MainChannel | null = null;
  inputs: InputsChannel | null = null;
  cursor: CursorChannel | null = null;
  readonly displays = new Map<number, DisplayHandle>();
  status: SessionStatus = { state: 'idle', message: 'not connected' };
  private shotSeq = 0;
  private ended = false;

  constructor(private readonly opts: SessionOptions) {}

  get mouseMode(): number {
    return this.main?.mouseMode ?? 0;
  }

  connect(password = this.opts.password): void {
    this.disconnect('reconnecting', true);
    this.ended = false;
    this.opts.password = password;
    this.setStatus({ state: 'connecting', message: 'connecting…' });
    const main = new MainChannel({ transport: this.transport(), password, encrypt: webCryptoEncrypt });
    this.main = main;
    main.events.on('closed', (c) => {
      if (this.main !== main) return;
      if (c.error && (c.error.linkError === LinkErr.PERMISSION_DENIED || c.error.kind === 'auth')) {
        this.shutdown();
        this.setStatus({ state: 'disconnected', message: 'the server refused the password', error: c.error });
        this.ev.emit('credentialsrequired', { message: c.error.message });
        return;
      }
      this.shutdown();
      this.setStatus({ state: 'disconnected', message: c.error ? c.error.message : `disconnected: ${c.reason}`, error: c.error });
    });
    main.ev.on('init', () => this.setStatus({ state: 'connected', message: 'connected' }));
    main.ev.on('mouseMode', (m) => this.ev.emit('mousemode', m.current));
    main.ev.on('channels', (list) => {
      for (const ch of list) {
        if (ch.type === ChannelType.DISPLAY) this.openDisplay(ch.id);
        else if (ch.type === ChannelType.INPUTS && ch.id === 0 && !this.inputs) this.openInputs();
        else if (ch.type === ChannelType.CURSOR && ch.id === 0 && !this.cursor) this.openCursor();
      }
    });
    main.start();
  }

  disconnect(reason = 'disconnected by the user', quiet = false): void {
    if (!this.main) return;
    this.shutdown();
    if (!quiet) this.setStatus({ state: 'disconnected', message: reason });
  }

  /** PNG of display `index`'s exact primary-surface pixels (no scaling, no cursor) */
  screenshot(index = 0): Promise<Blob> {
    const ids = [...this.displays.keys()].sort((a, b) => a - b);
    const d = this.displays.get(ids[index] ?? -1);
    if (!d) return Promise.reject(new Error(`no monitor ${index}`));
    const id = ++this.shotSeq;
    return new Promise((resolve, reject) => {
      d.shots.set(id, { resolve, reject });
      this.toWorker(d, { type: 'screenshot', id });
    });
  }

  /** message and image-type counters of display `index` (which compressions the server used) */
  displayStats(index = 0): Promise<DisplayStats> {
    const ids = [...this.displays.keys()].sort((a, b) => a - b);
    const d = this.displays.get(ids[index] ?? -1);
    if (!d) return Promise.reject(new Error(`no monitor ${index}`));
    const id = ++this.shotSeq;
    return new Promise((resolve) => {
      d.statsWaiters.set(id, resolve);
      this.toWorker(d, { type: 'stats', id });
    });
  }

  private transport(): WebSocketTransport {
    return new WebSocketTransport(this.opts.url, ['binary']);
  }

  private channelError(name: string, c: { error?: ChannelError; reason: string }): void {
    if (!c.error || this.ended) return;
    // one channel failing does not take the others down; the status line says which and why
    this.setStatus({ state: this.status.state, message: c.error.message.startsWith(name) ? c.error.message : `${name}: ${c.error.message}`, error: c.error });
  }

  private openInputs(): void {
    const main = this.main!;
    const ch = new InputsChannel({ transport: this.transport(), connectionId: main.sessionId, password: this.opts.password, encrypt: webCryptoEncrypt });
    this.inputs = ch;
    ch.events.on('closed', (c) => this.channelError('inputs', c));
    ch.start();
  }

  private openCursor(): void {
    const main = this.main!;
    const ch = new CursorChannel({ transport: this.transport(), connectionId: main.sessionId, password: this.opts.password, encrypt: webCryptoEncrypt });
    this.cursor = ch;
    ch.ev.on('shape', (s) => this.ev.emit('cursorshape', s));
    ch.ev.on('move', (p) => this.ev.emit('cursormove', p));
    ch.ev.on('hide', () => this.ev.emit('cursorhide', undefined));
    ch.ev.on('reset', () => this.ev.emit('cursorhide', undefined));
    ch.events.on('closed', (c) => this.channelError('cursor', c));
    ch.start();
  }

  private openDisplay(channelId: number): void {
    if (this.displays.has(channelId)) return;
    const main = this.main!;
    const canvas = this.opts.canvasFor(channelId);
    const offscreen = canvas.transferControlToOffscreen();
    const worker = new Worker(new URL('../../workers/display-worker.ts', import.meta.url), { type: 'module', name: `display-${channelId}` });
    const d: DisplayHandle = { worker, width: 0, height: 0, shots: new Map(), statsWaiters: new Map() };
    this.displays.set(channelId, d);
    worker.onmessage = (e: MessageEvent<FromDisplayWorker>) => this.fromWorker(channelId, d, e.data);
    worker.onerror = (e) => {
      this.channelError(`display:${channelId}`, { reason: e.message, error: { kind: 'malformed', message: `display:${channelId}: worker error: ${e.message}` } });
    };
    const name = this.opts.compression?.toUpperCase();
    const pref = name && name in ImageCompression ? ImageCompression[name as keyof typeof ImageCompression] : undefined;
    this.toWorker(
      d,
      { type: 'connect', url: this.opts.url, protocols: ['binary'], channelId, connectionId: main.sessionId, password: this.opts.password, canvas: offscreen, preferredCompression: pref },
      [offscreen],
    );
  }

  private fromWorker(channelId: number, d: DisplayHandle, m: FromDisplayWorker): void {
    switch (m.type) {
      case 'primary':
        d.width = m.width;
        d.height = m.height;
        this.ev.emit('display', { channelId, width: m.width, height: m.height });
        return;
      case 'first-frame':
        this.ev.emit('firstframe', { channelId, at: m.at });
        return;
      case 'screenshot': {
        const w = d.shots.get(m.id);
        d.shots.delete(m.id);
        if (m.blob) w?.resolve(m.blob);
        else w?.reject(new Error(m.error ?? 'screenshot failed'));
        return;
      }
      case 'closed':
        for (const s of d.shots.values()) s.reject(new Error('display channel closed'));
        d.shots.clear();
        this.channelError(`${channelTypeName(ChannelType.DISPLAY)}:${channelId}`, m);
        return;
      case 'stats':
        d.statsWaiters.get(m.id)?.(m.stats);
        d.statsWaiters.delete(m.id);
        return;
      case 'ready':
        return;
    }
  }

  private toWorker(d: DisplayHandle, m: ToDisplayWorker, transfer: Transferable[] = []): void {
    d.worker.postMessage(m, transfer);
  }

  private shutdown(): void {
    this.ended = true;
    const main = this.main;
    this.main = null;
    this.inputs?.close();
    this.cursor?.close();
    this.inputs = null;
    this.cursor = null;
    for (const [id, d] of this.displays) {
      this.toWorker(d, { type: 'close' });
      // let the worker close its socket cleanly before it goes
      setTimeout(() => d.worker.terminate(), 500);
      for (const s of d.shots.values()) s.reject(new Error('disconnected'));
      this.opts.dropCanvas?.(id);
    }
    this.displays.clear();
    main?.close();
  }

  private setStatus(s: SessionStatus): void {
    this.status = s;
    this.ev.emit('status', s);
  }
}

export { MouseMode };
