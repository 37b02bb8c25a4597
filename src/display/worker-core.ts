/**
 * The display worker's logic without the worker (hls.js's transmuxer model): a typed message
 * switch around DisplayChannel. workers/display-worker.ts wraps it with the browser's pieces
 * (WebSocket, OffscreenCanvas sink, ImageDecoder, PNG encoder); Node tests run it in-thread with
 * a pipe transport and a pixel-buffer sink, so the session's worker protocol is tested for real.
 */
import { MmTime, realClock, type Clock } from '../common/clock';
import type { Transport } from '../channels/transport';
import { MsgDisplay, VideoCodecType, imageTypeName } from '../protocol/enums';
import type { RsaOaepEncrypt } from '../protocol/link';
import { DisplayChannel } from './display-channel';
import { headsOf, sameHeads, type HeadRect } from './heads';
import type { JpegDecoder } from './images';
import type { DrawSink } from './sink';
import type { Surface } from './surface';
import type { DisplayStats, FromDisplayWorker, ToDisplayWorker, VideoTotals } from './worker-messages';
import type { VideoDecoders } from './video/decoder';
import type { Timers } from './video/scheduler';
import type { PictureDecoder } from './video/picture';

/** a DrawSink that shows each head of the primary surface on its own canvas */
export interface HeadSink extends DrawSink {
  readonly primary: Surface | null;
  /** the monitor layout inside the primary surface */
  setHeads(heads: readonly HeadRect[]): void;
  /** a canvas for head `head` (the first one comes with connect) */
  attach(head: number, canvas: OffscreenCanvas): void;
  /** present pending damage now (before a screenshot) */
  flush(): void;
  /** PNG of what head `head`'s canvas shows now, or null without a canvas */
  canvasPng?(head: number): Promise<Blob> | null;
}

export interface DisplayWorkerEnv {
  post(m: FromDisplayWorker): void;
  transport(url: string, protocols?: string[]): Transport;
  encrypt: RsaOaepEncrypt;
  /** the sink; `firstFrame` when pixels of a new primary were first presented */
  sink(events: { firstFrame(): void }): HeadSink;
  jpeg: JpegDecoder | null;
  /** M-JPEG stream frames kept in the browser for the canvas (default: the JPEG decoder's pixels) */
  mjpeg?: PictureDecoder;
  /** PNG of `rect` of a surface, alpha forced opaque */
  png(s: Surface, rect: HeadRect): Promise<Blob>;
  clock?: Clock;
  /**
   * VP8/VP9/H.264 decoders: asked once, before the channel links, so the caps we advertise say
   * what this browser really decodes (WebCodecs isConfigSupported is asynchronous)
   */
  video?: () => Promise<VideoDecoders | null>;
  /** timers for presenting stream frames on the multimedia clock (lip-sync); none: frames drawn once decoded */
  frameTimers?: Timers;
}

const codecNames = new Map<number, string>(Object.entries(VideoCodecType).map(([k, v]) => [v as number, k]));
const videoCodecName = (c: number): string => codecNames.get(c) ?? String(c);

const msgNames = new Map<number, string>(Object.entries(MsgDisplay).map(([k, v]) => [v as number, k]));

export class DisplayWorkerCore {
  private channel: DisplayChannel | null = null;
  private sink: HeadSink | null = null;
  private gen = 0;
  private url = '';
  private protocols: string[] | undefined;
  private heads: HeadRect[] = [];
  readonly mm: MmTime;
  /** the audio output delay from the last sync, null while no audio plays */
  private audioDelayMs: number | null = null;

  constructor(private readonly env: DisplayWorkerEnv) {
    this.mm = new MmTime(env.clock ?? realClock);
  }

