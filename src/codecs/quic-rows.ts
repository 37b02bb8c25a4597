/**
 * Size: just over 15 KB; the r,g,b hot path is written out once per channel instead of looping
 * over channels, which measured ~25% faster; splitting it would put a call in the inner loop.
 *
 * One QUIC coding state and its channels (spice-protocol.md §6.1): the r,g,b triple of an RGB
 * image shares one state (wait counter, pseudo-random seed, wait-mask index, run-length state)
 * while every channel has its own error-code row and its own buckets. The alpha plane of RGBA and
 * the single GRAY plane are a group of one channel with their own state.
 *
 * Samples are kept as planes of one row, `cur` and `prev` (channel c at c·width + x), at the
 * coded depth (5 or 8 bits); the caller packs them into output pixels after each row.
 *
 * Hot-loop rules: the bit reader's fields live in locals for a whole segment, the Golomb decode
 * and the prediction are written inline, nothing is allocated per pixel.
 */
import { CodecError } from './errors';
import { QuicBits } from './quic-bits';
import { MELC_LEN, MELC_STATES, TABRAND, WM_MAX_INDEX, WM_NEXT, WM_TRIGGER, type QuicFamily } from './quic-tables';

export class QuicChannels {
  cur: Uint8Array;
  prev: Uint8Array;
  /**
   * Error codes of the current row, channel c at c·(width+1) + 1 + x; slot c·(width+1) is the
   * "x = −1" context. Entries covered by a run keep their value from an earlier row, and later
   * contexts read those stale values: the encoder does the same, so we must too.
   */
  readonly corr: Uint8Array;
  /** best Golomb parameter per (channel, bucket) */
  readonly best: Uint8Array;
  /** code-length sums per (channel, bucket, parameter), 8 parameters per bucket */
  readonly counters: Uint32Array;

  waitcnt = 0;
  seed = 0xff;
  wmidx = 0;
  wmileft = WM_NEXT;
  trigger = WM_TRIGGER[0];
  melcState = 0;
  melcLen = MELC_LEN[0];
  melcOrder = 1 << MELC_LEN[0];

  constructor(
    readonly nc: number,
    readonly width: number,
    readonly fam: QuicFamily,
  ) {
    this.cur = new Uint8Array(nc * width);
    this.prev = new Uint8Array(nc * width);
    this.corr = new Uint8Array(nc * (width + 1));
    this.best = new Uint8Array(nc * fam.nBuckets).fill(fam.bpc - 1);
    this.counters = new Uint32Array(nc * fam.nBuckets * 8);
  }

  /** Decode one row; `first` is row 0 (left prediction only, no runs). */
  decodeRow(bits: QuicBits, first: boolean): void {
    const W = this.width;
    if (!first) {
      const t = this.prev;
      this.prev = this.cur;
      this.cur = t;
    }
    const stride = W + 1;
    for (let c = 0; c < this.nc; c++) {
      const o = c * stride;
      this.corr[o] = first ? 0 : this.corr[o + 1];
    }
    // the row is cut into segments where the wait mask widens (every WM_NEXT samples of the
    // whole image, until index WM_MAX_INDEX)
    let pos = 0;
    let left = W;
    while (this.wmidx < WM_MAX_INDEX && this.wmileft <= left) {
      if (this.wmileft) {
        this.segment(bits, first, pos, pos + this.wmileft, (1 << this.wmidx) - 1);
        pos += this.wmileft;
        left -= this.wmileft;
      }
      this.wmidx++;
      this.trigger = WM_TRIGGER[this.wmidx];
      this.wmileft = WM_NEXT;
    }
    if (left) {
      this.segment(bits, first, pos, pos + left, (1 << this.wmidx) - 1);
      if (this.wmidx < WM_MAX_INDEX) this.wmileft -= left;
    }
  }

