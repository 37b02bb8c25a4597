// The harness test server: e2e/harness/test-server/test-server.c on the real spice-server library
// (Debian libspice-server-dev), compiled here with gcc at test time, fed a scenario of QXL commands
// built by `Scenario` below. The server library decides what goes on the wire (image encoders,
// marshallers) and renders the same commands with spice-common's software canvas into the
// primary surface memory we gave it; `grabSurface()` returns that memory: the pixel truth for
// lossless content, never produced by our own decoders.
//
//   const sc = new Scenario(320, 200);
//   sc.fill({ rect: { x: 0, y: 0, width: 320, height: 200 }, brush: { color: 0x336699 } });
//   sc.copy({ dest: { x: 10, y: 10, width: 64, height: 64 }, src: sc.bitmap(photo32(64, 64, 1)) });
//   const server = await startTestServer(sc, { imageCompression: 'lz' });
//   ... connect the client to server.port, await server.play(), ...
//   const truth = await server.grabSurface();   // { width, height, rgba }
//   await server.stop();
//
// QXL structures are laid out here byte by byte as spice-protocol's qxl_dev.h packs them (the
// offsets were checked with offsetof() against the installed header; see `LAYOUT`). Pointers are
// stored as arena offsets plus a relocation entry; test-server.c adds the arena's address.
//
// Size: the QXL byte layout is one unit checked against qxl_dev.h (LAYOUT offsets, the Arena, one
// Scenario method per draw command that writes those offsets); split it, and the offsets scatter.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, run, findFreePort, waitFor } from '../../scripts/lib/proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, 'test-server', 'test-server.c');

/** @typedef {{ x: number, y: number, width: number, height: number }} Rect */
/** @typedef {{ width: number, height: number, rgba: Buffer }} Image */
/** @typedef {{ color: number } | { pattern: number, pos?: { x: number, y: number } }} Brush  pattern: an image offset */
/** @typedef {{ bitmap: number, pos?: { x: number, y: number }, invers?: boolean }} QMask  bitmap: a 1-bit image offset */
/**
 * what every draw takes: target surface (0 = primary), clip rectangles, QXL effect, and the
 * off-screen surfaces a SURFACE source reads (see Scenario.drawable)
 * @typedef {{ surface?: number, clip?: Rect[], effect?: number, deps?: Array<{ surface: number, rect: Rect }> }} DrawCommon
 */

// values from spice-protocol (spice/enums.h, qxl_dev.h)
export const QXL = {
  CMD_DRAW: 1, CMD_SURFACE: 5,
  DRAW_FILL: 1, DRAW_OPAQUE: 2, DRAW_COPY: 3, COPY_BITS: 4, DRAW_BLEND: 5, DRAW_BLACKNESS: 6,
  DRAW_WHITENESS: 7, DRAW_INVERS: 8, DRAW_ROP3: 9, DRAW_STROKE: 10, DRAW_TEXT: 11,
  DRAW_TRANSPARENT: 12, DRAW_ALPHA_BLEND: 13, DRAW_COMPOSITE: 14,
  EFFECT_BLEND: 0, EFFECT_OPAQUE: 1,
  IMAGE_GROUP_DEVICE: 1, IMAGE_CACHE: 1,
  BITMAP_DIRECT: 1, BITMAP_TOP_DOWN: 4,
  IMAGE_BITMAP: 0, IMAGE_SURFACE: 104,
  SURFACE_CREATE: 0, SURFACE_DESTROY: 1,
};
export const ROPD = { INVERS_SRC: 1, INVERS_BRUSH: 2, INVERS_DEST: 4, OP_PUT: 8, OP_OR: 16, OP_AND: 32, OP_XOR: 64, OP_BLACKNESS: 128, OP_WHITENESS: 256, OP_INVERS: 512, INVERS_RES: 1024 };
/** SpiceBitmapFmt by our short names */
export const BITMAP_FMT = { '1le': 1, '1be': 2, '4le': 3, '4be': 4, '8': 5, '16': 6, '24': 7, '32': 8, rgba: 9, a8: 10 };
export const SURFACE_FMT = { xrgb: 32, argb: 96, '16_555': 16, '16_565': 80, a8: 8 };
export const STRING_FLAGS = { A1: 1, A4: 2, A8: 4 };

/** sizes of the packed structs we write (offsetof/sizeof on the installed qxl_dev.h) */
const LAYOUT = { drawable: 191, drawableUnion: 123, image: 18, bitmap: 30, surfaceCmd: 41 };

