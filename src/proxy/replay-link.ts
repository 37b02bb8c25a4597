// The SPICE link stage as `spice-web replay` reads it from raw bytes (spice-protocol.md §1): the
// client's SpiceLinkMess (which channel a browser WebSocket asks for), the server's SpiceLinkReply
// in a recording, and the session id of a recorded MAIN_INIT. The proxy build cannot import the
// client's src/protocol (another tsconfig project), and only these few fields are needed.

const SPICE_MAGIC = 0x51444552; // "REDQ"
const LINK_HEADER_BYTES = 16;
const LINK_MESS_BYTES = 18;
const LINK_REPLY_MIN_BYTES = 4;
/** A link message is small (caps are at most a few words); anything bigger is not SPICE. */
const MAX_LINK_BYTES = 64 * 1024;
/** RSA-1024 OAEP ciphertext: the ticket always has this size. */
export const TICKET_BYTES = 128;
export const CHANNEL_MAIN = 1;
const MSG_MAIN_INIT = 103;
export const CAP_MINI_HEADER = 3;
const CHANNEL_NAMES: Record<number, string> = {
  1: 'main', 2: 'display', 3: 'inputs', 4: 'cursor', 5: 'playback', 6: 'record', 7: 'tunnel', 8: 'smartcard', 9: 'usbredir', 10: 'port', 11: 'webdav',
};

export function channelName(type: number, id: number): string {
  return `${CHANNEL_NAMES[type] ?? `channel-type-${type}`}:${id}`;
}

/** A recording cannot be replayed (the message names the file). */
export class ReplayError extends Error {}

export interface LinkMess {
  /** Bytes of header + SpiceLinkMess. */
  length: number;
  connectionId: number;
  channelType: number;
  channelId: number;
  commonCaps: number[];
}

/**
 * Parses the client's link header + SpiceLinkMess at the start of `b`. Returns null while more
 * bytes are needed; throws ReplayError when the bytes are not a SPICE link message.
 */
export function parseLinkMess(b: Buffer): LinkMess | null {
  if (b.length < LINK_HEADER_BYTES) return b.length >= 4 && b.readUInt32LE(0) !== SPICE_MAGIC ? badLink('not a SPICE link message') : null;
  if (b.readUInt32LE(0) !== SPICE_MAGIC) badLink('not a SPICE link message');
  const size = b.readUInt32LE(12);
  if (size < LINK_MESS_BYTES || size > MAX_LINK_BYTES) badLink(`bad link message size ${size}`);
  if (b.length < LINK_HEADER_BYTES + size) return null;
  const m = b.subarray(LINK_HEADER_BYTES, LINK_HEADER_BYTES + size);
  const nCommon = m.readUInt32LE(6);
  const capsOffset = m.readUInt32LE(14);
  const commonCaps: number[] = [];
  if (capsOffset + 4 * nCommon <= size) for (let i = 0; i < nCommon; i++) commonCaps.push(m.readUInt32LE(capsOffset + 4 * i));
  return { length: LINK_HEADER_BYTES + size, connectionId: m.readUInt32LE(0), channelType: m.readUInt8(4), channelId: m.readUInt8(5), commonCaps };
}

function badLink(why: string): never {
  throw new ReplayError(why);
}

export function hasCap(words: readonly number[], cap: number): boolean {
  return ((words[cap >> 5] ?? 0) >>> (cap & 31)) % 2 === 1;
}

/** The server's link header + reply: its length, error code and common caps. */
export function parseLinkReply(b: Buffer): { length: number; error: number; commonCaps: number[] } | null {
  if (b.length < LINK_HEADER_BYTES || b.readUInt32LE(0) !== SPICE_MAGIC) return null;
  const size = b.readUInt32LE(12);
  if (size < LINK_REPLY_MIN_BYTES || b.length < LINK_HEADER_BYTES + size) return null;
  const r = b.subarray(LINK_HEADER_BYTES, LINK_HEADER_BYTES + size);
  const error = r.readUInt32LE(0);
  const commonCaps: number[] = [];
  // SpiceLinkReply: error, pub_key[162], num_common_caps, num_channel_caps, caps_offset
  if (error === 0 && size >= 178) {
    const n = r.readUInt32LE(166);
    const off = r.readUInt32LE(174);
    if (off + 4 * n <= size) for (let i = 0; i < n; i++) commonCaps.push(r.readUInt32LE(off + 4 * i));
  }
  return { length: LINK_HEADER_BYTES + size, error, commonCaps };
}

/** The session id in a main channel's MAIN_INIT (the first messages after the auth result). */
export function findSessionId(server: Buffer, start: number, mini: boolean): number | null {
  let off = start;
  for (let n = 0; n < 16; n++) {
    const head = mini ? 6 : 18;
    if (off + head > server.length) return null;
    const type = server.readUInt16LE(mini ? off : off + 8);
    const size = server.readUInt32LE(mini ? off + 2 : off + 10);
    const body = off + head;
    if (type === MSG_MAIN_INIT) return body + 4 <= server.length ? server.readUInt32LE(body) : null;
    off = body + size;
  }
  return null;
}
