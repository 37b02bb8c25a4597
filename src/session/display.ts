/**
 * The display feature: one display worker per display channel the server lists, and the
 * monitors they show. A monitor is a (channel, head) pair (display/heads.ts); the MonitorHost
 * (the UI, or nothing in Node tests) gives a canvas for each new monitor and removes the canvases
 * of monitors that went away. Monitor index i (screenshot, stats) counts monitors ordered by
 * channel, then head.
 *
 * Across sessions (reconnect, connect again) the workers and their canvases stay: suspend()
 * closes the channels only, so the last frame stays on screen, and the next session relinks each
 * worker to a fresh channel state (`fresh`), which draws over it when its first frame comes.
 */
import type { MmSync } from '../common/clock';
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes } from '../common/errors';
import type { HeadRect } from '../display/heads';
import type { DisplayStats } from '../display/worker-messages';
import { ChannelType } from '../protocol/enums';
import type { ChannelId } from '../protocol/main';
import { DisplayClient } from './display-client';
import { withTarget } from './target-url';
import type { DisplayWorkerFactory, Migratable, SessionContext, SessionFeature } from './types';

export interface MonitorInfo extends HeadRect {
  channelId: number;
}

export interface MonitorHost {
  /** a canvas for monitor (channel, head) to give to its worker; null shows nothing (headless) */
  canvas(channelId: number, head: number): OffscreenCanvas | null;
  /** monitor (channel, head) is gone (the session ended or the server removed it) */
  drop(channelId: number, head: number): void;
}

export interface DisplayFeatureOptions {
  workers: DisplayWorkerFactory;
  /** where display workers connect (the proxy's WebSocket URL) */
  url: string;
  protocols?: string[];
  /** SpiceImageCompression to ask for */
  preferredCompression?: number;
  host?: MonitorHost;
}

export type DisplayEvents = {
  /** the monitor list changed (a channel's heads, sizes) */
  monitors: MonitorInfo[];
  /** first pixels of a primary surface reached the canvas (epoch ms) */
  firstframe: { channelId: number; at: number };
};

const headless: MonitorHost = { canvas: () => null, drop: () => undefined };

export class DisplayFeature implements SessionFeature {
  readonly ev = new Emitter<DisplayEvents>();
  readonly clients = new Map<number, DisplayClient>();
  private ctx: SessionContext | null = null;
  /** monitors that have a canvas, "channel:head" */
  private readonly shown = new Set<string>();

  constructor(private readonly opts: DisplayFeatureOptions) {}

  private get host(): MonitorHost {
    return this.opts.host ?? headless;
  }

  start(ctx: SessionContext): void {
    this.ctx = ctx;
    this.resuming = this.clients.size > 0;
  }

  /** true between start() after a suspend and the first channel list of the new session */
  private resuming = false;

