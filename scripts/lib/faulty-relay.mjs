// A TCP relay on 127.0.0.1 (listen port -> target SPICE port) that can slip one malformed SPICE
// message into the server->client stream of a chosen connection, to test how a client copes with
// a broken or hostile server. Without `inject` it is a plain relay.
//
// How injection works (plain TCP only; a TLS stream is relayed untouched):
//  1. The client's link message is read to learn the channel: "REDQ" magic u32, major u32,
//     minor u32, size u32, then connection_id u32, channel_type u8, channel_id u8,
//     num_common_caps u32, num_channel_caps u32, caps_offset u32 ... (all little-endian).
//  2. The server's side is followed: link reply (16-byte header + `size` bytes, holding the
//     server's caps), then the 4-byte auth result. From then on it is framed as messages, with the
//     mini header (type u16, size u32) when both sides' common caps have MINI_HEADER (bit 3), else the
//     full header (serial u64, type u16, size u32, sub_list u32).
//  3. At the first message boundary at which at least `afterMessages` server messages and
//     `afterBytes` bytes have been forwarded and `afterMs` have passed since the auth result (a
//     timer also checks an idle stream), one extra message is written to the client. With full headers, the serials of all
//     later server messages are shifted by one so the sequence stays gap-free.
//  4. Everything else passes through byte for byte; both sockets stay open afterwards.
//
// Injected bodies (message type 304 = SPICE_MSG_DISPLAY_DRAW_COPY unless said otherwise). A sane
// DRAW_COPY body is 57 bytes: surface_id u32 = 0, box (top,left,bottom,right i32) = 0,0,16,16,
// clip type u8 = 0 (none), src_bitmap u32 (offset of a SpiceImage from the body start),
// src_area 0,0,16,16, rop_descriptor u16 = 8 (OP_PUT), scale_mode u8 = 0, mask flags u8 = 0,
// mask pos 0,0, mask bitmap u32 = 0 (none).
//   'bad-pointer'  (default) that 57-byte body with src_bitmap = 0xFFFFFF00: points far outside it
//   'truncated'    only the first 24 bytes of it (declared size 24: the message ends inside src_bitmap)
//   'bad-image'    the 57 bytes with src_bitmap = 57, followed by an 18-byte SpiceImage descriptor
//                  (id u64 = 0x5350494345574542, type u8 = 0xEE (no such image type), flags u8 = 0,
//                  width u32 = 16, height u32 = 16) and no image data
//   'unknown-type' message type 0xBEEF with 8 bytes 0xDE 0xAD 0xBE 0xEF 0xDE 0xAD 0xBE 0xEF
//   { type, body }  anything else you like
//
// Size: startFaultyRelay is one per-connection state machine (link, auth, framing, injection,
// serial shift) whose steps share its closure; the header above is the byte-exact contract.
import { EventEmitter } from 'node:events';
import net from 'node:net';

export const SPICE_MAGIC = 0x51444552; // "REDQ" read as little-endian u32
export const CHANNEL = Object.freeze({ MAIN: 1, DISPLAY: 2, INPUTS: 3, CURSOR: 4, PLAYBACK: 5, RECORD: 6, TUNNEL: 7, SMARTCARD: 8, USBREDIR: 9, PORT: 10, WEBDAV: 11 });
export const MSG_DISPLAY_DRAW_COPY = 304;
const CAP_MINI_HEADER = 3;

/** @typedef {'bad-pointer'|'truncated'|'bad-image'|'unknown-type'} InjectKind */

/**
 * The message (type and body) injected for a kind; see the file header for the exact bytes.
 * @param {InjectKind | { type: number, body: Buffer | Uint8Array }} kind
 * @returns {{ type: number, body: Buffer, kind: string }}
 */
