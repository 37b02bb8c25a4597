/**
 * The VD agent protocol (spice-protocol.md §4; names from spice-protocol `spice/vd_agent.h`).
 * The client and the guest agent exchange `VDAgentMessage` records tunnelled, cut in pieces of at
 * most VD_AGENT_MAX_DATA_SIZE bytes, through MAIN AGENT_DATA messages (§3.1, §4.1). This module is
 * pure bytes: record framing both ways (AgentStreamReader reassembles, chunkAgentMessage cuts) and
 * the builders and parsers of the records the client uses. No DOM, no state but the reassembly.
 */
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';

export const VD_AGENT_PROTOCOL = 1;
/** largest AGENT_DATA body the server accepts from a client (§3.2, `VD_AGENT_MAX_DATA_SIZE`) */
export const VD_AGENT_MAX_DATA_SIZE = 2048;
/** VDAgentMessage header: u32 protocol, u32 type, u64 opaque, u32 size (§4.1) */
export const VD_AGENT_HEADER_SIZE = 20;

/** VD_AGENT_* message types (§4.2) */
export const VDAgentType = {
  MOUSE_STATE: 1,
  MONITORS_CONFIG: 2,
  REPLY: 3,
  CLIPBOARD: 4,
  DISPLAY_CONFIG: 5,
  ANNOUNCE_CAPABILITIES: 6,
  CLIPBOARD_GRAB: 7,
  CLIPBOARD_REQUEST: 8,
  CLIPBOARD_RELEASE: 9,
  FILE_XFER_START: 10,
  FILE_XFER_STATUS: 11,
  FILE_XFER_DATA: 12,
  CLIENT_DISCONNECTED: 13,
  MAX_CLIPBOARD: 14,
  AUDIO_VOLUME_SYNC: 15,
  GRAPHICS_DEVICE_INFO: 16,
} as const;

/** VD_AGENT_CAP_* bit numbers (§4.2) */
export const VDAgentCap = {
  MOUSE_STATE: 0,
  MONITORS_CONFIG: 1,
  REPLY: 2,
  CLIPBOARD: 3,
  DISPLAY_CONFIG: 4,
  CLIPBOARD_BY_DEMAND: 5,
  CLIPBOARD_SELECTION: 6,
  SPARSE_MONITORS_CONFIG: 7,
  GUEST_LINEEND_LF: 8,
  GUEST_LINEEND_CRLF: 9,
  MAX_CLIPBOARD: 10,
  AUDIO_VOLUME_SYNC: 11,
  MONITORS_CONFIG_POSITION: 12,
  FILE_XFER_DISABLED: 13,
  FILE_XFER_DETAILED_ERRORS: 14,
  GRAPHICS_DEVICE_INFO: 15,
  CLIPBOARD_NO_RELEASE_ON_REGRAB: 16,
  CLIPBOARD_GRAB_SERIAL: 17,
} as const;

/** VD_AGENT_CLIPBOARD_* data types (§4.5) */
export const VDAgentClipboardType = { NONE: 0, UTF8_TEXT: 1, IMAGE_PNG: 2, IMAGE_BMP: 3, IMAGE_TIFF: 4, IMAGE_JPG: 5, FILE_LIST: 6 } as const;
/** VD_AGENT_CLIPBOARD_SELECTION_* (§4.5) */
export const VDAgentSelection = { CLIPBOARD: 0, PRIMARY: 1, SECONDARY: 2 } as const;
/** VD_AGENT_SUCCESS / VD_AGENT_ERROR in VDAgentReply (§4.3) */
export const VDAgentReplyResult = { SUCCESS: 1, ERROR: 2 } as const;
/** VD_AGENT_CONFIG_MONITORS_FLAG_* (§4.3) */
export const VDAgentMonitorsFlag = { USE_POS: 1, PHYSICAL_SIZE: 2 } as const;
/** VD_AGENT_FILE_XFER_STATUS_* (§4.6) */
export const VDAgentFileXferStatus = {
  CAN_SEND_DATA: 0, CANCELLED: 1, ERROR: 2, SUCCESS: 3, NOT_ENOUGH_SPACE: 4, SESSION_LOCKED: 5, VDAGENT_NOT_CONNECTED: 6, DISABLED: 7,
} as const;

