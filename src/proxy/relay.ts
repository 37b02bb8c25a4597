// One WebSocket <-> one TCP (or TLS) connection to a SPICE server, with backpressure both ways.
//
// target -> browser: the target socket is paused while ws.bufferedAmount is above the high-water
//   mark, and resumed once sends complete (or a poll sees) the amount below the low-water mark.
// browser -> target: the WebSocket is paused while socket.write() reports a full buffer, and
//   resumed on the socket's 'drain'.
// So a side that reads slowly slows the other down instead of growing the proxy's memory.
import type net from 'node:net';
import { WebSocket, type RawData } from 'ws';
import { connectTarget, TargetError, type ResolvedTls } from './connect.js';
import type { Endpoint } from './endpoint.js';
import type { LogFields, Logger } from './log.js';
import type { ErrorKind, ProxyMetrics } from './metrics.js';
import { RecordKind, type Recorder } from './recording.js';

/** WebSocket close codes the proxy sends (the reason text says more). */
export const CloseCode = {
  /** The target closed the connection. */
  Normal: 1000,
  /** The proxy is shutting down. */
  GoingAway: 1001,
  /** A text frame arrived; SPICE is binary. */
  Unsupported: 1003,
  /** The established target connection failed. */
  TargetError: 1011,
  /** Malformed request (bad `migrate` parameter, no token...). */
  BadRequest: 4400,
  /** Unknown, forged, expired or otherwise unacceptable token. */
  TokenRejected: 4401,
  /** The token does not allow the requested migration destination. */
  NotAllowed: 4403,
  /** No traffic for the idle timeout. */
  IdleTimeout: 4408,
  /** A per-client, per-token or global connection cap was reached. */
  TooManyConnections: 4429,
  /** The target's TLS settings cannot be used (e.g. unreadable CA file). */
  TargetConfig: 4500,
  /** Connecting to the target failed. */
  TargetUnreachable: 4502,
  /** The target's certificate failed verification (CA or host-subject). */
  TargetTls: 4525,
} as const;

/** Longest close reason allowed by RFC 6455 (125-byte control frame payload minus the code). */
const MAX_REASON_BYTES = 123;

export function clampReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > MAX_REASON_BYTES) r = r.slice(0, -1);
  return r;
}

export interface RelayOptions {
  id: number;
  target: Endpoint;
  /** TLS settings with the CA loaded, or null for plain TCP. */
  tls: ResolvedTls | null;
  /** Pause the target socket when ws.bufferedAmount exceeds this (bytes). */
  highWaterMark: number;
  /** Resume it when ws.bufferedAmount is at or below this (bytes). */
  lowWaterMark: number;
  connectTimeoutMs: number;
  metrics: ProxyMetrics;
  logger: Logger;
  /** Fields on every log line of this connection (conn, client, target, tokenRef...). */
  logFields: LogFields;
  recorder?: Recorder | null;
  /** Called once, when the WebSocket has closed. */
  onEnd?: (relay: Relay) => void;
}

export interface RelayStats {
  id: number;
  state: 'connecting' | 'open' | 'closed';
  bytesClientToTarget: number;
  bytesTargetToClient: number;
  /** ws.bufferedAmount: bytes queued toward the browser. */
  wsBufferedAmount: number;
  /** Bytes queued toward the target (socket.writableLength). */
  targetWritableLength: number;
  /** The target socket is paused (the browser reads slowly). */
  targetPaused: boolean;
  /** The WebSocket is paused (the target reads slowly). */
  clientPaused: boolean;
}

const ERROR_FOR: Record<TargetError['kind'], { kind: ErrorKind; code: number }> = {
  unreachable: { kind: 'target_unreachable', code: CloseCode.TargetUnreachable },
  tls: { kind: 'target_tls', code: CloseCode.TargetTls },
  config: { kind: 'target_config', code: CloseCode.TargetConfig },
};

export class Relay {
  readonly id: number;
  /** Cleared on each heartbeat ping; set by the pong, or by a send toward the browser completing. */
  alive = true;
  /** Date.now() of the last relayed data, either way. */
  lastActivity = Date.now();

  private sock: net.Socket | null = null;
  private connecting: net.Socket | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private state: RelayStats['state'] = 'connecting';
  private targetPaused = false;
  private clientPaused = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private bytesC2T = 0;
  private bytesT2C = 0;
  private closeInfo: { by: 'proxy' | 'target' | 'client'; code: number; reason: string } | null = null;
  private ended = false;

