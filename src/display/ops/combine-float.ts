/**
 * The operators pixman composites through its float pipeline even for 8-bit images (those whose
 * factors need a division): SATURATE, DISJOINT_* (0x10–0x1b), CONJOINT_* (0x20–0x2b),
 * COLOR_DODGE, COLOR_BURN, SOFT_LIGHT and the HSL modes (0x3b–0x3e). Channels become float32 u·(1/255), are combined in
 * float32 (every step rounded to float32 with Math.fround, as C float code on x86-64 is) and go
 * back as t = trunc(clamp(f)·256), t − (t >> 8). Porter-Duff ops are s·Fa + d·Fb capped at 1 with
 * the Fa/Fb of the X Render spec (disjoint: min(1, (1−b)/a), conjoint: max(0, 1 − b/a), ...);
 * the channel's "source alpha" is mask·αs (per channel with component alpha).
 *
 * Exported:
 *   type FloatCombiner = (s, si, m, mi, d) => u32   — s/m: sample-float.ts buffers, d: our u32
 *   combineFloat(op, componentAlpha): FloatCombiner | null
 *   (null for undefined operator numbers)
 */
const f = Math.fround;
const INV255 = f(1 / 255);
const FLT_MIN = 1.1754943508222875e-38;
const isZero = (x: number): boolean => -FLT_MIN < x && x < FLT_MIN;
const clamp1 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

const enum F { ZERO, ONE, SA, DA, INV_SA, INV_DA, SA_OVER_DA, DA_OVER_SA, INV_SA_OVER_DA, INV_DA_OVER_SA,
  ONE_MINUS_SA_OVER_DA, ONE_MINUS_DA_OVER_SA, ONE_MINUS_INV_DA_OVER_SA, ONE_MINUS_INV_SA_OVER_DA }

function factor(k: F, sa: number, da: number): number {
  switch (k) {
    case F.ZERO: return 0;
    case F.ONE: return 1;
    case F.SA: return sa;
    case F.DA: return da;
    case F.INV_SA: return f(1 - sa);
    case F.INV_DA: return f(1 - da);
    case F.SA_OVER_DA: return isZero(da) ? 1 : clamp1(f(sa / da));
    case F.DA_OVER_SA: return isZero(sa) ? 1 : clamp1(f(da / sa));
    case F.INV_SA_OVER_DA: return isZero(da) ? 1 : clamp1(f(f(1 - sa) / da));
    case F.INV_DA_OVER_SA: return isZero(sa) ? 1 : clamp1(f(f(1 - da) / sa));
    case F.ONE_MINUS_SA_OVER_DA: return isZero(da) ? 0 : clamp1(f(1 - f(sa / da)));
    case F.ONE_MINUS_DA_OVER_SA: return isZero(sa) ? 0 : clamp1(f(1 - f(da / sa)));
    case F.ONE_MINUS_INV_DA_OVER_SA: return isZero(sa) ? 0 : clamp1(f(1 - f(f(1 - da) / sa)));
    case F.ONE_MINUS_INV_SA_OVER_DA: return isZero(da) ? 0 : clamp1(f(1 - f(f(1 - sa) / da)));
  }
}

/** the 12 Porter-Duff (Fa, Fb) pairs, CLEAR … XOR, for the disjoint and the conjoint group */
const DISJOINT: [F, F][] = [[F.ZERO, F.ZERO], [F.ONE, F.ZERO], [F.ZERO, F.ONE], [F.ONE, F.INV_SA_OVER_DA],
  [F.INV_DA_OVER_SA, F.ONE], [F.ONE_MINUS_INV_DA_OVER_SA, F.ZERO], [F.ZERO, F.ONE_MINUS_INV_SA_OVER_DA],
  [F.INV_DA_OVER_SA, F.ZERO], [F.ZERO, F.INV_SA_OVER_DA], [F.ONE_MINUS_INV_DA_OVER_SA, F.INV_SA_OVER_DA],
  [F.INV_DA_OVER_SA, F.ONE_MINUS_INV_SA_OVER_DA], [F.INV_DA_OVER_SA, F.INV_SA_OVER_DA]];
const CONJOINT: [F, F][] = [[F.ZERO, F.ZERO], [F.ONE, F.ZERO], [F.ZERO, F.ONE], [F.ONE, F.ONE_MINUS_SA_OVER_DA],
  [F.ONE_MINUS_DA_OVER_SA, F.ONE], [F.DA_OVER_SA, F.ZERO], [F.ZERO, F.SA_OVER_DA], [F.ONE_MINUS_DA_OVER_SA, F.ZERO],
  [F.ZERO, F.ONE_MINUS_SA_OVER_DA], [F.DA_OVER_SA, F.ONE_MINUS_SA_OVER_DA], [F.ONE_MINUS_DA_OVER_SA, F.SA_OVER_DA],
  [F.ONE_MINUS_DA_OVER_SA, F.ONE_MINUS_SA_OVER_DA]];

