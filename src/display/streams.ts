/**
 * Video streams (spice-protocol.md §5.8): STREAM_CREATE / DATA / DATA_SIZED / CLIP / DESTROY /
 * DESTROY_ALL state, and M-JPEG frames drawn into the stream's dest rect on its surface as
 * spice-common's sw canvas put_image does: source x8r8g8b8, nearest scaling by the truncated
 * 16.16 factor when the frame and dest sizes differ, clipped to the stream clip (NONE = dest).
 * VP8, VP9 and H.264 frames go through a StreamVideo (video/decoder.ts: WebCodecs in the worker)
 * and then the same put. With an MmTime each frame's margin (its mm_time minus the server's
 * mm_time now, negative when it came late) is measured for the stream report and the stats
 * overlay; with Timers too (the worker) decoded frames go through a FrameScheduler
 * (video/scheduler.ts) and are drawn when the multimedia clock reaches them (lip-sync), late
 * ones dropped. Without Timers (Node tests of the draw order) frames are drawn once decoded.
 * A frame that is still a browser picture (video/picture.ts: WebCodecs, ImageDecoder) goes
 * straight to the canvas through the sink and reaches the surface's pixels only when something
 * needs them there (lazy-frames.ts).
 */
import type { MmTime } from '../common/clock';
import type { DecodedImage } from '../codecs/types';
import type { Clip, Rect, StreamCreate, StreamData } from '../protocol/display';
import { ImageScaleMode, Ropd, VideoCodecType } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import type { JpegDecoder, MaybePromise } from './images';
import { StreamVideo, type VideoDecoders } from './video/decoder';
import { isPicture, type PictureDecoder, type StreamFrame } from './video/picture';
import { LazyFrames, type PendingFrame } from './lazy-frames';
import { StreamReporter, type ActivateReport } from './video/report';
import { FrameScheduler, type Timers } from './video/scheduler';
import type { StreamReport } from '../protocol/display';
import { drawCopy } from './ops/rop';
import { drawRegion } from './ops/region';
import { extents } from './draw';
import type { DrawSink } from './sink';
import type { SurfaceStore } from './surfaces';
import type { Surface } from './surface';

/** SPICE_MAX_NUM_STREAMS (the server uses at most 50) */
export const MAX_STREAMS = 64;
const TOP_DOWN = 1;
/**
 * on the clock, frames of a stream in decode at once before the channel waits. 1: measured on
 * the loaded 2-core test machine, overlapping M-JPEG decodes (4) raised each frame's latency
 * (60 → 190 ms) until frames came out past their time and were dropped (10 → 3 fps shown);
 * the chain below keeps the overlap possible for a machine where it pays.
 */
const MAX_INFLIGHT = 1;

export interface StreamState {
  id: number;
  surfaceId: number;
  codecType: number;
  flags: number;
  width: number;
  height: number;
  dest: Rect;
  clip: Clip;
  frames: number;
  lastMmTime: number;
  /** the decoder of a VP8/VP9/H.264 stream (M-JPEG frames go to the JPEG decoder) */
  video: StreamVideo | null;
  /** set by STREAM_ACTIVATE_REPORT */
  reporter: StreamReporter | null;
  /** frames in decode (on the clock, decodes overlap) and the promise of the last one shown */
  inflight: number;
  tail: Promise<void>;
}

/** a decoded frame waiting for its time */
interface HeldFrame {
  st: StreamState;
  dest: Rect;
  img: StreamFrame;
}

const release = (f: StreamFrame | null) => {
  if (f && isPicture(f)) f.close();
};

/** arrival timing of stream frames against the server's multimedia time */
export interface StreamTiming {
  /** frames that arrived while the clock was synced */
  frames: number;
  /** of those, frames whose mm_time had already passed on arrival */
  late: number;
  /** sum of margins (ms; frame mm_time − mm_time now) */
  marginSum: number;
  minMargin: number;
  maxMargin: number;
}

export class Streams {
  private readonly map = new Map<number, StreamState>();
  /** STREAM_CREATEs by SpiceVideoCodecType, for stats and tests */
  readonly created = new Map<number, number>();
  /** frames drawn (all codecs), and frames not drawn (no key frame yet, decoder error) */
  presented = 0;
  dropped = 0;
  /** STREAM_REPORTs produced (the display channel sends them) */
  reports = 0;
  /** where STREAM_REPORTs go (the display channel) */
  onReport: ((r: StreamReport) => void) | null = null;
  readonly timing: StreamTiming = { frames: 0, late: 0, marginSum: 0, minMargin: Infinity, maxMargin: -Infinity };

