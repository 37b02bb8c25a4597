/**
 * Link stage (spice-protocol.md §1): SpiceLinkHeader + SpiceLinkMess from the client,
 * SpiceLinkHeader + SpiceLinkReply from the server, then auth mechanism, ticket and result.
 */
import { capsWords } from './caps';
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';
import { SPICE_MAGIC, SPICE_TICKET_PUBKEY_BYTES, SPICE_VERSION_MAJOR, SPICE_VERSION_MINOR, SPICE_MAX_PASSWORD_LENGTH } from './enums';
import { utf8Encode } from './utf8';

export const LINK_HEADER_SIZE = 16;
const LINK_MESS_SIZE = 18;
const LINK_REPLY_SIZE = 178;
/** the server caps its own counts at 1024 words each; we refuse anything bigger too */
const MAX_CAP_WORDS = 1024;

export interface LinkRequest {
  connectionId: number;
  channelType: number;
  channelId: number;
  commonCaps: readonly number[];
  channelCaps: readonly number[];
}

export function buildLinkMess(req: LinkRequest): Uint8Array {
  const common = capsWords(req.commonCaps);
  const chan = capsWords(req.channelCaps);
  const size = LINK_MESS_SIZE + 4 * (common.length + chan.length);
  const w = new SpiceWriter(LINK_HEADER_SIZE + size);
  w.u32(SPICE_MAGIC).u32(SPICE_VERSION_MAJOR).u32(SPICE_VERSION_MINOR).u32(size);
  w.u32(req.connectionId).u8(req.channelType).u8(req.channelId);
  w.u32(common.length).u32(chan.length).u32(LINK_MESS_SIZE);
  for (const c of common) w.u32(c);
  for (const c of chan) w.u32(c);
  return w.finish();
}

export interface LinkHeader {
  major: number;
  minor: number;
  size: number;
}

/** Parse the 16-byte link header of the server's reply. */
export function parseLinkHeader(b: Uint8Array): LinkHeader {
  const r = new SpiceReader(b, 0, Math.min(b.length, LINK_HEADER_SIZE));
  const magic = r.u32();
  if (magic !== SPICE_MAGIC) throw new SpiceProtocolError('link', `not a SPICE server (magic 0x${magic.toString(16)})`);
  const major = r.u32();
  const minor = r.u32();
  const size = r.u32();
  if (major !== SPICE_VERSION_MAJOR) throw new SpiceProtocolError('link', `unsupported protocol version ${major}.${minor}`);
  if (size < 4 || size > LINK_REPLY_SIZE + 8 * MAX_CAP_WORDS) throw new SpiceProtocolError('malformed', `link reply size ${size}`);
  return { major, minor, size };
}

export interface LinkReply {
  error: number;
  pubKey: Uint8Array;
  commonCaps: number[];
  channelCaps: number[];
}

/** Parse SpiceLinkReply (the `size` bytes after the link header). An error reply may be short. */
export function parseLinkReply(b: Uint8Array): LinkReply {
  const r = new SpiceReader(b);
  const error = r.u32();
  if (error !== 0) return { error, pubKey: new Uint8Array(0), commonCaps: [], channelCaps: [] };
  const pubKey = r.bytesView(SPICE_TICKET_PUBKEY_BYTES).slice();
  const nCommon = r.u32();
  const nChannel = r.u32();
  const capsOffset = r.u32();
  if (nCommon > MAX_CAP_WORDS || nChannel > MAX_CAP_WORDS) throw new SpiceProtocolError('malformed', 'too many capability words');
  const cr = r.at(capsOffset);
  const commonCaps: number[] = [];
  const channelCaps: number[] = [];
  for (let i = 0; i < nCommon; i++) commonCaps.push(cr.u32());
  for (let i = 0; i < nChannel; i++) channelCaps.push(cr.u32());
  return { error, pubKey, commonCaps, channelCaps };
}

/** RSA-OAEP(SHA-1) encryption, supplied by the platform (WebCrypto) so this layer stays pure. */
export type RsaOaepEncrypt = (spkiDer: Uint8Array, data: Uint8Array) => Promise<Uint8Array>;

export const TICKET_CIPHERTEXT_BYTES = 128;

/**
 * The ticket: password bytes plus a NUL, RSA-OAEP encrypted under the link reply's key
 * (spice-protocol.md §1.6). The ciphertext must be exactly the modulus size: a big-integer
 * implementation that drops leading zero bytes fails 1 link in 256, so we left-pad defensively
 * even though WebCrypto already returns fixed-size output.
 */
export async function encryptTicket(encrypt: RsaOaepEncrypt, pubKey: Uint8Array, password: string): Promise<Uint8Array> {
  const pw = utf8Encode(password);
  if (pw.length > SPICE_MAX_PASSWORD_LENGTH) throw new SpiceProtocolError('auth', `password longer than ${SPICE_MAX_PASSWORD_LENGTH} bytes`);
  const data = new Uint8Array(pw.length + 1);
  data.set(pw);
  const ct = await encrypt(pubKey, data);
  if (ct.length === TICKET_CIPHERTEXT_BYTES) return ct;
  if (ct.length > TICKET_CIPHERTEXT_BYTES) throw new SpiceProtocolError('auth', `ticket ciphertext of ${ct.length} bytes (server key is not 1024-bit)`);
  const out = new Uint8Array(TICKET_CIPHERTEXT_BYTES);
  out.set(ct, TICKET_CIPHERTEXT_BYTES - ct.length);
  return out;
}

/** SpiceLinkAuthMechanism: the common-cap number of the mechanism (AUTH_SPICE = 1). */
export function buildAuthMechanism(mech: number): Uint8Array {
  return new SpiceWriter(4).u32(mech).finish();
}
