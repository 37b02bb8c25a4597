// A deliberately tiny SPICE link implementation, used only to test the harness itself (that
// Xspice answers SPICE, that the faulty relay keeps the framing intact and injects what it says).
// It is not the product's client and knows nothing beyond linking and reading message frames.
import crypto from 'node:crypto';
import net from 'node:net';

const MAGIC = 0x51444552; // "REDQ"
const CAP_AUTH_SPICE = 1;
const CAP_MINI_HEADER = 3;
export const MSG_MAIN_INIT = 103;

/**
 * @typedef {object} MiniChannel
 * @property {net.Socket} socket
 * @property {number} linkError
 * @property {number} authResult
 * @property {boolean} mini                   mini header negotiated
 * @property {() => Promise<{ type: number, size: number, body: Buffer<ArrayBufferLike>, serial?: bigint }>} readMessage
 * @property {(type: number, body?: Buffer) => void} sendMessage
 * @property {() => void} close
 */

/**
 * Link one channel: link message, link reply, RSA-OAEP ticket, link result.
 * @param {{ host?: string, port: number, channelType: number, channelId?: number, connectionId?: number,
 *           password?: string, miniHeader?: boolean, timeout?: number }} o
 * @returns {Promise<MiniChannel>}
 */
export async function miniLink(o) {
  const socket = net.connect({ host: o.host ?? '127.0.0.1', port: o.port });
  await new Promise((res, rej) => {
    socket.once('connect', res);
    socket.once('error', rej);
  });
  socket.setNoDelay(true);
  /** @type {Buffer} */
  let buf = Buffer.alloc(0);
  /** @type {Array<() => void>} */
  let waiters = [];
  let ended = false;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  });
  const onEnd = () => {
    ended = true;
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  const timeout = o.timeout ?? 10_000;
  /** @param {number} n @returns {Promise<Buffer>} */
  const read = async (n) => {
    const end = Date.now() + timeout;
    while (buf.length < n) {
      if (ended) throw new Error(`connection closed while waiting for ${n} bytes (have ${buf.length})`);
      if (Date.now() > end) throw new Error(`timeout waiting for ${n} bytes`);
      await new Promise((r) => {
        waiters.push(() => r(undefined));
        setTimeout(r, 100);
      });
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return Buffer.from(out);
  };

  const miniHeader = o.miniHeader ?? true;
  const common = (1 << CAP_AUTH_SPICE) | (miniHeader ? 1 << CAP_MINI_HEADER : 0);
  const body = Buffer.alloc(18 + 4);
  body.writeUInt32LE(o.connectionId ?? 0, 0);
  body.writeUInt8(o.channelType, 4);
  body.writeUInt8(o.channelId ?? 0, 5);
  body.writeUInt32LE(1, 6); // num common caps
  body.writeUInt32LE(0, 10); // num channel caps
  body.writeUInt32LE(18, 14); // caps offset
  body.writeUInt32LE(common, 18);
  const hdr = Buffer.alloc(16);
  hdr.writeUInt32LE(MAGIC, 0);
  hdr.writeUInt32LE(2, 4);
  hdr.writeUInt32LE(2, 8);
  hdr.writeUInt32LE(body.length, 12);
  socket.write(Buffer.concat([hdr, body]));

  const rh = await read(16);
  if (rh.readUInt32LE(0) !== MAGIC) throw new Error('server did not answer with REDQ');
  const reply = await read(rh.readUInt32LE(12));
  const linkError = reply.readUInt32LE(0);
  /** @type {MiniChannel} */
  const channel = { socket, linkError, authResult: -1, mini: false,
    readMessage: async () => ({ type: 0, size: 0, body: Buffer.alloc(0) }), sendMessage: () => {}, close: () => socket.destroy() };
  if (linkError !== 0) return channel;
  const pubKey = reply.subarray(4, 166);
  const srvCommon = reply.readUInt32LE(166) ? reply.readUInt32LE(reply.readUInt32LE(174)) : 0;
  channel.mini = miniHeader && !!(srvCommon & (1 << CAP_MINI_HEADER));
  const ticket = Buffer.concat([Buffer.from(o.password ?? '', 'utf8'), Buffer.from([0])]);
  const enc = crypto.publicEncrypt(
    { key: crypto.createPublicKey({ key: pubKey, format: 'der', type: 'spki' }), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    ticket,
  );
  socket.write(enc);
  channel.authResult = (await read(4)).readUInt32LE(0);
  let serial = 0n;
  channel.readMessage = async () => {
    if (channel.mini) {
      const h = await read(6);
      const size = h.readUInt32LE(2);
      return { type: h.readUInt16LE(0), size, body: await read(size) };
    }
    const h = await read(18);
    const size = h.readUInt32LE(10);
    return { type: h.readUInt16LE(8), size, serial: h.readBigUInt64LE(0), body: await read(size) };
  };
  channel.sendMessage = (type, b = Buffer.alloc(0)) => {
    if (channel.mini) {
      const h = Buffer.alloc(6);
      h.writeUInt16LE(type, 0);
      h.writeUInt32LE(b.length, 2);
      socket.write(Buffer.concat([h, b]));
    } else {
      const h = Buffer.alloc(18);
      h.writeBigUInt64LE(++serial, 0);
      h.writeUInt16LE(type, 8);
      h.writeUInt32LE(b.length, 10);
      socket.write(Buffer.concat([h, b]));
    }
  };
  return channel;
}

/**
 * Link the main channel and read messages until MAIN_INIT; returns its session id (the
 * connection_id other channels must link with).
 * @param {{ host?: string, port: number, password?: string, miniHeader?: boolean }} o
 * @returns {Promise<{ main: MiniChannel, sessionId: number }>}
 */
export async function miniMain(o) {
  const main = await miniLink({ ...o, channelType: 1 });
  if (main.linkError || main.authResult) throw new Error(`main link failed: error ${main.linkError}, auth ${main.authResult}`);
  for (let i = 0; i < 20; i++) {
    const m = await main.readMessage();
    if (m.type === MSG_MAIN_INIT) return { main, sessionId: m.body.readUInt32LE(0) };
  }
  throw new Error('no MAIN_INIT');
}
