// Traffic recordings (`--record DIR`): one file per WebSocket connection.
//
// File layout (all integers little-endian):
//   header   8 bytes  magic "SPWEBREC"
//            2 bytes  u16 format version (1)
//            4 bytes  u32 length N of the metadata
//            N bytes  UTF-8 JSON metadata: { version, conn, startedAt (ISO 8601), startedAtMs,
//                     target ("host:port"), tls (boolean), subprotocol ("binary" or "") }
//   records  repeated until the end of the file:
//            1 byte   kind: 1 = browser -> SPICE server, 2 = SPICE server -> browser, 3 = event
//            8 bytes  u64 microseconds since the connection started (monotonic clock)
//            4 bytes  u32 payload length L
//            L bytes  payload: the relayed bytes (kinds 1, 2; one record per WebSocket message
//                     or TCP read) or UTF-8 JSON (kind 3: {"type":"close",...} or
//                     {"type":"truncated","reason":...} when the proxy stopped recording)
// A file cut short (crash, full disk) parses up to its last complete record.
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const RECORDING_MAGIC = 'SPWEBREC';
export const RECORDING_VERSION = 1;
export const RECORD_HEADER_BYTES = 13;

export const RecordKind = { ClientToServer: 1, ServerToClient: 2, Event: 3 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface RecordingMeta {
  version: number;
  conn: number;
  startedAt: string;
  startedAtMs: number;
  target: string;
  tls: boolean;
  subprotocol: string;
  [k: string]: unknown;
}

export interface RecordEntry {
  kind: RecordKind;
  /** Microseconds since the connection started. */
  timeUs: number;
  data: Buffer;
}

export interface Recording {
  meta: RecordingMeta;
  records: RecordEntry[];
  /** True if the file ended inside a record (the partial record is dropped). */
  truncated: boolean;
}

export class RecordingFormatError extends Error {}

/** Parses a whole recording file's bytes. */
export function parseRecording(buf: Uint8Array): Recording {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 14 || b.toString('latin1', 0, 8) !== RECORDING_MAGIC) throw new RecordingFormatError('not a spice-web recording');
  const version = b.readUInt16LE(8);
  if (version !== RECORDING_VERSION) throw new RecordingFormatError(`unsupported recording version ${version}`);
  const metaLen = b.readUInt32LE(10);
  if (14 + metaLen > b.length) throw new RecordingFormatError('recording header is truncated');
  let meta: RecordingMeta;
  try {
    meta = JSON.parse(b.toString('utf8', 14, 14 + metaLen)) as RecordingMeta;
  } catch {
    throw new RecordingFormatError('recording metadata is not JSON');
  }
  const records: RecordEntry[] = [];
  let off = 14 + metaLen;
  let truncated = false;
  while (off < b.length) {
    if (off + RECORD_HEADER_BYTES > b.length) {
      truncated = true;
      break;
    }
    const kind = b.readUInt8(off);
    if (kind < 1 || kind > 3) throw new RecordingFormatError(`bad record kind ${kind} at offset ${off}`);
    const timeUs = Number(b.readBigUInt64LE(off + 1));
    const len = b.readUInt32LE(off + 9);
    const start = off + RECORD_HEADER_BYTES;
    if (start + len > b.length) {
      truncated = true;
      break;
    }
    records.push({ kind: kind as RecordKind, timeUs, data: b.subarray(start, start + len) });
    off = start + len;
  }
  return { meta, records, truncated };
}

export async function readRecording(file: string): Promise<Recording> {
  return parseRecording(await readFile(file));
}

/** The bytes of one direction, concatenated (what a replay feeds to a client or server). */
export function streamOf(rec: Recording, kind: typeof RecordKind.ClientToServer | typeof RecordKind.ServerToClient): Buffer {
  return Buffer.concat(rec.records.filter((r) => r.kind === kind).map((r) => r.data));
}

/** The kind-3 events, parsed. */
export function eventsOf(rec: Recording): Array<Record<string, unknown>> {
  return rec.records.filter((r) => r.kind === RecordKind.Event).map((r) => JSON.parse(r.data.toString('utf8')) as Record<string, unknown>);
}

export interface RecorderOptions {
  /** Stop recording (and say so in the file) when this many bytes wait for the disk. */
  maxPendingBytes?: number;
  onDrop?: (reason: string) => void;
}

/** Writes one connection's recording. Never throws into the relay: failures just stop recording. */
export class Recorder {
  readonly file: string;
  private readonly out: WriteStream;
  private readonly t0 = process.hrtime.bigint();
  private stopped = false;
  private dropped = false;
  private closing: Promise<void> | null = null;
  private readonly maxPending: number;

  constructor(dir: string, meta: Omit<RecordingMeta, 'version' | 'startedAt' | 'startedAtMs'>, private readonly opts: RecorderOptions = {}) {
    const started = new Date();
    const stamp = started.toISOString().replace(/[-:]/g, '').replace('.', '');
    this.file = path.join(dir, `${stamp}-c${meta.conn}.spicerec`);
    this.maxPending = opts.maxPendingBytes ?? 32 * 1024 * 1024;
    // 0600: recordings hold everything typed into the guest, including passwords.
    this.out = createWriteStream(this.file, { flags: 'wx', mode: 0o600 });
    this.out.on('error', (e: NodeJS.ErrnoException) => this.drop(`cannot write the recording: ${e.code ?? e.message}`, false));
    const m = Buffer.from(JSON.stringify({ version: RECORDING_VERSION, startedAt: started.toISOString(), startedAtMs: started.getTime(), ...meta }), 'utf8');
    const head = Buffer.alloc(14);
    head.write(RECORDING_MAGIC, 0, 'latin1');
    head.writeUInt16LE(RECORDING_VERSION, 8);
    head.writeUInt32LE(m.length, 10);
    this.out.write(head);
    this.out.write(m);
  }

  record(kind: RecordKind, data: Uint8Array): void {
    if (this.stopped) return;
    if (this.out.writableLength > this.maxPending) {
      this.drop('the disk is slower than the connection', true);
      return;
    }
    this.write(kind, data);
  }

  event(ev: Record<string, unknown>): void {
    if (!this.stopped) this.write(RecordKind.Event, Buffer.from(JSON.stringify(ev), 'utf8'));
  }

  /** Finishes the file; resolves when it is on disk (or failed). Safe to call more than once. */
  close(): Promise<void> {
    this.stopped = true;
    this.closing ??= new Promise((resolve) => {
      if (this.out.closed || this.out.destroyed) return resolve();
      this.out.end(() => resolve());
      this.out.once('error', () => resolve());
    });
    return this.closing;
  }

  private write(kind: RecordKind, data: Uint8Array): void {
    const h = Buffer.alloc(RECORD_HEADER_BYTES);
    h.writeUInt8(kind, 0);
    h.writeBigUInt64LE((process.hrtime.bigint() - this.t0) / 1000n, 1);
    h.writeUInt32LE(data.byteLength, 9);
    this.out.write(h);
    // no copy: relayed buffers are not modified after they were received
    this.out.write(data);
  }

  private drop(reason: string, canWrite: boolean): void {
    if (this.dropped) return;
    this.dropped = true;
    // a write error can arrive after close(): it is still reported
    if (canWrite && !this.stopped) this.write(RecordKind.Event, Buffer.from(JSON.stringify({ type: 'truncated', reason }), 'utf8'));
    this.stopped = true;
    this.opts.onDrop?.(reason);
  }
}