export function malformedMessage(kind) {
  if (typeof kind === 'object') return { type: kind.type, body: Buffer.from(kind.body), kind: 'custom' };
  const drawCopy = (/** @type {number} */ srcBitmap) => {
    const b = Buffer.alloc(57);
    let o = 0;
    o = b.writeUInt32LE(0, o); // surface_id
    for (const v of [0, 0, 16, 16]) o = b.writeInt32LE(v, o); // box top left bottom right
    o = b.writeUInt8(0, o); // clip type NONE
    o = b.writeUInt32LE(srcBitmap >>> 0, o); // src_bitmap
    for (const v of [0, 0, 16, 16]) o = b.writeInt32LE(v, o); // src_area
    o = b.writeUInt16LE(8, o); // rop_descriptor OP_PUT
    o = b.writeUInt8(0, o); // scale_mode
    o = b.writeUInt8(0, o); // mask flags
    o = b.writeInt32LE(0, o); // mask pos x
    o = b.writeInt32LE(0, o); // mask pos y
    o = b.writeUInt32LE(0, o); // mask bitmap (none)
    if (o !== 57) throw new Error('DRAW_COPY layout');
    return b;
  };
  switch (kind) {
    case 'bad-pointer':
      return { type: MSG_DISPLAY_DRAW_COPY, body: drawCopy(0xffffff00), kind };
    case 'truncated':
      return { type: MSG_DISPLAY_DRAW_COPY, body: drawCopy(57).subarray(0, 24), kind };
    case 'bad-image': {
      const img = Buffer.alloc(18);
      img.writeBigUInt64LE(0x5350494345574542n, 0);
      img.writeUInt8(0xee, 8);
      img.writeUInt8(0, 9);
      img.writeUInt32LE(16, 10);
      img.writeUInt32LE(16, 14);
      return { type: MSG_DISPLAY_DRAW_COPY, body: Buffer.concat([drawCopy(57), img]), kind };
    }
    case 'unknown-type':
      return { type: 0xbeef, body: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]), kind };
    default:
      throw new Error(`unknown injection kind ${kind}`);
  }
}

/**
 * @typedef {object} InjectOptions
 * @property {{ channelType?: number, channelId?: number, connectionIndex?: number }} [match]
 *   which connection: all given fields must match. Default { channelType: 2 } (display).
 *   connectionIndex counts accepted connections from 0.
 * @property {number} [afterMessages=1]  server messages forwarded (after auth) before injecting
 * @property {number} [afterMs=0]        and at least this long after the auth result
 * @property {number} [afterBytes=0]     and at least this many server bytes (after auth) forwarded
 * @property {InjectKind | { type: number, body: Buffer | Uint8Array }} [kind='bad-pointer']
 * @property {number} [times=1]          how many matching connections get one injection each
 */

/**
 * @typedef {object} RelayConnection
 * @property {number} index
 * @property {number | null} channelType   from the client's link message
 * @property {number | null} channelId
 * @property {number | null} connectionId
 * @property {'mini' | 'full' | null} header  once known
 * @property {number | null} linkError     the server's link reply error code (0 = ok)
 * @property {number | null} authResult    the 4-byte link result after auth (0 = ok)
 * @property {number} serverMessages       server messages forwarded after auth
 * @property {number} bytesToClient
 * @property {number} bytesToServer
 * @property {boolean} injected
 * @property {boolean} open
 * @property {'client' | 'server' | null} closedBy  who closed (or errored) first
 */

/**
 * @typedef {object} Injection
 * @property {number} connection          RelayConnection.index
 * @property {number | null} channelType
 * @property {string} kind
 * @property {number} type
 * @property {Buffer} bytes                exactly what was written to the client (header + body)
 * @property {number} afterMessages        server messages forwarded before it
 * @property {number} atByte               offset in the server->client stream where it went
 */

