// `spice-web replay`: plays `--record` recordings back to SPICE clients. It serves the built
// client at `/` and WebSockets at `/ws` like `serve`, but it never connects anywhere: each
// WebSocket gets the server->client bytes of one recorded connection.
//
// Matching (replay-sessions.ts). A recording directory may hold several sessions. A session is one main-channel
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
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { jsonLogger, silentLogger, type LogLevel, type Logger } from './log.js';
import { channelName, parseLinkMess, TICKET_BYTES, type LinkMess } from './replay-link.js';
import { ChannelMatcher, type RecordedChannel, type RecordedSession } from './replay-sessions.js';
import { clampReason } from './relay.js';
import { closeFront, listenFront, normalizeAddress, normalizeOrigin, originAllowed, refuseHttp, subprotocolRefusal, toListen } from './http-front.js';

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

  const front = await listenFront({ listen, https: options.https, webDir, wsPath, logger, closing: () => closing, onUpgrade });
  logger.log('info', 'listening', {
    address: `${front.hostForUrl}:${front.port}`,
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
    port: front.port,
    host: front.host,
    url: front.url,
    wsUrl: front.wsUrl,
    idle: () => Promise.all([...players].map((p) => p.played)).then(() => undefined),
    close() {
      closed ??= (async () => {
        closing = true;
        await closeFront(front.server, wss, players, ReplayCloseCode.GoingAway, 'the replay is shutting down');
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
    const { clock } = this.o;
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
