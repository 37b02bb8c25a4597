/**
 * Pixman's 8-bit combiners (the operators DRAW_COMPOSITE carries, spice-protocol.md §5.4
 * "COMPOSITE flags"), on premultiplied pixels in our byte order 0xAABBGGRR. Every operator treats
 * R, G and B alike and alpha in the top byte, so the channel order does not matter.
 *
 * Arithmetic (what pixman-combine32.h does, re-derived): a product of two 8-bit values is
 * rounded as t = a·b + 128, (t + (t >> 8)) >> 8 (exact round(a·b/255)); sums saturate at 255;
 * each product of a two-term formula (ATOP, XOR, ...) is rounded on its own before the add.
 * The PDF blend modes accumulate one 16-bit sum per channel, clamp it to [0, 255·255] as an
 * unsigned value (a negative sum, possible only for non-premultiplied garbage, clamps to the top)
 * and divide once with the same rounding.
 *
 * Exported:
 *   Op                              — pixman_op_t numbers (low byte of the COMPOSITE flags)
 *   combine8(op): Combiner | null   — unified-alpha combiner: (s, m, d) → d'  (m: 0..255 mask alpha)
 *   combine8ca(op): CombinerCA | null — component alpha: (s, m, d) → d'  (m: a full mask pixel)
 * null: the operator is not one of pixman's 8-bit ones (see combine-float.ts).
 */

export const Op = {
  CLEAR: 0x00, SRC: 0x01, DST: 0x02, OVER: 0x03, OVER_REVERSE: 0x04, IN: 0x05, IN_REVERSE: 0x06,
  OUT: 0x07, OUT_REVERSE: 0x08, ATOP: 0x09, ATOP_REVERSE: 0x0a, XOR: 0x0b, ADD: 0x0c, SATURATE: 0x0d,
  DISJOINT_CLEAR: 0x10, DISJOINT_XOR: 0x1b, CONJOINT_CLEAR: 0x20, CONJOINT_XOR: 0x2b,
  MULTIPLY: 0x30, SCREEN: 0x31, OVERLAY: 0x32, DARKEN: 0x33, LIGHTEN: 0x34, COLOR_DODGE: 0x35,
  COLOR_BURN: 0x36, HARD_LIGHT: 0x37, SOFT_LIGHT: 0x38, DIFFERENCE: 0x39, EXCLUSION: 0x3a,
  HSL_HUE: 0x3b, HSL_SATURATION: 0x3c, HSL_COLOR: 0x3d, HSL_LUMINOSITY: 0x3e,
} as const;

export type Combiner = (s: number, m: number, d: number) => number;

/** round(a·b / 255) the way pixman rounds it. */
export function mul8(a: number, b: number): number {
  const t = a * b + 0x80;
  return ((t >> 8) + t) >> 8;
}
/** each channel of x times the 8-bit value a */
function mulPx(x: number, a: number): number {
  return (mul8(x & 255, a) | (mul8((x >>> 8) & 255, a) << 8) | (mul8((x >>> 16) & 255, a) << 16) | (mul8(x >>> 24, a) << 24)) >>> 0;
}
/** each channel of x times the matching channel of a */
function mulPxPx(x: number, a: number): number {
  return (mul8(x & 255, a & 255) | (mul8((x >>> 8) & 255, (a >>> 8) & 255) << 8)
    | (mul8((x >>> 16) & 255, (a >>> 16) & 255) << 16) | (mul8(x >>> 24, a >>> 24) << 24)) >>> 0;
}
/** channel-wise saturating add */
function addPx(x: number, y: number): number {
  let r = 0;
  for (let k = 0; k < 32; k += 8) r |= Math.min(255, ((x >>> k) & 255) + ((y >>> k) & 255)) << k;
  return r >>> 0;
}
const alpha = (x: number): number => x >>> 24;
const inv = (x: number): number => (~x) >>> 0;

/** the unified mask: s × mask alpha (pixman's combine_mask; m = 255 when there is no mask) */
const masked = (s: number, m: number): number => (m === 255 ? s >>> 0 : m === 0 ? 0 : mulPx(s, m));

type Blend = (d: number, ad: number, s: number, as: number) => number;
const blends: Record<number, Blend> = {
  [Op.SCREEN]: (d, ad, s, as) => s * ad + d * as - s * d,
  [Op.OVERLAY]: (d, ad, s, as) => (2 * d < ad ? 2 * s * d : as * ad - 2 * (ad - d) * (as - s)),
  [Op.DARKEN]: (d, ad, s, as) => Math.min(ad * s, as * d),
  [Op.LIGHTEN]: (d, ad, s, as) => Math.max(ad * s, as * d),
  [Op.HARD_LIGHT]: (d, ad, s, as) => (2 * s < as ? 2 * s * d : as * ad - 2 * (ad - d) * (as - s)),
  [Op.DIFFERENCE]: (d, ad, s, as) => Math.abs(s * ad - d * as),
  [Op.EXCLUSION]: (d, ad, s, as) => s * ad + d * as - 2 * d * s,
};

/** x / 255 for a 16-bit product sum, rounded like pixman's DIV_ONE_UN8 */
function divOne(x: number): number {
  return (x + 0x80 + ((x + 0x80) >> 8)) >> 8;
}
/** clamp to [0, 65025] as pixman's unsigned CLAMP does (negative → wraps → top) */
function clampU(x: number): number {
  return x < 0 || x > 65025 ? 65025 : x;
}