  private segment(bits: QuicBits, first: boolean, i: number, end: number, waitmask: number): void {
    if (i === 0) {
      this.pixel0(bits, first);
      if (this.waitcnt) this.waitcnt--;
      else {
        this.seed = (this.seed + 1) & 0xff;
        this.waitcnt = TABRAND[this.seed] & waitmask;
        this.updateModel(0);
      }
      i = 1;
    }
    if (!first && this.nc === 3) {
      this.segmentRgb(bits, i, end, waitmask);
      return;
    }
    let stop = i + this.waitcnt;
    const nc = this.nc;
    const W = this.width;
    const stride = W + 1;
    const cur = this.cur;
    const prev = this.prev;
    const corr = this.corr;
    const best = this.best;
    const f = this.fam;
    const mask = f.mask;
    const nb = f.nBuckets;
    const bucketOf = f.bucketOf;
    const altPrefix = f.altPrefix;
    const nGR = f.nGR;
    const notGRlen = f.notGRlen;
    const sufMask = f.notGRsuffixMask;
    const unfold = f.unfold;
    const data = bits.data;
    const dend = bits.end;
    let w = bits.w;
    let nw = bits.nw;
    let avail = bits.avail;
    let ip = bits.ip;
    let runIndex = 0;

    while (i < end) {
      if (!first && i > 2 && runIndex !== i) {
        // run mode: above-left equals above and the two samples to the left are equal
        let same = true;
        for (let c = 0; c < nc; c++) {
          const p = c * W + i;
          if (prev[p - 1] !== prev[p] || cur[p - 1] !== cur[p - 2]) {
            same = false;
            break;
          }
        }
        if (same) {
          const waitcnt = stop - i;
          runIndex = i;
          bits.w = w;
          bits.nw = nw;
          bits.avail = avail;
          bits.ip = ip;
          const run = this.readRun(bits, end - i);
          w = bits.w;
          nw = bits.nw;
          avail = bits.avail;
          ip = bits.ip;
          for (let c = 0; c < nc; c++) {
            const p = c * W + i;
            cur.fill(cur[p - 1], p, p + run);
          }
          i += run;
          if (i === end) {
            // spice-common leaves the wait counter as it was at the start of the run here
            this.waitcnt = waitcnt;
            return;
          }
          stop = i + waitcnt;
          continue;
        }
      }

      for (let c = 0; c < nc; c++) {
        const co = c * stride + i;
        const l = best[c * nb + bucketOf[corr[co]]];
        const z = Math.clz32(w);
        let code: number;
        let len: number;
        if (z < altPrefix[l]) {
          len = z + 1 + l;
          code = (z << l) | ((w >>> (32 - len)) & ((1 << l) - 1));
        } else {
          len = notGRlen[l];
          code = nGR[l] + ((w >>> (32 - len)) & sufMask[l]);
          if (code > mask) throw new CodecError('quic', `escape code ${code} out of range`);
        }
        if (len <= avail) {
          avail -= len;
          w = (w << len) | (nw >>> avail);
        } else {
          const d = len - avail;
          w = (w << len) | (nw << d);
          if (ip >= dend) throw new CodecError('quic', 'truncated: read past the end of the data');
          nw = data[ip] | (data[ip + 1] << 8) | (data[ip + 2] << 16) | (data[ip + 3] << 24);
          ip += 4;
          avail = 32 - d;
          w |= nw >>> avail;
        }
        corr[co + 1] = code;
        const p = c * W + i;
        const pred = first ? cur[p - 1] : (cur[p - 1] + prev[p]) >> 1;
        cur[p] = (unfold[code] + pred) & mask;
      }

      if (i === stop) {
        this.updateModel(i);
        this.seed = (this.seed + 1) & 0xff;
        stop = i + 1 + (TABRAND[this.seed] & waitmask);
      }
      i++;
    }
    this.waitcnt = stop - end;
    bits.w = w;
    bits.nw = nw;
    bits.avail = avail;
    bits.ip = ip;
  }

