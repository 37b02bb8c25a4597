// Ground truth: what the X server (= the SPICE server) has in its framebuffer, and pixel comparison
// against what a client shows. The grab is `xwd -root`, parsed here (no ImageMagick in the loop),
// so it is exact: lossless image modes must match the client's canvas pixel for pixel (mask the
// cursor: it is not in the framebuffer).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pngjs from 'pngjs';
import { run } from './proc.mjs';

const { PNG } = pngjs;

/**
 * An 8-bit RGBA image, rows top to bottom, no padding (rgba.length === width * height * 4).
 * @typedef {{ width: number, height: number, rgba: Buffer }} Image
 */
/** @typedef {{ x: number, y: number, width: number, height: number }} Rect */

/** @param {string | number | { display: string }} d @returns {string} ":N" */
function displayName(d) {
  if (typeof d === 'number') return `:${d}`;
  if (typeof d === 'string') return d.startsWith(':') || d.includes(':') ? d : `:${d}`;
  return d.display;
}

/**
 * Grab the whole X screen (all heads) of a display.
 * @param {string | number | { display: string }} display ":N", N, or an XspiceServer
 * @returns {Promise<Image>}
 */
export async function grabFramebuffer(display) {
  const name = displayName(display);
  const r = await run('xwd', ['-silent', '-root', '-display', name], { timeout: 30_000 });
  if (r.code !== 0) throw new Error(`xwd -display ${name} failed (${r.code}): ${r.stderr.trim()}`);
  return parseXwd(r.stdout);
}

/**
 * The same grab through ImageMagick (`xwd | /usr/bin/convert xwd:- rgba:-`); for cross-checking
 * parseXwd. Always /usr/bin/convert: a PATH shim named convert may shadow ImageMagick.
 * @param {string | number | { display: string }} display
 * @returns {Promise<Image>}
 */
export async function grabFramebufferViaConvert(display) {
  const name = displayName(display);
  const x = await run('xwd', ['-silent', '-root', '-display', name], { timeout: 30_000 });
  if (x.code !== 0) throw new Error(`xwd failed: ${x.stderr}`);
  const { width, height } = parseXwdHeader(x.stdout);
  const c = await run('/usr/bin/convert', ['xwd:-', '-alpha', 'off', '-depth', '8', 'rgba:-'], { input: x.stdout, timeout: 60_000 });
  if (c.code !== 0) throw new Error(`convert failed: ${c.stderr}`);
  return { width, height, rgba: c.stdout };
}

/** @param {Buffer} buf */
function parseXwdHeader(buf) {
  if (buf.length < 100) throw new Error('XWD data too short');
  const f = (/** @type {number} */ i) => buf.readUInt32BE(i * 4);
  const h = {
    headerSize: f(0), version: f(1), format: f(2), depth: f(3), width: f(4), height: f(5),
    byteOrder: f(7), bitsPerPixel: f(11), bytesPerLine: f(12), visualClass: f(13),
    redMask: f(14), greenMask: f(15), blueMask: f(16), ncolors: f(19),
  };
  if (h.version !== 7) throw new Error(`unsupported XWD version ${h.version}`);
  if (h.format !== 2) throw new Error(`unsupported XWD pixmap format ${h.format} (want ZPixmap)`);
  return h;
}

/**
 * Decode an XWD dump (X11 xwd format version 7, ZPixmap) to RGBA; alpha is always 255.
 * TrueColor/DirectColor at 16/24/32 bpp use the colour masks, other visuals the colormap.
 * @param {Buffer} buf
 * @returns {Image}
 */