  handle(m: ToDisplayWorker): void {
    switch (m.type) {
      case 'connect':
        return this.connect(m);
      case 'relink': {
        const ch = this.channel;
        if (!ch || !this.params) return;
        this.gen = m.gen;
        if (m.url) this.url = m.url;
        if (m.password !== undefined) this.params.password = m.password;
        this.params.connectionId = m.connectionId;
        if (m.fresh) {
          // a new server session: new state, same sink (the canvases keep the last frame)
          ch.close('replaced by a new connection');
          this.open();
        } else {
          ch.relink(this.env.transport(this.url, this.protocols), { connectionId: m.connectionId, password: m.password });
        }
        return;
      }
      case 'suspend':
        this.channel?.close();
        return;
      case 'migrate-prepare': {
        const ch = this.channel;
        if (!ch) {
          this.env.post({ type: 'migrate-prepared', id: m.id, ok: false, error: 'no display channel' });
          return;
        }
        ch.prepareMigration(this.env.transport(m.url, this.protocols), m.connectionId).then(
          () => this.env.post({ type: 'migrate-prepared', id: m.id, ok: true }),
          (e: unknown) => this.env.post({ type: 'migrate-prepared', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
        return;
      }
      case 'migrate-cancel':
        this.channel?.cancelMigration();
        return;
      case 'head':
        // the new canvas is painted from the surface: stream frames shown only on the other
        // canvases must be in the surface first (lazy-frames.ts)
        return this.afterFrames(() => this.sink?.attach(m.head, m.canvas));
      case 'mm-time':
        this.mm.sync(m.sync.mmTime, m.sync.at);
        this.audioDelayMs = m.audioDelayMs ?? null;
        this.channel?.core.streams.scheduler?.reschedule();
        return;
      case 'screenshot':
        return this.screenshot(m.id, m.head, m.shown ?? false);
      case 'stats':
        this.env.post({ type: 'stats', id: m.id, stats: this.stats() });
        return;
      case 'close':
        if (this.opening) this.closedEarly = true;
        this.channel?.close();
        return;
    }
  }

  private connect(m: Extract<ToDisplayWorker, { type: 'connect' }>): void {
    if (this.channel || this.opening) return; // one channel per worker; relink moves it
    this.gen = m.gen;
    this.url = m.url;
    this.protocols = m.protocols;
    this.params = { channelId: m.channelId, connectionId: m.connectionId, password: m.password, preferredCompression: m.preferredCompression };
    if (m.mmSync) this.mm.sync(m.mmSync.mmTime, m.mmSync.at);
    const post = this.env.post;
    const sink = this.env.sink({ firstFrame: () => post({ type: 'first-frame', gen: this.gen, at: this.mm.clock.now() }) });
    this.sink = sink;
    if (m.canvas) sink.attach(0, m.canvas);
    const probe = this.env.video;
    if (!probe) return this.open();
    this.opening = true;
    probe().then(
      (video) => {
        this.video = video;
        this.open();
      },
      () => this.open(),
    );
  }

  private params: { channelId: number; connectionId: number; password: string; preferredCompression?: number } | null = null;
  /** the video decoders this browser has (probed once, before the first link: they decide our caps) */
  private video: VideoDecoders | null = null;
  private opening = false;
  /** 'close' came while the codecs were being probed: never open */
  private closedEarly = false;

  /** a DisplayChannel with a new core on the sink, for the current generation */
  private open(): void {
    this.opening = false;
    if (this.closedEarly) return;
    const p = this.params!;
    const post = this.env.post;
    const gen = this.gen;
    post({ type: 'codecs', gen: this.gen, video: this.video ? [...this.video.supported] : [] });
    const ch = new DisplayChannel({
      transport: this.env.transport(this.url, this.protocols),
      channelId: p.channelId,
      connectionId: p.connectionId,
      password: p.password,
      encrypt: this.env.encrypt,
      sink: this.sink!,
      jpeg: this.env.jpeg,
      preferredCompression: p.preferredCompression,
      mmTime: this.mm,
      video: this.video,
      frameTimers: this.env.frameTimers,
    });
    this.channel = ch;
    ch.core.streams.audioDelay = () => this.audioDelayMs;
    ch.core.streams.pictures = this.env.mjpeg ?? null;
    // events carry the generation their channel was opened (or last relinked) for
    const live = () => this.channel === ch;
    ch.ev.on('ready', () => live() && post({ type: 'ready', gen: this.gen }));
    ch.ev.on('primary', (pr) => {
      if (!live()) return;
      post({ type: 'primary', gen: this.gen, width: pr.width, height: pr.height });
      this.layout(true);
    });
    ch.ev.on('monitors', () => live() && this.layout(false));
    ch.ev.on('migrated', () => live() && post({ type: 'migrated', gen: this.gen }));
    ch.ev.on('closed', (c) => post({ type: 'closed', gen: live() ? this.gen : gen, clean: c.clean, reason: c.reason, error: c.error }));
    ch.start();
  }

  /**
   * Recompute the heads; tell the sink and the UI when they changed (or the primary was
   * re-created). A primary that goes away keeps its heads (and canvases) until the next one
   * comes: a mode change, a server restart or a closed channel must not blank the monitor.
   */
  private layout(force: boolean): void {
    const ch = this.channel!;
    const heads = headsOf(ch.core.primary, ch.core.monitors);
    if (!force && sameHeads(heads, this.heads)) return;
    this.heads = heads;
    const sink = this.sink!;
    this.afterFrames(() => sink.setHeads(heads));
    this.env.post({ type: 'heads', gen: this.gen, heads });
  }

  private screenshot(id: number, head: number, shown: boolean): void {
    const s = this.sink?.primary;
    const rect = this.heads.find((h) => h.head === head);
    if (!s || !rect) {
      this.env.post({ type: 'screenshot', id, blob: null, error: s ? `no head ${head}` : 'no primary surface yet' });
      return;
    }
    this.afterFrames(() => this.png(id, s, rect, shown));
  }

  /** run `fn` once stream frames shown only on the canvas reached their surface (lazy-frames.ts) */
  private afterFrames(fn: () => void): void {
    const p = this.channel?.core.settleFrames();
    if (p) p.then(fn, fn);
    else fn();
  }

  private png(id: number, s: Surface, rect: HeadRect, shown: boolean): void {
    const sink = this.sink!;
    sink.flush();
    const p = shown ? sink.canvasPng?.(rect.head) : this.env.png(s, rect);
    if (!p) {
      this.env.post({ type: 'screenshot', id, blob: null, error: `no canvas for head ${rect.head}` });
      return;
    }
    p.then(
      (blob) => this.env.post({ type: 'screenshot', id, blob }),
      (err: unknown) => this.env.post({ type: 'screenshot', id, blob: null, error: String(err) }),
    );
  }

  private stats(): DisplayStats {
    const messages: Record<string, number> = {};
    const imageTypes: Record<string, number> = {};
    const ch = this.channel;
    if (ch) {
      for (const [t, n] of ch.core.counts) messages[msgNames.get(t) ?? String(t)] = n;
      for (const [t, n] of ch.core.imageTypeCounts) imageTypes[imageTypeName(t)] = n;
    }
    const t = ch?.core.streams.timing;
    return {
      messages,
      imageTypes,
      streamTiming: { frames: t?.frames ?? 0, late: t?.late ?? 0, meanMarginMs: t && t.frames ? t.marginSum / t.frames : null },
      streams: {
        created: Object.fromEntries([...(ch?.core.streams.created ?? [])].map(([c, n]) => [videoCodecName(c), n])),
        presented: ch?.core.streams.presented ?? 0,
        dropped: ch?.core.streams.dropped ?? 0,
        active: ch?.core.streams.count ?? 0,
        reports: ch?.core.streams.reports ?? 0,
      },
      generation: ch?.generation ?? 0,
      video: this.videoTotals(),
    };
  }

  private videoTotals(): VideoTotals {
    const st = this.channel?.core.streams;
    const sch = st?.scheduler;
    return {
      at: this.mm.clock.now(),
      codec: st?.lastCodec != null ? videoCodecName(st.lastCodec) : null,
      received: st?.received ?? 0,
      bytes: st?.bytes ?? 0,
      presented: st?.presented ?? 0,
      dropped: st?.dropped ?? 0,
      decodeMs: st?.decodeMs ?? 0,
      decoded: st?.decoded ?? 0,
      held: sch?.stats.held ?? 0,
      late: sch?.stats.late ?? 0,
      resyncs: sch?.stats.resyncs ?? 0,
      pending: sch?.stats.pending ?? 0,
      offset: sch?.offsetPercentiles() ?? null,
      avOffset: sch?.avOffsetPercentiles() ?? null,
      audioDelayMs: this.audioDelayMs,
      readBack: st?.lazy.readBack ?? 0,
      superseded: st?.lazy.superseded ?? 0,
    };
  }
}
