/**
 * Messages common to every channel (spice-protocol.md §2.2, §2.5).
 */
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';
import { utf8Decode } from './utf8';

export interface SetAck {
  generation: number;
  window: number;
}
export function parseSetAck(r: SpiceReader): SetAck {
  return { generation: r.u32(), window: r.u32() };
}

export interface Ping {
  id: number;
  timestamp: bigint;
}
export function parsePing(r: SpiceReader): Ping {
  return { id: r.u32(), timestamp: r.u64() };
}
export function buildPong(p: Ping): Uint8Array {
  return new SpiceWriter(12).u32(p.id).u64(p.timestamp).finish();
}
export function buildAckSync(generation: number): Uint8Array {
  return new SpiceWriter(4).u32(generation).finish();
}

export interface WaitForChannel {
  channelType: number;
  channelId: number;
  serial: bigint;
}
export function parseWaitForChannels(r: SpiceReader): WaitForChannel[] {
  const n = r.u8();
  const out: WaitForChannel[] = [];
  for (let i = 0; i < n; i++) out.push({ channelType: r.u8(), channelId: r.u8(), serial: r.u64() });
  return out;
}

export interface Disconnecting {
  timeStamp: bigint;
  reason: number;
}
export function parseDisconnecting(r: SpiceReader): Disconnecting {
  return { timeStamp: r.u64(), reason: r.u32() };
}

export interface Notify {
  timeStamp: bigint;
  severity: number;
  visibility: number;
  what: number;
  message: string;
}
export function parseNotify(r: SpiceReader): Notify {
  const timeStamp = r.u64();
  const severity = r.u32();
  const visibility = r.u32();
  const what = r.u32();
  const len = r.u32();
  const message = utf8Decode(r.bytesView(Math.min(len, r.remaining)), true);
  return { timeStamp, severity, visibility, what, message };
}

export interface SubMessage {
  type: number;
  body: Uint8Array;
}

/**
 * A SpiceSubMessageList at `r`'s position: u16 count, count × u32 offsets (relative to the
 * containing body start), each pointing at {u16 type, u32 size, body}.
 */
export function parseSubMessageList(r: SpiceReader): SubMessage[] {
  const n = r.u16();
  const out: SubMessage[] = [];
  for (let i = 0; i < n; i++) {
    const off = r.u32();
    const s = r.at(off);
    const type = s.u16();
    const size = s.u32();
    if (size > s.remaining) throw new SpiceProtocolError('truncated', `sub-message ${type} of ${size} bytes overruns its list`);
    out.push({ type, body: s.bytesView(size) });
  }
  return out;
}

/** SpiceMsgMigrate flags (spice-protocol.md §3.5) */
export const MigrateFlags = { NEED_FLUSH: 1, NEED_DATA_TRANSFER: 2 } as const;

/** SPICE_MSG_MIGRATE: u32 flags */
export function parseMigrate(r: SpiceReader): number {
  return r.u32();
}
