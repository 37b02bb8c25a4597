// Scenarios and deterministic content for the harness test server (test-server.mjs), shared by
// e2e/test-server.spec.ts and e2e/harness/record-test-server.ts (which records the JPEG one as a
// fixture for a Node replay test).
import { comparePixels, describeComparison } from '../../scripts/lib/truth.mjs';
import { Scenario } from './test-server.mjs';

export type Img = { width: number; height: number; rgba: Buffer | Uint8Array };
export type Rect = { x: number; y: number; width: number; height: number };

// ---- deterministic content -------------------------------------------------------------------

export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}

/** a smooth "photo" (gradients, waves, a little noise), RGB; what JPEG is meant for */
export function photo(w: number, h: number, seed: number): Uint8Array {
  const r = xorshift(seed);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const n = (r() - 0.5) * 6;
      out[o] = clamp(128 + 90 * Math.sin(x / 11 + seed) * Math.cos(y / 17) + n);
      out[o + 1] = clamp((x * 255) / w * 0.6 + (y * 255) / h * 0.4 + n);
      out[o + 2] = clamp(200 - 120 * Math.sin((x + y) / 23 + seed / 3) ** 2 + n);
    }
  }
  return out;
}
export const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** alpha plane for RGBA tests: a radial falloff with a hard-edged hole (lossless on the wire) */
export function alphaPlane(w: number, h: number): Uint8Array {
  const a = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - w / 2, y - h / 2) / (Math.min(w, h) / 2);
      a[y * w + x] = x > w * 0.7 && y < h * 0.3 ? 0 : clamp(255 * (1.1 - d));
    }
  }
  return a;
}

export const pack = {
  '32': (rgb: Uint8Array) => { const o = new Uint8Array(rgb.length / 3 * 4); for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) { o[j] = rgb[i + 2]!; o[j + 1] = rgb[i + 1]!; o[j + 2] = rgb[i]!; o[j + 3] = 255; } return o; },
  '24': (rgb: Uint8Array) => { const o = new Uint8Array(rgb.length); for (let i = 0; i < rgb.length; i += 3) { o[i] = rgb[i + 2]!; o[i + 1] = rgb[i + 1]!; o[i + 2] = rgb[i]!; } return o; },
  '16': (rgb: Uint8Array) => { const o = new Uint8Array(rgb.length / 3 * 2); for (let i = 0, j = 0; i < rgb.length; i += 3, j += 2) { const v = ((rgb[i]! >> 3) << 10) | ((rgb[i + 1]! >> 3) << 5) | (rgb[i + 2]! >> 3); o[j] = v & 255; o[j + 1] = v >> 8; } return o; },
  /** premultiplied BGRA (pixman's a8r8g8b8, which the canvas treats RGBA bitmaps as) */
  rgba: (rgb: Uint8Array, a: Uint8Array) => { const o = new Uint8Array(a.length * 4); for (let p = 0; p < a.length; p++) { const al = a[p]!; o[p * 4] = Math.round(rgb[p * 3 + 2]! * al / 255); o[p * 4 + 1] = Math.round(rgb[p * 3 + 1]! * al / 255); o[p * 4 + 2] = Math.round(rgb[p * 3]! * al / 255); o[p * 4 + 3] = al; } return o; },
};

/** indices → packed 1/4/8-bit rows; `be` = most significant bits first */
export function packIndices(idx: Uint8Array, w: number, h: number, bpp: 1 | 4 | 8, be: boolean): Uint8Array {
  const stride = Math.ceil((w * bpp) / 8);
  const out = new Uint8Array(stride * h);
  const per = 8 / bpp;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = idx[y * w + x]! & ((1 << bpp) - 1);
      const k = x % per;
      const shift = be ? 8 - bpp * (k + 1) : bpp * k;
      out[y * stride + Math.floor(x / per)]! |= v << shift;
    }
  }
  return out;
}

export function palette(n: number, seed: number): number[] {
  const r = xorshift(seed);
  return Array.from({ length: n }, () => (Math.floor(r() * 256) << 16) | (Math.floor(r() * 256) << 8) | Math.floor(r() * 256));
}

