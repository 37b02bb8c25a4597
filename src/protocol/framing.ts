/**
 * Data-phase framing (spice-protocol.md §2.1). WebSocket frames do not keep SPICE message
 * boundaries, so incoming bytes go into a FIFO of chunks and whole messages are cut out of it.
 * Chunks are kept by reference; a message is copied only when it spans chunks, which avoids the
 * quadratic re-concatenation of the old browser client (peers.md §2.2).
 */
import { SpiceProtocolError } from './errors';
import { SpiceWriter } from './writer';

export const MINI_HEADER_SIZE = 6;
export const FULL_HEADER_SIZE = 18;
/** Largest message we accept. Display messages carry whole images: 1920×1200×4 fits easily. */
export const MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

export interface RawMessage {
  type: number;
  /** the message body, in a buffer of its own or a view into a received chunk */
  body: Uint8Array;
  /** full header only: offset of a sub-message list inside the body, 0 if none */
  subList: number;
}

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // read offset in chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.total += b.length;
  }

  /** copy of the first n bytes without consuming */
  peek(n: number): Uint8Array {
    return this.read(n, false);
  }

  /** consume n bytes (view when inside one chunk, copy otherwise) */
  take(n: number): Uint8Array {
    return this.read(n, true);
  }

  private read(n: number, consume: boolean): Uint8Array {
    if (n > this.total) throw new SpiceProtocolError('truncated', `need ${n} bytes, have ${this.total}`);
    const first = this.chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (first && first.length - this.head >= n) {
      const v = first.subarray(this.head, this.head + n);
      if (consume) this.advance(n);
      return v;
    }
    const out = new Uint8Array(n);
    let got = 0;
    let ci = 0;
    let off = this.head;
    while (got < n) {
      const c = this.chunks[ci]!;
      const k = Math.min(n - got, c.length - off);
      out.set(c.subarray(off, off + k), got);
      got += k;
      ci++;
      off = 0;
    }
    if (consume) this.advance(n);
    return out;
  }

  private advance(n: number): void {
    this.total -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      if (n < avail) {
        this.head += n;
        return;
      }
      n -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }
}

/** Cuts messages out of a ByteQueue; mini or full header as negotiated. */
export class MessageFramer {
  miniHeader = true;
  readonly queue = new ByteQueue();

  push(b: Uint8Array): void {
    this.queue.push(b);
  }

  /** the next complete message, or null if more bytes are needed */
  next(): RawMessage | null {
    const q = this.queue;
    const hs = this.miniHeader ? MINI_HEADER_SIZE : FULL_HEADER_SIZE;
    if (q.length < hs) return null;
    const h = q.peek(hs);
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    let type: number, size: number, subList = 0;
    if (this.miniHeader) {
      type = dv.getUint16(0, true);
      size = dv.getUint32(2, true);
    } else {
      type = dv.getUint16(8, true);
      size = dv.getUint32(10, true);
      subList = dv.getUint32(14, true);
    }
    if (size > MAX_MESSAGE_SIZE) throw new SpiceProtocolError('malformed', `message type ${type} of ${size} bytes exceeds the ${MAX_MESSAGE_SIZE}-byte limit`);
    if (q.length < hs + size) return null;
    q.take(hs);
    const body = q.take(size);
    if (subList && subList >= size) throw new SpiceProtocolError('malformed', `sub-message list offset ${subList} outside body`);
    return { type, body, subList };
  }
}

/** Serialise one client message with the negotiated header. */
export function frameMessage(type: number, body: Uint8Array, miniHeader: boolean, serial: bigint): Uint8Array {
  const w = new SpiceWriter((miniHeader ? MINI_HEADER_SIZE : FULL_HEADER_SIZE) + body.length);
  if (miniHeader) w.u16(type).u32(body.length);
  else w.u64(serial).u16(type).u32(body.length).u32(0);
  w.bytes(body);
  return w.finish();
}
