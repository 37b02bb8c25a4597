// The proxy: static files of the built client at `/`, and a WebSocket endpoint at `/ws` whose
// every connection is relayed to one new TCP (or TLS) connection to a SPICE server.
//
// The browser never names a host or port. The target is fixed by the operator (`target`), or
// looked up from `?token=`: a name in a token file, or a signed JWT whose claims carry it.
//
// Size: ~21 KB; this file is the admission path in one place — option normalisation and the
// upgrade decision (Origin, token/JWT, a connection file's address request, destination, caps) — so a security reviewer reads the
// whole of it top to bottom; the HTTP front (shared with replay), relaying, limits, TLS, logs and
// recording live in their own modules. Split further when it grows.
import { createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { JwtError, loadEs256PublicKey, looksLikeJwt, routeFromClaims, verifyJwt, type JwtKeys } from './config/jwt.js';
import { TokenFile } from './config/tokens.js';
import { resolveTls, TargetError, type ResolvedTls } from './connect.js';
import { formatEndpoint, parseHostPort, sameHostPort, type Endpoint, type Route, type TlsSpec } from './endpoint.js';
import { jsonLogger, silentLogger, type LogLevel, type Logger } from './log.js';
import { ConnectionLimiter } from './limits.js';
import { ProxyMetrics, type ErrorKind } from './metrics.js';
import { closeFront, listenFront, normalizeAddress, normalizeOrigin, originAllowed, refuseHttp, subprotocolRefusal, toListen, type ListenOption } from './http-front.js';
import { Recorder } from './recording.js';
import { CloseCode, clampReason, Relay, type RelayStats } from './relay.js';
import { answerAddressRequest, TARGET_PARAM } from './address-request.js';
import { makeEmbedConfig } from './embed-config.js';

export type EndpointOption = string | { host: string; port: number; tls?: TlsSpec | null };

export interface JwtOptions {
  /** HS256 secret (bytes, or a string used as UTF-8). */
  secret?: Buffer | string;
  /** ES256 public key: PEM (SPKI or certificate) or a KeyObject. */
  publicKey?: string | Buffer | KeyObject;
  /** Require this `aud`. */
  audience?: string;
  /** Require this `iss`. */
  issuer?: string;
  /** Clock skew tolerated on exp/nbf, seconds (default 5). */
  leewaySeconds?: number;
}

export interface ProxyOptions {
  /** Where to listen (default 127.0.0.1:8080). "HOST:PORT", a port, or { host, port }; port 0 picks a free one. */
  listen?: ListenOption;
  /** A fixed target for every connection ("HOST:PORT" or { host, port, tls }). Excludes tokens/jwt. */
  target?: EndpointOption;
  /** With a fixed target: destinations `?migrate=HOST:PORT` may ask for. */
  migrateTargets?: EndpointOption[];
  /** Token file: `NAME: HOST:PORT [options]` lines, selected by `?token=NAME`. */
  tokens?: string;
  /** Signed tickets in `?token=`. */
  jwt?: JwtOptions;
  /** Directory of the built client served at `/` (default: none). */
  webDir?: string | null;
  /** WebSocket path (default "/ws"). */
  wsPath?: string;
  /**
   * Origins allowed to open WebSockets ("https://portal.example", "*" for any). Default: only an
   * Origin whose host equals the request's Host header. Requests without Origin (non-browser
   * clients) are always allowed: cross-site WebSocket hijacking needs a browser, which sends one.
   */
  allowOrigins?: string[];
  /** Largest WebSocket message accepted from the browser (default 1 MiB). */
  maxPayload?: number;
  /** Concurrent connections per client address (default 64; 0 = unlimited). */
  maxConnectionsPerClient?: number;
  /** Concurrent connections per token (default 32; 0 = unlimited). */
  maxConnectionsPerToken?: number;
  /** Concurrent connections in total (default 0 = unlimited). */
  maxConnections?: number;
  /** Close a connection with no traffic either way for this long (default 0 = never). */
  idleTimeoutMs?: number;
  /** Ping interval; a client that neither answered the previous ping nor read data since is dropped (default 30000; 0 = off). */
  heartbeatMs?: number;
  /** Give up connecting to the target after this long (default 10000). */
  connectTimeoutMs?: number;
  /** ws.bufferedAmount above which the target is paused (default 256 KiB). */
  highWaterMark?: number;
  /** ws.bufferedAmount at which it is resumed (default 64 KiB). */
  lowWaterMark?: number;
  /** Serve https/wss with this certificate and key (PEM text). */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Record each connection's traffic into this directory (see recording.ts). */
  recordDir?: string | null;
  /**
   * Addresses of reverse proxies (e.g. nginx) whose X-Forwarded-For is believed: for their
   * requests the client address is the last X-Forwarded-For entry.
   */
  trustedProxies?: string[];
  /** Serve /metrics (default true). */
  metrics?: boolean;
  /**
   * Portal origins that may frame the client page (CSP frame-ancestors on every page) and post it
   * a connection ticket (listed in /embed-config.json). Default: none but the proxy's own.
   */
  frameAncestors?: string[];
  /** A logger, 'json' (JSON lines on stderr, the default) or 'silent'. */
  logger?: Logger | 'json' | 'silent';
  /** Lowest level of the 'json' logger (default 'info'). */
  logLevel?: LogLevel;
}

export interface ProxyHandle {
  /** The port actually listened on. */
  port: number;
  host: string;
  /** "http://host:port/" (or https). */
  url: string;
  /** "ws://host:port/ws" (or wss). */
  wsUrl: string;
  metrics: ProxyMetrics;
  /** One entry per relayed connection. */
  connections(): RelayStats[];
  /** Stops listening, closes every connection (1001), resolves when all is closed. */
  close(): Promise<void>;
}

const DEFAULTS = {
  wsPath: '/ws',
  maxPayload: 1024 * 1024,
  perClient: 64,
  perToken: 32,
  heartbeatMs: 30_000,
  connectTimeoutMs: 10_000,
  highWaterMark: 256 * 1024,
  lowWaterMark: 64 * 1024,
};

function toEndpoint(e: EndpointOption, what: string): Endpoint {
  if (typeof e === 'string') return parseHostPort(e);
  if (!e || typeof e.host !== 'string' || !Number.isInteger(e.port)) throw new Error(`${what} needs host and port`);
  const ep: Endpoint = { host: e.host, port: e.port };
  if (e.tls) ep.tls = e.tls;
  return ep;
}

// re-exported: the tests and embedders that imported them from here keep working
export { normalizeAddress, normalizeOrigin, originAllowed, refuseHttp, subprotocolRefusal, toListen };

interface Refusal {
  code: number;
  reason: string;
  kind: ErrorKind;
  tokenRef?: string;
}

interface Admission {
  endpoint: Endpoint;
  tls: ResolvedTls | null;
  tokenKey: string | null;
  tokenRef?: string;
  jti?: string;
}

export async function startProxy(options: ProxyOptions = {}): Promise<ProxyHandle> {
  const listen = toListen(options.listen);
  const wsPath = options.wsPath ?? DEFAULTS.wsPath;
  const logger: Logger =
    options.logger === 'silent' ? silentLogger : options.logger === undefined || options.logger === 'json' ? jsonLogger({ level: options.logLevel ?? 'info' }) : options.logger;
  const metrics = new ProxyMetrics();
  const hwm = options.highWaterMark ?? DEFAULTS.highWaterMark;
  const lwm = Math.min(options.lowWaterMark ?? DEFAULTS.lowWaterMark, hwm);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const allow = options.allowOrigins && options.allowOrigins.length > 0 ? options.allowOrigins.map(normalizeOrigin) : null;
  const trusted = new Set((options.trustedProxies ?? []).map(normalizeAddress));
  const serveMetrics = options.metrics ?? true;
  const recordDir = options.recordDir ?? null;
  const webDir = options.webDir ?? null;

  // --- where connections may go ---
  const fixed: Route | null = options.target
    ? { target: toEndpoint(options.target, 'target'), migrate: (options.migrateTargets ?? []).map((m) => toEndpoint(m, 'migrate target')) }
    : null;
  if (fixed && fixed.target.tls) fixed.migrate = fixed.migrate.map((m) => (m.tls ? m : { ...m, tls: fixed.target.tls! }));
  const jwtKeys: JwtKeys = {};
  if (options.jwt?.secret !== undefined) {
    const s = typeof options.jwt.secret === 'string' ? Buffer.from(options.jwt.secret, 'utf8') : options.jwt.secret;
    if (s.length === 0) throw new Error('the JWT secret is empty');
    if (s.length < 32) logger.log('warn', 'weak_jwt_secret', { bytes: s.length, hint: 'use at least 32 random bytes' });
    jwtKeys.hs256Secret = s;
  }
  if (options.jwt?.publicKey !== undefined) {
    const k = options.jwt.publicKey;
    jwtKeys.es256PublicKey = typeof k === 'string' || Buffer.isBuffer(k) ? loadEs256PublicKey(k) : loadEs256PublicKey(k.export({ type: 'spki', format: 'pem' }));
  }
  const useJwt = jwtKeys.hs256Secret !== undefined || jwtKeys.es256PublicKey !== undefined;
  const tokenFile = options.tokens
    ? new TokenFile(options.tokens, {
        onReload: (count) => logger.log('info', 'tokens_reloaded', { count }),
        onReloadError: (e) => logger.log('error', 'tokens_reload_failed', { error: e.message }),
      })
    : null;
  if (fixed && (tokenFile || useJwt)) throw new Error('use either a fixed target or tokens (token file / JWT keys), not both');
  if (!fixed && !tokenFile && !useJwt) throw new Error('no target: give a fixed target, a token file or JWT keys');

  const limiter = new ConnectionLimiter({
    perClient: options.maxConnectionsPerClient ?? DEFAULTS.perClient,
    perToken: options.maxConnectionsPerToken ?? DEFAULTS.perToken,
    total: options.maxConnections ?? 0,
  });
  // Keyed digest so log lines about one token can be correlated without revealing it.
  const refKey = randomBytes(32);
  const tokenRef = (t: string) => createHmac('sha256', refKey).update(t).digest('hex').slice(0, 12);

  const relays = new Set<Relay>();
  /** Recordings not yet closed: close() waits for them, so a stopped proxy's files are complete. */
  const recorders = new Set<Recorder>();
  let nextId = 1;
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? DEFAULTS.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    // websockify's "binary" subprotocol (spice-html5 offers it); none is fine as well
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });

  function clientAddress(req: http.IncomingMessage): string {
    const peer = normalizeAddress(req.socket.remoteAddress);
    if (trusted.has(peer)) {
      const xff = req.headers['x-forwarded-for'];
      const list = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const last = list[list.length - 1];
      if (last && net.isIP(normalizeAddress(last))) return normalizeAddress(last);
    }
    return peer;
  }

  /** `?target=HOST:PORT` (a connection file's server): answered from our own list only (address-request.ts) */
  function routeFor(url: URL): { route: Route; tokenKey: string | null; tokenRef?: string; jti?: string } | Refusal {
    const asked = url.searchParams.getAll(TARGET_PARAM);
    if (asked.length === 0) return tokenRouteFor(url);
    const hasToken = url.searchParams.getAll('token').some((t) => t !== '');
    const byAddress = fixed || hasToken ? [] : (tokenFile?.addressable() ?? []);
    // no entry may be named by address: the request needs its token like any other
    if (!fixed && !hasToken && byAddress.length === 0) return tokenRouteFor(url);
    const base = fixed || hasToken ? tokenRouteFor(url) : null;
    if (base && 'code' in base) return base;
    const routes = base ? [base.route] : byAddress;
    const a = answerAddressRequest(asked, routes);
    if (!a.ok) {
      const code = a.status === 'bad_request' ? CloseCode.BadRequest : CloseCode.NotAllowed;
      const r: Refusal = { code, reason: a.reason, kind: a.status === 'bad_request' ? 'bad_request' : 'destination' };
      return base?.tokenRef !== undefined ? { ...r, tokenRef: base.tokenRef } : r;
    }
    if (base) return { ...base, route: a.route };
    return { route: a.route, tokenKey: a.key };
  }

  function tokenRouteFor(url: URL): { route: Route; tokenKey: string | null; tokenRef?: string; jti?: string } | Refusal {
    if (fixed) return { route: fixed, tokenKey: null };
    const all = url.searchParams.getAll('token');
    if (all.length === 0 || all[0] === '') return { code: CloseCode.TokenRejected, reason: 'missing token (?token=)', kind: 'token' };
    if (all.length > 1) return { code: CloseCode.BadRequest, reason: 'more than one token', kind: 'bad_request' };
    const token = all[0]!;
    const ref = tokenRef(token);
    if (useJwt && looksLikeJwt(token)) {
      try {
        const claims = verifyJwt(token, jwtKeys, {
          leeway: options.jwt?.leewaySeconds ?? 5,
          ...(options.jwt?.audience !== undefined ? { audience: options.jwt.audience } : {}),
          ...(options.jwt?.issuer !== undefined ? { issuer: options.jwt.issuer } : {}),
        });
        const route = routeFromClaims(claims);
        const jti = typeof claims['jti'] === 'string' ? claims['jti'].slice(0, 64) : undefined;
        const key = `jwt:${jti ?? createHash('sha256').update(token).digest('hex')}`;
        return { route, tokenKey: key, tokenRef: ref, ...(jti !== undefined ? { jti } : {}) };
      } catch (e) {
        if (e instanceof JwtError) return { code: CloseCode.TokenRejected, reason: `token rejected: ${e.message}`, kind: 'token', tokenRef: ref };
        throw e;
      }
    }
    const route = tokenFile?.lookup(token);
    if (!route) return { code: CloseCode.TokenRejected, reason: 'unknown token', kind: 'token', tokenRef: ref };
    return { route, tokenKey: `file:${token}`, tokenRef: ref };
  }

  async function admit(url: URL): Promise<Admission | Refusal> {
    const r = routeFor(url);
    if ('code' in r) return r;
    const refuse = (x: Refusal): Refusal => (r.tokenRef !== undefined ? { ...x, tokenRef: r.tokenRef } : x);
    let endpoint = r.route.target;
    const migrateParams = url.searchParams.getAll('migrate');
    if (migrateParams.length > 1) return refuse({ code: CloseCode.BadRequest, reason: 'more than one migrate parameter', kind: 'bad_request' });
    if (migrateParams.length === 1) {
      let want: { host: string; port: number };
      try {
        want = parseHostPort(migrateParams[0]!);
      } catch {
        return refuse({ code: CloseCode.BadRequest, reason: 'bad migrate parameter (HOST:PORT)', kind: 'bad_request' });
      }
      const dest = [r.route.target, ...r.route.migrate].find((m) => sameHostPort(m, want));
      if (!dest) return refuse({ code: CloseCode.NotAllowed, reason: 'migration destination not allowed by the token', kind: 'destination' });
      endpoint = dest;
    }
    let tls: ResolvedTls | null = null;
    if (endpoint.tls) {
      try {
        tls = await resolveTls(endpoint.tls);
      } catch (e) {
        if (e instanceof TargetError) return refuse({ code: CloseCode.TargetConfig, reason: e.message, kind: 'target_config' });
        throw e;
      }
    }
    return {
      endpoint,
      tls,
      tokenKey: r.tokenKey,
      ...(r.tokenRef !== undefined ? { tokenRef: r.tokenRef } : {}),
      ...(r.jti !== undefined ? { jti: r.jti } : {}),
    };
  }

  async function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const client = clientAddress(req);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      metrics.error('bad_request');
      return refuseHttp(socket, 400, 'Bad Request', 'bad request');
    }
    if (url.pathname !== wsPath) return refuseHttp(socket, 404, 'Not Found', `no WebSocket endpoint here (use ${wsPath})`);
    if (closing) return refuseHttp(socket, 503, 'Service Unavailable', 'the proxy is shutting down');
    const origin = req.headers.origin;
    if (!originAllowed(origin, req.headers.host, allow)) {
      metrics.error('origin');
      logger.log('warn', 'refused', { kind: 'origin', client, origin: origin?.slice(0, 200) });
      return refuseHttp(socket, 403, 'Forbidden', 'origin not allowed');
    }
    const why = subprotocolRefusal(req.headers['sec-websocket-protocol']);
    if (why) {
      metrics.error('bad_request');
      logger.log('warn', 'refused', { kind: 'bad_request', client, reason: why });
      return refuseHttp(socket, 400, 'Bad Request', why);
    }

    let refusal: Refusal | null = null;
    let admission: Admission | null = null;
    let release: (() => void) | null = null;
    const a = await admit(url);
    if ('code' in a) refusal = a;
    else {
      const slot = limiter.acquire(client, a.tokenKey);
      if (slot.ok) {
        admission = a;
        release = slot.release;
      } else refusal = { code: CloseCode.TooManyConnections, reason: slot.reason, kind: 'limit' };
    }
    if (refusal) {
      metrics.error(refusal.kind);
      logger.log('warn', 'refused', { kind: refusal.kind, client, reason: refusal.reason, tokenRef: a.tokenRef });
    }
    if (socket.destroyed) {
      release?.();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal || !admission || closing) {
        release?.();
        const r = refusal ?? { code: CloseCode.GoingAway, reason: 'the proxy is shutting down' };
        ws.close(r.code, clampReason(r.reason));
        // do not let a refused client hold the socket open
        setTimeout(() => ws.terminate(), 2000).unref();
        return;
      }
      startRelay(ws, admission, client, release!);
    });
  }

  function startRelay(ws: WebSocket, a: Admission, client: string, release: () => void): void {
    const id = nextId++;
    const target = formatEndpoint(a.endpoint);
    const logFields = { conn: id, client, target, tls: a.tls !== null, tokenRef: a.tokenRef, jti: a.jti };
    let recorder: Recorder | null = null;
    if (recordDir) {
      try {
        recorder = new Recorder(recordDir, { conn: id, target, tls: a.tls !== null, subprotocol: ws.protocol }, {
          onDrop: (reason) => {
            metrics.error('record');
            logger.log('warn', 'record_dropped', { conn: id, reason });
          },
        });
      } catch (e) {
        metrics.error('record');
        logger.log('warn', 'record_failed', { conn: id, error: (e as Error).message });
      }
    }
    if (recorder) recorders.add(recorder);
    metrics.connectionsTotal++;
    metrics.connectionsCurrent++;
    logger.log('info', 'connection', { ...logFields, subprotocol: ws.protocol || 'none' });
    const relay = new Relay(ws, {
      id,
      target: a.endpoint,
      tls: a.tls,
      highWaterMark: hwm,
      lowWaterMark: lwm,
      connectTimeoutMs,
      metrics,
      logger,
      logFields,
      recorder,
      onEnd: (r) => {
        relays.delete(r);
        if (recorder) void recorder.close().then(() => recorders.delete(recorder!));
        metrics.connectionsCurrent--;
        release();
      },
    });
    relays.add(relay);
  }

  const front = await listenFront({
    listen,
    https: options.https,
    webDir,
    wsPath,
    logger,
    embed: makeEmbedConfig(options.frameAncestors, true),
    closing: () => closing,
    route: (pathOnly, req, res) => {
      if (!serveMetrics || pathOnly !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const body = metrics.render();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
    onUpgrade,
  });

  const timers: NodeJS.Timeout[] = [];
  const heartbeatMs = options.heartbeatMs ?? DEFAULTS.heartbeatMs;
  if (heartbeatMs > 0) {
    timers.push(setInterval(() => { for (const r of relays) r.heartbeat(); }, heartbeatMs));
  }
  const idleMs = options.idleTimeoutMs ?? 0;
  if (idleMs > 0) {
    const every = Math.min(Math.max(Math.floor(idleMs / 4), 50), 30_000);
    timers.push(setInterval(() => {
      const now = Date.now();
      for (const r of relays) r.checkIdle(now, idleMs);
    }, every));
  }
  for (const t of timers) t.unref();

  logger.log('info', 'listening', {
    address: `${front.hostForUrl}:${front.port}`,
    tls: !!options.https,
    mode: fixed ? 'fixed-target' : [tokenFile ? 'token-file' : '', useJwt ? 'jwt' : ''].filter(Boolean).join('+'),
    target: fixed ? formatEndpoint(fixed.target) : undefined,
    web: webDir ?? undefined,
  });

  let closed: Promise<void> | null = null;
  return {
    port: front.port,
    host: front.host,
    url: front.url,
    wsUrl: front.wsUrl,
    metrics,
    connections: () => [...relays].map((r) => r.stats()),
    close() {
      closed ??= (async () => {
        closing = true;
        for (const t of timers) clearInterval(t);
        await closeFront(front.server, wss, relays, CloseCode.GoingAway, 'the proxy is shutting down');
        await Promise.all([...recorders].map((r) => r.close()));
        logger.log('info', 'stopped');
      })();
      return closed;
    },
  };
}