export function parseXwd(buf) {
  const h = parseXwdHeader(buf);
  const { width, height, bytesPerLine, bitsPerPixel: bpp } = h;
  const cmapStart = h.headerSize;
  const dataStart = cmapStart + h.ncolors * 12;
  if (buf.length < dataStart + bytesPerLine * height) throw new Error('XWD image data truncated');
  const rgba = Buffer.alloc(width * height * 4);
  const le = h.byteOrder === 0;
  /** @type {(off: number) => number} */
  let readPixel;
  if (bpp === 32) readPixel = le ? (o) => buf.readUInt32LE(o) : (o) => buf.readUInt32BE(o);
  else if (bpp === 24) readPixel = le ? (o) => buf.readUIntLE(o, 3) : (o) => buf.readUIntBE(o, 3);
  else if (bpp === 16) readPixel = le ? (o) => buf.readUInt16LE(o) : (o) => buf.readUInt16BE(o);
  else if (bpp === 8) readPixel = (o) => buf[o];
  else throw new Error(`unsupported XWD bits per pixel ${bpp}`);
  const bytesPP = bpp / 8;
  const trueColor = h.visualClass === 4 || h.visualClass === 5; // TrueColor, DirectColor
  if (trueColor) {
    const chan = (/** @type {number} */ mask) => {
      let shift = 0;
      while (shift < 32 && !((mask >>> shift) & 1)) shift++;
      const max = mask >>> shift;
      return { shift, max };
    };
    const R = chan(h.redMask), G = chan(h.greenMask), B = chan(h.blueMask);
    const fast = R.max === 255 && G.max === 255 && B.max === 255;
    for (let y = 0; y < height; y++) {
      let src = dataStart + y * bytesPerLine;
      let dst = y * width * 4;
      for (let x = 0; x < width; x++, src += bytesPP, dst += 4) {
        const p = readPixel(src);
        if (fast) {
          rgba[dst] = (p >>> R.shift) & 255;
          rgba[dst + 1] = (p >>> G.shift) & 255;
          rgba[dst + 2] = (p >>> B.shift) & 255;
        } else {
          rgba[dst] = Math.round((((p >>> R.shift) & R.max) * 255) / R.max);
          rgba[dst + 1] = Math.round((((p >>> G.shift) & G.max) * 255) / G.max);
          rgba[dst + 2] = Math.round((((p >>> B.shift) & B.max) * 255) / B.max);
        }
        rgba[dst + 3] = 255;
      }
    }
  } else {
    /** @type {Map<number, [number, number, number]>} */
    const cmap = new Map();
    for (let i = 0; i < h.ncolors; i++) {
      const o = cmapStart + i * 12;
      cmap.set(buf.readUInt32BE(o), [buf.readUInt16BE(o + 4) >> 8, buf.readUInt16BE(o + 6) >> 8, buf.readUInt16BE(o + 8) >> 8]);
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const c = cmap.get(readPixel(dataStart + y * bytesPerLine + x * bytesPP)) ?? [0, 0, 0];
        const d = (y * width + x) * 4;
        rgba[d] = c[0]; rgba[d + 1] = c[1]; rgba[d + 2] = c[2]; rgba[d + 3] = 255;
      }
    }
  }
  return { width, height, rgba };
}

/**
 * @param {Image} img @param {number} x @param {number} y
 * @returns {[number, number, number, number]} [r, g, b, a]
 */
export function pixelAt(img, x, y) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) throw new RangeError(`pixel ${x},${y} outside ${img.width}x${img.height}`);
  const o = (y * img.width + x) * 4;
  return [img.rgba[o], img.rgba[o + 1], img.rgba[o + 2], img.rgba[o + 3]];
}

/** @param {Image} img @param {Rect} r @returns {Image} a copy of that rectangle (clipped to the image) */
export function cropImage(img, r) {
  const x0 = Math.max(0, r.x), y0 = Math.max(0, r.y);
  const x1 = Math.min(img.width, r.x + r.width), y1 = Math.min(img.height, r.y + r.height);
  const width = Math.max(0, x1 - x0), height = Math.max(0, y1 - y0);
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) img.rgba.copy(rgba, y * width * 4, ((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x1) * 4);
  return { width, height, rgba };
}

/**
 * @typedef {object} CompareOptions
 * @property {Rect[]} [mask]          rectangles to ignore (e.g. the cursor, a clock)
 * @property {Rect} [region]          compare only inside this rectangle
 * @property {number} [tolerance=0]   max allowed |a-b| per channel (0 = exact; lossy codecs need more)
 * @property {boolean} [compareAlpha=false]
 * @property {boolean} [diff=false]   also return a diff image: red = mismatch, dimmed grey = match,
 *                                    blue = masked / outside region
 */
/**
 * @typedef {object} CompareResult
 * @property {boolean} sameSize       false -> nothing was compared; mismatches = pixels of the larger
 * @property {number} width
 * @property {number} height
 * @property {number} compared        pixels compared (not masked)
 * @property {number} mismatches      pixels over tolerance
 * @property {number} ratio           mismatches / compared
 * @property {number} maxDelta        largest per-channel difference seen
 * @property {{x: number, y: number, a: number[], b: number[]} | null} firstMismatch  in row order
 * @property {Rect | null} bbox       bounding box of all mismatches
 * @property {Image} [diff]
 */

/**
 * Compare two RGBA images pixel by pixel.
 * @param {Image} a
 * @param {Image} b
 * @param {CompareOptions} [opts]
 * @returns {CompareResult}
 */