/** growable little-endian byte arena with pointer relocations */
class Arena {
  constructor() {
    this.buf = Buffer.alloc(1 << 16);
    this.size = 0;
    /** @type {number[]} */
    this.relocs = [];
  }
  /** @param {number} n @param {number} [align] @returns {number} offset of n zeroed bytes */
  alloc(n, align = 8) {
    const off = Math.ceil(this.size / align) * align;
    const end = off + n;
    if (end > this.buf.length) {
      let len = this.buf.length;
      while (len < end) len *= 2;
      const b = Buffer.alloc(len);
      this.buf.copy(b, 0, 0, this.size);
      this.buf = b;
    }
    this.size = end;
    return off;
  }
  /** @param {Uint8Array} bytes @returns {number} */
  bytes(bytes, align = 8) {
    const off = this.alloc(bytes.length, align);
    this.buf.set(bytes, off);
    return off;
  }
  /** @param {number} o @param {number} v */
  u8(o, v) { this.buf.writeUInt8(v & 0xff, o); }
  /** @param {number} o @param {number} v */
  u16(o, v) { this.buf.writeUInt16LE(v & 0xffff, o); }
  /** @param {number} o @param {number} v */
  i16(o, v) { this.buf.writeInt16LE(v, o); }
  /** @param {number} o @param {number} v */
  u32(o, v) { this.buf.writeUInt32LE(v >>> 0, o); }
  /** @param {number} o @param {number} v */
  i32(o, v) { this.buf.writeInt32LE(v | 0, o); }
  /** @param {number} o @param {number | bigint} v */
  u64(o, v) { this.buf.writeBigUInt64LE(BigInt(v), o); }
  /**
   * a pointer field at o to arena offset target (null stays 0, not relocated)
   * @param {number} o @param {number | null | undefined} target
   */
  ptr(o, target) {
    if (target === null || target === undefined) { this.u64(o, 0); return; }
    this.u64(o, target);
    this.relocs.push(o);
  }
  /** QXLRect { top, left, bottom, right } from x/y/width/height @param {number} o @param {Rect} r */
  rect(o, r) {
    this.i32(o, r.y); this.i32(o + 4, r.x); this.i32(o + 8, r.y + r.height); this.i32(o + 12, r.x + r.width);
  }
  /** @param {number} o @param {{ x: number, y: number }} p */
  point(o, p) { this.i32(o, p.x); this.i32(o + 4, p.y); }
}

/**
 * @typedef {object} BitmapSpec
 * @property {keyof typeof BITMAP_FMT} format
 * @property {number} width
 * @property {number} height
 * @property {Uint8Array} data      rows as SPICE stores them (stride bytes each), first row first
 * @property {number} [stride]      default: tight rows
 * @property {number[]} [palette]   xRGB entries (red in bits 16-23), for 1/4/8-bit formats
 * @property {boolean} [topDown]    default true; false = data's first row is the bottom one
 * @property {number} [cacheId]     QXL_IMAGE_CACHE with this unique id (the server may send FROM_CACHE)
 * @property {number} [paletteId]   palette unique id (0 = not cacheable)
 */

/** @param {keyof typeof BITMAP_FMT} format @param {number} width */
export function bitmapStride(format, width) {
  switch (format) {
    case '1le': case '1be': return (width + 7) >> 3;
    case '4le': case '4be': return (width + 1) >> 1;
    case '8': case 'a8': return width;
    case '16': return width * 2;
    case '24': return width * 3;
    default: return width * 4;
  }
}

