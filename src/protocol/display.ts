/**
 * Display channel messages (spice-protocol.md §5): surfaces, draw ops, cache invalidation,
 * monitors config, streams. Parsing only; rendering is src/display.
 */
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';
import {
  parseBrush, parseClip, parseDisplayBase, parseImage, parsePoint, parsePoint16, parseQMask, parseRect,
  type Brush, type Clip, type DisplayBase, type Point, type QMask, type Rect, type SpiceImage,
} from './display-types';

export * from './display-types';

export interface SurfaceCreate {
  surfaceId: number;
  width: number;
  height: number;
  format: number;
  flags: number;
}
export function parseSurfaceCreate(r: SpiceReader): SurfaceCreate {
  const s = { surfaceId: r.u32(), width: r.u32(), height: r.u32(), format: r.u32(), flags: r.u32() };
  if (s.width === 0 || s.height === 0 || s.width > 16384 || s.height > 16384) {
    throw new SpiceProtocolError('malformed', `surface ${s.surfaceId} of ${s.width}x${s.height}`);
  }
  return s;
}
export function parseSurfaceDestroy(r: SpiceReader): number {
  return r.u32();
}

export interface Mode {
  width: number;
  height: number;
  bits: number;
}
export function parseMode(r: SpiceReader): Mode {
  return { width: r.u32(), height: r.u32(), bits: r.u32() };
}

export interface MonitorHead {
  monitorId: number;
  surfaceId: number;
  width: number;
  height: number;
  x: number;
  y: number;
  flags: number;
}
export function parseMonitorsConfig(r: SpiceReader): { maxAllowed: number; heads: MonitorHead[] } {
  const count = r.u16();
  const maxAllowed = r.u16();
  const heads: MonitorHead[] = [];
  for (let i = 0; i < count; i++) {
    heads.push({ monitorId: r.u32(), surfaceId: r.u32(), width: r.u32(), height: r.u32(), x: r.u32(), y: r.u32(), flags: r.u32() });
  }
  return { maxAllowed, heads };
}

export function parseInvalList(r: SpiceReader): Array<{ type: number; id: bigint }> {
  const n = r.u16();
  const out: Array<{ type: number; id: bigint }> = [];
  for (let i = 0; i < n; i++) out.push({ type: r.u8(), id: r.u64() });
  return out;
}

export function parseInvalAllPixmaps(r: SpiceReader): Array<{ channelType: number; channelId: number; serial: bigint }> {
  const n = r.u8();
  const out: Array<{ channelType: number; channelId: number; serial: bigint }> = [];
  for (let i = 0; i < n; i++) out.push({ channelType: r.u8(), channelId: r.u8(), serial: r.u64() });
  return out;
}

export function parseInvalPalette(r: SpiceReader): bigint {
  return r.u64();
}

export interface CopyBits extends DisplayBase {
  srcPos: Point;
}
export function parseCopyBits(r: SpiceReader): CopyBits {
  return { ...parseDisplayBase(r), srcPos: parsePoint(r) };
}

export interface DrawFill extends DisplayBase {
  brush: Brush;
  ropd: number;
  mask: QMask;
}
export function parseDrawFill(r: SpiceReader): DrawFill {
  const b = parseDisplayBase(r);
  return { ...b, brush: parseBrush(r), ropd: r.u16(), mask: parseQMask(r) };
}

/** COPY and BLEND share a layout */
export interface DrawCopy extends DisplayBase {
  src: SpiceImage | null;
  srcArea: Rect;
  ropd: number;
  scaleMode: number;
  mask: QMask;
}
export function parseDrawCopy(r: SpiceReader): DrawCopy {
  const b = parseDisplayBase(r);
  const ptr = r.u32();
  const srcArea = parseRect(r);
  const ropd = r.u16();
  const scaleMode = r.u8();
  const mask = parseQMask(r);
  return { ...b, src: ptr ? parseImage(r, ptr) : null, srcArea, ropd, scaleMode, mask };
}

export interface DrawOpaque extends DrawCopy {
  brush: Brush;
}
export function parseDrawOpaque(r: SpiceReader): DrawOpaque {
  const b = parseDisplayBase(r);
  const ptr = r.u32();
  const srcArea = parseRect(r);
  const brush = parseBrush(r);
  const ropd = r.u16();
  const scaleMode = r.u8();
  const mask = parseQMask(r);
  return { ...b, src: ptr ? parseImage(r, ptr) : null, srcArea, brush, ropd, scaleMode, mask };
}

/** BLACKNESS, WHITENESS, INVERS */
export interface DrawMaskOnly extends DisplayBase {
  mask: QMask;
}
export function parseDrawMaskOnly(r: SpiceReader): DrawMaskOnly {
  const b = parseDisplayBase(r);
  return { ...b, mask: parseQMask(r) };
}

