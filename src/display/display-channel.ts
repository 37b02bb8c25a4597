/**
 * Display channel (spice-protocol.md §5): link with our display caps, DISPLAY_INIT, optional
 * PREFERRED_COMPRESSION, then every message goes to a DisplayCore in order. Asynchronous work
 * (JPEG, ZLIB_GLZ inflate, M-JPEG frames) returns a promise that SpiceChannel awaits before the
 * next message, so draw order is the server's. A SpiceProtocolError from the core (malformed
 * message, codec failure, cache overflow) fails this channel only, with that typed error.
 *
 * Caches: one display worker per channel owns its image cache and GLZ window, so they cannot be
 * shared across channels the way spice-gtk shares them. The server shares a cache between the
 * channels that name the same id in DISPLAY_INIT; we therefore give each channel its own ids
 * (default 1 + channelId: channel 0 uses id 1 as spice-gtk does).
 */
import { GlzWindow } from '../codecs/glz';
import type { Inflate } from '../codecs/zlib-glz';
import { hasCap } from '../protocol/caps';
import { buildDisplayInit, buildPreferredCompression, buildPreferredVideoCodecs, buildStreamReport } from '../protocol/display';
import { ChannelType, DisplayCap, MsgcDisplay, VideoCodecType } from '../protocol/enums';
import type { SpiceReader } from '../protocol/reader';
import { SpiceChannel, type ChannelOptions } from '../channels/channel';
import { ImageCache, PIXMAP_CACHE_PIXELS } from './caches';
import { DisplayCore, GLZ_WINDOW_PIXELS, type MonitorsConfig } from './core';
import type { JpegDecoder } from './images';
import type { DrawSink } from './sink';
import type { Surface } from './surface';
import type { MmTime } from '../common/clock';
import type { Timers } from './video/scheduler';
import type { VideoDecoders } from './video/decoder';

export interface DisplayChannelOptions extends Omit<ChannelOptions, 'channelType' | 'channelId'> {
  channelId?: number;
  /** where surfaces and damage go (the worker's OffscreenCanvas sink, BufferSink in Node) */
  sink: DrawSink;
  /** JPEG decoder for JPEG/JPEG_ALPHA images and M-JPEG streams */
  jpeg?: JpegDecoder | null;
  inflate?: Inflate;
  /** SpiceImageCompression to request when the server has PREF_COMPRESSION */
  preferredCompression?: number;
  /** DISPLAY_INIT ids (default 1 + channelId) */
  pixmapCacheId?: number;
  glzDictionaryId?: number;
  /** total pixels of this channel's surfaces (default 64 Mi) */
  maxSurfacePixels?: number;
  /**
   * An existing core to continue (its surfaces, caches and GLZ window), e.g. the state of a
   * channel whose connection moved; the channel then does not dispose it on close: its owner does.
   */
  core?: DisplayCore;
  /** server multimedia time, for stream frame timing (default: none, frames show on decode) */
  mmTime?: MmTime;
  /**
   * VP8/VP9/H.264 decoders; their `supported` codecs are advertised (caps CODEC_*) and sent,
   * in `preferredVideoCodecs` order, as PREFERRED_VIDEO_CODEC_TYPE
   */
  video?: VideoDecoders | null;
  /** with mmTime: stream frames are drawn on the multimedia clock through these timers (see DisplayCoreOptions) */
  frameTimers?: Timers | null;
  /** SpiceVideoCodecType preference order (default: as `video.supported` lists them, then M-JPEG) */
  preferredVideoCodecs?: readonly number[];
}

export type DisplayChannelEvents = {
  /** the primary surface was created or re-created (new size): resize the canvas */
  primary: { width: number; height: number; surface: Surface };
  /** the primary surface was destroyed (monitor gone, or a mode change follows) */
  primaryDestroyed: { id: number };
  /** MARK: the first full image of the primary has arrived */
  mark: void;
  /** MONITORS_CONFIG: which rectangles of which surface are monitors */
  monitors: MonitorsConfig;
};

/**
 * Capabilities we implement (§5.7). Not (yet): A8_SURFACE (the Ropd ops still write A = 255 into
 * 8_A surfaces, see ops/region.ts opaqueMask). STREAM_REPORT and the VP8/VP9/H.264 codecs are
 * added per channel (channelCaps()).
 */
export const DISPLAY_CAPS: readonly number[] = [
  DisplayCap.SIZED_STREAM,
  DisplayCap.MONITORS_CONFIG,
  DisplayCap.COMPOSITE,
  DisplayCap.LZ4_COMPRESSION,
  DisplayCap.PREF_COMPRESSION,
  DisplayCap.MULTI_CODEC,
  DisplayCap.CODEC_MJPEG,
];