/** (channel alpha, channel value, dest alpha, dest value) → result, all float32 */
type Channel = (sa: number, s: number, da: number, d: number) => number;

function pd(a: F, b: F): Channel {
  return (sa, s, da, d) => Math.min(1, f(f(s * factor(a, sa, da)) + f(d * factor(b, sa, da))));
}

type Blend = (sa: number, s: number, da: number, d: number) => number;
const dodge: Blend = (sa, s, da, d) => {
  if (isZero(d)) return 0;
  if (f(d * sa) >= f(f(sa * da) - f(s * da))) return f(sa * da);
  if (isZero(f(sa - s))) return f(sa * da);
  return f(f(f(sa * sa) * d) / f(sa - s));
};
const burn: Blend = (sa, s, da, d) => {
  if (d >= da) return f(sa * da);
  if (f(sa * f(da - d)) >= f(s * da)) return 0;
  if (isZero(s)) return 0;
  return f(sa * f(da - f(f(sa * f(da - d)) / s)));
};
const softLight: Blend = (sa, s, da, d) => {
  if (f(2 * s) <= sa) {
    if (isZero(da)) return f(d * sa);
    return f(f(d * sa) - f(f(f(d * f(da - d)) * f(sa - f(2 * s))) / da));
  }
  if (isZero(da)) return f(d * sa);
  if (f(4 * d) <= da) {
    const k = f(f(f(f(f(f(16 * d) / da) - 12) * d) / da) + 3);
    return f(f(d * sa) + f(f(f(f(2 * s) - sa) * d) * k));
  }
  return f(f(d * sa) + f(f(f(Math.sqrt(f(d * da))) - d) * f(f(2 * s) - sa)));
};

function separable(blend: Blend): [Channel, Channel] {
  const alpha: Channel = (sa, _s, da) => f(f(da + sa) - f(da * sa));
  const color: Channel = (sa, s, da, d) => f(f(f(f(1 - sa) * d) + f(f(1 - da) * s)) + blend(sa, s, da, d));
  return [alpha, color];
}

function toUnorm(x: number): number {
  const c = x > 1 ? 1 : x < 0 ? 0 : x; // NaN stays NaN and converts to 0 below
  const u = Number.isNaN(c) ? 0 : Math.trunc(c * 256);
  return u - (u >> 8);
}

/**
 * (source floats at s[si..si+3], mask floats at m[mi..] or null, destination u32) → u32.
 * Float arrays hold A, R, G, B; the destination is converted here.
 */
export type FloatCombiner = (s: Float32Array, si: number, m: Float32Array | null, mi: number, d: number) => number;

function channels(ca: Channel, cc: Channel, component: boolean): FloatCombiner {
  const sv = [0, 0, 0, 0], mv = [0, 0, 0, 0];
  return (s, si, m, mi, d) => {
    for (let k = 0; k < 4; k++) sv[k] = s[si + k];
    const dv = [f((d >>> 24) * INV255), f((d & 255) * INV255), f(((d >>> 8) & 255) * INV255), f(((d >>> 16) & 255) * INV255)];
    if (!m) {
      mv.fill(sv[0]);
    } else if (component) {
      const sa = sv[0];
      for (let k = 1; k < 4; k++) sv[k] = f(sv[k] * m[mi + k]);
      for (let k = 0; k < 4; k++) mv[k] = f(m[mi + k] * sa);
      sv[0] = mv[0];
    } else {
      const ma = m[mi];
      for (let k = 0; k < 4; k++) sv[k] = f(sv[k] * ma);
      mv.fill(sv[0]);
    }
    const a = toUnorm(ca(mv[0], sv[0], dv[0], dv[0]));
    const r = toUnorm(cc(mv[1], sv[1], dv[0], dv[1]));
    const g = toUnorm(cc(mv[2], sv[2], dv[0], dv[2]));
    const b = toUnorm(cc(mv[3], sv[3], dv[0], dv[3]));
    return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
  };
}

// ---- non-separable (HSL) modes: PDF's SetLum / SetSat / ClipColor in float32 ----
type RGB = [number, number, number];
const lum = (c: RGB): number => f(f(f(c[0] * f(0.3)) + f(c[1] * f(0.59))) + f(c[2] * f(0.11)));
const cmin = (c: RGB): number => Math.min(c[0], c[1], c[2]);
const cmax = (c: RGB): number => Math.max(c[0], c[1], c[2]);
const sat = (c: RGB): number => f(cmax(c) - cmin(c));

