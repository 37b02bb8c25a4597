/**
 * DisplayCore: everything between a parsed display-channel message and the pixels of its
 * surfaces (spice-protocol.md §5). It runs unchanged in the display worker and in Node replay
 * tests; it knows nothing of sockets (DisplayChannel feeds it) or canvases (a DrawSink presents
 * damage).
 *
 *   const core = new DisplayCore({ sink, jpeg });
 *   for (const m of messages) await core.handle(m.type, SpiceReader.of(m.body));
 *
 * `handle` returns undefined when the message was applied synchronously, or a Promise (JPEG,
 * ZLIB_GLZ, M-JPEG frames, INVAL_ALL_PIXMAPS waits) that the caller must await before the next
 * message. Bad input throws SpiceProtocolError only (codec failures as kind 'codec').
 */
import { GlzWindow } from '../codecs/glz';
import type { Inflate } from '../codecs/zlib-glz';
import type { WaitForChannel } from '../protocol/base';
import {
  parseCopyBits, parseDrawAlphaBlend, parseDrawComposite, parseDrawCopy, parseDrawFill, parseDrawMaskOnly, parseDrawOpaque, parseDrawRop3,
  parseDrawStroke, parseDrawText, parseDrawTransparent, parseInvalAllPixmaps, parseInvalList, parseInvalPalette, parseMode,
  parseMonitorsConfig, parseStreamActivateReport, parseStreamClip, parseStreamCreate, parseStreamData, parseStreamDataSized,
  parseSurfaceCreate, parseSurfaceDestroy, type MonitorHead, type Mode,
} from '../protocol/display';
import type { DisplayBase, SpiceImage } from '../protocol/display-types';
import { MsgDisplay, SurfaceFlags, SurfaceFmt } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import type { SpiceReader } from '../protocol/reader';
import type { MmTime } from '../common/clock';
import { Emitter } from '../common/emitter';
import { ImageCache, PaletteCache } from './caches';
import { Drawer } from './draw';
import { composite } from './draw-composite';
import { ImageResolver, isPromise, type JpegDecoder, type MaybePromise } from './images';
import type { DrawSink } from './sink';
import { Streams } from './streams';
import type { Timers } from './video/scheduler';
import type { VideoDecoders } from './video/decoder';
import type { Surface } from './surface';
import { SurfaceStore } from './surfaces';

/** The GLZ dictionary window we advertise in DISPLAY_INIT, in pixels (16 MiB of pixels). */
export const GLZ_WINDOW_PIXELS = 4 * 1024 * 1024;
/** SPICE_RES_TYPE_PIXMAP in INVAL_LIST */
const RES_TYPE_PIXMAP = 1;

export interface DisplayCoreOptions {
  sink: DrawSink;
  /** JPEG / JPEG_ALPHA images and M-JPEG frames; null refuses them ('unsupported') */
  jpeg?: JpegDecoder | null;
  /** zlib inflate for ZLIB_GLZ_RGB (default: DecompressionStream('deflate')) */
  inflate?: Inflate;
  /** session-wide state shared by all display channels (spice-protocol.md §5.6); default: own */
  imageCache?: ImageCache;
  glzWindow?: GlzWindow;
  paletteCache?: PaletteCache;
  /** total pixels of all surfaces (default 64 Mi) */
  maxSurfacePixels?: number;
  /** INVAL_ALL_PIXMAPS waits: resolves once channel (type, id) processed `serial` */
  waitFor?: (w: WaitForChannel) => Promise<void> | void;
  /** the server's multimedia time (stream frame timing); default none */
  mmTime?: MmTime;
  /** VP8/VP9/H.264 stream decoders (WebCodecs in the worker, a fake in tests); default none */
  video?: VideoDecoders | null;
  /** with mmTime: stream frames are drawn on the multimedia clock through these timers (lip-sync); default none: drawn once decoded */
  frameTimers?: Timers | null;
}

/** surface ids an op reads as images (SURFACE images in its source, mask or brush patterns) */
function surfacesRead(m: object): number[] {
  const ids: number[] = [];
  const image = (i: unknown) => {
    if (i && (i as SpiceImage).kind === 'surface') ids.push((i as SpiceImage & { kind: 'surface' }).surfaceId);
  };
  const o = m as { src?: unknown; mask?: unknown; brush?: unknown; foreBrush?: unknown; backBrush?: unknown };
  image(o.src);
  image(o.mask);
  if (o.mask) image((o.mask as { bitmap?: unknown }).bitmap);
  for (const b of [o.brush, o.foreBrush, o.backBrush]) if (b && (b as { type: number }).type === 2) image((b as { pattern: unknown }).pattern);
  return ids;
}

export interface MonitorsConfig {
  maxAllowed: number;
  heads: MonitorHead[];
}

