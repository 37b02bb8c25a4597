/**
 * Browser half of `npm run bench`, run inside a dedicated Web Worker in Chromium (where the
 * client decodes): our decoders on the recorded payloads, and — when Debian's spice-html5 is
 * installed and served — its QUIC and LZ decoders on the same payloads, after checking that
 * they produce the same pixels (a decoder that fails is not timed).
 */
import { benchAll, timeIt, type BenchResult, type PayloadSet } from './core';
import { decodeJpegInWorker } from '../../workers/jpeg';
import { decodeQuic } from '../../src/codecs/quic';
import { decodeLz } from '../../src/codecs/lz';

interface IndexEntry {
  codec: PayloadSet['codec'];
  source: string;
  items: Array<{ width: number; height: number; bitmap?: { format: number; flags: number; stride: number }; off: number; len: number }>;
}

type Html5Quic = { SpiceQuic: new () => { from_dv(dv: DataView, at: number, mb: ArrayBuffer): number; width: number; height: number; outptr?: Uint8Array }; convert_spice_quic_to_web(ctx: unknown, q: unknown): ImageData };
type Html5Lz = { convert_spice_lz_to_web(ctx: unknown, lz: unknown): ImageData | undefined };

const ctx = { createImageData: (w: number, h: number) => new ImageData(w, h) };

function html5QuicDecode(m: Html5Quic, data: Uint8Array): ImageData {
  const buf = new ArrayBuffer(4 + data.length);
  new DataView(buf).setUint32(0, data.length, true);
  new Uint8Array(buf, 4).set(data);
  const q = new m.SpiceQuic();
  q.from_dv(new DataView(buf), 0, buf);
  if (!q.outptr) throw new Error('spice-html5 quic: decode failed');
  return m.convert_spice_quic_to_web(ctx, q);
}

function html5LzDecode(m: Html5Lz, data: Uint8Array): ImageData {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // LZ header fields are big-endian (spice-protocol.md LZ); spice-html5 takes them pre-parsed
  const lz = { type: dv.getUint32(8), width: dv.getUint32(12), height: dv.getUint32(16), top_down: dv.getUint32(24), data: data.slice(28).buffer };
  const out = m.convert_spice_lz_to_web(ctx, lz);
  if (!out) throw new Error(`spice-html5 lz: type ${lz.type} unsupported`);
  return out;
}

/** pixels differing between ours and theirs (RGB only when `rgbOnly`) */
function mismatches(ours: Uint32Array, theirs: Uint8ClampedArray, rgbOnly: boolean): number {
  const o = new Uint8Array(ours.buffer, ours.byteOffset, ours.byteLength);
  if (o.length !== theirs.length) return ours.length;
  let n = 0;
  for (let i = 0; i < o.length; i += 4) {
    if (o[i] !== theirs[i] || o[i + 1] !== theirs[i + 1] || o[i + 2] !== theirs[i + 2] || (!rgbOnly && o[i + 3] !== theirs[i + 3])) n++;
  }
  return n;
}

self.onmessage = async (e: MessageEvent<{ index: IndexEntry[]; bytes: ArrayBuffer; html5: string | null; minMs: number }>) => {
  const { index, bytes, html5, minMs } = e.data;
  const all = new Uint8Array(bytes);
  const sets: PayloadSet[] = index.map((s) => ({ codec: s.codec, source: s.source, items: s.items.map((p) => ({ width: p.width, height: p.height, bitmap: p.bitmap, data: all.subarray(p.off, p.off + p.len) })) }));
  // each set decodes once before it is timed: a broken decoder throws instead of being timed
  const ours = await benchAll(sets, decodeJpegInWorker, minMs);
  const theirs: Array<BenchResult & { note: string }> = [];
  if (html5) {
    const q = (await import(/* @vite-ignore */ `${html5}/quic.js`)) as Html5Quic;
    const l = (await import(/* @vite-ignore */ `${html5}/lz.js`)) as Html5Lz;
    for (const [codec, dec, ourDec] of [
      ['QUIC', (d: Uint8Array) => html5QuicDecode(q, d), (d: Uint8Array) => decodeQuic(d)],
      ['LZ_RGB', (d: Uint8Array) => html5LzDecode(l, d), (d: Uint8Array) => decodeLz(d, null)],
    ] as const) {
      const set = sets.find((s) => s.codec === codec)!;
      let bad = 0;
      let rgbOnly = 0;
      for (const p of set.items) {
        const mine = ourDec(p.data);
        // spice-html5 writes 255 - alpha for RGBA QUIC: compare colour only there, and say so
        const colourOnly = mine.hasAlpha && codec === 'QUIC';
        if (colourOnly) rgbOnly++;
        bad += mismatches(mine.pixels, dec(p.data).data, colourOnly) > 0 ? 1 : 0;
      }
      const r = timeIt(codec, set.source, set.items.length, set.items.reduce((n, p) => n + p.data.length, 0), () => {
        let px = 0;
        for (const p of set.items) px += dec(p.data).data.length / 4;
        return px;
      }, minMs);
      theirs.push({ ...r, note: `${bad ? `MISMATCH on ${bad}/${set.items.length} images` : 'same pixels'}${rgbOnly ? ` (colour only on ${rgbOnly} RGBA images: it stores 255-alpha)` : ''}` });
    }
  }
  (self as unknown as Worker).postMessage({ ours, theirs });
};