  /**
   * The hot path: a segment of a row below the first for the r,g,b group. The same steps as
   * `segment` with the three channels written out, so no per-channel offsets are recomputed.
   */
  private segmentRgb(bits: QuicBits, i: number, end: number, waitmask: number): void {
    let stop = i + this.waitcnt;
    const W = this.width;
    const w1 = W;
    const w2 = 2 * W;
    const s1 = W + 1;
    const s2 = 2 * (W + 1);
    const cur = this.cur;
    const prev = this.prev;
    const corr = this.corr;
    const best = this.best;
    const f = this.fam;
    const mask = f.mask;
    const nb1 = f.nBuckets;
    const nb2 = 2 * f.nBuckets;
    const bucketOf = f.bucketOf;
    const altPrefix = f.altPrefix;
    const nGR = f.nGR;
    const notGRlen = f.notGRlen;
    const sufMask = f.notGRsuffixMask;
    const unfold = f.unfold;
    const data = bits.data;
    const dend = bits.end;
    let w = bits.w;
    let nw = bits.nw;
    let avail = bits.avail;
    let ip = bits.ip;
    let runIndex = 0;

    while (i < end) {
      if (
        i > 2 &&
        runIndex !== i &&
        prev[i - 1] === prev[i] &&
        prev[w1 + i - 1] === prev[w1 + i] &&
        prev[w2 + i - 1] === prev[w2 + i] &&
        cur[i - 1] === cur[i - 2] &&
        cur[w1 + i - 1] === cur[w1 + i - 2] &&
        cur[w2 + i - 1] === cur[w2 + i - 2]
      ) {
        const waitcnt = stop - i;
        runIndex = i;
        bits.w = w;
        bits.nw = nw;
        bits.avail = avail;
        bits.ip = ip;
        const run = this.readRun(bits, end - i);
        w = bits.w;
        nw = bits.nw;
        avail = bits.avail;
        ip = bits.ip;
        cur.fill(cur[i - 1], i, i + run);
        cur.fill(cur[w1 + i - 1], w1 + i, w1 + i + run);
        cur.fill(cur[w2 + i - 1], w2 + i, w2 + i + run);
        i += run;
        if (i === end) {
          this.waitcnt = waitcnt;
          return;
        }
        stop = i + waitcnt;
        continue;
      }

        {
          // channel 0
          const l = best[bucketOf[corr[i]]];
          const z = Math.clz32(w);
          let code: number;
          let len: number;
          if (z < altPrefix[l]) {
            len = z + 1 + l;
            code = (z << l) | ((w >>> (32 - len)) & ((1 << l) - 1));
          } else {
            len = notGRlen[l];
            code = nGR[l] + ((w >>> (32 - len)) & sufMask[l]);
            if (code > mask) throw new CodecError('quic', `escape code ${code} out of range`);
          }
          if (len <= avail) {
            avail -= len;
            w = (w << len) | (nw >>> avail);
          } else {
            const d = len - avail;
            w = (w << len) | (nw << d);
            if (ip >= dend) throw new CodecError('quic', 'truncated: read past the end of the data');
            nw = data[ip] | (data[ip + 1] << 8) | (data[ip + 2] << 16) | (data[ip + 3] << 24);
            ip += 4;
            avail = 32 - d;
            w |= nw >>> avail;
          }
          corr[i + 1] = code;
          cur[i] = (unfold[code] + ((cur[i - 1] + prev[i]) >> 1)) & mask;
        }
        {
          // channel 1
          const l = best[nb1 + bucketOf[corr[i + s1]]];
          const z = Math.clz32(w);
          let code: number;
          let len: number;
          if (z < altPrefix[l]) {
            len = z + 1 + l;
            code = (z << l) | ((w >>> (32 - len)) & ((1 << l) - 1));
          } else {
            len = notGRlen[l];
            code = nGR[l] + ((w >>> (32 - len)) & sufMask[l]);
            if (code > mask) throw new CodecError('quic', `escape code ${code} out of range`);
          }
          if (len <= avail) {
            avail -= len;
            w = (w << len) | (nw >>> avail);
          } else {
            const d = len - avail;
            w = (w << len) | (nw << d);
            if (ip >= dend) throw new CodecError('quic', 'truncated: read past the end of the data');
            nw = data[ip] | (data[ip + 1] << 8) | (data[ip + 2] << 16) | (data[ip + 3] << 24);
            ip += 4;
            avail = 32 - d;
            w |= nw >>> avail;
          }
          corr[i + s1 + 1] = code;
          cur[i + w1] = (unfold[code] + ((cur[i + w1 - 1] + prev[i + w1]) >> 1)) & mask;
        }
        {
          // channel 2
          const l = best[nb2 + bucketOf[corr[i + s2]]];
          const z = Math.clz32(w);
          let code: number;
          let len: number;
          if (z < altPrefix[l]) {
            len = z + 1 + l;
            code = (z << l) | ((w >>> (32 - len)) & ((1 << l) - 1));
          } else {
            len = notGRlen[l];
            code = nGR[l] + ((w >>> (32 - len)) & sufMask[l]);
            if (code > mask) throw new CodecError('quic', `escape code ${code} out of range`);
          }
          if (len <= avail) {
            avail -= len;
            w = (w << len) | (nw >>> avail);
          } else {
            const d = len - avail;
            w = (w << len) | (nw << d);
            if (ip >= dend) throw new CodecError('quic', 'truncated: read past the end of the data');
            nw = data[ip] | (data[ip + 1] << 8) | (data[ip + 2] << 16) | (data[ip + 3] << 24);
            ip += 4;
            avail = 32 - d;
            w |= nw >>> avail;
          }
          corr[i + s2 + 1] = code;
          cur[i + w2] = (unfold[code] + ((cur[i + w2 - 1] + prev[i + w2]) >> 1)) & mask;
        }

      if (i === stop) {
        this.updateModel(i);
        this.seed = (this.seed + 1) & 0xff;
        stop = i + 1 + (TABRAND[this.seed] & waitmask);
      }
      i++;
    }
    this.waitcnt = stop - end;
    bits.w = w;
    bits.nw = nw;
    bits.avail = avail;
    bits.ip = ip;
  }