export type DisplayCoreEvents = {
  /** a primary surface exists now (created, re-created with another size, or MODE) */
  primary: { surface: Surface };
  /** the primary surface went away */
  primaryDestroyed: { id: number };
  /** MARK: the primary received its first full image */
  mark: void;
  /** RESET: primary cleared, palettes dropped */
  reset: void;
  /** MONITORS_CONFIG with at least one head */
  monitors: MonitorsConfig;
  /** legacy MODE */
  mode: Mode;
};

export class DisplayCore {
  readonly events = new Emitter<DisplayCoreEvents>();
  readonly surfaces: SurfaceStore;
  readonly images: ImageCache;
  readonly palettes: PaletteCache;
  readonly glz: GlzWindow;
  readonly streams: Streams;
  private readonly resolver: ImageResolver;
  /** images received by SpiceImageType */
  get imageTypeCounts(): ReadonlyMap<number, number> {
    return this.resolver.typeCounts;
  }
  private readonly drawer: Drawer;
  private readonly sink: DrawSink;
  private readonly waitFor?: DisplayCoreOptions['waitFor'];
  /** the last MONITORS_CONFIG with heads */
  monitors: MonitorsConfig | null = null;
  /** messages applied, by type name (diagnostics, tests) */
  readonly counts = new Map<number, number>();

  constructor(o: DisplayCoreOptions) {
    this.sink = o.sink;
    this.waitFor = o.waitFor;
    this.surfaces = new SurfaceStore(o.sink, o.maxSurfacePixels);
    this.images = o.imageCache ?? new ImageCache();
    this.palettes = o.paletteCache ?? new PaletteCache();
    this.glz = o.glzWindow ?? new GlzWindow(GLZ_WINDOW_PIXELS);
    const jpeg = o.jpeg ?? null;
    this.resolver = new ImageResolver({
      images: this.images, palettes: this.palettes, glz: this.glz, jpeg, inflate: o.inflate,
      surface: (id) => this.surfaces.get(id),
    });
    this.drawer = new Drawer(this.surfaces, this.resolver, o.sink);
    this.streams = new Streams(this.surfaces, o.sink, jpeg, o.mmTime ?? null, o.video ?? null, o.frameTimers ?? null);
  }

  get primary(): Surface | null {
    return this.surfaces.primary;
  }

  /** Apply one display-channel message (type ≥ 101). */
  handle(type: number, r: SpiceReader): void | Promise<void> {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    const p = this.apply(type, r);
    if (isPromise(p)) return p.then(() => undefined);
  }