/** PDF separable blend: (1 − αs)·d + (1 − αd)·s + B; `ms` gives each channel's source alpha. */
function pdf(blend: Blend, s: number, d: number, sa: number, mc: number): number {
  const da = alpha(d), ida = 255 - da;
  let out = divOne(clampU(da * 255 + sa * 255 - sa * da)) << 24;
  for (let k = 0; k < 24; k += 8) {
    const sc = (s >>> k) & 255, dc = (d >>> k) & 255, m = (mc >>> k) & 255;
    out |= divOne(clampU((255 - m) * dc + ida * sc + blend(dc, da, sc, m))) << k;
  }
  return out >>> 0;
}

export function combine8(op: number): Combiner | null {
  switch (op) {
    case Op.CLEAR: return () => 0;
    case Op.SRC: return (s, m) => masked(s, m);
    case Op.DST: return (_s, _m, d) => d;
    case Op.OVER: return (s, m, d) => { s = masked(s, m); return addPx(mulPx(d, 255 - alpha(s)), s); };
    case Op.OVER_REVERSE: return (s, m, d) => addPx(mulPx(masked(s, m), 255 - alpha(d)), d);
    case Op.IN: return (s, m, d) => mulPx(masked(s, m), alpha(d));
    case Op.IN_REVERSE: return (s, m, d) => mulPx(d, alpha(masked(s, m)));
    case Op.OUT: return (s, m, d) => mulPx(masked(s, m), 255 - alpha(d));
    case Op.OUT_REVERSE: return (s, m, d) => mulPx(d, 255 - alpha(masked(s, m)));
    case Op.ATOP: return (s, m, d) => { s = masked(s, m); return addPx(mulPx(s, alpha(d)), mulPx(d, 255 - alpha(s))); };
    case Op.ATOP_REVERSE: return (s, m, d) => { s = masked(s, m); return addPx(mulPx(s, 255 - alpha(d)), mulPx(d, alpha(s))); };
    case Op.XOR: return (s, m, d) => { s = masked(s, m); return addPx(mulPx(s, 255 - alpha(d)), mulPx(d, 255 - alpha(s))); };
    case Op.ADD: return (s, m, d) => addPx(masked(s, m), d);
    case Op.MULTIPLY: return (s, m, d) => {
      s = masked(s, m);
      return addPx(addPx(mulPx(s, 255 - alpha(d)), mulPx(d, 255 - alpha(s))), mulPxPx(d, s));
    };
  }
  const b = blends[op];
  if (!b) return null;
  return (s, m, d) => {
    s = masked(s, m);
    const sa = alpha(s);
    return pdf(b, s, d, sa, (sa << 16) | (sa << 8) | sa);
  };
}

/**
 * Component alpha: the mask is a per-channel coverage. pixman first makes s' = s ×c m (what
 * reaches the destination) and m' = m ×c αs (how much of the destination each channel covers).
 */
export function combine8ca(op: number): Combiner | null {
  const srcMasked = (s: number, m: number) => mulPxPx(s, m);
  const coverage = (s: number, m: number) => mulPx(m, alpha(s));
  switch (op) {
    case Op.CLEAR: return () => 0;
    case Op.SRC: return (s, m) => srcMasked(s, m);
    case Op.DST: return (_s, _m, d) => d;
    case Op.OVER: return (s, m, d) => addPx(mulPxPx(d, inv(coverage(s, m))), srcMasked(s, m));
    case Op.OVER_REVERSE: return (s, m, d) => addPx(mulPx(srcMasked(s, m), 255 - alpha(d)), d);
    case Op.IN: return (s, m, d) => mulPx(srcMasked(s, m), alpha(d));
    case Op.IN_REVERSE: return (s, m, d) => mulPxPx(d, coverage(s, m));
    case Op.OUT: return (s, m, d) => mulPx(srcMasked(s, m), 255 - alpha(d));
    case Op.OUT_REVERSE: return (s, m, d) => mulPxPx(d, inv(coverage(s, m)));
    case Op.ATOP: return (s, m, d) => addPx(mulPxPx(d, inv(coverage(s, m))), mulPx(srcMasked(s, m), alpha(d)));
    case Op.ATOP_REVERSE: return (s, m, d) => addPx(mulPxPx(d, coverage(s, m)), mulPx(srcMasked(s, m), 255 - alpha(d)));
    case Op.XOR: return (s, m, d) => addPx(mulPxPx(d, inv(coverage(s, m))), mulPx(srcMasked(s, m), 255 - alpha(d)));
    case Op.ADD: return (s, m, d) => addPx(srcMasked(s, m), d);
    case Op.MULTIPLY: return (s, m, d) => {
      const s2 = srcMasked(s, m), m2 = coverage(s, m);
      return addPx(addPx(mulPxPx(d, inv(m2)), mulPx(s2, 255 - alpha(d))), mulPxPx(d, s2));
    };
  }
  const b = blends[op];
  if (!b) return null;
  return (s, m, d) => pdf(b, srcMasked(s, m), d, alpha(srcMasked(s, m)), coverage(s, m));
}
