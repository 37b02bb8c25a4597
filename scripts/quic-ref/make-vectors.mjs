#!/usr/bin/env node
/**
 * Regenerate fixtures/quic/: QUIC test vectors for the image types Xspice never sends (RGB16,
 * GRAY, RGB24) and more RGBA/RGB32 shapes, encoded by spice-common's own encoder so that
 * src/codecs/quic.test.ts checks our decoder against an independent implementation. For each
 * vector, <name>.raw is the encoder's input (the expected pixels) and <name>.quic its output.
 *
 *   node scripts/quic-ref/make-vectors.mjs [path to a spice-common checkout or git dir]
 *
 * Needs gcc and the spice-protocol headers (/usr/include/spice-1).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../fixtures/quic');
const src = process.argv[2] ?? '/work/.mirror/freedesktop+spice-common/repo';
const tmp = mkdtempSync(join(tmpdir(), 'quicref-'));
for (const f of ['quic.c', 'quic.h', 'quic_config.h', 'quic_tmpl.c', 'quic_family_tmpl.c']) {
  const text = existsSync(join(src, 'common', f))
    ? execFileSync('cat', [join(src, 'common', f)])
    : execFileSync('git', ['-C', src, 'show', `HEAD:common/${f}`]);
  writeFileSync(join(tmp, f), text);
}
const exe = join(tmp, 'quic-encode');
execFileSync('gcc', ['-O2', '-std=gnu11', '-I', join(here, 'shim'), '-I', tmp, '-I', '/usr/include/spice-1',
  '-o', exe, join(here, 'quic-encode.c'), join(tmp, 'quic.c')], { stdio: 'inherit' });

const BPP = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 4 };
let seed = 0x12345678;
function rnd() {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
/** r,g,b,a in 0..255 for pixel (x, y): flat bands (runs), gradients, and noise (escape codes) */
function sample(x, y, w, h) {
  const band = Math.floor((y * 4) / h);
  if (band === 0) return [200, 30, 90, 255];
  if (band === 1) return [(x * 255) / w, (y * 255) / h, ((x + y) * 3) & 255, (x * 7) & 255];
  if (band === 2) return [rnd() * 256, rnd() * 256, rnd() * 256, rnd() * 256];
  return x % 16 < 8 ? [10, 250, 10, 128] : [(x * 13) & 255, 40, (y * 5) & 255, 0];
}
function raw(type, w, h) {
  const b = Buffer.alloc(w * h * BPP[type]);
  let p = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, bl, a] = sample(x, y, w, h).map((v) => Math.floor(v) & 255);
      switch (type) {
        case 1: b[p++] = (r * 3 + g * 5 + bl * 2) / 10; break;
        case 2: b.writeUInt16LE(((r >> 3) << 10) | ((g >> 3) << 5) | (bl >> 3), p); p += 2; break;
        case 3: b[p++] = bl; b[p++] = g; b[p++] = r; break;
        case 4: b[p++] = bl; b[p++] = g; b[p++] = r; b[p++] = 0; break;
        case 5: { const m = (v) => Math.round((v * a) / 255); b[p++] = m(bl); b[p++] = m(g); b[p++] = m(r); b[p++] = a; break; }
      }
    }
  }
  return b;
}
const vectors = [
  ['rgb16', 2, 96, 64],
  ['rgb16-wide', 2, 2600, 6],
  ['gray', 1, 80, 200],
  ['rgb24', 3, 50, 40],
  ['rgb32', 4, 130, 100],
  ['rgba', 5, 64, 64],
  ['rgba-1x1', 5, 1, 1],
  ['rgb32-column', 4, 1, 300],
];
mkdirSync(out, { recursive: true });
for (const [name, type, w, h] of vectors) {
  const input = raw(type, w, h);
  const quic = execFileSync(exe, [String(type), String(w), String(h)], { input, maxBuffer: 1 << 26 });
  writeFileSync(join(out, `${name}.raw`), input);
  writeFileSync(join(out, `${name}.quic`), quic);
  console.log(`${name}: type ${type} ${w}x${h}, ${input.length} raw bytes, ${quic.length} coded`);
}