  constructor(readonly ws: WebSocket, private readonly opts: RelayOptions) {
    this.id = opts.id;
    ws.on('message', this.onClientMessage);
    ws.on('close', this.onWsClose);
    ws.on('error', this.onWsError);
    ws.on('pong', () => {
      this.alive = true;
    });
    connectTarget(opts.target, opts.tls, { timeoutMs: opts.connectTimeoutMs }, (s) => {
      this.connecting = s;
    }).then(this.onTargetReady, (e: unknown) => this.onTargetFailed(e));
  }

  stats(): RelayStats {
    return {
      id: this.id,
      state: this.state,
      bytesClientToTarget: this.bytesC2T,
      bytesTargetToClient: this.bytesT2C,
      wsBufferedAmount: this.ws.bufferedAmount,
      targetWritableLength: this.sock?.writableLength ?? 0,
      targetPaused: this.targetPaused,
      clientPaused: this.clientPaused,
    };
  }

  /** Closes the browser side with `code`/`reason`; the target side follows. */
  close(code: number, reason: string, kind?: ErrorKind): void {
    if (kind) this.opts.metrics.error(kind);
    this.closeWs('proxy', code, reason);
  }

  /** Heartbeat tick: terminates a client that did not answer the previous ping. */
  heartbeat(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (!this.alive) {
      this.opts.metrics.error('heartbeat');
      this.log('warn', 'heartbeat_timeout');
      this.closeInfo ??= { by: 'proxy', code: 1006, reason: 'no pong' };
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.ws.ping();
    } catch {
      /* closing */
    }
  }

  /** Closes the connection if nothing was relayed for `idleMs`. */
  checkIdle(now: number, idleMs: number): void {
    if (idleMs > 0 && now - this.lastActivity >= idleMs && this.ws.readyState === WebSocket.OPEN) {
      this.log('info', 'idle_timeout');
      this.close(CloseCode.IdleTimeout, 'idle timeout', 'idle');
    }
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', event: string, fields?: LogFields): void {
    this.opts.logger.log(level, event, { ...this.opts.logFields, ...fields });
  }

  private closeWs(by: 'proxy' | 'target', code: number, reason: string): void {
    const rs = this.ws.readyState;
    if (rs !== WebSocket.OPEN && rs !== WebSocket.CONNECTING) return;
    const r = clampReason(reason);
    this.closeInfo ??= { by, code, reason: r };
    this.ws.close(code, r);
    // read again (if paused) so the browser's closing handshake is seen; its data is dropped now
    this.ws.resume();
  }