export interface DrawRop3 extends DisplayBase {
  src: SpiceImage | null;
  srcArea: Rect;
  brush: Brush;
  rop3: number;
  scaleMode: number;
  mask: QMask;
}
export function parseDrawRop3(r: SpiceReader): DrawRop3 {
  const b = parseDisplayBase(r);
  const ptr = r.u32();
  const srcArea = parseRect(r);
  const brush = parseBrush(r);
  const rop3 = r.u8();
  const scaleMode = r.u8();
  const mask = parseQMask(r);
  return { ...b, src: ptr ? parseImage(r, ptr) : null, srcArea, brush, rop3, scaleMode, mask };
}

export interface DrawTransparent extends DisplayBase {
  src: SpiceImage | null;
  srcArea: Rect;
  srcColor: number;
  trueColor: number;
}
export function parseDrawTransparent(r: SpiceReader): DrawTransparent {
  const b = parseDisplayBase(r);
  const ptr = r.u32();
  const srcArea = parseRect(r);
  return { ...b, src: ptr ? parseImage(r, ptr) : null, srcArea, srcColor: r.u32(), trueColor: r.u32() };
}

export interface DrawAlphaBlend extends DisplayBase {
  alphaFlags: number;
  alpha: number;
  src: SpiceImage | null;
  srcArea: Rect;
}
export function parseDrawAlphaBlend(r: SpiceReader): DrawAlphaBlend {
  const b = parseDisplayBase(r);
  const alphaFlags = r.u8();
  const alpha = r.u8();
  const ptr = r.u32();
  const srcArea = parseRect(r);
  return { ...b, alphaFlags, alpha, src: ptr ? parseImage(r, ptr) : null, srcArea };
}

export interface PathSegment {
  flags: number;
  /** 28.4 fixed-point coordinates */
  points: Point[];
}
export interface DrawStroke extends DisplayBase {
  path: PathSegment[];
  lineFlags: number;
  /** 28.4 fixed-point dash lengths, when STYLED */
  style: number[];
  brush: Brush;
  foreMode: number;
  backMode: number;
}
export function parseDrawStroke(r: SpiceReader): DrawStroke {
  const b = parseDisplayBase(r);
  const pathPtr = r.u32();
  const lineFlags = r.u8();
  const style: number[] = [];
  if (lineFlags & 8) {
    const nseg = r.u8();
    const sp = r.u32();
    if (sp) {
      const sr = r.at(sp);
      for (let i = 0; i < nseg; i++) style.push(sr.i32());
    }
  }
  const brush = parseBrush(r);
  const foreMode = r.u16();
  const backMode = r.u16();
  const path: PathSegment[] = [];
  if (pathPtr) {
    const pr = r.at(pathPtr);
    const n = pr.u32();
    if (n > pr.remaining) throw new SpiceProtocolError('truncated', `path with ${n} segments`);
    for (let i = 0; i < n; i++) {
      const flags = pr.u8();
      const count = pr.u32();
      if (count * 8 > pr.remaining) throw new SpiceProtocolError('truncated', `path segment with ${count} points`);
      const points: Point[] = [];
      for (let k = 0; k < count; k++) points.push(parsePoint(pr));
      path.push({ flags, points });
    }
  }
  return { ...b, path, lineFlags, style, brush, foreMode, backMode };
}

export interface Glyph {
  renderPos: Point;
  glyphOrigin: Point;
  width: number;
  height: number;
  data: Uint8Array;
}
export interface DrawText extends DisplayBase {
  /** raster flags: 1 A1, 2 A4, 4 A8, 8 TOP_DOWN */
  strFlags: number;
  glyphs: Glyph[];
  backArea: Rect;
  foreBrush: Brush;
  backBrush: Brush;
  foreMode: number;
  backMode: number;
}
export function parseDrawText(r: SpiceReader): DrawText {
  const b = parseDisplayBase(r);
  const strPtr = r.u32();
  const backArea = parseRect(r);
  const foreBrush = parseBrush(r);
  const backBrush = parseBrush(r);
  const foreMode = r.u16();
  const backMode = r.u16();
  const glyphs: Glyph[] = [];
  let strFlags = 0;
  if (strPtr) {
    const sr = r.at(strPtr);
    const len = sr.u16();
    strFlags = sr.u8();
    const bpp = strFlags & 1 ? 1 : strFlags & 2 ? 4 : strFlags & 4 ? 8 : 0;
    if (!bpp) throw new SpiceProtocolError('malformed', `text raster flags ${strFlags}`);
    for (let i = 0; i < len; i++) {
      const renderPos = parsePoint(sr);
      const glyphOrigin = parsePoint(sr);
      const width = sr.u16();
      const height = sr.u16();
      const data = sr.bytesView(Math.ceil((bpp * width) / 8) * height);
      glyphs.push({ renderPos, glyphOrigin, width, height, data });
    }
  }
  return { ...b, strFlags, glyphs, backArea, foreBrush, backBrush, foreMode, backMode };
}

