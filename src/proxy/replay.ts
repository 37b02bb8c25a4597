// `spice-web replay`: plays `--record` recordings back to SPICE clients. It serves the built
// client at `/` and WebSockets at `/ws` like `serve`, but it never connects anywhere: each
// WebSocket gets the server->client bytes of one recorded connection.
//
// Matching. A recording directory may hold several sessions. A session is one main-channel
// connection (its SPICE session id comes from the recorded MAIN_INIT) plus the other channels
// whose link message carried that id as connection_id. The operator picks one session. For each
// browser WebSocket the replay reads the client's SpiceLinkMess and takes the next unused
// recording of the same channel type and id, in the order they were recorded. When a main
// channel arrives and every recorded main connection has been played, the session starts over
// (a page reload). Connection ids in the live link messages are not checked: the client copies
// the recorded session id from the replayed MAIN_INIT, so they would match anyway.
//
// Link. The recorded link reply carries the real server's RSA key; the client encrypts its ticket
// under it and the replay discards it. The replay sends the link reply once the live link message
// is complete, and the rest (auth result, then the channel's messages) once the client has sent
// 128 more bytes (the RSA-1024 ticket, after the optional 4-byte auth mechanism).
//
// Pacing. Each server record is due at its recorded time relative to the link message (then to
// the ticket), divided by `speed`, counted from when the browser sent them; Infinity plays as
// fast as the browser reads. Client bytes are read and discarded (compared with the recorded
// ones at debug level).
//
// End. When the recorded target closed the connection, the replay closes the WebSocket at that
// point (1000). Otherwise (the browser or the proxy ended the recording) it keeps the
// WebSocket open, so the client keeps showing the final frame.
import { readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { jsonLogger, silentLogger, type LogLevel, type Logger } from './log.js';
import { eventsOf, readRecording, RecordKind, RecordingFormatError, type Recording } from './recording.js';
import { clampReason } from './relay.js';
import { normalizeAddress, normalizeOrigin, originAllowed, refuseHttp, subprotocolRefusal, toListen } from './server.js';
import { serveStatic } from './static.js';

export const RECORDING_EXTENSION = '.spicerec';

/** Close codes of the replay (the reason says more). */
export const ReplayCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Unsupported: 1003,
  /** The first bytes were not a SPICE link message. */
  BadLink: 4400,
  /** The session has no (more) recordings of the requested channel. */
  NoRecording: 4404,
} as const;

const SPICE_MAGIC = 0x51444552; // "REDQ"
const LINK_HEADER_BYTES = 16;
const LINK_MESS_BYTES = 18;
const LINK_REPLY_MIN_BYTES = 4;
/** A link message is small (caps are at most a few words); anything bigger is not SPICE. */
const MAX_LINK_BYTES = 64 * 1024;
/** RSA-1024 OAEP ciphertext: the ticket always has this size. */
const TICKET_BYTES = 128;
const CHANNEL_MAIN = 1;
const MSG_MAIN_INIT = 103;
const CAP_MINI_HEADER = 3;
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

function hasCap(words: readonly number[], cap: number): boolean {
  return ((words[cap >> 5] ?? 0) >>> (cap & 31)) % 2 === 1;
}

