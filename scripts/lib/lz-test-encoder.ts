/**
 * A tiny LZ/GLZ/LZ4 *encoder* for codec tests, written from the format descriptions in
 * docs/spice-protocol.md §6.2–6.4 (not from the decoders), so synthetic payloads check the
 * decoders independently: literal runs, back-references, headers, orientation.
 */

export function be32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

/** LZ header: magic "  ZL", version 1.1, type, width, height, stride, top_down (all BE u32) */
export function lzHeader(type: number, w: number, h: number, stride: number, topDown: boolean): number[] {
  return [...be32(0x20205a4c), ...be32(0x00010001), ...be32(type), ...be32(w), ...be32(h), ...be32(stride), ...be32(topDown ? 1 : 0)];
}

/**
 * Literal runs: `units` is a list of units, each a list of the wire bytes of one unit
 * (3 bytes B,G,R for RGB24/32; 2 bytes big-endian for RGB16; 1 byte otherwise).
 */
export function lzLiterals(units: number[][]): number[] {
  const out: number[] = [];
  for (let i = 0; i < units.length; i += 32) {
    const chunk = units.slice(i, i + 32);
    out.push(chunk.length - 1);
    for (const u of chunk) out.push(...u);
  }
  return out;
}

/**
 * LZ back-reference of `len` units at distance `dist` (1 = the previous unit). `minLen` is the
 * shortest length the type can express: 1 for RGB24/32, 2 for RGB16, 3 for byte units.
 */
export function lzRef(len: number, dist: number, minLen: number): number[] {
  const l = len - minLen + 1; // what the 3 length bits (and extension) carry, ≥ 1
  if (l < 1) throw new Error('match too short');
  const ofs = dist - 1;
  const out: number[] = [];
  const far = ofs >= 8191;
  const hi = far ? 31 : ofs >> 8;
  if (l < 7) out.push((l << 5) | hi);
  else {
    out.push((7 << 5) | hi);
    let rest = l - 7;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  }
  if (far) {
    const f = ofs - 8191;
    out.push(255, (f >> 8) & 255, f & 255);
  } else out.push(ofs & 255);
  return out;
}

/** GLZ header: magic, version, type|top_down<<4, width, height, stride, id (u64), win_head_dist */
export function glzHeader(type: number, w: number, h: number, id: number, winHeadDist: number, topDown: boolean): number[] {
  const stride = type === 6 ? w * 2 : type === 7 ? w * 3 : w * 4;
  return [...be32(0x20205a4c), ...be32(0x00010001), (type & 15) | (topDown ? 16 : 0), ...be32(w), ...be32(h), ...be32(stride), ...be32(Math.floor(id / 2 ** 32)), ...be32(id >>> 0), ...be32(winHeadDist)];
}

/**
 * GLZ reference (§6.3): `len` units from image `imageDist` back (0 = this image, then `pixel` is
 * the distance, 1 = previous unit; otherwise the absolute unit index in that image).
 * `minLen`: 1 for RGB24/32 (len bits carry len itself), 2 for RGB16, 3 for alpha/palette.
 * Always uses the long pixel-offset form with one or two image-distance bytes.
 */
export function glzRef(len: number, imageDist: number, pixel: number, minLen: number): number[] {
  let l = len - (minLen - 1);
  if (l < 1) throw new Error('match too short');
  const ofs = imageDist === 0 ? pixel - 1 : pixel;
  const out: number[] = [];
  const lenBits = Math.min(l, 7);
  out.push((lenBits << 5) | (1 << 4) | (ofs & 15));
  if (l >= 7) {
    let rest = l - 7;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  }
  out.push((ofs >> 4) & 255);
  const veryLong = ofs >= 1 << 17;
  const distBytes = imageDist === 0 ? 0 : imageDist < 256 ? 1 : 2;
  out.push((distBytes << 6) | ((veryLong ? 1 : 0) << 5) | ((ofs >> 12) & 31));
  for (let i = 0; i < distBytes; i++) out.push((imageDist >> (8 * i)) & 255);
  if (veryLong) out.push((ofs >> 17) & 255);
  return out;
}

/** An LZ4 block holding only literals (one final sequence). */
export function lz4LiteralBlock(bytes: number[]): number[] {
  const n = bytes.length;
  const out: number[] = [];
  if (n < 15) out.push(n << 4);
  else {
    out.push(15 << 4);
    let rest = n - 15;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  }
  return [...out, ...bytes];
}

/** An LZ4 sequence: `lit` literals then a match of `len` (≥ 4) at `offset`. */
export function lz4Sequence(lit: number[], len: number, offset: number): number[] {
  const ml = len - 4;
  const out: number[] = [(Math.min(lit.length, 15) << 4) | Math.min(ml, 15)];
  if (lit.length >= 15) {
    let rest = lit.length - 15;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  }
  out.push(...lit, offset & 255, offset >> 8);
  if (ml >= 15) {
    let rest = ml - 15;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  }
  return out;
}

/** our pixel format from r,g,b,a */
export function px(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}