  private apply(type: number, r: SpiceReader): MaybePromise<unknown> {
    const d = this.drawer;
    switch (type) {
      case MsgDisplay.MODE: {
        const m = parseMode(r);
        const format = m.bits === 32 ? SurfaceFmt._32_xRGB : m.bits === 16 ? SurfaceFmt._16_555 : 0;
        if (!format) throw new SpiceProtocolError('unsupported', `MODE with ${m.bits} bits per pixel`);
        this.createSurface({ surfaceId: 0, width: m.width, height: m.height, format, flags: SurfaceFlags.PRIMARY });
        this.events.emit('mode', m);
        return;
      }
      case MsgDisplay.MARK:
        this.events.emit('mark', undefined);
        return;
      case MsgDisplay.RESET: {
        const p = this.surfaces.clearPrimary();
        if (p) this.streams.lazy.drop(p.id);
        this.palettes.clear();
        if (p) this.sink.damage(p, { top: 0, left: 0, bottom: p.height, right: p.width });
        this.events.emit('reset', undefined);
        return;
      }
      case MsgDisplay.COPY_BITS:
        return this.guard(parseCopyBits(r), (m) => d.copyBits(m), true);
      case MsgDisplay.INVAL_LIST:
        for (const e of parseInvalList(r)) if (e.type === RES_TYPE_PIXMAP) this.images.remove(e.id);
        return;
      case MsgDisplay.INVAL_ALL_PIXMAPS: {
        // wait until the listed channels processed the given serials, then clear (the other
        // channels may still use entries the server is about to reuse)
        const waits = parseInvalAllPixmaps(r);
        const ps: Promise<void>[] = [];
        if (this.waitFor) for (const w of waits) {
          const p = this.waitFor(w);
          if (p) ps.push(p);
        }
        if (!ps.length) return this.images.clear();
        return Promise.all(ps).then(() => this.images.clear());
      }
      case MsgDisplay.INVAL_PALETTE:
        return this.palettes.remove(parseInvalPalette(r));
      case MsgDisplay.INVAL_ALL_PALETTES:
        return this.palettes.clear();
      case MsgDisplay.STREAM_CREATE:
        return this.streams.create(parseStreamCreate(r));
      case MsgDisplay.STREAM_DATA:
        return this.streams.data(parseStreamData(r));
      case MsgDisplay.STREAM_DATA_SIZED:
        return this.streams.data(parseStreamDataSized(r));
      case MsgDisplay.STREAM_CLIP: {
        const c = parseStreamClip(r);
        return this.streams.clip(c.id, c.clip);
      }
      case MsgDisplay.STREAM_DESTROY:
        return this.streams.destroy(r.u32());
      case MsgDisplay.STREAM_DESTROY_ALL:
        return this.streams.destroyAll();
      case MsgDisplay.STREAM_ACTIVATE_REPORT:
        return this.streams.activateReport(parseStreamActivateReport(r));
      case MsgDisplay.DRAW_FILL:
        return this.guard(parseDrawFill(r), (m) => d.fill(m));
      case MsgDisplay.DRAW_OPAQUE:
        return this.guard(parseDrawOpaque(r), (m) => d.opaque(m));
      case MsgDisplay.DRAW_COPY:
      case MsgDisplay.DRAW_BLEND:
        return this.guard(parseDrawCopy(r), (m) => d.copy(m));
      case MsgDisplay.DRAW_BLACKNESS:
        return this.guard(parseDrawMaskOnly(r), (m) => d.maskOnly(m, 'black'));
      case MsgDisplay.DRAW_WHITENESS:
        return this.guard(parseDrawMaskOnly(r), (m) => d.maskOnly(m, 'white'));
      case MsgDisplay.DRAW_INVERS:
        return this.guard(parseDrawMaskOnly(r), (m) => d.maskOnly(m, 'invert'));
      case MsgDisplay.DRAW_ROP3:
        return this.guard(parseDrawRop3(r), (m) => d.rop3(m));
      case MsgDisplay.DRAW_STROKE:
        return this.guard(parseDrawStroke(r), (m) => d.stroke(m));
      case MsgDisplay.DRAW_TEXT:
        return this.guard(parseDrawText(r), (m) => d.text(m));
      case MsgDisplay.DRAW_TRANSPARENT:
        return this.guard(parseDrawTransparent(r), (m) => d.transparent(m));
      case MsgDisplay.DRAW_ALPHA_BLEND:
        return this.guard(parseDrawAlphaBlend(r), (m) => d.alphaBlend(m));
      case MsgDisplay.DRAW_COMPOSITE:
        return this.guard(parseDrawComposite(r), (m) => composite(m, this.surfaces, this.resolver, this.sink));
      case MsgDisplay.SURFACE_CREATE:
        return this.createSurface(parseSurfaceCreate(r));
      case MsgDisplay.SURFACE_DESTROY: {
        const id = parseSurfaceDestroy(r);
        const wasPrimary = this.surfaces.primaryId === id;
        this.streams.lazy.drop(id);
        this.surfaces.destroy(id);
        if (wasPrimary) this.events.emit('primaryDestroyed', { id });
        return;
      }
      case MsgDisplay.MONITORS_CONFIG: {
        const m = parseMonitorsConfig(r);
        if (m.heads.length === 0) return; // spice-gtk ignores an empty config
        this.monitors = m;
        this.events.emit('monitors', m);
        return;
      }
      case MsgDisplay.GL_SCANOUT_UNIX:
      case MsgDisplay.GL_DRAW:
        return; // local GL only; never sent to a client without GL_SCANOUT
      default:
        return; // a newer server's message we do not know (spice-gtk logs and skips)
    }
  }

  /**
   * A draw op that touches pixels of stream frames still only on screen waits until they reached
   * the surface (lazy-frames.ts): frames its box meets on the target (all of them when the op
   * reads the target, COPY_BITS), and all frames of a surface it reads as an image.
   */
  private guard<T extends DisplayBase>(m: T, draw: (m: T) => MaybePromise<unknown>, readsTarget = false): MaybePromise<unknown> {
    const lazy = this.streams.lazy;
    if (lazy.idle) return draw(m);
    const waits: Promise<void>[] = [];
    const target = lazy.settle(m.surfaceId, readsTarget ? null : m.box);
    if (target) waits.push(target);
    for (const id of surfacesRead(m)) {
      const p = lazy.settle(id, null);
      if (p) waits.push(p);
    }
    if (!waits.length) return draw(m);
    return Promise.all(waits).then(() => draw(m));
  }

  /** pending stream frames of every surface reach its pixels (before a screenshot or a repaint) */
  settleFrames(): Promise<void> | undefined {
    return this.streams.lazy.settleAll();
  }

  private createSurface(c: Parameters<SurfaceStore['create']>[0]): void {
    const hadPrimary = this.surfaces.primaryId;
    const before = hadPrimary === null ? null : this.surfaces.get(hadPrimary);
    const s = this.surfaces.create(c);
    if (s === before) return; // the same primary, kept
    if (this.surfaces.primaryId === s.id) this.events.emit('primary', { surface: s });
    else if (hadPrimary !== null && this.surfaces.primaryId === null) this.events.emit('primaryDestroyed', { id: hadPrimary });
  }

  /** Drop all state (channel closed). */
  dispose(): void {
    this.streams.destroyAll();
    this.streams.lazy.dropAll();
    this.surfaces.destroyAll();
  }
}