/** The server's link header + reply: its length, error code and common caps. */
function parseLinkReply(b: Buffer): { length: number; error: number; commonCaps: number[] } | null {
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
function findSessionId(server: Buffer, start: number, mini: boolean): number | null {
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

/** One server->client chunk of a recorded connection, with its place in the link. */
interface Chunk {
  timeUs: number;
  data: Buffer;
  /** false: part of the link reply (sent after the link message); true: after the ticket. */
  afterTicket: boolean;
}

export interface RecordedChannel {
  file: string;
  conn: number;
  startedAtMs: number;
  target: string;
  channelType: number;
  channelId: number;
  /** connection_id of the recorded link message (0 for a new session's main channel). */
  connectionId: number;
  /** Main channels: the session id from MAIN_INIT (null if the link failed or it is missing). */
  sessionId: number | null;
  /** The recorded link reply's error code (0 = OK), or null if the server sent none. */
  linkError: number | null;
  chunks: Chunk[];
  /** Recorded times (µs) of the link message and of the ticket, from the client's records. */
  linkTimeUs: number;
  ticketTimeUs: number | null;
  /** Recorded close: by whom and when. */
  close: { by: string; timeUs: number; code?: number; reason?: string } | null;
  /** The client->server byte stream as recorded (for the debug comparison). */
  clientStream: Buffer;
  truncated: boolean;
  bytesServerToClient: number;
}

export interface RecordedSession {
  /** 1-based position in startedAt order (what --session picks). */
  index: number;
  sessionId: number | null;
  startedAtMs: number;
  target: string;
  /** Ordered by start time (then conn). */
  channels: RecordedChannel[];
}

/** Offset where cumulated record sizes first reach `n` bytes: the record's time, or null. */
function timeWhenReached(rec: Recording, kind: RecordKind, n: number): number | null {
  let total = 0;
  for (const r of rec.records) {
    if (r.kind !== kind) continue;
    total += r.data.length;
    if (total >= n) return r.timeUs;
  }
  return null;
}

/** Understands one recording; null (with why) when it holds no SPICE link to replay. */
export function analyseRecording(file: string, rec: Recording): RecordedChannel | { skip: string } {
  const client = Buffer.concat(rec.records.filter((r) => r.kind === RecordKind.ClientToServer).map((r) => r.data));
  let link: LinkMess | null;
  try {
    link = parseLinkMess(client);
  } catch (e) {
    return { skip: `the client's first bytes are not a SPICE link message (${(e as Error).message})` };
  }
  if (!link) return { skip: 'no complete link message from the client' };
  const server = Buffer.concat(rec.records.filter((r) => r.kind === RecordKind.ServerToClient).map((r) => r.data));
  const reply = parseLinkReply(server);
  const replyLen = reply?.length ?? server.length;
  let sessionId: number | null = null;
  if (reply && reply.error === 0 && link.channelType === CHANNEL_MAIN) {
    const mini = hasCap(link.commonCaps, CAP_MINI_HEADER) && hasCap(reply.commonCaps, CAP_MINI_HEADER);
    const authEnd = reply.length + 4;
    if (server.length >= authEnd && server.readUInt32LE(reply.length) === 0) sessionId = findSessionId(server, authEnd, mini);
  }
  // split the server records at the end of the link reply: the rest waits for the ticket
  const chunks: Chunk[] = [];
  let off = 0;
  for (const r of rec.records) {
    if (r.kind !== RecordKind.ServerToClient || r.data.length === 0) continue;
    const end = off + r.data.length;
    if (off < replyLen && end > replyLen) {
      chunks.push({ timeUs: r.timeUs, data: r.data.subarray(0, replyLen - off), afterTicket: false });
      chunks.push({ timeUs: r.timeUs, data: r.data.subarray(replyLen - off), afterTicket: true });
    } else chunks.push({ timeUs: r.timeUs, data: r.data, afterTicket: off >= replyLen });
    off = end;
  }
  let close: RecordedChannel['close'] = null;
  for (const r of rec.records) {
    if (r.kind !== RecordKind.Event) continue;
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(r.data.toString('utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (ev['type'] === 'close' && !close) {
      close = { by: String(ev['by']), timeUs: r.timeUs };
      if (typeof ev['code'] === 'number') close.code = ev['code'];
      if (typeof ev['reason'] === 'string') close.reason = ev['reason'];
    }
  }
  const m = rec.meta;
  return {
    file,
    conn: typeof m.conn === 'number' ? m.conn : 0,
    startedAtMs: typeof m.startedAtMs === 'number' ? m.startedAtMs : 0,
    target: typeof m.target === 'string' ? m.target : '',
    channelType: link.channelType,
    channelId: link.channelId,
    connectionId: link.connectionId,
    sessionId,
    linkError: reply ? reply.error : null,
    chunks,
    linkTimeUs: timeWhenReached(rec, RecordKind.ClientToServer, link.length) ?? 0,
    ticketTimeUs: timeWhenReached(rec, RecordKind.ClientToServer, link.length + TICKET_BYTES),
    close,
    clientStream: client,
    truncated: rec.truncated || eventsOf(rec).some((e) => e['type'] === 'truncated'),
    bytesServerToClient: server.length,
  };
}

/**
 * Groups channels into sessions. In start order: a main channel with a session id opens a
 * session; a main channel whose link failed (wrong password...) belongs to the next session
 * opened (the retry); another channel joins the latest session with its connection_id.
 */
export function groupSessions(channels: RecordedChannel[]): { sessions: RecordedSession[]; orphans: RecordedChannel[] } {
  const sorted = [...channels].sort((a, b) => a.startedAtMs - b.startedAtMs || a.conn - b.conn || a.file.localeCompare(b.file));
  const sessions: RecordedSession[] = [];
  const byId = new Map<number, RecordedSession>();
  let pendingMains: RecordedChannel[] = [];
  const orphans: RecordedChannel[] = [];
  for (const c of sorted) {
    if (c.channelType === CHANNEL_MAIN) {
      if (c.sessionId === null) {
        pendingMains.push(c);
        continue;
      }
      const first = pendingMains[0] ?? c;
      const s: RecordedSession = { index: 0, sessionId: c.sessionId, startedAtMs: first.startedAtMs, target: c.target, channels: [...pendingMains, c] };
      pendingMains = [];
      sessions.push(s);
      byId.set(c.sessionId, s);
    } else {
      const s = byId.get(c.connectionId);
      if (s) s.channels.push(c);
      else orphans.push(c);
    }
  }
  if (pendingMains.length > 0) {
    const first = pendingMains[0]!;
    sessions.push({ index: 0, sessionId: null, startedAtMs: first.startedAtMs, target: first.target, channels: pendingMains });
  }
  sessions.sort((a, b) => a.startedAtMs - b.startedAtMs);
  sessions.forEach((s, i) => (s.index = i + 1));
  return { sessions, orphans };
}

export interface LoadedRecordings {
  sessions: RecordedSession[];
  /** Files that hold nothing to replay, with why. */
  skipped: Array<{ file: string; reason: string }>;
}

/** Reads recording files and directories (their `*.spicerec` files, not recursive). */
export async function loadRecordings(paths: readonly string[]): Promise<LoadedRecordings> {
  if (paths.length === 0) throw new ReplayError('no recording given (a directory written by `serve --record DIR`, or .spicerec files)');
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw new ReplayError(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n.endsWith(RECORDING_EXTENSION)).sort();
      if (names.length === 0) throw new ReplayError(`${p}: no ${RECORDING_EXTENSION} files in this directory`);
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  const channels: RecordedChannel[] = [];
  const skipped: LoadedRecordings['skipped'] = [];
  for (const f of files) {
    let rec: Recording;
    try {
      rec = await readRecording(f);
    } catch (e) {
      if (e instanceof RecordingFormatError) throw new ReplayError(`${f}: ${e.message}`);
      throw new ReplayError(`${f}: ${(e as Error).message}`);
    }
    const a = analyseRecording(f, rec);
    if ('skip' in a) skipped.push({ file: f, reason: a.skip });
    else channels.push(a);
  }
  const { sessions, orphans } = groupSessions(channels);
  for (const o of orphans) skipped.push({ file: o.file, reason: `${channelName(o.channelType, o.channelId)} of session ${o.connectionId}, whose main channel is not recorded` });
  if (sessions.length === 0) throw new ReplayError(`no session to replay: no recording holds a main channel${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
  return { sessions, skipped };
}

/** One line per session, for `--list` and for the "which session?" error. */
export function describeSession(s: RecordedSession): string {
  const chans = s.channels.map((c) => channelName(c.channelType, c.channelId)).join(' ');
  const bytes = s.channels.reduce((n, c) => n + c.bytesServerToClient, 0);
  const id = s.sessionId === null ? 'link failed' : `session id ${s.sessionId}`;
  return `${s.index}  ${new Date(s.startedAtMs).toISOString()}  ${id}  target ${s.target}  ${s.channels.length} connections (${chans}), ${bytes} bytes from the server`;
}

/** Picks the session to replay: `index` (1-based), or the only one. */
export function chooseSession(loaded: LoadedRecordings, index?: number): RecordedSession {
  if (index !== undefined) {
    const s = loaded.sessions.find((x) => x.index === index);
    if (!s) throw new ReplayError(`there is no session ${index} (there are ${loaded.sessions.length}; see --list)`);
    return s;
  }
  if (loaded.sessions.length > 1) {
    throw new ReplayError(`the recordings hold ${loaded.sessions.length} sessions; choose one with --session N:\n${loaded.sessions.map(describeSession).join('\n')}`);
  }
  return loaded.sessions[0]!;
}

/** Time and waiting, replaceable in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface ReplayOptions {
  /** The session to play (see loadRecordings / chooseSession). */
  session: RecordedSession;
  /** 1 = recorded timing; 2 = twice as fast; Infinity (or 0) = as fast as the browser reads. */
  speed?: number;
  listen?: { host?: string; port?: number } | string | number;
  webDir?: string | null;
  wsPath?: string;
  allowOrigins?: string[];
  maxPayload?: number;
  /** Sending pauses while ws.bufferedAmount is above this (default 256 KiB). */
  highWaterMark?: number;
  https?: { cert: string | Buffer; key: string | Buffer };
  logger?: Logger | 'json' | 'silent';
  logLevel?: LogLevel;
  clock?: Clock;
}

export interface ReplayHandle {
  port: number;
  host: string;
  url: string;
  wsUrl: string;
  /** Resolves when every WebSocket opened so far has had all its recorded bytes sent. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Which recording each new channel connection gets (see the top of this file). */
export class ChannelMatcher {
  private used = new Map<string, number>();
  constructor(private readonly session: RecordedSession) {}

  next(channelType: number, channelId: number): RecordedChannel | { missing: string } {
    const key = `${channelType}:${channelId}`;
    const all = this.session.channels.filter((c) => c.channelType === channelType && c.channelId === channelId);
    if (channelType === CHANNEL_MAIN && (this.used.get(key) ?? 0) >= all.length && all.length > 0) this.used.clear();
    const n = this.used.get(key) ?? 0;
    const name = channelName(channelType, channelId);
    if (all.length === 0) return { missing: `replay: the recorded session has no ${name} channel` };
    if (n >= all.length) return { missing: `replay: all ${all.length} recorded ${name} connections were played` };
    this.used.set(key, n + 1);
    return all[n]!;
  }
}

const DEFAULT_HWM = 256 * 1024;

export async function startReplay(options: ReplayOptions): Promise<ReplayHandle> {
  const listen = toListen(options.listen);
  const wsPath = options.wsPath ?? '/ws';
  const logger: Logger =
    options.logger === 'silent' ? silentLogger : options.logger === undefined || options.logger === 'json' ? jsonLogger({ level: options.logLevel ?? 'info' }) : options.logger;
  const speed = options.speed === undefined ? 1 : options.speed === 0 ? Infinity : options.speed;
  if (!(speed > 0)) throw new Error(`speed must be a positive number, got ${options.speed}`);
  const hwm = options.highWaterMark ?? DEFAULT_HWM;
  const clock = options.clock ?? realClock;
  const allow = options.allowOrigins && options.allowOrigins.length > 0 ? options.allowOrigins.map(normalizeOrigin) : null;
  const webDir = options.webDir ?? null;
  const matcher = new ChannelMatcher(options.session);
  const players = new Set<Player>();
  let nextId = 1;
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1024 * 1024,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });

  function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const client = normalizeAddress(req.socket.remoteAddress);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return refuseHttp(socket, 400, 'Bad Request', 'bad request');
    }
    if (url.pathname !== wsPath) return refuseHttp(socket, 404, 'Not Found', `no WebSocket endpoint here (use ${wsPath})`);
    if (closing) return refuseHttp(socket, 503, 'Service Unavailable', 'the replay is shutting down');
    if (!originAllowed(req.headers.origin, req.headers.host, allow)) {
      logger.log('warn', 'refused', { kind: 'origin', client, origin: req.headers.origin?.slice(0, 200) });
      return refuseHttp(socket, 403, 'Forbidden', 'origin not allowed');
    }
    const why = subprotocolRefusal(req.headers['sec-websocket-protocol']);
    if (why) {
      logger.log('warn', 'refused', { kind: 'bad_request', client, reason: why });
      return refuseHttp(socket, 400, 'Bad Request', why);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const p = new Player(ws, { id: nextId++, client, matcher, speed, hwm, clock, logger, onEnd: (x) => players.delete(x) });
      players.add(p);
    });
  }

  const server: http.Server = options.https ? https.createServer({ cert: options.https.cert, key: options.https.key }) : http.createServer();
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const pathOnly = (req.url ?? '/').split(/[?#]/, 1)[0];
    if (pathOnly === '/healthz') {
      res.writeHead(closing ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(closing ? 'closing\n' : 'ok\n');
      return;
    }
    if (pathOnly === wsPath) {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
      res.end('this is the WebSocket endpoint\n');
      return;
    }
    serveStatic(webDir, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      onUpgrade(req, socket, head);
    } catch (e) {
      logger.log('error', 'upgrade_error', { error: (e as Error).message });
      socket.destroy();
    }
  });
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  const scheme = options.https ? 'https' : 'http';
  const hostForUrl = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  logger.log('info', 'listening', {
    address: `${hostForUrl}:${addr.port}`,
    mode: 'replay',
    session: options.session.index,
    sessionId: options.session.sessionId,
    recordedTarget: options.session.target,
    connections: options.session.channels.length,
    speed: speed === Infinity ? 'max' : speed,
    web: webDir ?? undefined,
  });

  let closed: Promise<void> | null = null;
  return {
    port: addr.port,
    host: addr.address,
    url: `${scheme}://${hostForUrl}:${addr.port}/`,
    wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://${hostForUrl}:${addr.port}${wsPath}`,
    idle: () => Promise.all([...players].map((p) => p.played)).then(() => undefined),
    close() {
      closed ??= (async () => {
        closing = true;
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const p of players) p.close(ReplayCloseCode.GoingAway, 'the replay is shutting down');
        const deadline = Date.now() + 2000;
        while (players.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const p of players) p.ws.terminate();
        server.closeAllConnections();
        wss.close();
        await done;
        logger.log('info', 'stopped');
      })();
      return closed;
    },
  };
}

interface PlayerOptions {
  id: number;
  client: string;
  matcher: ChannelMatcher;
  speed: number;
  hwm: number;
  clock: Clock;
  logger: Logger;
  onEnd: (p: Player) => void;
}

/** One browser WebSocket playing one recorded connection. */
class Player {
  /** Resolves once every recorded byte was sent (or the WebSocket ended first). */
  readonly played: Promise<void>;
  private resolvePlayed!: () => void;
  private inbound: Buffer[] = [];
  private inboundBytes = 0;
  private rec: RecordedChannel | null = null;
  private linkLen = 0;
  private ticketWaiter: (() => void) | null = null;
  private ended = false;
  private diverged: number | null = null;
  private sent = 0;

  constructor(readonly ws: WebSocket, private readonly o: PlayerOptions) {
    this.played = new Promise((r) => (this.resolvePlayed = r));
    ws.on('message', (d: RawData, isBinary: boolean) => this.onMessage(d, isBinary));
    ws.on('close', (code: number) => this.onClose(code));
    ws.on('error', () => {});
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, clampReason(reason));
  }

  private log(level: LogLevel, event: string, fields: Record<string, string | number | boolean | null | undefined> = {}): void {
    this.o.logger.log(level, event, { conn: this.o.id, client: this.o.client, ...fields });
  }

  private onMessage(d: RawData, isBinary: boolean): void {
    if (this.ended) return;
    if (!isBinary) {
      this.close(ReplayCloseCode.Unsupported, 'text frames are not supported: SPICE is binary');
      return;
    }
    const b = Array.isArray(d) ? Buffer.concat(d) : Buffer.isBuffer(d) ? d : Buffer.from(d);
    if (this.rec) {
      this.compare(b, this.inboundBytes);
      // after the link message: count bytes toward the ticket, then discard them
      this.inboundBytes += b.length;
      if (this.ticketWaiter && this.inboundBytes >= this.linkLen + TICKET_BYTES) {
        const w = this.ticketWaiter;
        this.ticketWaiter = null;
        w();
      }
      return;
    }
    this.inbound.push(b);
    this.inboundBytes += b.length;
    let link: LinkMess | null;
    try {
      link = parseLinkMess(Buffer.concat(this.inbound));
    } catch (e) {
      this.log('warn', 'replay_bad_link', { reason: (e as Error).message });
      this.close(ReplayCloseCode.BadLink, `replay: ${(e as Error).message}`);
      return;
    }
    if (!link) return;
    const head = Buffer.concat(this.inbound);
    this.inbound = [];
    const m = this.o.matcher.next(link.channelType, link.channelId);
    const channel = channelName(link.channelType, link.channelId);
    if ('missing' in m) {
      this.log('warn', 'replay_no_recording', { channel, reason: m.missing });
      this.close(ReplayCloseCode.NoRecording, m.missing);
      return;
    }
    this.rec = m;
    this.linkLen = link.length;
    this.compare(head, 0);
    this.log('info', 'replay_connection', { channel, recording: path.basename(m.file), recordedConn: m.conn, bytes: m.bytesServerToClient });
    void this.play(m);
  }

  /** Notes the first offset where the live client's bytes differ from the recorded ones (debug log). */
  private compare(b: Buffer, at: number): void {
    const recorded = this.rec?.clientStream;
    if (this.diverged !== null || !recorded) return;
    for (let i = 0; i < b.length; i++) {
      if (at + i >= recorded.length || recorded[at + i] !== b[i]) {
        this.diverged = at + i;
        return;
      }
    }
  }

  private async play(rec: RecordedChannel): Promise<void> {
    const { clock, speed } = this.o;
    // the recorded time `anchorUs` happens now; later records keep their recorded distance
    let anchorWall = clock.now();
    let anchorUs = rec.linkTimeUs;
    const ticketSeen = this.inboundBytes >= this.linkLen + TICKET_BYTES;
    const ticket = ticketSeen ? Promise.resolve() : new Promise<void>((r) => (this.ticketWaiter = r));
    let waitedTicket = false;
    try {
      for (const c of rec.chunks) {
        if (c.afterTicket && !waitedTicket) {
          await ticket;
          waitedTicket = true;
          anchorWall = clock.now();
          anchorUs = rec.ticketTimeUs ?? c.timeUs;
        }
        await this.waitUntil(anchorWall, anchorUs, c.timeUs);
        if (this.ended) return;
        while (this.ws.bufferedAmount > this.o.hwm && !this.ended) await clock.sleep(10);
        if (this.ended) return;
        this.ws.send(c.data);
        this.sent += c.data.length;
      }
      if (rec.close?.by === 'target') {
        if (!waitedTicket && rec.chunks.some((c) => c.afterTicket)) await ticket;
        await this.waitUntil(anchorWall, anchorUs, rec.close.timeUs);
        this.log('info', 'replay_done', { sent: this.sent, end: 'the recorded server closed the connection' });
        this.close(ReplayCloseCode.Normal, 'end of the recording: the server closed this channel');
      } else {
        this.log('info', 'replay_done', { sent: this.sent, end: 'holding the connection open (the recording ended on the client side)' });
      }
    } finally {
      this.resolvePlayed();
    }
  }

  private async waitUntil(anchorWall: number, anchorUs: number, timeUs: number): Promise<void> {
    if (this.o.speed === Infinity) return;
    const due = anchorWall + Math.max(0, timeUs - anchorUs) / 1000 / this.o.speed;
    const wait = due - this.o.clock.now();
    if (wait > 0) await this.o.clock.sleep(wait);
  }

  private onClose(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.ticketWaiter?.();
    this.ticketWaiter = null;
    if (this.rec) {
      const same = this.diverged === null && this.inboundBytes === this.rec.clientStream.length;
      this.log('debug', 'replay_client_bytes', {
        received: this.inboundBytes,
        recorded: this.rec.clientStream.length,
        firstDifference: same ? null : this.diverged ?? Math.min(this.inboundBytes, this.rec.clientStream.length),
      });
    }
    this.log('info', 'closed', { code, sent: this.sent });
    this.resolvePlayed();
    this.o.onEnd(this);
  }
}
