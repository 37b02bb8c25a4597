import { SpiceProtocolError } from './errors';

/**
 * Bounds-checked little-endian reader over a byte range (spice-protocol.md §2.4: everything on
 * the wire is packed little-endian). A read that would cross `end` throws a typed
 * SpiceProtocolError('truncated') instead of reading neighbouring bytes.
 *
 * Pointers in SPICE messages are u32 offsets from the start of the message body; `at(ptr)`
 * gives a reader positioned there with the same end bound, so a hostile pointer cannot escape
 * the body either.
 */
export class SpiceReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** absolute offset in `bytes` where the body (pointer base) starts */
  readonly base: number;
  /** absolute offset one past the last readable byte */
  readonly end: number;
  /** absolute read position */
  pos: number;

  constructor(bytes: Uint8Array, base = 0, end = bytes.length, pos = base) {
    if (base < 0 || end > bytes.length || base > end || pos < base || pos > end) {
      throw new SpiceProtocolError('truncated', `reader range ${base}..${end} outside buffer of ${bytes.length}`);
    }
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = base;
    this.end = end;
    this.pos = pos;
  }

  static of(buf: ArrayBuffer | Uint8Array): SpiceReader {
    return new SpiceReader(buf instanceof Uint8Array ? buf : new Uint8Array(buf));
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** offset relative to the body start (what pointers are measured from) */
  get offset(): number {
    return this.pos - this.base;
  }

  private need(n: number, what: string): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) {
      throw new SpiceProtocolError('truncated', `${what}: need ${n} bytes at offset ${p - this.base}, body has ${this.end - this.base}`);
    }
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.view.getUint8(this.need(1, 'u8'));
  }
  i8(): number {
    return this.view.getInt8(this.need(1, 'i8'));
  }
  u16(): number {
    return this.view.getUint16(this.need(2, 'u16'), true);
  }
  i16(): number {
    return this.view.getInt16(this.need(2, 'i16'), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4, 'u32'), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4, 'i32'), true);
  }
  /** u64 as a bigint (ids, serials, timestamps) */
  u64(): bigint {
    return this.view.getBigUint64(this.need(8, 'u64'), true);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.need(8, 'i64'), true);
  }
  u32be(): number {
    return this.view.getUint32(this.need(4, 'u32be'), false);
  }

  /** a view (no copy) of the next n bytes */
  bytesView(n: number): Uint8Array {
    const p = this.need(n, 'bytes');
    return this.bytes.subarray(p, p + n);
  }

  /** everything up to `end` */
  rest(): Uint8Array {
    return this.bytesView(this.end - this.pos);
  }

  skip(n: number): void {
    this.need(n, 'skip');
  }

  /**
   * A reader at body offset `ptr` (spice-protocol.md §2.4). Throws if the pointer lies outside
   * the body. Pointer 0 is NULL and must be handled by the caller.
   */
  at(ptr: number): SpiceReader {
    if (ptr < 0 || this.base + ptr > this.end) {
      throw new SpiceProtocolError('malformed', `pointer ${ptr} outside body of ${this.end - this.base} bytes`);
    }
    return new SpiceReader(this.bytes, this.base, this.end, this.base + ptr);
  }

  /** a reader over the next n bytes whose body starts there (for sub-messages) */
  sub(n: number): SpiceReader {
    const p = this.need(n, 'sub-message');
    return new SpiceReader(this.bytes, p, p + n, p);
  }
}
