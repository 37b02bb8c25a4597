import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Rect } from '../../protocol/display-types';
import { SurfaceFmt } from '../../protocol/enums';
import { SpiceProtocolError } from '../../protocol/errors';
import { createSurface, type Surface } from '../surface';
import { CompositeFlag, drawComposite, type CompositeParams } from './composite';
import { Op } from './combine';
import type { Affine } from './sample';

// ---- independent reference: Porter-Duff on premultiplied 8-bit values, products rounded ----
const rnd = (x: number) => Math.round(x);
/** [r, g, b, a] → our u32 0xAABBGGRR */
const px = (r: number, g: number, b: number, a: number) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
const ch = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
/** result = min(255, s·Fa + d·Fb) per channel, each product rounded on its own */
function pdRef(s: number, d: number, fa: (sa: number, da: number) => number, fb: (sa: number, da: number) => number): number {
  const S = ch(s), D = ch(d), sa = S[3], da = D[3];
  const o = S.map((sc, k) => Math.min(255, rnd((sc * fa(sa, da)) / 255) + rnd((D[k] * fb(sa, da)) / 255)));
  return px(o[0], o[1], o[2], o[3]);
}
const scale = (v: number, m: number) => { const c = ch(v).map((x) => rnd((x * m) / 255)); return px(c[0], c[1], c[2], c[3]); };
const REF: Record<string, [number, (sa: number, da: number) => number, (sa: number, da: number) => number]> = {
  OVER: [Op.OVER, () => 255, (sa) => 255 - sa],
  SRC: [Op.SRC, () => 255, () => 0],
  IN: [Op.IN, (_sa, da) => da, () => 0],
  OUT: [Op.OUT, (_sa, da) => 255 - da, () => 0],
  ATOP: [Op.ATOP, (_sa, da) => da, (sa) => 255 - sa],
  XOR: [Op.XOR, (_sa, da) => 255 - da, (sa) => 255 - sa],
  ADD: [Op.ADD, () => 255, () => 255],
};

function surf(w: number, h: number, fmt: number, fill: (x: number, y: number) => number): Surface {
  const s = createSurface(0, w, h, fmt);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) s.pixels[y * w + x] = fill(x, y) >>> 0;
  return s;
}
const params = (flags: number, extra: Partial<CompositeParams> = {}): CompositeParams =>
  ({ flags, srcTransform: null, maskTransform: null, srcOrigin: { x: 0, y: 0 }, maskOrigin: { x: 0, y: 0 }, ...extra });
const full = (s: Surface): Rect => ({ top: 0, left: 0, bottom: s.height, right: s.width });

// premultiplied test colours
const SRC_PX = [px(100, 50, 0, 128), px(0, 0, 0, 0), px(255, 255, 255, 255), px(20, 40, 60, 60)];
const DST_PX = [px(10, 200, 30, 255), px(90, 0, 70, 100), px(0, 0, 0, 0), px(200, 100, 50, 220)];