export function indices(w: number, h: number, n: number, seed: number): Uint8Array {
  const r = xorshift(seed);
  const o = new Uint8Array(w * h);
  // blocks of runs with some noise: LZ finds matches, the palette is fully used
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) o[y * w + x] = (((x >> 2) + (y >> 3) * 3) + (r() < 0.1 ? Math.floor(r() * n) : 0)) % n;
  return o;
}

/** 1-bit mask (A1, MSB first) of a disc */
export function discMask(w: number, h: number): Uint8Array {
  const idx = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) idx[y * w + x] = Math.hypot(x - w / 2 + 0.5, y - h / 2 + 0.5) < Math.min(w, h) / 2 - 1 ? 1 : 0;
  return packIndices(idx, w, h, 1, true);
}

/** glyph bitmaps: simple shapes at 1, 4 or 8 bits per pixel (coverage grows across the glyph) */
export function glyph(w: number, h: number, bpp: 1 | 4 | 8, kind: number): Uint8Array {
  const idx = new Uint8Array(w * h);
  const max = (1 << bpp) - 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const on = kind === 0 ? (x === 0 || y === 0 || x === w - 1 || y === h - 1) : kind === 1 ? Math.abs(x - (y * w) / h) < 1.5 : kind === 2 ? (x + y) % 3 === 0 : x % 3 !== 1;
      idx[y * w + x] = on ? Math.max(1, Math.round((max * (x + 1)) / w)) : 0;
    }
  }
  return packIndices(idx, w, h, bpp, true);
}

// ---- JPEG and JPEG_ALPHA (why the server sends them: e2e/test-server.spec.ts) -----------------

export const BG = 0x405060;

export type LossyRect = { name: string; rect: Rect; source?: Uint8Array };

/**
 * JPEG and JPEG_ALPHA content on a BG fill: 32-, 24- and 16-bit photos copied, an RGBA photo
 * copied (its premultiplied colour lands on the xRGB surface) and one alpha-blended over BG, plus
 * lossless neighbours (a fill, an INVERS) that must stay exact. `lossy` lists the rectangles the
 * server sends lossy, with the source RGB (what the server's canvas renders there) where the
 * result is the source itself; the alpha-blended one is compared with the server's rendering.
 * Images are pw x ph in a 3 x 2 grid with `gap` between cells.
 */
export function jpegScenario(width = 640, height = 400, pw = 192, ph = 128, gap = 16): { sc: Scenario; lossy: LossyRect[] } {
  const sc = new Scenario(width, height);
  sc.fill({ rect: { x: 0, y: 0, width, height }, brush: { color: BG } });
  const cell = (col: number, row: number): Rect => ({ x: gap / 2 + col * (pw + gap), y: gap / 2 + row * (ph + gap), width: pw, height: ph });
  const lossy: LossyRect[] = [];
  const p32 = photo(pw, ph, 31), p24 = photo(pw, ph, 32), p16 = photo(pw, ph, 33);
  const r32 = cell(0, 0), r24 = cell(1, 0), r16 = cell(2, 0);
  sc.copy({ dest: r32, src: sc.bitmap({ format: '32', width: pw, height: ph, data: pack['32'](p32) }) });
  lossy.push({ name: 'JPEG 32-bit copy', rect: r32, source: p32 });
  sc.copy({ dest: r24, src: sc.bitmap({ format: '24', width: pw, height: ph, data: pack['24'](p24) }) });
  lossy.push({ name: 'JPEG 24-bit copy', rect: r24, source: p24 });
  // what the canvas makes of 5-bit channels (v << 3 | v >> 2), the source as the server holds it
  const e16 = p16.map((v) => ((v >> 3) << 3) | (v >> 5));
  sc.copy({ dest: r16, src: sc.bitmap({ format: '16', width: pw, height: ph, data: pack['16'](p16) }) });
  lossy.push({ name: 'JPEG 16-bit copy', rect: r16, source: e16 });
  const a = alphaPlane(pw, ph);
  const rgbaCopy = pack.rgba(photo(pw, ph, 34), a);
  const rc = cell(0, 1);
  sc.copy({ dest: rc, src: sc.bitmap({ format: 'rgba', width: pw, height: ph, data: rgbaCopy }) });
  const premul = new Uint8Array(pw * ph * 3);
  for (let i = 0; i < pw * ph; i++) { premul[i * 3] = rgbaCopy[i * 4 + 2]!; premul[i * 3 + 1] = rgbaCopy[i * 4 + 1]!; premul[i * 3 + 2] = rgbaCopy[i * 4]!; }
  lossy.push({ name: 'JPEG_ALPHA copy', rect: rc, source: premul });
  const rb = cell(1, 1);
  sc.alphaBlend({ dest: rb, src: sc.bitmap({ format: 'rgba', width: pw, height: ph, data: pack.rgba(photo(pw, ph, 35), a) }), alpha: 255, flags: 2 });
  lossy.push({ name: 'JPEG_ALPHA alpha-blend over BG', rect: rb });
  // lossless neighbours: must stay exact around the lossy rectangles
  const n = cell(2, 1);
  sc.fill({ rect: { ...n, height: Math.floor(ph / 2) }, brush: { color: 0xc08040 } });
  sc.solidOp('invers', { rect: { x: n.x, y: n.y + Math.floor(ph / 2) + 4, width: Math.floor(pw / 2), height: Math.floor(ph / 2) - 4 } });
  return { sc, lossy };
}