/** A scenario: the QXL commands the test server hands the server library, in order. */
export class Scenario {
  /** @param {number} width @param {number} height primary surface (32-bit xRGB) */
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.arena = new Arena();
    /** @type {Array<[number, number]>} */
    this.cmds = [];
    this.nextUnique = 1000;
    /** what the scenario drew, for the spec's report */
    /** @type {string[]} */
    this.ops = [];
  }

  /** @param {BitmapSpec} b @returns {number} QXLImage offset */
  bitmap(b) {
    const a = this.arena;
    const stride = b.stride ?? bitmapStride(b.format, b.width);
    if (b.data.length < stride * b.height) throw new Error(`bitmap data ${b.data.length} < ${stride}x${b.height}`);
    const img = a.alloc(LAYOUT.image + LAYOUT.bitmap);
    const data = a.bytes(b.data);
    /** @type {number | null} */
    let pal = null;
    if (b.palette) {
      const p = a.alloc(10 + b.palette.length * 4);
      a.u64(p, b.paletteId ?? 0);
      a.u16(p + 8, b.palette.length);
      b.palette.forEach((c, i) => a.u32(p + 10 + i * 4, c));
      pal = p;
    }
    const unique = b.cacheId ?? this.nextUnique++;
    a.u64(img, (BigInt(unique) << 32n) | BigInt(QXL.IMAGE_GROUP_DEVICE));
    a.u8(img + 8, QXL.IMAGE_BITMAP);
    a.u8(img + 9, b.cacheId ? QXL.IMAGE_CACHE : 0);
    a.u32(img + 10, b.width);
    a.u32(img + 14, b.height);
    const bm = img + LAYOUT.image;
    a.u8(bm, BITMAP_FMT[b.format]);
    a.u8(bm + 1, QXL.BITMAP_DIRECT | (b.topDown === false ? 0 : QXL.BITMAP_TOP_DOWN));
    a.u32(bm + 2, b.width);
    a.u32(bm + 6, b.height);
    a.u32(bm + 10, stride);
    a.ptr(bm + 14, pal);
    a.ptr(bm + 22, data);
    return img;
  }

  /** a SURFACE image: draw from off-screen surface `id` @param {number} id @param {number} width @param {number} height @returns {number} */
  surfaceImage(id, width, height) {
    const a = this.arena;
    const img = a.alloc(LAYOUT.image + 4);
    a.u64(img, (BigInt(this.nextUnique++) << 32n) | 2n);
    a.u8(img + 8, QXL.IMAGE_SURFACE);
    a.u32(img + 10, width);
    a.u32(img + 14, height);
    a.u32(img + 18, id);
    return img;
  }

  /**
   * off-screen surface `id` (1..15) in process memory
   * @param {number} id @param {number} width @param {number} height @param {keyof typeof SURFACE_FMT} [format]
   */
  createSurface(id, width, height, format = 'xrgb') {
    const a = this.arena;
    const bpp = format === 'xrgb' || format === 'argb' ? 4 : format === 'a8' ? 1 : 2;
    const stride = Math.ceil(width * bpp / 4) * 4;
    const mem = a.alloc(stride * height, 64);
    const c = a.alloc(LAYOUT.surfaceCmd);
    a.u64(c, c + 1); // release_info.id: any non-zero tag
    a.u32(c + 8, id);
    a.u8(c + 12, QXL.SURFACE_CREATE);
    a.u32(c + 13, 0);
    a.u32(c + 17, SURFACE_FMT[format]);
    a.u32(c + 21, width);
    a.u32(c + 25, height);
    a.i32(c + 29, stride);
    a.ptr(c + 33, mem);
    this.cmds.push([QXL.CMD_SURFACE, c]);
    this.ops.push(`SURFACE_CREATE ${id} ${width}x${height} ${format}`);
  }

  /** @param {number} id */
  destroySurface(id) {
    const a = this.arena;
    const c = a.alloc(LAYOUT.surfaceCmd);
    a.u64(c, c + 1);
    a.u32(c + 8, id);
    a.u8(c + 12, QXL.SURFACE_DESTROY);
    this.cmds.push([QXL.CMD_SURFACE, c]);
    this.ops.push(`SURFACE_DESTROY ${id}`);
  }

  /**
   * common QXLDrawable header; returns the offset of its union
   * @param {number} type @param {Rect} bbox
   * @param {DrawCommon} o
   *   deps: the off-screen surfaces (and areas) a SURFACE source reads, so the server renders
   *   their pending draws first (surfaces_dest/surfaces_rects, as the QXL driver fills them)
   */
  drawable(type, bbox, o) {
    const a = this.arena;
    const d = a.alloc(LAYOUT.drawable);
    a.u64(d, d + 1);
    a.u32(d + 8, o.surface ?? 0);
    a.u8(d + 12, o.effect ?? QXL.EFFECT_BLEND);
    a.u8(d + 13, type);
    a.rect(d + 31, bbox);
    if (o.clip) {
      const cr = a.alloc(24 + o.clip.length * 16);
      a.u32(cr, o.clip.length);
      a.u32(cr + 4, o.clip.length * 16);
      o.clip.forEach((r, i) => a.rect(cr + 24 + i * 16, r));
      a.u32(d + 47, 1);
      a.ptr(d + 51, cr);
    }
    // surfaces_dest: -1 = no dependency on another surface's pending draws
    for (let i = 0; i < 3; i++) {
      const dep = o.deps?.[i];
      a.i32(d + 63 + i * 4, dep ? dep.surface : -1);
      if (dep) a.rect(d + 75 + i * 16, dep.rect);
    }
    this.cmds.push([QXL.CMD_DRAW, d]);
    return d + LAYOUT.drawableUnion;
  }

  /** QXLBrush at o: { color } (xRGB) or { pattern: image, pos } or none @param {number} o @param {Brush | undefined} brush */
  brushAt(o, brush) {
    const a = this.arena;
    if (!brush) { a.u32(o, 0); return; }
    if ('pattern' in brush) {
      a.u32(o, 2);
      a.ptr(o + 4, brush.pattern);
      a.point(o + 12, brush.pos ?? { x: 0, y: 0 });
    } else {
      a.u32(o, 1);
      a.u32(o + 4, brush.color);
    }
  }

  /** QXLQMask at o: { bitmap (1-bit image), pos, invers } @param {number} o @param {QMask | undefined} mask */
  maskAt(o, mask) {
    const a = this.arena;
    if (!mask) return;
    a.u8(o, mask.invers ? 1 : 0);
    a.point(o + 1, mask.pos ?? { x: 0, y: 0 });
    a.ptr(o + 9, mask.bitmap);
  }

  /**
   * DRAW_COPY (BLEND with `blend: true`)
   * @param {{ dest: Rect, src: number, srcArea?: Rect, rop?: number, scaleMode?: number, mask?: QMask, blend?: boolean } & DrawCommon} o
   */
  copy(o) {
    const a = this.arena;
    const u = this.drawable(o.blend ? QXL.DRAW_BLEND : QXL.DRAW_COPY, o.dest, o);
    a.ptr(u, o.src);
    a.rect(u + 8, o.srcArea ?? { x: 0, y: 0, width: o.dest.width, height: o.dest.height });
    a.u16(u + 24, o.rop ?? ROPD.OP_PUT);
    a.u8(u + 26, o.scaleMode ?? 1);
    this.maskAt(u + 27, o.mask);
    this.ops.push(o.blend ? 'BLEND' : 'COPY');
  }

  /** COPY_BITS: `dest` gets the pixels at srcPos (same surface) @param {{ dest: Rect, srcPos: { x: number, y: number } } & DrawCommon} o */
  copyBits(o) {
    const u = this.drawable(QXL.COPY_BITS, o.dest, o);
    this.arena.point(u, o.srcPos);
    this.ops.push('COPY_BITS');
  }

  /** @param {{ rect: Rect, brush: Brush, rop?: number, mask?: QMask } & DrawCommon} o */
  fill(o) {
    const a = this.arena;
    const u = this.drawable(QXL.DRAW_FILL, o.rect, o);
    this.brushAt(u, o.brush);
    a.u16(u + 20, o.rop ?? ROPD.OP_PUT);
    this.maskAt(u + 22, o.mask);
    this.ops.push('FILL');
  }

  /** @param {{ dest: Rect, src: number, srcArea?: Rect, brush: Brush, rop: number, scaleMode?: number, mask?: QMask } & DrawCommon} o */
  opaque(o) {
    const a = this.arena;
    const u = this.drawable(QXL.DRAW_OPAQUE, o.dest, o);
    a.ptr(u, o.src);
    a.rect(u + 8, o.srcArea ?? { x: 0, y: 0, width: o.dest.width, height: o.dest.height });
    this.brushAt(u + 24, o.brush);
    a.u16(u + 44, o.rop);
    a.u8(u + 46, o.scaleMode ?? 1);
    this.maskAt(u + 47, o.mask);
    this.ops.push('OPAQUE');
  }

  /** BLACKNESS / WHITENESS / INVERS @param {'blackness'|'whiteness'|'invers'} kind @param {{ rect: Rect, mask?: QMask } & DrawCommon} o */
  solidOp(kind, o) {
    const type = { blackness: QXL.DRAW_BLACKNESS, whiteness: QXL.DRAW_WHITENESS, invers: QXL.DRAW_INVERS }[kind];
    const u = this.drawable(type, o.rect, o);
    this.maskAt(u, o.mask);
    this.ops.push(kind.toUpperCase());
  }

  /** @param {{ dest: Rect, src: number, srcArea?: Rect, brush: Brush, rop3: number, scaleMode?: number, mask?: QMask } & DrawCommon} o */
  rop3(o) {
    const a = this.arena;
    const u = this.drawable(QXL.DRAW_ROP3, o.dest, o);
    a.ptr(u, o.src);
    a.rect(u + 8, o.srcArea ?? { x: 0, y: 0, width: o.dest.width, height: o.dest.height });
    this.brushAt(u + 24, o.brush);
    a.u8(u + 44, o.rop3);
    a.u8(u + 45, o.scaleMode ?? 1);
    this.maskAt(u + 46, o.mask);
    this.ops.push('ROP3');
  }

  /** @param {{ dest: Rect, src: number, srcArea?: Rect, srcColor: number, trueColor?: number } & DrawCommon} o */
  transparent(o) {
    const a = this.arena;
    const u = this.drawable(QXL.DRAW_TRANSPARENT, o.dest, o);
    a.ptr(u, o.src);
    a.rect(u + 8, o.srcArea ?? { x: 0, y: 0, width: o.dest.width, height: o.dest.height });
    a.u32(u + 24, o.srcColor);
    a.u32(u + 28, o.trueColor ?? o.srcColor);
    this.ops.push('TRANSPARENT');
  }

  /** @param {{ dest: Rect, src: number, srcArea?: Rect, alpha: number, flags?: number } & DrawCommon} o flags: 1 dest has alpha, 2 src has alpha */
  alphaBlend(o) {
    const a = this.arena;
    const u = this.drawable(QXL.DRAW_ALPHA_BLEND, o.dest, o);
    a.u16(u, o.flags ?? 0);
    a.u8(u + 2, o.alpha);
    a.ptr(u + 3, o.src);
    a.rect(u + 11, o.srcArea ?? { x: 0, y: 0, width: o.dest.width, height: o.dest.height });
    this.ops.push('ALPHA_BLEND');
  }

  /**
   * STROKE of polylines (28.4 fixed point from the integer/fractional points given)
   * @param {{ bbox: Rect, segments: Array<{ points: Array<{x: number, y: number}>, close?: boolean }>, brush: Brush, foreMode?: number, backMode?: number, width?: number, style?: number[], startWithGap?: boolean } & DrawCommon} o
   */
  stroke(o) {
    const a = this.arena;
    const segBytes = o.segments.reduce((n, s) => n + 8 + s.points.length * 8, 0);
    const p = a.alloc(24 + segBytes);
    a.u32(p, segBytes);
    a.u32(p + 4, segBytes);
    let s = p + 24;
    o.segments.forEach((seg, i) => {
      // QXL_PATH_BEGIN on the first, END on the last, CLOSE when asked
      let flags = 0;
      if (i === 0) flags |= 1;
      if (i === o.segments.length - 1) flags |= 2;
      if (seg.close) flags |= 8;
      a.u32(s, flags);
      a.u32(s + 4, seg.points.length);
      seg.points.forEach((pt, k) => { a.i32(s + 8 + k * 8, Math.round(pt.x * 16)); a.i32(s + 12 + k * 8, Math.round(pt.y * 16)); });
      s += 8 + seg.points.length * 8;
    });
    /** @type {number | null} */
    let style = null;
    if (o.style) {
      const st = a.alloc(o.style.length * 4);
      o.style.forEach((v, i) => a.i32(st + i * 4, Math.round(v * 16)));
      style = st;
    }
    const u = this.drawable(QXL.DRAW_STROKE, o.bbox, o);
    a.ptr(u, p);
    // QXLLineAttr: flags (8 styled, 4 start with gap), join, end, style_nseg, width, miter, style
    a.u8(u + 8, (o.style ? 8 : 0) | (o.startWithGap ? 4 : 0));
    a.u8(u + 11, o.style ? o.style.length : 0);
    a.i32(u + 12, Math.round((o.width ?? 0) * 16));
    a.ptr(u + 20, style);
    this.brushAt(u + 28, o.brush);
    a.u16(u + 48, o.foreMode ?? ROPD.OP_PUT);
    a.u16(u + 50, o.backMode ?? ROPD.OP_PUT);
    this.ops.push('STROKE');
  }

  /**
   * TEXT: raster glyphs
   * @param {{ bbox: Rect, backArea?: Rect, bpp: 1|4|8, glyphs: Array<{ x: number, y: number, originX?: number, originY?: number, width: number, height: number, data: Uint8Array }>, fore: Brush, back?: Brush, foreMode?: number, backMode?: number } & DrawCommon} o
   */
  text(o) {
    const a = this.arena;
    const rowBytes = (/** @type {number} */ w) => Math.floor((w * o.bpp + 7) / 8);
    const size = o.glyphs.reduce((n, g) => n + 20 + g.height * rowBytes(g.width), 0);
    const str = a.alloc(28 + size);
    a.u32(str, size);
    a.u16(str + 4, o.glyphs.length);
    a.u16(str + 6, { 1: STRING_FLAGS.A1, 4: STRING_FLAGS.A4, 8: STRING_FLAGS.A8 }[o.bpp]);
    a.u32(str + 8, size);
    let g = str + 28;
    for (const gl of o.glyphs) {
      const n = gl.height * rowBytes(gl.width);
      if (gl.data.length !== n) throw new Error(`glyph data ${gl.data.length} != ${n}`);
      a.point(g, { x: gl.x, y: gl.y });
      a.point(g + 8, { x: gl.originX ?? 0, y: gl.originY ?? 0 });
      a.u16(g + 16, gl.width);
      a.u16(g + 18, gl.height);
      a.buf.set(gl.data, g + 20);
      g += 20 + n;
    }
    const u = this.drawable(QXL.DRAW_TEXT, o.bbox, o);
    a.ptr(u, str);
    a.rect(u + 8, o.backArea ?? { x: 0, y: 0, width: 0, height: 0 });
    this.brushAt(u + 24, o.fore);
    this.brushAt(u + 44, o.back);
    a.u16(u + 64, o.foreMode ?? ROPD.OP_PUT);
    a.u16(u + 66, o.backMode ?? (o.back ? ROPD.OP_PUT : 0));
    this.ops.push(`TEXT a${o.bpp}`);
  }

  /**
   * DRAW_COMPOSITE (the server forwards it only to clients with the COMPOSITE capability)
   * @param {{ dest: Rect, op: number, src: number, mask?: number, srcOrigin?: {x: number, y: number}, maskOrigin?: {x: number, y: number}, srcRepeat?: number } & DrawCommon} o
   */
  composite(o) {
    const a = this.arena;
    const u = this.drawable(QXL.DRAW_COMPOSITE, o.dest, o);
    a.u32(u, (o.op & 0xff) | ((o.srcRepeat ?? 0) << 14));
    a.ptr(u + 4, o.src);
    a.ptr(u + 20, o.mask ?? null);
    const so = o.srcOrigin ?? { x: 0, y: 0 }, mo = o.maskOrigin ?? { x: 0, y: 0 };
    a.i16(u + 36, so.x); a.i16(u + 38, so.y); a.i16(u + 40, mo.x); a.i16(u + 42, mo.y);
    this.ops.push('COMPOSITE');
  }

  /** @returns {Buffer} the scenario file test-server.c reads */
  serialize() {
    const a = this.arena;
    const head = Buffer.alloc(28);
    head.write('SWTS', 0, 'latin1');
    head.writeUInt32LE(1, 4);
    head.writeUInt32LE(this.width, 8);
    head.writeUInt32LE(this.height, 12);
    head.writeUInt32LE(a.size, 16);
    head.writeUInt32LE(a.relocs.length, 20);
    head.writeUInt32LE(this.cmds.length, 24);
    const relocs = Buffer.alloc(a.relocs.length * 4);
    a.relocs.forEach((o, i) => relocs.writeUInt32LE(o, i * 4));
    const cmds = Buffer.alloc(this.cmds.length * 8);
    this.cmds.forEach(([t, o], i) => { cmds.writeUInt32LE(t, i * 8); cmds.writeUInt32LE(o, i * 8 + 4); });
    return Buffer.concat([head, a.buf.subarray(0, a.size), relocs, cmds]);
  }
}

