/**
 * Source/mask sampling for the operators pixman composites in float (combine-float.ts): pixels
 * become float32 channels u·(1/255), and a BILINEAR (GOOD, BEST) sample is interpolated in float
 * with full 16-bit weights (pixman's bits_image_fetch_pixel_bilinear_float), not with the 7-bit
 * integer weights of the 8-bit path (sample.ts). Sample points and repeat modes as in sample.ts.
 *
 * Exported:
 *   sampleFloat(img, opaque, m, ox, oy, w, h, filter, repeat, skip?): Float32Array
 *     4 floats per pixel in the order A, R, G, B. opaque: alpha of in-image pixels reads as 1.
 *     skip: the mask samples of the same grid. pixman's transformed / PAD / REFLECT fetchers
 *     do not fetch a source pixel whose mask pixel is all zero; its scanline buffer then keeps
 *     the previous row's value (0 on the first row). Only the HSL modes, which leak unmasked
 *     source blue, can show the difference (checked against libpixman).
 */
import type { PixelSource } from './region';
import { Filter, Repeat, type Affine } from './sample';

const f = Math.fround;
const INV255 = f(1 / 255);

function wrap(k: number, n: number, repeat: number): number {
  if (k >= 0 && k < n) return k;
  switch (repeat) {
    case Repeat.NORMAL: return ((k % n) + n) % n;
    case Repeat.PAD: return k < 0 ? 0 : n - 1;
    case Repeat.REFLECT: {
      const p = ((k % (2 * n)) + 2 * n) % (2 * n);
      return p < n ? p : 2 * n - 1 - p;
    }
    default: return -1;
  }
}

/** transform of a pixel centre, rounded as pixman_transform_point_3d does (64-bit products) */
function point(m: Affine, x: number, y: number): [number, number] {
  const B = 65536n;
  const vx = BigInt(x) * B + 0x8000n, vy = BigInt(y) * B + 0x8000n;
  const rx = (BigInt(m[0]) * vx + BigInt(m[1]) * vy + BigInt(m[2]) * B + 0x8000n) >> 16n;
  const ry = (BigInt(m[3]) * vx + BigInt(m[4]) * vy + BigInt(m[5]) * B + 0x8000n) >> 16n;
  return [Number(rx), Number(ry)];
}

export function sampleFloat(img: PixelSource, opaque: boolean, m: Affine, ox: number, oy: number, w: number, h: number,
  filter: number, repeat: number, skip?: Float32Array): Float32Array {
  const out = new Float32Array(w * h * 4);
  const { width: iw, height: ih, pixels } = img;
  if (iw <= 0 || ih <= 0) return out;
  const px = new Float32Array(4);
  const fetch = (x: number, y: number): Float32Array => {
    const xx = wrap(x, iw, repeat), yy = wrap(y, ih, repeat);
    if (xx < 0 || yy < 0) { px.fill(0); return px; }
    const v = pixels[yy * iw + xx];
    px[0] = opaque ? 1 : f((v >>> 24) * INV255);
    px[1] = f((v & 255) * INV255);
    px[2] = f(((v >>> 8) & 255) * INV255);
    px[3] = f(((v >>> 16) & 255) * INV255);
    return px;
  };
  const bilinear = filter === Filter.BILINEAR || filter === Filter.GOOD || filter === Filter.BEST;
  for (let j = 0; j < h; j++) {
    if (skip && j > 0) out.copyWithin(j * w * 4, (j - 1) * w * 4, j * w * 4);
    let [x, y] = point(m, ox, oy + j);
    for (let i = 0; i < w; i++, x += m[0], y += m[3]) {
      const q = (j * w + i) * 4;
      if (skip && skip[q] === 0 && skip[q + 1] === 0 && skip[q + 2] === 0 && skip[q + 3] === 0) continue;
      if (!bilinear) {
        out.set(fetch(Math.floor((x - 1) / 65536), Math.floor((y - 1) / 65536)), (j * w + i) * 4);
        continue;
      }
      const bx = x - 0x8000, by = y - 0x8000;
      const x1 = Math.floor(bx / 65536), y1 = Math.floor(by / 65536);
      const dx = f((bx - x1 * 65536) / 65536), dy = f((by - y1 * 65536) / 65536);
      const dxy = f(dx * dy), dxiy = f(dx * f(1 - dy)), dixy = f(f(1 - dx) * dy), dixiy = f(f(1 - dx) * f(1 - dy));
      const tl = fetch(x1, y1).slice(), tr = fetch(x1 + 1, y1).slice(), bl = fetch(x1, y1 + 1).slice(), br = fetch(x1 + 1, y1 + 1);
      for (let k = 0; k < 4; k++) {
        out[(j * w + i) * 4 + k] = f(f(f(f(tl[k] * dixiy) + f(tr[k] * dxiy)) + f(bl[k] * dixy)) + f(br[k] * dxy));
      }
    }
  }
  return out;
}