  /** pixel 0 of a row: context is the x = −1 slot, prediction 0 (row 0) or the sample above */
  private pixel0(bits: QuicBits, first: boolean): void {
    const W = this.width;
    const f = this.fam;
    for (let c = 0; c < this.nc; c++) {
      const o = c * (W + 1);
      const l = this.best[c * f.nBuckets + f.bucketOf[this.corr[o]]];
      const code = this.golomb(bits, l);
      this.corr[o + 1] = code;
      const p = c * W;
      this.cur[p] = (f.unfold[code] + (first ? 0 : this.prev[p])) & f.mask;
    }
  }

  /** one Golomb-Rice / escape codeword with parameter l (the slow path of the inline copy) */
  private golomb(bits: QuicBits, l: number): number {
    const f = this.fam;
    const w = bits.w;
    const z = Math.clz32(w);
    let code: number;
    let len: number;
    if (z < f.altPrefix[l]) {
      len = z + 1 + l;
      code = (z << l) | ((w >>> (32 - len)) & ((1 << l) - 1));
    } else {
      len = f.notGRlen[l];
      code = f.nGR[l] + ((w >>> (32 - len)) & f.notGRsuffixMask[l]);
      if (code > f.mask) throw new CodecError('quic', `escape code ${code} out of range`);
    }
    bits.eat(len);
    return code;
  }

  /** teach the buckets the codes at x (contexts at x − 1), every channel of the group */
  private updateModel(x: number): void {
    const f = this.fam;
    const bpc = f.bpc;
    const codeLen = f.codeLen;
    const counters = this.counters;
    const stride = this.width + 1;
    for (let c = 0; c < this.nc; c++) {
      const o = c * stride + x;
      const bucket = c * f.nBuckets + f.bucketOf[this.corr[o]];
      const val = this.corr[o + 1] * 8;
      const base = bucket * 8;
      let bestCode = bpc - 1;
      let bestLen = (counters[base + bestCode] += codeLen[val + bestCode]);
      for (let l = bpc - 2; l >= 0; l--) {
        const len = (counters[base + l] += codeLen[val + l]);
        if (len < bestLen) {
          bestCode = l;
          bestLen = len;
        }
      }
      this.best[bucket] = bestCode;
      if (bestLen > this.trigger) for (let l = 0; l < bpc; l++) counters[base + l] >>>= 1;
    }
  }

  /**
   * A MELCODE run length: each leading 1 adds the current expected run 2^melcLen and moves
   * the state up; a 0 ends the unary part and melcLen more bits give the remainder. The state
   * then steps one back. A run longer than `max` (the pixels left in the segment) is an error.
   */
  private readRun(bits: QuicBits, max: number): number {
    let run = 0;
    for (;;) {
      const ones = Math.clz32(~bits.w);
      const hits = ones < 8 ? ones : 8;
      for (let h = 0; h < hits; h++) {
        run += this.melcOrder;
        if (this.melcState < MELC_STATES - 1) {
          this.melcLen = MELC_LEN[++this.melcState];
          this.melcOrder = 1 << this.melcLen;
        }
      }
      if (run > max) throw new CodecError('quic', `run of ${run} past the end of the row`);
      if (hits < 8) {
        bits.eat(hits + 1);
        break;
      }
      bits.eat(8);
    }
    if (this.melcLen) {
      run += bits.w >>> (32 - this.melcLen);
      bits.eat(this.melcLen);
    }
    if (this.melcState) {
      this.melcLen = MELC_LEN[--this.melcState];
      this.melcOrder = 1 << this.melcLen;
    }
    if (run > max) throw new CodecError('quic', `run of ${run} past the end of the row`);
    return run;
  }
}