/**
 * Compile test-server.c once per source hash into $TMPDIR/spice-web-test-server/ (binaries are
 * never committed). Needs gcc, pkg-config and libspice-server-dev (scripts/ensure-packages.mjs).
 * @returns {Promise<string>} path of the executable
 */
export async function buildTestServer() {
  const src = readFileSync(SOURCE);
  const flags = await run('pkg-config', ['--cflags', '--libs', 'spice-server']);
  if (flags.code !== 0) throw new Error(`pkg-config spice-server failed: ${flags.stderr} (install libspice-server-dev)`);
  const hash = createHash('sha256').update(src).update(flags.stdout).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), 'spice-web-test-server');
  const exe = path.join(dir, `test-server-${hash}`);
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const tmp = `${exe}.${process.pid}.tmp`;
  const args = ['-O2', '-Wall', '-Wextra', '-o', tmp, SOURCE, ...flags.stdout.toString().trim().split(/\s+/)];
  const r = await run('gcc', args, { timeout: 120_000 });
  if (r.code !== 0) throw new Error(`gcc ${args.join(' ')} failed:\n${r.stderr}`);
  renameSync(tmp, exe); // atomic: a concurrent build never sees a half-written binary
  return exe;
}

/**
 * @typedef {object} TestServerOptions
 * @property {'off'|'auto_glz'|'auto_lz'|'quic'|'glz'|'lz'|'lz4'} [imageCompression='off']
 * @property {'never'|'auto'|'always'} [jpeg='never']      jpeg-wan-compression
 * @property {'never'|'auto'|'always'} [zlibGlz='never']   zlib-glz-wan-compression
 * @property {string} [password]
 * @property {number} [recordRate=48000]  the record interface's rate: 48000 offers Opus (the library
 *   decodes it back to PCM), anything else is raw only
 */