export interface AgentMessage {
  type: number;
  opaque: bigint;
  data: Uint8Array;
}

/** a whole record: header + payload (§4.1) */
export function encodeAgentMessage(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(VD_AGENT_HEADER_SIZE + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, VD_AGENT_PROTOCOL, true);
  dv.setUint32(4, type, true);
  // opaque (u64 at 8) stays 0
  dv.setUint32(16, payload.length, true);
  out.set(payload, VD_AGENT_HEADER_SIZE);
  return out;
}

/** cut a record into AGENT_DATA bodies of at most `max` bytes (views, no copies) (§4.1) */
export function chunkAgentMessage(record: Uint8Array, max = VD_AGENT_MAX_DATA_SIZE): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < record.length; i += max) out.push(record.subarray(i, Math.min(record.length, i + max)));
  return out;
}

/**
 * Reassembles the agent → client stream: AGENT_DATA bodies in, whole records out. A record may
 * span many bodies and a body may hold the end of one record and the start of the next (spice-gtk
 * `main_handle_agent_data` keeps the same `agent_msg_pos`). The payload buffer is allocated once
 * its size is known, so a 1 MB clipboard costs one copy. A record larger than `maxSize` or with
 * another protocol number is refused (SpiceProtocolError) and the reader must then be reset().
 */
export class AgentStreamReader {
  private header = new Uint8Array(VD_AGENT_HEADER_SIZE);
  private headerFill = 0;
  private payload: Uint8Array | null = null;
  private payloadFill = 0;
  private type = 0;
  private opaque = 0n;

  constructor(readonly maxSize = 256 * 1024 * 1024) {}

  reset(): void {
    this.headerFill = 0;
    this.payload = null;
    this.payloadFill = 0;
  }

  /** true when no record is partly read (the stream is at a record boundary) */
  get idle(): boolean {
    return this.headerFill === 0 && this.payload === null;
  }

  push(chunk: Uint8Array): AgentMessage[] {
    const out: AgentMessage[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.payload === null) {
        const n = Math.min(VD_AGENT_HEADER_SIZE - this.headerFill, chunk.length - i);
        this.header.set(chunk.subarray(i, i + n), this.headerFill);
        this.headerFill += n;
        i += n;
        if (this.headerFill < VD_AGENT_HEADER_SIZE) break;
        const r = new SpiceReader(this.header);
        const protocol = r.u32();
        this.type = r.u32();
        this.opaque = r.u64();
        const size = r.u32();
        if (protocol !== VD_AGENT_PROTOCOL) throw new SpiceProtocolError('malformed', `agent message with protocol ${protocol} (expected ${VD_AGENT_PROTOCOL})`);
        if (size > this.maxSize) throw new SpiceProtocolError('malformed', `agent message type ${this.type} of ${size} bytes (limit ${this.maxSize})`);
        this.payload = new Uint8Array(size);
        this.payloadFill = 0;
      }
      const p = this.payload;
      const n = Math.min(p.length - this.payloadFill, chunk.length - i);
      p.set(chunk.subarray(i, i + n), this.payloadFill);
      this.payloadFill += n;
      i += n;
      if (this.payloadFill === p.length) {
        out.push({ type: this.type, opaque: this.opaque, data: p });
        this.headerFill = 0;
        this.payload = null;
      }
    }
    return out;
  }
}

// ---- capabilities (§4.2) -----------------------------------------------------------------------