const VIDEO_CAPS: ReadonlyArray<[number, number]> = [
  [VideoCodecType.VP8, DisplayCap.CODEC_VP8],
  [VideoCodecType.H264, DisplayCap.CODEC_H264],
  [VideoCodecType.VP9, DisplayCap.CODEC_VP9],
];

export class DisplayChannel extends SpiceChannel<DisplayChannelEvents> {
  readonly core: DisplayCore;
  private readonly dopts: DisplayChannelOptions;
  private readonly ownsCore: boolean;

  constructor(opts: DisplayChannelOptions) {
    super({ ...opts, channelType: ChannelType.DISPLAY, channelId: opts.channelId ?? 0 });
    this.dopts = opts;
    this.ownsCore = !opts.core;
    this.core = opts.core ?? new DisplayCore({
      sink: opts.sink,
      jpeg: opts.jpeg ?? null,
      inflate: opts.inflate,
      imageCache: new ImageCache(PIXMAP_CACHE_PIXELS),
      glzWindow: new GlzWindow(GLZ_WINDOW_PIXELS),
      maxSurfacePixels: opts.maxSurfacePixels,
      waitFor: opts.waitFor,
      mmTime: opts.mmTime,
      video: opts.video,
      frameTimers: opts.frameTimers,
    });
    const ce = this.core.events;
    ce.on('primary', ({ surface }) => this.ev.emit('primary', { width: surface.width, height: surface.height, surface }));
    ce.on('primaryDestroyed', (e) => this.ev.emit('primaryDestroyed', e));
    ce.on('mark', () => {
      this.sendPreferredCodecs();
      this.ev.emit('mark', undefined);
    });
    ce.on('monitors', (m) => this.ev.emit('monitors', m));
    // STREAM_REPORTs go out on the channel the stream came on
    this.core.streams.onReport = (rep) => this.send(MsgcDisplay.STREAM_REPORT, buildStreamReport(rep));
  }

  protected channelCaps(): number[] {
    const caps = [...DISPLAY_CAPS];
    const v = this.dopts.video?.supported ?? [];
    // advertised only when the browser said it decodes them (VideoDecoder.isConfigSupported)
    if (v.length) caps.push(DisplayCap.PREF_VIDEO_CODEC_TYPE);
    // reports (video/report.ts) work for every codec, M-JPEG too
    caps.push(DisplayCap.STREAM_REPORT);
    for (const [codec, cap] of VIDEO_CAPS) if (v.includes(codec)) caps.push(cap);
    return caps;
  }

  /** our codec order for PREFERRED_VIDEO_CODEC_TYPE: the supported ones in preference order, M-JPEG last */
  get videoCodecOrder(): number[] {
    const v = this.dopts.video?.supported ?? [];
    const pref = this.dopts.preferredVideoCodecs ?? v;
    const order = pref.filter((c) => v.includes(c) || c === VideoCodecType.MJPEG);
    if (!order.includes(VideoCodecType.MJPEG)) order.push(VideoCodecType.MJPEG);
    return order;
  }

  protected override onLinked(_relinked: boolean): void {
    const id = this.channelId + 1;
    this.send(
      MsgcDisplay.INIT,
      buildDisplayInit({
        pixmapCacheId: this.dopts.pixmapCacheId ?? id,
        pixmapCacheSize: BigInt(this.core.images.maxPixels),
        glzDictionaryId: this.dopts.glzDictionaryId ?? id,
        glzDictionaryWindowSize: this.core.glz.maxPixels,
      }),
    );
    const pc = this.dopts.preferredCompression;
    if (pc !== undefined && hasCap(this.serverChannelCaps, DisplayCap.PREF_COMPRESSION)) {
      this.send(MsgcDisplay.PREFERRED_COMPRESSION, buildPreferredCompression(pc));
    }
    this.codecsSent = false;
  }

  private codecsSent = false;

  /**
   * PREFERRED_VIDEO_CODEC_TYPE, once per connection, after the first MARK rather than with
   * DISPLAY_INIT: spice-server 0.15 (Xspice), given the preference while a stream is already
   * running when the client connects, sends that stream's STREAM_CLIP before anything else and
   * then nothing at all (seen in e2e/video.spec.ts); after MARK the initial state is on the wire
   * and the server re-creates the stream with the preferred codec normally.
   */
  private sendPreferredCodecs(): void {
    if (this.codecsSent || !this.dopts.video?.supported.length || !hasCap(this.serverChannelCaps, DisplayCap.PREF_VIDEO_CODEC_TYPE)) return;
    this.codecsSent = true;
    // the server otherwise picks the first codec of its own list that we support (§10)
    this.send(MsgcDisplay.PREFERRED_VIDEO_CODEC_TYPE, buildPreferredVideoCodecs(this.videoCodecOrder));
  }

  protected handle(type: number, r: SpiceReader): void | Promise<void> {
    return this.core.handle(type, r);
  }

  protected override onClosed(): void {
    if (this.ownsCore) this.core.dispose();
  }
}