describe('drawComposite: Porter-Duff operators against the definitions', () => {
  for (const [name, [op, fa, fb]] of Object.entries(REF)) {
    it(`${name} without mask on a 32_ARGB surface`, () => {
      const src = surf(4, 1, SurfaceFmt._32_ARGB, (x) => SRC_PX[x]);
      const d = surf(4, 4, SurfaceFmt._32_ARGB, (x, y) => DST_PX[(x + y) % 4]);
      const before = d.pixels.slice();
      drawComposite(d, full(d), null, params(op | (1 << CompositeFlag.SRC_REPEAT_SHIFT)), src, SurfaceFmt._32_ARGB, null, 0);
      for (let i = 0; i < 16; i++) expect(d.pixels[i], `${name} pixel ${i}`).toBe(pdRef(SRC_PX[i % 4], before[i], fa, fb));
    });
    it(`${name} with an 8_A mask (unified alpha)`, () => {
      const masks = [255, 0, 77, 200];
      const src = surf(4, 1, SurfaceFmt._32_ARGB, (x) => SRC_PX[x]);
      const m = surf(1, 4, SurfaceFmt._8_A, (_x, y) => (masks[y] << 24) | 0x123456); // colour bytes of an A8 surface are ignored
      const d = surf(4, 4, SurfaceFmt._32_ARGB, (x, y) => DST_PX[(x * 3 + y) % 4]);
      const before = d.pixels.slice();
      drawComposite(d, full(d), null, params(op | CompositeFlag.HAS_MASK | (1 << CompositeFlag.SRC_REPEAT_SHIFT) | (1 << CompositeFlag.MASK_REPEAT_SHIFT)), src,
        SurfaceFmt._32_ARGB, m, SurfaceFmt._8_A);
      for (let i = 0; i < 16; i++) {
        const s = scale(SRC_PX[i % 4], masks[i >> 2]);
        expect(d.pixels[i], `${name} pixel ${i}`).toBe(pdRef(s, before[i], fa, fb));
      }
    });
  }

  it('OVER on a 32_xRGB surface reads and keeps alpha 255', () => {
    const src = surf(1, 1, SurfaceFmt._32_ARGB, () => px(100, 50, 0, 128));
    const d = surf(2, 1, SurfaceFmt._32_xRGB, () => px(10, 200, 30, 7)); // a stray X byte reads as 255
    drawComposite(d, full(d), null, params(Op.OVER | (1 << CompositeFlag.SRC_REPEAT_SHIFT)), src, SurfaceFmt._32_ARGB, null, 0);
    expect(d.pixels[0]).toBe(px(100 + rnd((10 * 127) / 255), 50 + rnd((200 * 127) / 255), rnd((30 * 127) / 255), 255));
  });

  it('ADD into an 8_A surface stores only alpha', () => {
    const src = surf(1, 1, SurfaceFmt._32_ARGB, () => px(100, 50, 0, 128));
    const d = surf(2, 1, SurfaceFmt._8_A, (x) => px(0, 0, 0, x ? 100 : 200));
    drawComposite(d, full(d), null, params(Op.ADD | (1 << CompositeFlag.SRC_REPEAT_SHIFT)), src, SurfaceFmt._32_ARGB, null, 0);
    expect([...d.pixels]).toEqual([px(0, 0, 0, 255), px(0, 0, 0, 228)]);
  });

  it('component alpha: each channel uses its own mask value (OVER)', () => {
    const s = px(200, 100, 50, 200), dv = px(40, 80, 120, 255), mv = px(255, 128, 0, 90);
    const src = surf(1, 1, SurfaceFmt._32_ARGB, () => s);
    const m = surf(1, 1, SurfaceFmt._32_ARGB, () => mv);
    const d = surf(1, 1, SurfaceFmt._32_ARGB, () => dv);
    drawComposite(d, full(d), null, params(Op.OVER | CompositeFlag.HAS_MASK | CompositeFlag.COMPONENT_ALPHA), src,
      SurfaceFmt._32_ARGB, m, SurfaceFmt._32_ARGB);
    // per channel c: s·m_c + d·(1 − αs·m_c)
    const S = ch(s), D = ch(dv), M = ch(mv);
    const o = S.map((sc, k) => Math.min(255, rnd((sc * M[k]) / 255) + rnd((D[k] * (255 - rnd((M[k] * S[3]) / 255))) / 255)));
    expect(d.pixels[0]).toBe(px(o[0], o[1], o[2], o[3]));
  });

  it('SOURCE_OPAQUE reads the source alpha as 255', () => {
    const src = surf(1, 1, SurfaceFmt._32_ARGB, () => px(100, 50, 0, 0));
    const d = surf(1, 1, SurfaceFmt._32_ARGB, () => px(1, 2, 3, 4));
    drawComposite(d, full(d), null, params(Op.OVER | CompositeFlag.SOURCE_OPAQUE), src, SurfaceFmt._32_ARGB, null, 0);
    expect(d.pixels[0]).toBe(px(100, 50, 0, 255));
  });

  it('MASK_OPAQUE reads the mask alpha as 255; DEST_OPAQUE reads and keeps destination alpha 255', () => {
    const s = px(100, 50, 0, 128);
    const src = surf(1, 1, SurfaceFmt._32_ARGB, () => s);
    const m = surf(1, 1, SurfaceFmt._32_ARGB, () => px(9, 9, 9, 0));
    const d = surf(1, 1, SurfaceFmt._32_ARGB, () => px(10, 200, 30, 0));
    drawComposite(d, full(d), null, params(Op.OVER | CompositeFlag.HAS_MASK | CompositeFlag.MASK_OPAQUE | CompositeFlag.DEST_OPAQUE),
      src, SurfaceFmt._32_ARGB, m, SurfaceFmt._32_ARGB);
    // mask 255 → s unchanged; dest read as (10, 200, 30, 255); result alpha 128 + 127 = 255
    expect(d.pixels[0]).toBe(pdRef(s, px(10, 200, 30, 255), () => 255, (sa) => 255 - sa));
    const e = surf(1, 1, SurfaceFmt._32_ARGB, () => px(10, 200, 30, 0));
    drawComposite(e, full(e), null, params(Op.IN), src, SurfaceFmt._32_ARGB, null, 0);
    expect(e.pixels[0]).toBe(0); // without DEST_OPAQUE the transparent destination lets nothing IN
  });

  it('an operator pixman does not define is a protocol error', () => {
    const d = surf(1, 1, SurfaceFmt._32_ARGB, () => 0);
    expect(() => drawComposite(d, full(d), null, params(0x0e), d, SurfaceFmt._32_ARGB, null, 0)).toThrow(SpiceProtocolError);
    expect(() => drawComposite(d, full(d), null, params(0x40), d, SurfaceFmt._32_ARGB, null, 0)).toThrow(SpiceProtocolError);
  });
});