/** 2×3 matrix, 16.16 fixed point */
export type Transform = [number, number, number, number, number, number];
export interface DrawComposite extends DisplayBase {
  flags: number;
  src: SpiceImage;
  mask: SpiceImage | null;
  srcTransform: Transform | null;
  maskTransform: Transform | null;
  srcOrigin: Point;
  maskOrigin: Point;
}
export const CompositeFlags = { HAS_MASK: 1 << 19, HAS_SRC_TRANSFORM: 1 << 20, HAS_MASK_TRANSFORM: 1 << 21 } as const;
function parseTransform(r: SpiceReader): Transform {
  return [r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32()];
}
export function parseDrawComposite(r: SpiceReader): DrawComposite {
  const b = parseDisplayBase(r);
  const flags = r.u32();
  const srcPtr = r.u32();
  const maskPtr = flags & CompositeFlags.HAS_MASK ? r.u32() : 0;
  const srcTransform = flags & CompositeFlags.HAS_SRC_TRANSFORM ? parseTransform(r) : null;
  const maskTransform = flags & CompositeFlags.HAS_MASK_TRANSFORM ? parseTransform(r) : null;
  const srcOrigin = parsePoint16(r);
  const maskOrigin = parsePoint16(r);
  return {
    ...b, flags, src: parseImage(r, srcPtr), mask: maskPtr ? parseImage(r, maskPtr) : null,
    srcTransform, maskTransform, srcOrigin, maskOrigin,
  };
}

export interface StreamCreate {
  surfaceId: number;
  id: number;
  flags: number;
  codecType: number;
  stamp: bigint;
  streamWidth: number;
  streamHeight: number;
  srcWidth: number;
  srcHeight: number;
  dest: Rect;
  clip: Clip;
}
export function parseStreamCreate(r: SpiceReader): StreamCreate {
  return {
    surfaceId: r.u32(), id: r.u32(), flags: r.u8(), codecType: r.u8(), stamp: r.u64(),
    streamWidth: r.u32(), streamHeight: r.u32(), srcWidth: r.u32(), srcHeight: r.u32(),
    dest: parseRect(r), clip: parseClip(r),
  };
}
export interface StreamData {
  id: number;
  mmTime: number;
  width?: number;
  height?: number;
  dest?: Rect;
  data: Uint8Array;
}
export function parseStreamData(r: SpiceReader): StreamData {
  const id = r.u32();
  const mmTime = r.u32();
  const size = r.u32();
  return { id, mmTime, data: r.bytesView(size) };
}
export function parseStreamDataSized(r: SpiceReader): StreamData {
  const id = r.u32();
  const mmTime = r.u32();
  const width = r.u32();
  const height = r.u32();
  const dest = parseRect(r);
  const size = r.u32();
  return { id, mmTime, width, height, dest, data: r.bytesView(size) };
}
export function parseStreamClip(r: SpiceReader): { id: number; clip: Clip } {
  return { id: r.u32(), clip: parseClip(r) };
}
export function parseStreamActivateReport(r: SpiceReader): { streamId: number; uniqueId: number; maxWindowSize: number; timeoutMs: number } {
  return { streamId: r.u32(), uniqueId: r.u32(), maxWindowSize: r.u32(), timeoutMs: r.u32() };
}

export interface DisplayInit {
  pixmapCacheId: number;
  /** in pixels (bytes / 4) */
  pixmapCacheSize: bigint;
  glzDictionaryId: number;
  /** in pixels (bytes / 4) */
  glzDictionaryWindowSize: number;
}
export function buildDisplayInit(i: DisplayInit): Uint8Array {
  return new SpiceWriter(14).u8(i.pixmapCacheId).i64(i.pixmapCacheSize).u8(i.glzDictionaryId).i32(i.glzDictionaryWindowSize).finish();
}
export function buildPreferredCompression(c: number): Uint8Array {
  return new SpiceWriter(1).u8(c).finish();
}

/** PREFERRED_VIDEO_CODEC_TYPE: u8 num, u8 codecs[num] (SpiceVideoCodecType, best first) */
export function buildPreferredVideoCodecs(codecs: readonly number[]): Uint8Array {
  const w = new SpiceWriter(1 + codecs.length).u8(codecs.length);
  for (const c of codecs) w.u8(c);
  return w.finish();
}

export interface StreamReport {
  streamId: number;
  /** echoes STREAM_ACTIVATE_REPORT's unique_id (the server ignores a mismatch) */
  uniqueId: number;
  startFrameMmTime: number;
  endFrameMmTime: number;
  numFrames: number;
  numDrops: number;
  /** the last frame's margin, ms: its mm_time − the mm_time now (negative = late) */
  lastFrameDelay: number;
  /** the audio playback delay, ms, or 0xFFFFFFFF without audio */
  audioDelay: number;
}

/** STREAM_REPORT (spice-protocol.md §5.8, MsgcDisplay 102) */
export function buildStreamReport(s: StreamReport): Uint8Array {
  return new SpiceWriter(32)
    .u32(s.streamId).u32(s.uniqueId).u32(s.startFrameMmTime >>> 0).u32(s.endFrameMmTime >>> 0)
    .u32(s.numFrames).u32(s.numDrops).i32(s.lastFrameDelay | 0).u32(s.audioDelay >>> 0)
    .finish();
}
