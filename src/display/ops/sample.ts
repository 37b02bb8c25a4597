/**
 * Pixman-style image sampling for the scaled/transformed ops (scaled COPY/ROP3/ALPHA_BLEND,
 * COMPOSITE), following pixman's affine fetchers: the sample point of destination pixel (i, j)
 * is its centre ((ox + i) + ½, (oy + j) + ½) in 16.16, transformed once per row with 64-bit
 * rounding (pixman_transform_point_3d) and then stepped by the matrix's first column, exactly
 * as bits_image_fetch_affine does. NEAREST takes pixel floor((v - ε) / 1); BILINEAR uses pixman's
 * 7-bit weights. Out-of-image samples follow the repeat mode (NONE → transparent 0).
 *
 * Exported:
 *   Repeat, Filter (pixman_repeat_t / pixman_filter_t values, as DRAW_COMPOSITE flags carry them)
 *   interface SampleImage extends PixelSource { opaque: boolean }  — opaque: alpha read as 255
 *   type Affine = [a, b, c, d, e, f] 16.16: x' = a·x + b·y + c, y' = d·x + e·y + f
 *   scaleAffine(srcW, srcH, dstW, dstH): Affine      — spice's fixed-point scale factors
 *   sampleAffine(img, m, ox, oy, w, h, filter, repeat): Uint32Array (w·h pixels, our format)
 */
import type { PixelSource } from './region';

export const Repeat = { NONE: 0, NORMAL: 1, PAD: 2, REFLECT: 3 } as const;
export const Filter = { FAST: 0, GOOD: 1, BEST: 2, NEAREST: 3, BILINEAR: 4 } as const;

export interface SampleImage extends PixelSource {
  opaque: boolean;
}
export type Affine = [number, number, number, number, number, number];

/** (src · 65536) / dst truncated, as sw_canvas __scale_image computes fsx/fsy. */
export function scaleAffine(srcW: number, srcH: number, dstW: number, dstH: number, srcX = 0, srcY = 0): Affine {
  const fsx = Math.trunc((srcW * 65536) / dstW);
  const fsy = Math.trunc((srcH * 65536) / dstH);
  return [fsx, 0, srcX * 65536, 0, fsy, srcY * 65536];
}

function wrap(k: number, n: number, repeat: number): number {
  if (k >= 0 && k < n) return k;
  switch (repeat) {
    case Repeat.NORMAL: return ((k % n) + n) % n;
    case Repeat.PAD: return k < 0 ? 0 : n - 1;
    case Repeat.REFLECT: {
      const m = ((k % (2 * n)) + 2 * n) % (2 * n);
      return m < n ? m : 2 * n - 1 - m;
    }
    default: return -1;
  }
}

const B16 = 65536n;
function point(m: Affine, x: number, y: number): [number, number] {
  const vx = BigInt(x) * B16 + 0x8000n, vy = BigInt(y) * B16 + 0x8000n;
  const rx = (BigInt(m[0]) * vx + BigInt(m[1]) * vy + BigInt(m[2]) * B16 + 0x8000n) >> 16n;
  const ry = (BigInt(m[3]) * vx + BigInt(m[4]) * vy + BigInt(m[5]) * B16 + 0x8000n) >> 16n;
  return [Number(rx), Number(ry)];
}

export function sampleAffine(img: SampleImage, m: Affine, ox: number, oy: number, w: number, h: number,
  filter: number, repeat: number): Uint32Array {
  const out = new Uint32Array(w * h);
  const { width: iw, height: ih, pixels } = img;
  if (iw <= 0 || ih <= 0) return out;
  const a = img.opaque ? 0xff000000 : 0;
  const fetch = (px: number, py: number): number => {
    const x = wrap(px, iw, repeat), y = wrap(py, ih, repeat);
    if (x < 0 || y < 0) return 0;
    return (pixels[y * iw + x] | a) >>> 0;
  };
  const bilinear = filter === Filter.BILINEAR || filter === Filter.GOOD || filter === Filter.BEST;
  for (let j = 0; j < h; j++) {
    let [x, y] = point(m, ox, oy + j);
    for (let i = 0; i < w; i++, x += m[0], y += m[3]) {
      if (!bilinear) {
        out[j * w + i] = fetch(Math.floor((x - 1) / 65536), Math.floor((y - 1) / 65536));
        continue;
      }
      const bx = x - 0x8000, by = y - 0x8000;
      const x1 = Math.floor(bx / 65536), y1 = Math.floor(by / 65536);
      const dx = ((bx - x1 * 65536) >> 9) << 1, dy = ((by - y1 * 65536) >> 9) << 1;
      const tl = fetch(x1, y1), tr = fetch(x1 + 1, y1), bl = fetch(x1, y1 + 1), br = fetch(x1 + 1, y1 + 1);
      const dxy = dx * dy, dxiy = (dx << 8) - dxy, dixy = (dy << 8) - dxy, dixiy = 65536 - (dx << 8) - (dy << 8) + dxy;
      let r = 0;
      for (let s = 0; s < 32; s += 8) {
        const c = ((tl >>> s) & 255) * dixiy + ((tr >>> s) & 255) * dxiy + ((bl >>> s) & 255) * dixy + ((br >>> s) & 255) * dxy;
        r |= ((c >>> 16) & 255) << s;
      }
      out[j * w + i] = r >>> 0;
    }
  }
  return out;
}