export function buildAnnounceCapabilities(request: boolean, caps: readonly number[]): Uint8Array {
  const words = new Uint32Array(Math.max(1, ...caps.map((c) => (c >> 5) + 1)));
  for (const c of caps) words[c >> 5]! |= 1 << (c & 31);
  const w = new SpiceWriter(4 + words.length * 4).u32(request ? 1 : 0);
  for (const x of words) w.u32(x >>> 0);
  return w.finish();
}

export function parseAnnounceCapabilities(data: Uint8Array): { request: boolean; caps: Uint32Array } {
  const r = new SpiceReader(data);
  const request = r.u32() !== 0;
  const caps = new Uint32Array(r.remaining >> 2);
  for (let i = 0; i < caps.length; i++) caps[i] = r.u32();
  return { request, caps };
}

export function hasCap(caps: Uint32Array | null, cap: number): boolean {
  return !!caps && (cap >> 5) < caps.length && ((caps[cap >> 5]! >>> (cap & 31)) & 1) === 1;
}

// ---- reply, max clipboard (§4.3, §4.5) ---------------------------------------------------------

export function parseReply(data: Uint8Array): { type: number; error: number } {
  const r = new SpiceReader(data);
  return { type: r.u32(), error: r.u32() };
}

export function buildMaxClipboard(max: number): Uint8Array {
  return new SpiceWriter(4).i32(max).finish();
}

export function parseMaxClipboard(data: Uint8Array): number {
  return new SpiceReader(data).i32();
}

// ---- clipboard (§4.5) --------------------------------------------------------------------------

/** how clipboard records are laid out, from the agent's caps */
export interface ClipboardLayout {
  /** agent cap CLIPBOARD_SELECTION: a u8 selection + 3 zero bytes prefix every record */
  selection: boolean;
  /** agent cap CLIPBOARD_GRAB_SERIAL: GRAB carries a u32 serial before the types */
  serial: boolean;
}

function withSelection(l: ClipboardLayout, selection: number, w: SpiceWriter): SpiceWriter {
  if (l.selection) w.u8(selection).u8(0).u8(0).u8(0);
  else if (selection !== VDAgentSelection.CLIPBOARD) throw new SpiceProtocolError('unsupported', `selection ${selection} without the agent's CLIPBOARD_SELECTION cap`);
  return w;
}

function readSelection(l: ClipboardLayout, r: SpiceReader): number {
  if (!l.selection) return VDAgentSelection.CLIPBOARD;
  const s = r.u8();
  r.skip(3);
  return s;
}

export function buildClipboardGrab(l: ClipboardLayout, selection: number, serial: number, types: readonly number[]): Uint8Array {
  const w = withSelection(l, selection, new SpiceWriter(12 + types.length * 4));
  if (l.serial) w.u32(serial >>> 0);
  for (const t of types) w.u32(t);
  return w.finish();
}

export function parseClipboardGrab(l: ClipboardLayout, data: Uint8Array): { selection: number; serial: number | null; types: number[] } {
  const r = new SpiceReader(data);
  const selection = readSelection(l, r);
  const serial = l.serial ? r.u32() : null;
  const types: number[] = [];
  while (r.remaining >= 4) types.push(r.u32());
  return { selection, serial, types };
}

export function buildClipboardRequest(l: ClipboardLayout, selection: number, type: number): Uint8Array {
  return withSelection(l, selection, new SpiceWriter(8)).u32(type).finish();
}

export function parseClipboardRequest(l: ClipboardLayout, data: Uint8Array): { selection: number; type: number } {
  const r = new SpiceReader(data);
  const selection = readSelection(l, r);
  return { selection, type: r.u32() };
}

export function buildClipboardData(l: ClipboardLayout, selection: number, type: number, bytes: Uint8Array): Uint8Array {
  const head = withSelection(l, selection, new SpiceWriter(8)).u32(type).finish();
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}

export function parseClipboardData(l: ClipboardLayout, data: Uint8Array): { selection: number; type: number; data: Uint8Array } {
  const r = new SpiceReader(data);
  const selection = readSelection(l, r);
  const type = r.u32();
  return { selection, type, data: r.rest() };
}