describe('drawComposite: sampling, origins and clipping', () => {
  const tile = [px(255, 0, 0, 255), px(0, 255, 0, 255), px(0, 0, 255, 255)];
  it('repeat NORMAL tiles the source from src_origin; NONE leaves transparent outside', () => {
    const src = surf(3, 1, SurfaceFmt._32_xRGB, (x) => tile[x]);
    const d = surf(7, 2, SurfaceFmt._32_xRGB, () => px(9, 9, 9, 255));
    drawComposite(d, full(d), null, params(Op.SRC | (1 << CompositeFlag.SRC_REPEAT_SHIFT), { srcOrigin: { x: 1, y: 5 } }),
      src, SurfaceFmt._32_xRGB, null, 0);
    for (let x = 0; x < 7; x++) expect(d.pixels[x]).toBe(tile[(x + 1) % 3]);
    const e = surf(5, 1, SurfaceFmt._32_ARGB, () => px(9, 9, 9, 255));
    drawComposite(e, full(e), null, params(Op.SRC, { srcOrigin: { x: -1, y: 0 } }), src, SurfaceFmt._32_xRGB, null, 0);
    expect([...e.pixels]).toEqual([0, tile[0], tile[1], tile[2], 0]);
  });

  it('repeat PAD extends the edge pixels', () => {
    const src = surf(3, 1, SurfaceFmt._32_xRGB, (x) => tile[x]);
    const d = surf(7, 1, SurfaceFmt._32_xRGB, () => 0);
    drawComposite(d, full(d), null, params(Op.SRC | (2 << CompositeFlag.SRC_REPEAT_SHIFT), { srcOrigin: { x: -2, y: 3 } }),
      src, SurfaceFmt._32_xRGB, null, 0);
    expect([...d.pixels]).toEqual([tile[0], tile[0], tile[0], tile[1], tile[2], tile[2], tile[2]]);
  });

  it('a 2× scaling transform (destination → source matrix ½) with NEAREST', () => {
    const q = [px(10, 0, 0, 255), px(20, 0, 0, 255), px(30, 0, 0, 255), px(40, 0, 0, 255)];
    const src = surf(2, 2, SurfaceFmt._32_xRGB, (x, y) => q[y * 2 + x]);
    const d = surf(4, 4, SurfaceFmt._32_xRGB, () => 0);
    const half: Affine = [32768, 0, 0, 0, 32768, 0];
    drawComposite(d, full(d), null, params(Op.SRC | (3 << CompositeFlag.SRC_FILTER_SHIFT) | CompositeFlag.HAS_SRC_TRANSFORM,
      { srcTransform: half }), src, SurfaceFmt._32_xRGB, null, 0);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(d.pixels[y * 4 + x]).toBe(q[(y >> 1) * 2 + (x >> 1)]);
  });

  it('writes only box ∩ clip rects; source and mask follow the box origin', () => {
    const src = surf(6, 6, SurfaceFmt._32_xRGB, (x, y) => px(x * 40, y * 40, 7, 255));
    const m = surf(6, 6, SurfaceFmt._8_A, (x) => (x * 50) << 24);
    const d = surf(8, 8, SurfaceFmt._32_xRGB, () => px(1, 2, 3, 255));
    const box = { top: 1, left: 2, bottom: 7, right: 8 };
    const clip = [{ top: 0, left: 0, bottom: 3, right: 5 }, { top: 5, left: 6, bottom: 8, right: 8 }];
    drawComposite(d, box, clip, params(Op.OVER | CompositeFlag.HAS_MASK, { srcOrigin: { x: 0, y: 0 }, maskOrigin: { x: 1, y: 0 } }),
      src, SurfaceFmt._32_xRGB, m, SurfaceFmt._8_A);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const inBox = y >= 1 && y < 7 && x >= 2 && x < 8;
      const inClip = (y < 3 && x < 5) || (y >= 5 && x >= 6);
      const v = d.pixels[y * 8 + x];
      if (!inBox || !inClip) { expect(v, `${x},${y}`).toBe(px(1, 2, 3, 255)); continue; }
      const i = x - 2, j = y - 1; // temp-image coordinates
      const mv = i + 1 < 6 ? (i + 1) * 50 : 0; // mask REPEAT_NONE: transparent past its edge
      const s = scale(px(i * 40, j * 40, 7, 255), mv);
      expect(v, `${x},${y}`).toBe(pdRef(s, px(1, 2, 3, 255), () => 255, (sa) => 255 - sa));
    }
  });
});