/**
 * @typedef {object} TestServer
 * @property {string} host
 * @property {number} port
 * @property {() => Promise<void>} waitForClient   until a display channel client is attached
 * @property {() => Promise<void>} play             release the scenario's commands; resolves when the server took them all
 * @property {() => Promise<Image>} grabSurface      the server-rendered primary surface (alpha forced to 255: xRGB)
 * @property {() => Promise<void>} waitForRecordClient  until a client has linked the record channel
 * @property {() => Promise<void>} recordStart      RECORD_START to the client; what it sends is stored
 * @property {() => Promise<Recording>} recordStop  RECORD_STOP; what the library handed us since recordStart
 * @property {(left: number, right: number) => Promise<void>} recordVolume  RECORD_VOLUME
 * @property {(mute: boolean) => Promise<void>} recordMute  RECORD_MUTE
 * @property {() => string} logs
 * @property {() => Promise<void>} stop
 */

/**
 * what the server library received between record-start and record-stop: S16 stereo frames
 * (decoded by the library when they came as Opus), interleaved left, right
 * @typedef {{ frames: number, rate: number, left: Int16Array, right: Int16Array }} Recording
 */

/** wall-clock time of day with milliseconds, for the log */
const stamp = () => new Date().toISOString().slice(11, 23);

/**
 * Start the test server on 127.0.0.1 with `scenario` loaded (nothing is drawn before play()).
 * @param {Scenario} scenario
 * @param {TestServerOptions} [opts]
 * @returns {Promise<TestServer>}
 */