  channels(list: readonly ChannelId[]): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const ids = new Set(list.filter((c) => c.type === ChannelType.DISPLAY).map((c) => c.id));
    if (this.resuming) {
      this.resuming = false;
      // display channels the new session does not have: gone with their monitors
      for (const [id, c] of [...this.clients]) if (!ids.has(id)) this.remove(id, c);
    }
    for (const id of ids) {
      const c = this.clients.get(id);
      if (!c || c.isTerminated) {
        if (c) this.remove(id, c); // its worker died while suspended: a new one
        this.open(id);
      } else if (c.resumable) {
        c.resumable = false;
        ctx.channelState({ channelType: ChannelType.DISPLAY, channelId: id }, 'linking');
        c.relink({ connectionId: ctx.connectionId, password: ctx.password, fresh: true, url: withTarget(this.opts.url, ctx.target) });
      }
    }
  }

  migratables(): Migratable[] {
    return [...this.clients.values()].filter((c) => !c.isTerminated).map((c) => ({
      label: `display:${c.channelId}`,
      prepare: (target: string, connectionId: number) => c.prepareMigration(withTarget(this.opts.url, target), connectionId),
      cancel: () => c.cancelMigration(),
    }));
  }

  suspend(): void {
    this.ctx = null;
    this.resuming = false;
    for (const c of this.clients.values()) {
      c.suspend();
      c.resumable = true;
    }
  }

  mmTime(sync: MmSync): void {
    for (const c of this.clients.values()) c.mmTime(sync);
  }

  /** every monitor, ordered by channel then head */
  get monitors(): MonitorInfo[] {
    const out: MonitorInfo[] = [];
    for (const id of [...this.clients.keys()].sort((a, b) => a - b)) for (const h of this.clients.get(id)!.heads) out.push({ channelId: id, ...h });
    return out;
  }

  screenshot(index = 0, shown = false): Promise<Blob> {
    const m = this.monitors[index];
    const c = m && this.clients.get(m.channelId);
    if (!m || !c) return Promise.reject(new Error(`no monitor ${index}`));
    return c.screenshot(m.head, shown);
  }

  stats(index = 0): Promise<DisplayStats> {
    const m = this.monitors[index];
    const c = m ? this.clients.get(m.channelId) : [...this.clients.values()][0];
    if (!c) return Promise.reject(new Error(`no monitor ${index}`));
    return c.stats();
  }

  /**
   * Continue display channel `channelId` (or all) over new connections, keeping surfaces, caches
   * and the GLZ window (live migration; reconnect to the same server instance).
   */
  relink(o: { connectionId: number; password?: string; url?: string }, channelId?: number): void {
    for (const c of this.clients.values()) {
      if (channelId !== undefined && c.channelId !== channelId) continue;
      this.ctx?.channelState({ channelType: ChannelType.DISPLAY, channelId: c.channelId }, 'linking');
      c.relink(o);
    }
  }

  stop(): void {
    const had = this.clients.size > 0;
    for (const [id, c] of [...this.clients]) this.remove(id, c, false);
    this.ctx = null;
    this.resuming = false;
    if (had) this.ev.emit('monitors', []);
  }

  /** close a display channel's worker and remove its monitors */
  private remove(id: number, c: DisplayClient, announce = true): void {
    c.close();
    this.clients.delete(id);
    for (const key of [...this.shown]) {
      if (!key.startsWith(`${id}:`)) continue;
      this.shown.delete(key);
      this.host.drop(id, Number(key.slice(key.indexOf(':') + 1)));
    }
    if (announce) this.ev.emit('monitors', this.monitors);
  }

  private open(channelId: number): void {
    const ctx = this.ctx;
    if (!ctx || this.clients.has(channelId)) return;
    const ref = { channelType: ChannelType.DISPLAY, channelId };
    let client: DisplayClient;
    try {
      client = new DisplayClient(channelId, this.opts.workers(channelId));
    } catch (e) {
      ctx.report({ type: ErrorTypes.WORKER_ERROR, details: ErrorDetails.WORKER_CRASHED, fatal: false, message: `display:${channelId}: cannot start a display worker: ${e instanceof Error ? e.message : String(e)}`, channel: ref });
      return;
    }
    this.clients.set(channelId, client);
    ctx.channelState(ref, 'linking');
    // events go to the session of the moment (this.ctx); none while suspended
    client.ev.on('ready', () => this.ctx?.channelState(ref, 'ready'));
    client.ev.on('heads', (heads) => this.layout(client, heads));
    client.ev.on('firstframe', (f) => this.ev.emit('firstframe', { channelId, at: f.at }));
    client.ev.on('closed', (c) => {
      const now = this.ctx;
      if (this.clients.get(channelId) !== client || !now) return;
      now.channelState(ref, 'closed');
      if (c.error) now.report(c.error);
      else if (!c.local) now.report({ type: ErrorTypes.NETWORK_ERROR, details: ErrorDetails.CHANNEL_CLOSED, fatal: false, message: `display:${channelId}: the server closed the channel (${c.reason})`, channel: ref });
    });
    const canvas = this.host.canvas(channelId, 0);
    if (canvas) this.shown.add(`${channelId}:0`);
    client.connect({
      url: withTarget(this.opts.url, ctx.target),
      protocols: this.opts.protocols,
      connectionId: ctx.connectionId,
      password: ctx.password,
      canvas: canvas ?? undefined,
      preferredCompression: this.opts.preferredCompression,
      mmSync: ctx.mm.lastSync ?? undefined,
    });
  }

  /** canvases for new heads, none for removed ones; then tell the UI */
  private layout(client: DisplayClient, heads: HeadRect[]): void {
    const id = client.channelId;
    const want = new Set(heads.map((h) => `${id}:${h.head}`));
    for (const key of [...this.shown]) {
      if (!key.startsWith(`${id}:`) || want.has(key)) continue;
      this.shown.delete(key);
      this.host.drop(id, Number(key.slice(key.indexOf(':') + 1)));
    }
    for (const h of heads) {
      const key = `${id}:${h.head}`;
      if (this.shown.has(key)) continue;
      const canvas = this.host.canvas(id, h.head);
      if (!canvas) continue;
      this.shown.add(key);
      client.attachHead(h.head, canvas);
    }
    this.ev.emit('monitors', this.monitors);
  }
}