/** per-channel mean and max absolute error of `shot` against `ref` (RGB, 8-bit) inside `r` */
export function errorIn(shot: Img, ref: (x: number, y: number, c: number) => number, r: Rect): { mean: number; max: number } {
  let sum = 0, max = 0, n = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(shot.rgba[(y * shot.width + x) * 4 + c]! - ref(x, y, c));
        sum += d; n++;
        if (d > max) max = d;
      }
    }
  }
  return { mean: sum / n, max };
}

// The error bound for the lossy rectangles. Measured on these images (spice-server's libjpeg at
// its fixed quality 85, decoded by Chromium's ImageDecoder as the worker does; createImageBitmap in
// brackets): mean absolute error per channel 2.3 [1.8] (32- and 24-bit), 3.0 [2.6] (16-bit: the
// encoder widens 5-bit channels its own way), 0.8 [0.7] (JPEG_ALPHA, dark premultiplied colour);
// max 15-18 [11-15], and 27-32 [25-29] at the alpha plane's hard edge; jpeg-js in Node is close
// to ImageDecoder (2.4-3.1 mean). The bound leaves headroom for
// another libjpeg's rounding but fails on any systematic error: a channel swap, a wrong colour
// space, a lost alpha plane or rows off by one give means of 10 and more.
export const JPEG_MEAN_BOUND = 4;
export const JPEG_MAX_BOUND = 48;

/**
 * Checks a client screenshot of jpegScenario: exact against the server's rendering outside the
 * lossy rectangles, within the bound inside them (against the source where there is one, else
 * the server's rendering). Returns why it fails, or null; `figures` gets one line per rectangle.
 */
export function lossyMismatch(shot: { width: number; height: number; rgba: Buffer }, truth: { width: number; height: number; rgba: Buffer }, lossy: readonly LossyRect[], figures: string[]): string | null {
  figures.length = 0;
  const outside = comparePixels(shot, truth, { mask: lossy.map((l) => l.rect) });
  if (!outside.sameSize || outside.mismatches) return `outside the lossy rectangles: ${describeComparison(outside)}`;
  for (const l of lossy) {
    const ref = l.source
      ? (x: number, y: number, c: number) => l.source![((y - l.rect.y) * l.rect.width + (x - l.rect.x)) * 3 + c]!
      : (x: number, y: number, c: number) => truth.rgba[(y * truth.width + x) * 4 + c]!;
    const e = errorIn(shot, ref, l.rect);
    figures.push(`${l.name}: mean ${e.mean.toFixed(2)} max ${e.max}`);
    if (e.mean > JPEG_MEAN_BOUND || e.max > JPEG_MAX_BOUND) return `${l.name} over the bound: mean ${e.mean.toFixed(2)} (<= ${JPEG_MEAN_BOUND}), max ${e.max} (<= ${JPEG_MAX_BOUND})`;
  }
  return null;
}