export function buildClipboardRelease(l: ClipboardLayout, selection: number): Uint8Array {
  return withSelection(l, selection, new SpiceWriter(4)).finish();
}

export function parseClipboardRelease(l: ClipboardLayout, data: Uint8Array): number {
  return data.length === 0 ? VDAgentSelection.CLIPBOARD : readSelection(l, new SpiceReader(data));
}

// ---- monitors config (§4.3) --------------------------------------------------------------------

export interface AgentMonitor {
  width: number;
  height: number;
  x: number;
  y: number;
  /** bits per pixel; spice-gtk sends 32 */
  depth?: number;
}

/** VDAgentMonitorsConfig: `{u32 num, u32 flags}` then VDAgentMonConfig `{height, width, depth, x, y}` each */
export function buildMonitorsConfig(monitors: readonly AgentMonitor[], flags = VDAgentMonitorsFlag.USE_POS): Uint8Array {
  const w = new SpiceWriter(8 + monitors.length * 20).u32(monitors.length).u32(flags);
  for (const m of monitors) w.u32(m.height).u32(m.width).u32(m.depth ?? 32).i32(m.x).i32(m.y);
  return w.finish();
}

export function parseMonitorsConfig(data: Uint8Array): { flags: number; monitors: AgentMonitor[] } {
  const r = new SpiceReader(data);
  const n = r.u32();
  const flags = r.u32();
  if (n * 20 > r.remaining) throw new SpiceProtocolError('truncated', `monitors config of ${n} monitors in ${data.length} bytes`);
  const monitors: AgentMonitor[] = [];
  for (let i = 0; i < n; i++) {
    const height = r.u32(), width = r.u32(), depth = r.u32(), x = r.i32(), y = r.i32();
    monitors.push({ width, height, depth, x, y });
  }
  return { flags, monitors };
}

// ---- file transfer (§4.6) ----------------------------------------------------------------------

/** FILE_XFER_START: `u32 id` then a NUL-terminated GLib key file naming the file */
export function buildFileXferStart(id: number, keyFile: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + keyFile.length + 1);
  new DataView(out.buffer).setUint32(0, id >>> 0, true);
  out.set(keyFile, 4);
  return out;
}

/** the key file text for FILE_XFER_START; a name with a newline would end its line early */
export function fileXferKeyFile(name: string, size: number): string {
  const safe = name.replace(/[\r\n\0]/g, '_').replace(/^.*[\\/]/, '') || 'file';
  return `[vdagent-file-xfer]\nname=${safe}\nsize=${size}\n`;
}

export function buildFileXferStatus(id: number, result: number): Uint8Array {
  return new SpiceWriter(8).u32(id >>> 0).u32(result).finish();
}

export interface FileXferStatus {
  id: number;
  result: number;
  /** NOT_ENOUGH_SPACE with FILE_XFER_DETAILED_ERRORS */
  diskFree?: bigint;
  /** ERROR with FILE_XFER_DETAILED_ERRORS: error_type (0 GLib IO) and error_code */
  errorType?: number;
  errorCode?: number;
}

export function parseFileXferStatus(data: Uint8Array): FileXferStatus {
  const r = new SpiceReader(data);
  const s: FileXferStatus = { id: r.u32(), result: r.u32() };
  if (s.result === VDAgentFileXferStatus.NOT_ENOUGH_SPACE && r.remaining >= 8) s.diskFree = r.u64();
  if (s.result === VDAgentFileXferStatus.ERROR && r.remaining >= 5) {
    s.errorType = r.u8();
    s.errorCode = r.u32();
  }
  return s;
}

/** FILE_XFER_DATA: `u32 id, u64 size` then the bytes */
export function buildFileXferData(id: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + bytes.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, id >>> 0, true);
  dv.setBigUint64(4, BigInt(bytes.length), true);
  out.set(bytes, 12);
  return out;
}
