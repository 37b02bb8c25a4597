/**
 * Growable little-endian writer for client messages. Messages we send are small (inputs,
 * acks, agent chunks ≤ 2 KiB), so a doubling buffer is plenty.
 */
export class SpiceWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): number {
    const p = this.len;
    if (p + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < p + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, p));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.len = p + n;
    return p;
  }

  u8(v: number): this {
    const o = this.reserve(1);
    this.view.setUint8(o, v);
    return this;
  }
  u16(v: number): this {
    const o = this.reserve(2);
    this.view.setUint16(o, v, true);
    return this;
  }
  i16(v: number): this {
    const o = this.reserve(2);
    this.view.setInt16(o, v, true);
    return this;
  }
  u32(v: number): this {
    const o = this.reserve(4);
    this.view.setUint32(o, v >>> 0, true);
    return this;
  }
  i32(v: number): this {
    const o = this.reserve(4);
    this.view.setInt32(o, v | 0, true);
    return this;
  }
  u64(v: bigint): this {
    const o = this.reserve(8);
    this.view.setBigUint64(o, BigInt.asUintN(64, v), true);
    return this;
  }
  i64(v: bigint): this {
    const o = this.reserve(8);
    this.view.setBigInt64(o, BigInt.asIntN(64, v), true);
    return this;
  }
  bytes(b: Uint8Array): this {
    const p = this.reserve(b.length);
    this.buf.set(b, p);
    return this;
  }
  /** patch a u32 written earlier (sizes known only at the end) */
  setU32(at: number, v: number): this {
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }

  /** a copy trimmed to the written length, in its own ArrayBuffer (transferable) */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