  private onTargetReady = (sock: net.Socket): void => {
    this.connecting = null;
    if (this.ws.readyState !== WebSocket.OPEN) {
      sock.destroy();
      return;
    }
    this.sock = sock;
    this.state = 'open';
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 30_000);
    sock.on('data', this.onTargetData);
    sock.on('end', this.onTargetEnd);
    sock.on('error', this.onTargetError);
    sock.on('close', this.onTargetClose);
    this.log('info', 'target_connected');
    const queued = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const wasPaused = this.clientPaused;
    this.clientPaused = false;
    for (const b of queued) this.writeToTarget(b);
    if (wasPaused && !this.clientPaused) this.ws.resume();
  };

  private onTargetFailed(e: unknown): void {
    this.connecting = null;
    const err = e instanceof TargetError ? e : new TargetError('unreachable', 'target unreachable');
    const m = ERROR_FOR[err.kind];
    this.opts.metrics.error(m.kind);
    this.log('warn', 'target_failed', { kind: m.kind, code: err.code, reason: err.message });
    this.closeWs('proxy', m.code, err.message);
  }

  private onClientMessage = (data: RawData, isBinary: boolean): void => {
    if (!isBinary) {
      this.close(CloseCode.Unsupported, 'text frames are not supported: SPICE data must be sent as binary frames', 'client_error');
      return;
    }
    if (this.ws.readyState !== WebSocket.OPEN) return; // closing
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    this.lastActivity = Date.now();
    this.bytesC2T += buf.length;
    this.opts.metrics.bytesClientToTarget += buf.length;
    this.opts.recorder?.record(RecordKind.ClientToServer, buf);
    if (!this.sock) {
      // the target is still connecting: keep the data, and stop reading once it is a lot
      this.pending.push(buf);
      this.pendingBytes += buf.length;
      if (this.pendingBytes > this.opts.highWaterMark && !this.clientPaused) {
        this.clientPaused = true;
        this.opts.metrics.pausesClient++;
        this.ws.pause();
      }
      return;
    }
    this.writeToTarget(buf);
  };

  private writeToTarget(buf: Buffer): void {
    const sock = this.sock!;
    if (!sock.write(buf) && !this.clientPaused) {
      this.clientPaused = true;
      this.opts.metrics.pausesClient++;
      this.ws.pause();
      sock.once('drain', this.onTargetDrain);
    }
  }

  private onTargetDrain = (): void => {
    this.clientPaused = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.resume();
  };

  private onTargetData = (chunk: Buffer): void => {
    if (this.ws.readyState !== WebSocket.OPEN) return; // closing: nobody to deliver to
    this.lastActivity = Date.now();
    this.bytesT2C += chunk.length;
    this.opts.metrics.bytesTargetToClient += chunk.length;
    this.opts.recorder?.record(RecordKind.ServerToClient, chunk);
    this.ws.send(chunk, { binary: true }, this.afterSend);
    if (!this.targetPaused && this.ws.bufferedAmount > this.opts.highWaterMark) {
      this.targetPaused = true;
      this.opts.metrics.pausesTarget++;
      this.sock?.pause();
      // sends completing resume it; the poll covers a send queue that empties without callbacks
      this.pollTimer = setInterval(this.maybeResumeTarget, 50);
      this.pollTimer.unref();
    }
  };

  private afterSend = (err?: Error): void => {
    // Data leaving our buffers means the browser is reading: as good as a pong. A busy but slow
    // link can hold a ping behind a long queue; it must not be mistaken for a dead client.
    if (!err) this.alive = true;
    if (this.targetPaused) this.maybeResumeTarget();
  };

  private maybeResumeTarget = (): void => {
    if (!this.targetPaused) return;
    if (this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount > this.opts.lowWaterMark) return;
    this.targetPaused = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.sock?.resume();
  };

  private onTargetEnd = (): void => {
    if (this.ws.readyState === WebSocket.OPEN) this.log('info', 'target_end');
    this.closeWs('target', CloseCode.Normal, 'target closed the connection');
  };

  private onTargetError = (err: NodeJS.ErrnoException): void => {
    if (this.ws.readyState !== WebSocket.OPEN) return; // already closing: a reset is expected
    this.opts.metrics.error('target_error');
    this.log('warn', 'target_error', { code: err.code });
    this.closeWs('target', CloseCode.TargetError, `target connection failed: ${err.code ?? 'error'}`);
  };

  private onTargetClose = (): void => {
    this.closeWs('target', CloseCode.Normal, 'target closed the connection');
  };

  private onWsError = (err: Error & { code?: string }): void => {
    // ws closes the connection itself after a protocol error (1009 for a too-large frame)
    const kind: ErrorKind = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'payload' : 'client_error';
    this.opts.metrics.error(kind);
    this.log('warn', 'client_error', { kind, code: err.code });
  };

  private onWsClose = (code: number, reason: Buffer): void => {
    this.state = 'closed';
    // the browser's own reason text is not logged: it is client-chosen and could carry anything
    void reason;
    this.closeInfo ??= { by: 'client', code, reason: '' };
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.pending = [];
    if (this.connecting) this.connecting.destroy();
    const sock = this.sock;
    if (sock && !sock.destroyed) {
      // flush what the browser sent, then close; never wait long for a target that does not read
      sock.off('drain', this.onTargetDrain);
      sock.end();
      sock.resume();
      setTimeout(() => sock.destroy(), 5_000).unref();
    }
    this.finish();
  };

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    const info = this.closeInfo!;
    this.log('info', 'closed', {
      closedBy: info.by,
      code: info.code,
      reason: info.reason,
      bytesClientToTarget: this.bytesC2T,
      bytesTargetToClient: this.bytesT2C,
    });
    const rec = this.opts.recorder;
    if (rec) {
      rec.event({ type: 'close', by: info.by, code: info.code, reason: info.reason });
      void rec.close();
    }
    this.opts.onEnd?.(this);
  }
}