function clipColor(c: RGB, a: number): void {
  const l = lum(c), n = cmin(c), x = cmax(c);
  if (n < 0) {
    const t = f(l - n);
    for (let k = 0; k < 3; k++) c[k] = isZero(t) ? 0 : f(l + f(f(f(c[k] - l) * l) / t));
  }
  if (x > a) {
    const t = f(x - l);
    for (let k = 0; k < 3; k++) c[k] = isZero(t) ? a : f(l + f(f(f(c[k] - l) * f(a - l)) / t));
  }
}
function setLum(c: RGB, a: number, l: number): void {
  const d = f(l - lum(c));
  for (let k = 0; k < 3; k++) c[k] = f(c[k] + d);
  clipColor(c, a);
}
function setSat(c: RGB, s: number): void {
  // max/mid/min chosen with strict comparisons in pixman's order (ties matter)
  let max: number, mid: number, min: number;
  if (c[0] > c[1]) {
    if (c[0] > c[2]) { max = 0; if (c[1] > c[2]) { mid = 1; min = 2; } else { mid = 2; min = 1; } }
    else { max = 2; mid = 0; min = 1; }
  } else if (c[0] > c[2]) { max = 1; mid = 0; min = 2; }
  else { min = 0; if (c[1] > c[2]) { max = 1; mid = 2; } else { max = 2; mid = 1; } }
  const t = f(c[max] - c[min]);
  if (isZero(t)) { c[mid] = 0; c[max] = 0; }
  else { c[mid] = f(f(f(c[mid] - c[min]) * s) / t); c[max] = s; }
  c[min] = 0;
}
type HslBlend = (d: RGB, da: number, s: RGB, sa: number) => RGB;
const scaled = (c: RGB, k: number): RGB => [f(c[0] * k), f(c[1] * k), f(c[2] * k)];
const HSL: Record<number, HslBlend> = {
  0x3b: (d, da, s, sa) => { const r = scaled(s, da); setSat(r, f(sat(d) * sa)); setLum(r, f(sa * da), f(lum(d) * sa)); return r; },
  0x3c: (d, da, s, sa) => { const r = scaled(d, sa); setSat(r, f(sat(s) * da)); setLum(r, f(sa * da), f(lum(d) * sa)); return r; },
  0x3d: (d, da, s, sa) => { const r = scaled(s, da); setLum(r, f(sa * da), f(lum(d) * sa)); return r; },
  0x3e: (d, da, s, sa) => { const r = scaled(d, sa); setLum(r, f(sa * da), f(lum(s) * da)); return r; },
};

function hsl(blend: HslBlend): FloatCombiner {
  return (s, si, m, mi, d) => {
    let sa = s[si];
    const sc: RGB = [s[si + 1], s[si + 2], s[si + 3]];
    if (m) {
      // pixman scales green twice and blue not at all here; the result depends on it
      const ma = m[mi];
      sa = f(sa * ma); sc[0] = f(sc[0] * ma); sc[1] = f(f(sc[1] * ma) * ma);
    }
    const da = f((d >>> 24) * INV255);
    const dc: RGB = [f((d & 255) * INV255), f(((d >>> 8) & 255) * INV255), f(((d >>> 16) & 255) * INV255)];
    const rc = blend(dc, da, sc, sa);
    const out = (k: number) => toUnorm(f(f(f(f(1 - sa) * dc[k]) + f(f(1 - da) * sc[k])) + rc[k]));
    const a = toUnorm(f(f(sa + da) - f(sa * da)));
    return ((a << 24) | (out(2) << 16) | (out(1) << 8) | out(0)) >>> 0;
  };
}

export function combineFloat(op: number, componentAlpha: boolean): FloatCombiner | null {
  if (HSL[op]) {
    // pixman has no component-alpha HSL combiner: it leaves the destination as it is
    if (componentAlpha) return (_s, _si, _m, _mi, d) => d;
    return hsl(HSL[op]);
  }
  let pair: [Channel, Channel] | null = null;
  if (op === 0x0d) { const c = pd(F.INV_DA_OVER_SA, F.ONE); pair = [c, c]; }
  else if (op >= 0x10 && op <= 0x1b) { const c = pd(...DISJOINT[op - 0x10]); pair = [c, c]; }
  else if (op >= 0x20 && op <= 0x2b) { const c = pd(...CONJOINT[op - 0x20]); pair = [c, c]; }
  else if (op === 0x35) pair = separable(dodge);
  else if (op === 0x36) pair = separable(burn);
  else if (op === 0x38) pair = separable(softLight);
  return pair ? channels(pair[0], pair[1], componentAlpha) : null;
}