export async function startTestServer(scenario, opts = {}) {
  const exe = await buildTestServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'spice-web-ts-'));
  const file = path.join(dir, 'scenario.bin');
  writeFileSync(file, scenario.serialize());
  let out = '';
  let log = '';
  for (let attempt = 0; ; attempt++) {
    const port = await findFreePort();
    const args = ['--port', String(port), '--scenario', file, '--image-compression', opts.imageCompression ?? 'off',
      '--jpeg', opts.jpeg ?? 'never', '--zlib-glz', opts.zlibGlz ?? 'never'];
    if (opts.password) args.push('--password', opts.password);
    args.push('--record-rate', String(opts.recordRate ?? 48000));
    const proc = startProcess(exe, args, { name: 'test-server', stdio: ['pipe', 'pipe', 'pipe'] });
    out = '';
    log = `$ ${exe} ${args.join(' ')}\n`;
    // the log: what the server printed (stdout and stderr), each line with the time it arrived
    let lineStart = true;
    const addLog = (/** @type {string} */ text) => {
      const t = `[${stamp()}] `;
      log += (lineStart ? t : '') + text.replace(/\n(?=[^]*[^\n])/g, `\n${t}`);
      lineStart = text.endsWith('\n');
    };
    proc.child.stdout?.on('data', (d) => { out += d; addLog(String(d)); });
    proc.child.stderr?.on('data', (d) => { addLog(String(d)); });
    let exited = false;
    let stopping = false;
    // how it ended goes into the log: a signal (SIGABRT after a spice_assert, whose message is on
    // stderr above) or an exit code, and whether the harness had asked it to quit
    proc.exited.then(({ code, signal }) => {
      exited = true;
      addLog(`${lineStart ? '' : '\n'}test server exited: ${signal ? `signal ${signal}` : `code ${code}`}${stopping ? ' (after quit)' : ' (not asked to)'}\n`);
    });
    const ok = await waitFor(() => {
      if (exited) throw Object.assign(new Error(`test server exited:\n${log}`), { fatal: true });
      return out.includes(`listening ${port}`);
    }, { timeout: 10_000, what: 'test server to listen' }).then(() => true, (e) => {
      if (attempt < 3 && /spice_server_init failed/.test(log)) return false; // port taken meanwhile
      throw e;
    });
    if (!ok) { await proc.stop(1000); continue; }
    // every command goes into the log too, timed, so a log shows what the server was doing when it failed
    const send = (/** @type {string} */ l) => { addLog(`${lineStart ? '' : '\n'}> ${l}\n`); return proc.child.stdin?.write(`${l}\n`); };
    let dumps = 0;
    let recordings = 0;
    /** wait for a status line after `mark` in stdout; a line starting `fail` throws */
    const expectLine = (/** @type {number} */ mark, /** @type {RegExp} */ ok, /** @type {string} */ fail, /** @type {string} */ what) => waitFor(() => {
      if (exited) throw Object.assign(new Error(`test server exited:\n${log}`), { fatal: true });
      const tail = out.slice(mark);
      const bad = tail.split('\n').find((l) => l.startsWith(fail));
      if (bad) throw Object.assign(new Error(`${what}: ${bad}`), { fatal: true });
      const m = ok.exec(tail);
      return m ?? false;
    }, { timeout: 20_000, what });
    /** @type {TestServer & { recordFile?: string }} */
    const server = {
      host: '127.0.0.1',
      port,
      async waitForClient() {
        await waitFor(() => {
          if (exited) throw Object.assign(new Error(`test server exited:\n${log}`), { fatal: true });
          return /client-present 1/.test(out);
        }, { timeout: 20_000, what: 'a display client on the test server' });
      },
      async play() {
        send('go');
        await waitFor(() => {
          if (exited) throw Object.assign(new Error(`test server exited:\n${log}`), { fatal: true });
          return out.includes('played');
        }, { timeout: 20_000, what: 'the server to take every command' });
      },
      async grabSurface() {
        const n = ++dumps;
        const f = path.join(dir, `surface-${n}.bgrx`);
        const mark = out.length;
        send(`dump ${f}`);
        await waitFor(() => {
          if (exited) throw Object.assign(new Error(`test server exited:\n${log}`), { fatal: true });
          const tail = out.slice(mark);
          if (tail.includes('dump-failed')) throw Object.assign(new Error(`dump failed: ${tail}`), { fatal: true });
          return tail.includes('dumped');
        }, { timeout: 20_000, what: 'the surface dump' });
        const bgrx = readFileSync(f);
        const { width, height } = scenario;
        const rgba = Buffer.alloc(width * height * 4);
        for (let i = 0; i < width * height; i++) {
          rgba[i * 4] = bgrx[i * 4 + 2];
          rgba[i * 4 + 1] = bgrx[i * 4 + 1];
          rgba[i * 4 + 2] = bgrx[i * 4];
          rgba[i * 4 + 3] = 255;
        }
        return { width, height, rgba };
      },
      async waitForRecordClient() {
        // SPICE_CHANNEL_EVENT_INITIALIZED (2) for SPICE_CHANNEL_RECORD (6)
        await expectLine(0, /^channel 2 6 0$/m, 'record-failed', 'the client to link the record channel');
      },
      async recordStart() {
        const f = path.join(dir, `record-${++recordings}.s16`);
        const mark = out.length;
        send(`record-start ${f}`);
        await expectLine(mark, /record-started/, 'record-failed', 'record-start');
        server.recordFile = f;
      },
      async recordStop() {
        const mark = out.length;
        send('record-stop');
        const m = /** @type {RegExpExecArray} */ (await expectLine(mark, /record-stopped (\d+)/, 'record-failed', 'record-stop'));
        const buf = readFileSync(/** @type {string} */ (server.recordFile));
        const frames = buf.length >> 2;
        if (frames !== Number(m[1])) throw new Error(`record file has ${frames} frames, the server counted ${m[1]}`);
        const left = new Int16Array(frames), right = new Int16Array(frames);
        for (let i = 0; i < frames; i++) { left[i] = buf.readInt16LE(i * 4); right[i] = buf.readInt16LE(i * 4 + 2); }
        return { frames, rate: opts.recordRate ?? 48000, left, right };
      },
      async recordVolume(l, r) {
        const mark = out.length;
        send(`record-volume ${l} ${r}`);
        await expectLine(mark, /record-volume-set/, 'record-failed', 'record-volume');
      },
      async recordMute(m) {
        const mark = out.length;
        send(`record-mute ${m ? 1 : 0}`);
        await expectLine(mark, /record-mute-set/, 'record-failed', 'record-mute');
      },
      logs: () => log,
      async stop() {
        stopping = true;
        send('quit');
        const t = setTimeout(() => { void proc.stop(1000); }, 2000);
        await proc.exited;
        clearTimeout(t);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  }
}