  /** presents frames on the multimedia clock (null: drawn once decoded) */
  readonly scheduler: FrameScheduler<HeldFrame> | null;
  /** the audio output delay for STREAM_REPORT (ms), null while no audio plays */
  audioDelay: () => number | null = () => null;
  /** STREAM_DATA payload bytes received, for the bit rate */
  bytes = 0;
  /** SpiceVideoCodecType of the last STREAM_CREATE */
  lastCodec: number | null = null;
  /** frames received (all streams) */
  received = 0;
  /** time spent decoding stream frames (ms, from data to pixels) and frames decoded */
  decodeMs = 0;
  decoded = 0;
  /** frames that did not decode (on the clock they are dropped, not fatal) */
  decodeErrors = 0;
  /** M-JPEG frames as browser pictures (the worker's ImageDecoder); null: the JPEG decoder's pixels */
  pictures: PictureDecoder | null = null;
  /** frames on screen that have not reached their surface's pixels yet */
  readonly lazy: LazyFrames;

  constructor(
    private readonly surfaces: SurfaceStore,
    private readonly sink: DrawSink,
    private readonly jpeg: JpegDecoder | null,
    private readonly mm: MmTime | null = null,
    private readonly video: VideoDecoders | null = null,
    timers: Timers | null = null,
  ) {
    this.scheduler = mm && timers ? new FrameScheduler<HeldFrame>({
      mm,
      timers,
      present: (_id, f) => this.present(f.st, f.dest, f.img),
      audio: () => this.audioDelay() !== null,
      drop: (_id, f, why) => {
        release(f.img);
        if (why === 'discarded') return;
        this.dropped++;
        f.st.reporter?.drop();
      },
    }) : null;
    this.lazy = new LazyFrames((s, f, img) => this.put(s, f, img), (s, r) => this.sink.damage(s, r), (s) => this.surfaces.get(s.id) === s);
  }

  get(id: number): StreamState | undefined {
    return this.map.get(id);
  }

  get count(): number {
    return this.map.size;
  }

  create(c: StreamCreate): void {
    if (c.id >= MAX_STREAMS) throw new SpiceProtocolError('malformed', `stream id ${c.id} ≥ ${MAX_STREAMS}`);
    const video = c.codecType !== VideoCodecType.MJPEG && this.video?.supported.includes(c.codecType);
    if (c.codecType !== VideoCodecType.MJPEG && !video) throw new SpiceProtocolError('unsupported', `stream codec ${c.codecType} (not advertised)`);
    this.surfaces.target(c.surfaceId);
    this.map.get(c.id)?.video?.close();
    this.scheduler?.removeStream(c.id);
    this.created.set(c.codecType, (this.created.get(c.codecType) ?? 0) + 1);
    this.lastCodec = c.codecType;
    this.map.set(c.id, {
      id: c.id, surfaceId: c.surfaceId, codecType: c.codecType, flags: c.flags, width: c.streamWidth, height: c.streamHeight,
      dest: c.dest, clip: c.clip, frames: 0, lastMmTime: 0,
      video: video ? new StreamVideo(this.video!, c.codecType, c.streamWidth, c.streamHeight) : null,
      reporter: null,
      inflight: 0,
      tail: Promise.resolve(),
    });
  }

  /** STREAM_ACTIVATE_REPORT: report on this stream from now on (an unknown stream is skipped, like its clip) */
  activateReport(a: ActivateReport): void {
    const st = this.map.get(a.streamId);
    if (!st || a.maxWindowSize === 0) return;
    st.reporter = new StreamReporter(a, () => this.mm?.clock.now() ?? Date.now(), () => this.audioDelay());
  }

  /**
   * STREAM_CLIP for a stream we never got a CREATE for is skipped, not fatal: spice-server
   * (0.15, Xspice) sends the clip of a stream that was already running when this client
   * connected before any other display message (seen in e2e/video.spec.ts), and spice-gtk
   * likewise ignores it (channel-display.c display_handle_stream_clip: g_return_if_fail).
   */
  clip(id: number, clip: Clip): void {
    if (id >= MAX_STREAMS) throw new SpiceProtocolError('malformed', `stream id ${id} ≥ ${MAX_STREAMS}`);
    const st = this.map.get(id);
    if (st) st.clip = clip;
    else this.orphanClips++;
  }

  /** STREAM_CLIPs skipped because their stream was unknown */
  orphanClips = 0;

  destroy(id: number): void {
    this.map.get(id)?.video?.close();
    this.map.delete(id);
    this.scheduler?.removeStream(id);
  }

  destroyAll(): void {
    for (const st of this.map.values()) st.video?.close();
    this.map.clear();
    this.scheduler?.clear();
  }