export function comparePixels(a, b, opts = {}) {
  const { mask = [], region, tolerance = 0, compareAlpha = false } = opts;
  if (a.width !== b.width || a.height !== b.height) {
    const n = Math.max(a.width * a.height, b.width * b.height);
    return { sameSize: false, width: a.width, height: a.height, compared: 0, mismatches: n, ratio: 1, maxDelta: 255, firstMismatch: null, bbox: null };
  }
  const { width, height } = a;
  const rx0 = region ? Math.max(0, region.x) : 0;
  const ry0 = region ? Math.max(0, region.y) : 0;
  const rx1 = region ? Math.min(width, region.x + region.width) : width;
  const ry1 = region ? Math.min(height, region.y + region.height) : height;
  const masked = (/** @type {number} */ x, /** @type {number} */ y) =>
    mask.some((m) => x >= m.x && y >= m.y && x < m.x + m.width && y < m.y + m.height);
  const diff = opts.diff ? Buffer.alloc(width * height * 4) : null;
  const chans = compareAlpha ? 4 : 3;
  let compared = 0, mismatches = 0, maxDelta = 0;
  /** @type {CompareResult['firstMismatch']} */
  let firstMismatch = null;
  let bx0 = Infinity, by0 = Infinity, bx1 = -1, by1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inside = x >= rx0 && x < rx1 && y >= ry0 && y < ry1 && (mask.length === 0 || !masked(x, y));
      if (!inside) {
        if (diff) { diff[o] = 0; diff[o + 1] = 0; diff[o + 2] = 96; diff[o + 3] = 255; }
        continue;
      }
      compared++;
      let d = 0;
      for (let c = 0; c < chans; c++) d = Math.max(d, Math.abs(a.rgba[o + c] - b.rgba[o + c]));
      if (d > maxDelta) maxDelta = d;
      if (d > tolerance) {
        mismatches++;
        if (!firstMismatch) firstMismatch = { x, y, a: [...a.rgba.subarray(o, o + 4)], b: [...b.rgba.subarray(o, o + 4)] };
        if (x < bx0) bx0 = x;
        if (y < by0) by0 = y;
        if (x > bx1) bx1 = x;
        if (y > by1) by1 = y;
        if (diff) { diff[o] = 255; diff[o + 1] = 0; diff[o + 2] = 0; diff[o + 3] = 255; }
      } else if (diff) {
        const g = 64 + ((a.rgba[o] + a.rgba[o + 1] + a.rgba[o + 2]) / 3 / 4) | 0;
        diff[o] = g; diff[o + 1] = g; diff[o + 2] = g; diff[o + 3] = 255;
      }
    }
  }
  /** @type {CompareResult} */
  const res = {
    sameSize: true, width, height, compared, mismatches, ratio: compared ? mismatches / compared : 0, maxDelta, firstMismatch,
    bbox: mismatches ? { x: bx0, y: by0, width: bx1 - bx0 + 1, height: by1 - by0 + 1 } : null,
  };
  if (diff) res.diff = { width, height, rgba: diff };
  return res;
}

/** @param {CompareResult} r @returns {string} one line for an assertion message */
export function describeComparison(r) {
  if (!r.sameSize) return `size differs (${r.width}x${r.height} vs other)`;
  if (!r.mismatches) return `identical over ${r.compared} px (max delta ${r.maxDelta})`;
  const f = r.firstMismatch;
  const bb = r.bbox;
  return `${r.mismatches}/${r.compared} px differ (max delta ${r.maxDelta}); first at ${f?.x},${f?.y}: ` +
    `[${f?.a.join(',')}] vs [${f?.b.join(',')}]; bbox ${bb?.x},${bb?.y} ${bb?.width}x${bb?.height}`;
}

/**
 * @param {number} width @param {number} height @param {Buffer | Uint8Array | Uint8ClampedArray} rgba
 * @returns {Buffer} PNG file bytes (RGBA, 8 bit)
 */
export function encodePng(width, height, rgba) {
  if (rgba.length !== width * height * 4) throw new Error(`rgba has ${rgba.length} bytes, want ${width * height * 4}`);
  const png = new PNG({ width, height, colorType: 6, inputColorType: 6, bitDepth: 8, inputHasAlpha: true });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

/**
 * Write an RGBA buffer as a PNG file (parent directories are created).
 * @param {string} file @param {number} width @param {number} height
 * @param {Buffer | Uint8Array | Uint8ClampedArray} rgba
 */
export function writePng(file, width, height, rgba) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, encodePng(width, height, rgba));
}

/**
 * Decode PNG bytes (any colour type / palette / bit depth) to 8-bit RGBA.
 * @param {Buffer | Uint8Array} buffer
 * @returns {Image}
 */
export function decodePng(buffer) {
  const png = PNG.sync.read(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  return { width: png.width, height: png.height, rgba: png.data };
}

/** @param {string} file @returns {Image} */
export function readPng(file) {
  return decodePng(readFileSync(file));
}

/**
 * Write expected / actual / diff PNGs for a failed comparison; returns the paths.
 * @param {string} dir @param {string} name file prefix
 * @param {Image} expected @param {Image} actual @param {CompareOptions} [opts] as for comparePixels
 * @returns {{ expected: string, actual: string, diff: string | null }}
 */
export function writeComparisonArtifacts(dir, name, expected, actual, opts = {}) {
  const p = (/** @type {string} */ s) => path.join(dir, `${name}-${s}.png`);
  writePng(p('expected'), expected.width, expected.height, expected.rgba);
  writePng(p('actual'), actual.width, actual.height, actual.rgba);
  const r = comparePixels(expected, actual, { ...opts, diff: true });
  if (r.diff) writePng(p('diff'), r.diff.width, r.diff.height, r.diff.rgba);
  return { expected: p('expected'), actual: p('actual'), diff: r.diff ? p('diff') : null };
}
