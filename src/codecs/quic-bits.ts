/**
 * The QUIC bit reader (spice-protocol.md §6.1 "Bit reader"): the payload is little-endian u32
 * words read MSB first, seen through a 32-bit window `w` of the next stream bits. `nw` is the
 * word the window is currently filling from and `avail` how many of its low bits are not yet in
 * the window.
 *
 * The row decoder copies these fields into locals for its hot loop and stores them back; the
 * methods here serve the header and the rarer run-length codes. Whenever the window needs a
 * word past the last whole word of the payload we throw, as spice-common's decoder does (its
 * encoder flushes 33 padding bits, so a valid stream never needs a word it did not send).
 */
import { CodecError } from './errors';

export class QuicBits {
  w = 0;
  nw = 0;
  avail = 0;
  /** byte offset of the next word to load */
  ip = 0;
  /** byte length rounded down to whole words */
  readonly end: number;

  constructor(readonly data: Uint8Array) {
    this.end = data.length & ~3;
    if (this.end < 4) throw new CodecError('quic', `truncated: ${data.length} bytes`);
    this.w = this.nw = this.word();
  }

  /** load the next little-endian word, or throw at the end of the payload */
  word(): number {
    const p = this.ip;
    if (p >= this.end) throw new CodecError('quic', 'truncated: read past the end of the data');
    const d = this.data;
    this.ip = p + 4;
    return d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | (d[p + 3] << 24);
  }

  /** drop the top `n` bits of the window (1 ≤ n ≤ 31) and refill it */
  eat(n: number): void {
    if (n <= this.avail) {
      this.avail -= n;
      // the bits of nw above `avail` are already in w at the same positions after the shift,
      // so OR-ing the whole shifted word in is harmless
      this.w = (this.w << n) | (this.nw >>> this.avail);
    } else {
      const d = n - this.avail;
      let w = (this.w << n) | (this.nw << d);
      this.nw = this.word();
      this.avail = 32 - d;
      w |= this.nw >>> this.avail;
      this.w = w;
    }
  }

  /** the window as an unsigned u32, then advance past it */
  u32(): number {
    const v = this.w >>> 0;
    this.eat(16);
    this.eat(16);
    return v;
  }
}