  /** STREAM_DATA / STREAM_DATA_SIZED (the latter carries its own size and dest) */
  data(d: StreamData): MaybePromise<void> {
    const st = this.need(d.id);
    if (d.dest) {
      st.dest = d.dest;
      st.width = d.width!;
      st.height = d.height!;
    }
    st.frames++;
    st.lastMmTime = d.mmTime;
    this.received++;
    this.bytes += d.data.length;
    const margin = this.mm?.until(d.mmTime) ?? null;
    if (margin !== null) {
      const t = this.timing;
      t.frames++;
      if (margin < 0) t.late++;
      t.marginSum += margin;
      t.minMargin = Math.min(t.minMargin, margin);
      t.maxMargin = Math.max(t.maxMargin, margin);
    }
    const report = st.reporter?.frame(d.mmTime, margin);
    if (report) {
      this.reports++;
      this.onReport?.(report);
    }
    const dest = st.dest;
    const clock = this.mm?.clock;
    const t0 = clock?.now() ?? 0;
    const decodedNow = () => {
      if (!clock) return;
      this.decodeMs += clock.now() - t0;
      this.decoded++;
    };
    let decoding: Promise<StreamFrame | null>;
    if (st.video) decoding = st.video.frame(d.data, d.mmTime * 1000);
    else {
      const dec = this.pictures ?? this.jpeg;
      if (!dec) throw new SpiceProtocolError('unsupported', 'M-JPEG stream without a JPEG decoder');
      decoding = (dec(d.data) as Promise<StreamFrame>).catch((e: unknown) => {
        if (e instanceof SpiceProtocolError) throw e;
        throw new SpiceProtocolError('codec', `mjpeg frame: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
    const shown = (img: StreamFrame | null) => {
      if (img) this.show(st, dest, img, d.mmTime);
      else {
        this.dropped++;
        st.reporter?.drop();
      }
    };
    if (!this.scheduler) {
      // drawn once decoded, one frame at a time in message order: the channel waits for this
      // promise before the next message, so a draw after the frame lands on top of it
      return decoding.then((img) => {
        decodedNow();
        shown(img);
      });
    }
    // On the clock, frames are drawn at their time anyway, not in message order with draws, so
    // the channel could go on while a frame decodes (up to MAX_INFLIGHT, then it waits); frames
    // still reach the scheduler in stream order (the tail chain). A bad frame is dropped and
    // counted, as spice-gtk does.
    st.inflight++;
    const mine = decoding.then(
      (img) => {
        decodedNow();
        return img;
      },
      () => {
        this.decodeErrors++;
        return null;
      },
    );
    const tail = Promise.all([st.tail, mine]).then(([, img]) => {
      st.inflight--;
      shown(img);
    });
    st.tail = tail;
    return st.inflight >= MAX_INFLIGHT ? tail : undefined;
  }

  /** a decoded frame: to the scheduler, or drawn now */
  private show(st: StreamState, dest: Rect, img: StreamFrame, mmTime: number): void {
    if (this.map.get(st.id) !== st) return release(img); // destroyed while decoding
    if (this.scheduler) this.scheduler.push(st.id, mmTime, { st, dest, img });
    else this.present(st, dest, img);
  }

  private present(st: StreamState, dest: Rect, frame: StreamFrame): void {
    if (this.map.get(st.id) !== st) return release(frame); // destroyed while decoding
    this.presented++;
    const s = this.surfaces.get(st.surfaceId);
    if (!s || dest.right <= dest.left || dest.bottom <= dest.top) return release(frame);
    if (isPicture(frame)) {
      const region = drawRegion(s, dest, st.clip ?? [dest]);
      if (!region.length) return release(frame);
      const shown = this.sink.picture?.(s, frame, dest, region, !(st.flags & TOP_DOWN)) ?? false;
      this.lazy.add({ surface: s, picture: frame, dest, clip: st.clip, flags: st.flags, region, shown });
      return;
    }
    const e = this.put(s, { dest, clip: st.clip, flags: st.flags }, frame);
    if (e) this.sink.damage(s, e);
  }

  /** a frame's pixels into its surface (spice-common's put_image, see the header); the damaged extents */
  private put(s: Surface, f: Pick<PendingFrame, 'dest' | 'clip' | 'flags'>, frame: DecodedImage): Rect | null {
    const dest = f.dest;
    let px = frame.pixels;
    if (!(f.flags & TOP_DOWN)) {
      // bottom-up stream: the decoded frame's first row is the bottom row
      const w = frame.width, h = frame.height;
      px = new Uint32Array(w * h);
      for (let y = 0; y < h; y++) px.set(frame.pixels.subarray((h - 1 - y) * w, (h - y) * w), y * w);
    }
    const src = { width: frame.width, height: frame.height, pixels: px };
    const clip = f.clip ?? [dest];
    const srcArea = { top: 0, left: 0, bottom: frame.height, right: frame.width };
    drawCopy(s, dest, clip, src, true, srcArea, Ropd.OP_PUT, ImageScaleMode.NEAREST, null);
    return extents(drawRegion(s, dest, clip));
  }

  private need(id: number): StreamState {
    const st = this.map.get(id);
    if (!st) throw new SpiceProtocolError('malformed', `unknown stream ${id}`);
    return st;
  }
}