/**
 * @typedef {object} FaultyRelay
 * @property {string} host                 "127.0.0.1"
 * @property {number} port                 where clients connect
 * @property {RelayConnection[]} connections
 * @property {Injection[]} injections
 * @property {EventEmitter} events         'connection' (RelayConnection), 'link' (RelayConnection),
 *                                         'injected' (Injection), 'close' (RelayConnection)
 * @property {(timeout?: number) => Promise<Injection>} waitForInjection  resolves with the first one
 * @property {(pred: (c: RelayConnection) => boolean, timeout?: number) => Promise<RelayConnection>} waitForConnection
 * @property {() => Promise<void>} stop    close the listener and every relayed socket
 */

/**
 * Start a relay. It listens on 127.0.0.1 only.
 * @param {{ target: { host?: string, port: number }, listenPort?: number, inject?: InjectOptions | null }} opts
 * @returns {Promise<FaultyRelay>}
 */
export async function startFaultyRelay(opts) {
  const targetHost = opts.target.host ?? '127.0.0.1';
  const targetPort = opts.target.port;
  const inject = opts.inject ?? null;
  const match = inject?.match ?? { channelType: CHANNEL.DISPLAY };
  const afterMessages = inject?.afterMessages ?? 1;
  const afterMs = inject?.afterMs ?? 0;
  const afterBytes = inject?.afterBytes ?? 0;
  const msg = inject ? malformedMessage(inject.kind ?? 'bad-pointer') : null;
  let injectionsLeft = inject ? (inject.times ?? 1) : 0;

  const events = new EventEmitter();
  events.setMaxListeners(100);
  /** @type {RelayConnection[]} */
  const connections = [];
  /** @type {Injection[]} */
  const injections = [];
  /** @type {Set<net.Socket>} */
  const sockets = new Set();

  const server = net.createServer((client) => {
    /** @type {RelayConnection} */
    const info = {
      index: connections.length, channelType: null, channelId: null, connectionId: null, header: null,
      linkError: null, authResult: null, serverMessages: 0, bytesToClient: 0, bytesToServer: 0,
      injected: false, open: true, closedBy: null,
    };
    connections.push(info);
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    events.emit('connection', info);

    /** @type {number[]} */
    let clientCommonCaps = [];
    /** @type {number[]} */
    let serverCommonCaps = [];
    let clientLinkBuf = Buffer.alloc(0);
    let clientLinkDone = false;
    let wantInjection = false; // decided once the channel is known
    let authAt = 0;
    let serialShift = 0n;

    const close = (/** @type {'client'|'server'} */ who) => {
      if (!info.closedBy && info.open) info.closedBy = who;
      if (info.open) {
        info.open = false;
        events.emit('close', info);
      }
      client.destroy();
      upstream.destroy();
      clearTimeout(timer);
    };
    client.on('error', () => close('client'));
    upstream.on('error', () => close('server'));
    client.on('close', () => close('client'));
    upstream.on('close', () => close('server'));

    // ---- client -> server: read the link message, forward everything as is
    client.on('data', (d) => {
      info.bytesToServer += d.length;
      upstream.write(d);
      if (clientLinkDone) return;
      clientLinkBuf = Buffer.concat([clientLinkBuf, d]);
      if (clientLinkBuf.length < 16) return;
      if (clientLinkBuf.readUInt32LE(0) !== SPICE_MAGIC) {
        clientLinkDone = true;
        return;
      }
      const size = clientLinkBuf.readUInt32LE(12);
      if (clientLinkBuf.length < 16 + size) return;
      const body = clientLinkBuf.subarray(16, 16 + size);
      clientLinkDone = true;
      info.connectionId = body.readUInt32LE(0);
      info.channelType = body.readUInt8(4);
      info.channelId = body.readUInt8(5);
      clientCommonCaps = readCaps(body, body.readUInt32LE(6), body.readUInt32LE(14));
      clientLinkBuf = Buffer.alloc(0);
      wantInjection = !!msg && injectionsLeft > 0 &&
        (match.channelType === undefined || match.channelType === info.channelType) &&
        (match.channelId === undefined || match.channelId === info.channelId) &&
        (match.connectionIndex === undefined || match.connectionIndex === info.index);
      if (wantInjection) injectionsLeft--; // reserve it for this connection
      events.emit('link', info);
    });

    // ---- server -> client: follow the framing, inject at a message boundary
    /** @type {'link-header'|'link-body'|'auth'|'msg-header'|'msg-body'} */
    let phase = 'link-header';
    let raw = false; // not SPICE framing we understand (TLS, link error): relay bytes only
    let acc = Buffer.alloc(0); // bytes of the unit being read (link parts, auth result, a message header)
    let need = 16;
    let bodyLeft = 0;
    let streamPos = 0;
    let bytesAfterAuth = 0;
    let lastSerial = 0n;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;

    const atBoundary = () => phase === 'msg-header' && acc.length === 0;
    const due = () => wantInjection && !info.injected && info.serverMessages >= afterMessages &&
      bytesAfterAuth >= afterBytes && Date.now() - authAt >= afterMs;
    /** @param {Buffer[]} out */
    const flush = (out) => {
      for (const b of out) {
        if (!b.length) continue;
        info.bytesToClient += b.length;
        streamPos += b.length;
        if (phase !== 'link-header' && phase !== 'link-body' && phase !== 'auth') bytesAfterAuth += b.length;
        client.write(b);
      }
      out.length = 0;
    };
    const doInject = () => {
      if (!msg || !info.open || info.injected) return;
      const full = info.header === 'full';
      const hdr = Buffer.alloc(full ? 18 : 6);
      if (full) {
        lastSerial += 1n;
        serialShift += 1n;
        hdr.writeBigUInt64LE(lastSerial, 0);
        hdr.writeUInt16LE(msg.type, 8);
        hdr.writeUInt32LE(msg.body.length, 10);
        hdr.writeUInt32LE(0, 14);
      } else {
        hdr.writeUInt16LE(msg.type, 0);
        hdr.writeUInt32LE(msg.body.length, 2);
      }
      const bytes = Buffer.concat([hdr, msg.body]);
      client.write(bytes);
      info.injected = true;
      clearTimeout(timer);
      /** @type {Injection} */
      const inj = { connection: info.index, channelType: info.channelType, kind: msg.kind, type: msg.type, bytes,
        afterMessages: info.serverMessages, atByte: streamPos };
      streamPos += bytes.length;
      info.bytesToClient += bytes.length;
      injections.push(inj);
      events.emit('injected', inj);
    };
    /** @param {Buffer[]} out */
    const maybeInject = (out) => {
      if (!due()) return;
      flush(out);
      doInject();
    };
    // an idle stream still gets its injection once afterMs has passed
    const armTimer = () => {
      if (!wantInjection) return;
      const tick = () => {
        if (!info.open || info.injected) return;
        if (atBoundary() && due()) doInject();
        else timer = setTimeout(tick, 20);
      };
      timer = setTimeout(tick, Math.max(5, afterMs));
    };

    upstream.on('data', (d) => {
      if (raw) return flush([d]);
      /** @type {Buffer[]} */
      const out = [];
      let off = 0;
      while (off < d.length) {
        if (phase === 'msg-body') {
          const n = Math.min(bodyLeft, d.length - off);
          out.push(d.subarray(off, off + n));
          off += n;
          bodyLeft -= n;
          if (bodyLeft === 0) {
            phase = 'msg-header';
            need = info.header === 'full' ? 18 : 6;
            info.serverMessages++;
            maybeInject(out);
          }
          continue;
        }
        const n = Math.min(need - acc.length, d.length - off);
        acc = Buffer.concat([acc, d.subarray(off, off + n)]);
        off += n;
        if (acc.length < need) break; // wait for the rest of this unit
        const unit = acc;
        acc = Buffer.alloc(0);
        out.push(unit);
        if (phase === 'link-header') {
          if (unit.readUInt32LE(0) !== SPICE_MAGIC) {
            raw = true;
          } else {
            need = unit.readUInt32LE(12);
            phase = 'link-body';
          }
        } else if (phase === 'link-body') {
          info.linkError = unit.length >= 4 ? unit.readUInt32LE(0) : -1;
          if (unit.length >= 178) serverCommonCaps = readCaps(unit, unit.readUInt32LE(166), unit.readUInt32LE(174));
          const mini = hasCap(clientCommonCaps, CAP_MINI_HEADER) && hasCap(serverCommonCaps, CAP_MINI_HEADER);
          info.header = mini ? 'mini' : 'full';
          if (info.linkError !== 0) raw = true;
          phase = 'auth';
          need = 4;
        } else if (phase === 'auth') {
          info.authResult = unit.readUInt32LE(0);
          authAt = Date.now();
          phase = 'msg-header';
          need = info.header === 'full' ? 18 : 6;
          if (info.authResult !== 0) raw = true;
          else {
            flush(out);
            armTimer();
            maybeInject(out);
          }
        } else {
          // message header
          if (info.header === 'full') {
            const serial = unit.readBigUInt64LE(0) + serialShift;
            unit.writeBigUInt64LE(serial, 0);
            lastSerial = serial;
            bodyLeft = unit.readUInt32LE(10);
          } else {
            bodyLeft = unit.readUInt32LE(2);
          }
          if (bodyLeft === 0) {
            info.serverMessages++;
            maybeInject(out);
          } else {
            phase = 'msg-body';
          }
        }
        if (raw) {
          out.push(d.subarray(off));
          off = d.length;
        }
      }
      flush(out);
    });
  });

  server.on('connection', () => {});
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: opts.listenPort ?? 0 }, () => resolve(undefined));
  });
  const addr = /** @type {net.AddressInfo} */ (server.address());

  /** @type {FaultyRelay} */
  const relay = {
    host: '127.0.0.1',
    port: addr.port,
    connections,
    injections,
    events,
    waitForInjection(timeout = 15_000) {
      if (injections.length) return Promise.resolve(injections[0]);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          events.off('injected', on);
          reject(new Error(`no injection within ${timeout} ms (connections: ${JSON.stringify(connections.map(summary))})`));
        }, timeout);
        const on = (/** @type {Injection} */ i) => {
          clearTimeout(t);
          resolve(i);
        };
        events.once('injected', on);
      });
    },
    waitForConnection(pred, timeout = 15_000) {
      const found = connections.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (/** @type {RelayConnection} */ c) => {
          if (!pred(c)) return;
          clearTimeout(t);
          for (const e of ['link', 'connection', 'close']) events.off(e, check);
          resolve(c);
        };
        const t = setTimeout(() => {
          for (const e of ['link', 'connection', 'close']) events.off(e, check);
          reject(new Error(`no matching relay connection within ${timeout} ms`));
        }, timeout);
        for (const e of ['link', 'connection', 'close']) events.on(e, check);
      });
    },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return relay;
}

/** @param {RelayConnection} c */
function summary(c) {
  return { index: c.index, channelType: c.channelType, header: c.header, auth: c.authResult, msgs: c.serverMessages, open: c.open };
}

/**
 * Read the common caps words of a link message/reply body.
 * @param {Buffer} body @param {number} count number of common caps words @param {number} capsOffset from the body start
 */
function readCaps(body, count, capsOffset) {
  /** @type {number[]} */
  const caps = [];
  for (let i = 0; i < count && capsOffset + 4 * i + 4 <= body.length; i++) caps.push(body.readUInt32LE(capsOffset + 4 * i));
  return caps;
}

/** @param {number[]} words @param {number} bit */
function hasCap(words, bit) {
  return ((words[bit >> 5] ?? 0) >>> (bit & 31)) & 1;
}
