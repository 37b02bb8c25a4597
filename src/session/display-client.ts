/**
 * The UI thread's handle on one display worker (hls.js transmuxer-interface is the model). It
 * speaks the typed worker contract (display/worker-messages.ts), numbers each connection of the
 * channel (connect, then every relink) with a generation and drops events of older generations,
 * matches request replies by id, and turns a crashed worker into a WORKER_ERROR instead of
 * letting it look like a protocol failure.
 */
import type { MmSync } from '../common/clock';
import { Emitter } from '../common/emitter';
import { clearLiveTimeout, countLive, liveTimeout } from '../common/live-counts';
import { ErrorDetails, ErrorTypes, type SpiceError } from '../common/errors';
import type { HeadRect } from '../display/heads';
import type { DisplayConnect, DisplayStats, FromDisplayWorker, ToDisplayWorker } from '../display/worker-messages';
import { ChannelType } from '../protocol/enums';
import type { WorkerLike } from './types';

export type DisplayClientEvents = {
  ready: void;
  primary: { width: number; height: number };
  heads: HeadRect[];
  firstframe: { at: number };
  /** the channel continues on the migration destination */
  migrated: void;
  /** the channel (or its worker) is gone; `error` when because of a problem */
  closed: { clean: boolean; reason: string; error?: SpiceError; local?: boolean };
};

/** after close(), how long the worker may take to close its socket before it is terminated */
export const WORKER_CLOSE_GRACE_MS = 500;

interface Pending {
  resolve: (v: never) => void;
  reject: (e: Error) => void;
}

export class DisplayClient {
  readonly ev = new Emitter<DisplayClientEvents>();
  heads: HeadRect[] = [];
  width = 0;
  height = 0;
  state: 'idle' | 'linking' | 'ready' | 'closed' = 'idle';
  /** events of replaced connections that were dropped (for tests and diagnostics) */
  staleDropped = 0;
  /** suspended with its session; the next session relinks it (DisplayFeature) */
  resumable = false;
  private gen = 0;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private terminated = false;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly channelId: number,
    private readonly worker: WorkerLike,
  ) {
    countLive('workers', 1);
    worker.onmessage = (e) => this.fromWorker(e.data);
    worker.onerror = (e) => this.crashed(e.message);
  }

  get generation(): number {
    return this.gen;
  }

  connect(c: Omit<DisplayConnect, 'type' | 'gen' | 'channelId'>): void {
    this.state = 'linking';
    const transfer: Transferable[] = c.canvas ? [c.canvas] : [];
    this.post({ type: 'connect', gen: ++this.gen, channelId: this.channelId, ...c }, transfer);
  }

  /**
   * Continue over a new connection; events of the old one are dropped from now on. Without
   * `fresh` the channel keeps its state (migration); with it, a new state on the same canvases
   * (reconnect to a new server session).
   */
  relink(o: { connectionId: number; password?: string; url?: string; fresh?: boolean }): void {
    if (this.terminated) return;
    this.state = 'linking';
    this.post({ type: 'relink', gen: ++this.gen, ...o });
  }

  /** link the channel's second connection to a migration destination (its proxy `url`) */
  prepareMigration(url: string, connectionId: number): Promise<void> {
    return this.request<{ ok: boolean; error?: string }>((id) => ({ type: 'migrate-prepare', id, url, connectionId })).then((r) => {
      if (!r.ok) throw new Error(r.error ?? 'the destination refused the display channel');
    });
  }

  cancelMigration(): void {
    this.post({ type: 'migrate-cancel' });
  }

  /** close the channel, keep the worker and its canvases (the last frame stays on screen) */
  suspend(): void {
    if (this.terminated) return;
    this.post({ type: 'suspend' });
  }

  attachHead(head: number, canvas: OffscreenCanvas): void {
    this.post({ type: 'head', head, canvas }, [canvas]);
  }

  mmTime(sync: MmSync): void {
    const { audioDelayMs, ...point } = sync;
    this.post(audioDelayMs === undefined ? { type: 'mm-time', sync: point } : { type: 'mm-time', sync: point, audioDelayMs });
  }

  /** PNG of head `head`'s exact pixels, or (shown) of what its canvas shows */
  screenshot(head = 0, shown = false): Promise<Blob> {
    return this.request<Blob>((id) => ({ type: 'screenshot', id, head, ...(shown ? { shown } : {}) }));
  }

  stats(): Promise<DisplayStats> {
    return this.request<DisplayStats>((id) => ({ type: 'stats', id }));
  }

  /** close the channel; the worker gets a moment to close its socket cleanly, then goes */
  close(): void {
    if (this.terminated) return;
    this.post({ type: 'close' });
    this.state = 'closed';
    this.rejectAll('disconnected');
    this.graceTimer ??= liveTimeout(() => this.terminate(), WORKER_CLOSE_GRACE_MS);
  }

  /** stop the worker now */
  terminate(): void {
    clearLiveTimeout(this.graceTimer);
    this.graceTimer = null;
    if (this.terminated) return;
    this.terminated = true;
    this.state = 'closed';
    this.worker.onmessage = null;
    this.worker.onerror = null;
    this.worker.terminate();
    countLive('workers', -1);
    this.rejectAll('display worker stopped');
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  private request<T>(make: (id: number) => ToDisplayWorker): Promise<T> {
    if (this.terminated) return Promise.reject(new Error(`display:${this.channelId} is closed`));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject });
      this.post(make(id));
    });
  }

  private post(m: ToDisplayWorker, transfer: Transferable[] = []): void {
    if (!this.terminated) this.worker.postMessage(m, transfer);
  }

  private fromWorker(m: FromDisplayWorker): void {
    if ('gen' in m && m.gen !== this.gen) {
      this.staleDropped++;
      return;
    }
    switch (m.type) {
      case 'ready':
        this.state = 'ready';
        this.ev.emit('ready', undefined);
        return;
      case 'primary':
        this.width = m.width;
        this.height = m.height;
        this.ev.emit('primary', { width: m.width, height: m.height });
        return;
      case 'heads':
        this.heads = m.heads;
        this.ev.emit('heads', m.heads);
        return;
      case 'first-frame':
        this.ev.emit('firstframe', { at: m.at });
        return;
      case 'screenshot': {
        const p = this.take(m.id);
        if (m.blob) p?.resolve(m.blob as never);
        else p?.reject(new Error(m.error ?? 'screenshot failed'));
        return;
      }
      case 'stats':
        this.take(m.id)?.resolve(m.stats as never);
        return;
      case 'migrate-prepared':
        this.take(m.id)?.resolve({ ok: m.ok, error: m.error } as never);
        return;
      case 'migrated':
        this.ev.emit('migrated', undefined);
        return;
      case 'closed':
        this.state = 'closed';
        this.ev.emit('closed', { clean: m.clean, reason: m.reason, error: m.error, local: this.graceTimer !== null });
        if (this.graceTimer) this.terminate(); // we asked it to close: it has
        return;
    }
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private rejectAll(why: string): void {
    for (const p of this.pending.values()) p.reject(new Error(`display:${this.channelId}: ${why}`));
    this.pending.clear();
  }

  private crashed(message: string): void {
    if (this.terminated) return;
    const error: SpiceError = {
      type: ErrorTypes.WORKER_ERROR,
      details: ErrorDetails.WORKER_CRASHED,
      fatal: false,
      message: `display:${this.channelId}: the display worker crashed: ${message || 'unknown error'}`,
      channel: { channelType: ChannelType.DISPLAY, channelId: this.channelId },
    };
    this.terminate();
    this.ev.emit('closed', { clean: false, reason: error.message, error });
  }
}
