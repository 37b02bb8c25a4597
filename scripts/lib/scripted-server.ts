/**
 * A scripted SPICE server on an in-memory Transport, for channel unit tests: it answers the
 * link stage (spice-protocol.md §1: SpiceLinkHeader + SpiceLinkReply with a dummy key, then the
 * auth result) and then lets a test deliver mini-header messages and read what the client sent.
 */
import type { Transport } from '../../src/channels/transport';
import type { RsaOaepEncrypt } from '../../src/protocol/link';

export class FakeTransport implements Transport {
  onopen: (() => void) | null = null;
  onmessage: ((b: Uint8Array) => void) | null = null;
  onclose: ((i: { clean: boolean; reason: string; code?: number }) => void) | null = null;
  /** every buffer the client sent, copied (the client may reuse its buffers) */
  sent: Uint8Array[] = [];
  closed = false;
  send(b: Uint8Array): void {
    this.sent.push(b.slice());
  }
  close(): void {
    this.closed = true;
  }
}

/** n little-endian bytes of v (|v| < 2^32; bytes past 4 are the sign extension) */
export const le = (v: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => (i < 4 ? (v >>> (8 * i)) & 0xff : v < 0 ? 0xff : 0));

/** common caps the scripted server offers: AUTH_SPICE and MINI_HEADER */
const SERVER_COMMON_CAPS = (1 << 1) | (1 << 3);

/**
 * SpiceLinkHeader + SpiceLinkReply (error OK, a zeroed 162-byte public key, one common and one
 * channel caps word): what a server sends in answer to the client's SpiceLinkMess.
 */
export function linkReply(channelCapsWord: number): Uint8Array {
  const replySize = 178 + 8;
  return new Uint8Array([
    ...le(0x51444552, 4), ...le(2, 4), ...le(2, 4), ...le(replySize, 4),
    ...le(0, 4), ...new Array<number>(162).fill(0), ...le(1, 4), ...le(1, 4), ...le(178, 4),
    ...le(SERVER_COMMON_CAPS, 4),
    ...le(channelCapsWord, 4),
  ]);
}

export interface ScriptedOptions {
  transport: Transport;
  connectionId: number;
  password: string;
  encrypt: RsaOaepEncrypt;
}

/** the options a channel under test is built with (transport, dummy ticket encryption) */
export function scriptedOptions(t: FakeTransport, connectionId = 1, password = ''): ScriptedOptions {
  return { transport: t, connectionId, password, encrypt: async () => new Uint8Array(128) };
}

/**
 * Start `ch` on `t` and take it through the link stage to the data phase. Returns the number of
 * buffers the client sent during the link (link message and ticket), so a test can skip them.
 */
export async function linkChannel(ch: { start(): void }, t: FakeTransport, channelCapsWord: number): Promise<number> {
  ch.start();
  t.onmessage!(linkReply(channelCapsWord));
  await new Promise((r) => setTimeout(r, 0)); // ticket encryption is asynchronous
  const linkSends = t.sent.length;
  t.onmessage!(new Uint8Array(le(0, 4))); // auth result: OK
  return linkSends;
}

/** a server data message with the mini header (u16 type, u32 size) */
export function miniMessage(type: number, body: ArrayLike<number> = []): Uint8Array {
  return new Uint8Array([...le(type, 2), ...le(body.length, 4), ...Array.from(body)]);
}

/** split the client's mini-header data messages out of `sent` buffers */
export function clientFrames(sent: readonly Uint8Array[]): Array<{ type: number; body: Uint8Array }> {
  return sent.map((b) => {
    const size = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(2, true);
    return { type: b[0]! | (b[1]! << 8), body: b.subarray(6, 6 + size) };
  });
}

/**
 * A linked channel and helpers: `recv` delivers a server message, `frames` returns the data
 * messages the client sent since the previous call.
 */
export async function linked<C extends { start(): void }>(make: (opts: ScriptedOptions) => C, channelCapsWord: number) {
  const t = new FakeTransport();
  const ch = make(scriptedOptions(t));
  const linkSends = await linkChannel(ch, t, channelCapsWord);
  return {
    ch,
    t,
    recv(type: number, body: number[] = []): void {
      t.onmessage!(miniMessage(type, body));
    },
    frames(): Array<{ type: number; body: number[] }> {
      return clientFrames(t.sent.splice(linkSends)).map((f) => ({ type: f.type, body: Array.from(f.body) }));
    },
  };
}