// ---- libpixman's own results (fixtures/pixman/composite.json, scripts/pixman-ref) ----
describe('drawComposite: libpixman reference vectors', () => {
  const ref = JSON.parse(readFileSync('fixtures/pixman/composite.json', 'utf8')) as { pixman: string; seed: number; results: number[][] };
  const OPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, ...Array.from({ length: 12 }, (_, i) => 0x10 + i),
    ...Array.from({ length: 12 }, (_, i) => 0x20 + i), ...Array.from({ length: 15 }, (_, i) => 0x30 + i)];
  const FILTERS = [0, 3, 4, 1];
  const SCALES = [32768, 49152, 98304, 131072, 21845];
  const FMT = [SurfaceFmt._32_xRGB, SurfaceFmt._32_ARGB, SurfaceFmt._8_A];
  let st = ref.seed >>> 0;
  const next = () => { st ^= st << 13; st >>>= 0; st ^= st >>> 17; st ^= st << 5; st >>>= 0; return st; };
  const R = (n: number) => next() % n;
  /** pixman a8r8g8b8 → ours */
  const ours = (v: number) => ((v & 0xff00ff00) | ((v & 0xff) << 16) | ((v >>> 16) & 0xff)) >>> 0;
  function pixel(fmt: number): number {
    const v = next(), sel = R(8);
    let a = v >>> 24;
    if (fmt === 0) return v;
    if (sel === 1) a = 0;
    if (sel === 2) a = 255;
    if (fmt === 2) return (a << 24) >>> 0;
    if (sel === 0) return v;
    const c = (k: number) => Math.floor((((v >>> k) & 255) * a) / 255) << k;
    return ((a << 24) | c(16) | c(8) | c(0)) >>> 0;
  }
  function image() {
    const fmt = R(3), w = 1 + R(5), h = 1 + R(5);
    const pixels = new Uint32Array(w * h);
    for (let i = 0; i < w * h; i++) pixels[i] = ours(pixel(fmt));
    const repeat = R(4), filter = FILTERS[R(4)], type = R(3);
    let t: Affine | null = null;
    if (type === 1) {
      const a = SCALES[R(5)], e = SCALES[R(5)], c = (R(9) - 4) * 16384, f = (R(9) - 4) * 16384;
      t = [a, 0, c, 0, e, f];
    } else if (type === 2) {
      const a = R(131072) - 65536, b = R(131072) - 65536, d = R(131072) - 65536, e = R(131072) - 65536;
      const c = (R(8) - 4) * 65536 + R(65536), f = (R(8) - 4) * 65536 + R(65536);
      t = [a, b, c, d, e, f];
    }
    const ox = R(7) - 3, oy = R(7) - 3;
    return { img: { width: w, height: h, pixels }, format: FMT[fmt], repeat, filter, t, ox, oy };
  }
  it(`${ref.results.length} random composites equal pixman ${ref.pixman}`, () => {
    const bad: string[] = [];
    ref.results.forEach((want, n) => {
      const op = OPS[R(OPS.length)], dfmt = R(3), dw = 1 + R(6), dh = 1 + R(4);
      const d = createSurface(1, dw, dh, FMT[dfmt]);
      for (let i = 0; i < dw * dh; i++) d.pixels[i] = ours(pixel(dfmt)) | (dfmt === 0 ? 0xff000000 : 0);
      const s = image();
      const m = R(2) ? { ...image(), ca: R(2) } : null;
      let flags = op | (s.filter << 8) | (s.repeat << 14) | (s.t ? CompositeFlag.HAS_SRC_TRANSFORM : 0);
      if (m) flags |= CompositeFlag.HAS_MASK | (m.filter << 11) | (m.repeat << 16) | (m.ca ? CompositeFlag.COMPONENT_ALPHA : 0) | (m.t ? CompositeFlag.HAS_MASK_TRANSFORM : 0);
      drawComposite(d, full(d), null, { flags, srcTransform: s.t, maskTransform: m?.t ?? null, srcOrigin: { x: s.ox, y: s.oy },
        maskOrigin: { x: m?.ox ?? 0, y: m?.oy ?? 0 } }, s.img, s.format, m?.img ?? null, m?.format ?? 0);
      const keep = dfmt === 0 ? 0x00ffffff : dfmt === 2 ? 0xff000000 : 0xffffffff;
      for (let i = 0; i < want.length; i++) {
        const got = (d.pixels[i] & keep) >>> 0, exp = (ours(want[i]) & keep) >>> 0;
        if (got !== exp) { bad.push(`case ${n} op 0x${op.toString(16)} dfmt ${dfmt} ca ${m?.ca} px ${i}: ${got.toString(16)} != ${exp.toString(16)}`); break; }
      }
    });
    expect(bad.slice(0, 20)).toEqual([]);
  });
});
