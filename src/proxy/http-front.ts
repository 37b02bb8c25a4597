// The HTTP side that `serve` (server.ts) and `replay` (replay.ts) share: the listening server with
// its timeouts, /healthz, the plain-HTTP answer at the WebSocket path, the built client's static
// files, upgrade error handling, and the checks an upgrade goes through before either decides
// anything of its own (Origin, subprotocol). One copy, so a hardening made for the proxy holds
// for the replay too.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from './log.js';
import { EMBED_CONFIG_PATH, embedConfigBody, frameAncestorsPolicy, type EmbedConfig } from './embed-config.js';
import { serveStatic } from './static.js';

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8080 } as const;

export type ListenOption = { host?: string; port?: number } | string | number;

export function toListen(l: ListenOption | undefined): { host: string; port: number } {
  const { host, port } = DEFAULT_LISTEN;
  if (l === undefined) return { host, port };
  if (typeof l === 'number') return { host, port: l };
  if (typeof l === 'string') {
    if (/^\d+$/.test(l)) return { host, port: Number(l) };
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(l);
    if (!m) throw new Error(`listen wants HOST:PORT, got "${l}"`);
    return { host: m[1] ?? (m[2] || host), port: Number(m[3]) };
  }
  return { host: l.host ?? host, port: l.port ?? port };
}

/** "::ffff:10.0.0.1" -> "10.0.0.1". */
export function normalizeAddress(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' || protocol === 'wss:' ? '443' : '80';
}

/** Normalizes an origin for comparison ("HTTPS://Example.com:443" -> "https://example.com"). */
export function normalizeOrigin(o: string): string {
  if (o === '*' || o === 'null') return o;
  try {
    return new URL(o).origin;
  } catch {
    return o.toLowerCase();
  }
}

/** The Origin rule described at ProxyOptions.allowOrigins. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allow: readonly string[] | null): boolean {
  if (origin === undefined) return true;
  if (allow) return allow.includes('*') || allow.includes(normalizeOrigin(origin));
  if (!hostHeader || origin === 'null') return false;
  try {
    const o = new URL(origin);
    const h = new URL(`${o.protocol}//${hostHeader}`);
    const op = o.port || defaultPort(o.protocol);
    const hp = h.port || defaultPort(o.protocol);
    return o.hostname === h.hostname && op === hp;
  } catch {
    return false;
  }
}

/** Why an upgrade offering these subprotocols is refused (websockify's "binary" or none is fine), or null. */
export function subprotocolRefusal(header: string | undefined): string | null {
  const offered = (header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (offered.length === 0 || offered.includes('binary')) return null;
  return offered.includes('base64')
    ? 'the base64 subprotocol is not supported: this proxy relays binary frames only (offer "binary")'
    : 'unsupported WebSocket subprotocol (offer "binary" or none)';
}

/** Answers a refused upgrade with a plain HTTP error and closes the socket. */
export function refuseHttp(socket: Duplex, status: number, text: string, body: string): void {
  const b = `${body}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(b)}\r\nX-Content-Type-Options: nosniff\r\n\r\n${b}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

export interface FrontOptions {
  listen: { host: string; port: number };
  https?: { cert: string | Buffer; key: string | Buffer };
  /** static files at / (null: none) */
  webDir: string | null;
  wsPath: string;
  logger: Logger;
  /** /healthz answers 503 once this is true */
  closing: () => boolean;
  /** a route of the caller's own, tried first; true when it answered */
  route?: (pathOnly: string, req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  onUpgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;
  /** who may frame the page (CSP frame-ancestors) and post it tickets (/embed-config.json); default: nobody else */
  embed?: EmbedConfig;
}

export interface Front {
  server: http.Server;
  port: number;
  host: string;
  /** the address as it goes in a URL (IPv6 in brackets) */
  hostForUrl: string;
  url: string;
  wsUrl: string;
}

/** Creates the HTTP(S) server and listens; rejects when the address cannot be bound. */
export async function listenFront(o: FrontOptions): Promise<Front> {
  const { logger, wsPath } = o;
  const embed: EmbedConfig = o.embed ?? { parentOrigins: [], addressRequests: false };
  const csp = frameAncestorsPolicy(embed);
  const server: http.Server = o.https ? https.createServer({ cert: o.https.cert, key: o.https.key }) : http.createServer();
  // slow-header clients (slowloris) are cut early; upgraded connections are not affected
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const pathOnly = (req.url ?? '/').split(/[?#]/, 1)[0]!;
    if (o.route?.(pathOnly, req, res)) return;
    if (pathOnly === '/healthz') {
      const closing = o.closing();
      res.writeHead(closing ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(closing ? 'closing\n' : 'ok\n');
      return;
    }
    if (pathOnly === EMBED_CONFIG_PATH && o.webDir && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = embedConfigBody(embed);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': csp });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (pathOnly === wsPath) {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
      res.end('this is the WebSocket endpoint\n');
      return;
    }
    serveStatic(o.webDir, req, res, { 'Content-Security-Policy': csp }).catch((e: unknown) => {
      logger.log('error', 'http_error', { error: (e as Error).message });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const fail = (e: unknown) => {
      logger.log('error', 'upgrade_error', { error: (e as Error).message });
      socket.destroy();
    };
    try {
      const p = o.onUpgrade(req, socket, head);
      if (p) p.catch(fail);
    } catch (e) {
      fail(e);
    }
  });
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => logger.log('error', 'server_error', { error: e.message }));
  const addr = server.address() as net.AddressInfo;
  const scheme = o.https ? 'https' : 'http';
  const hostForUrl = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    server,
    port: addr.port,
    host: addr.address,
    hostForUrl,
    url: `${scheme}://${hostForUrl}:${addr.port}/`,
    wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://${hostForUrl}:${addr.port}${wsPath}`,
  };
}

/** Something holding one WebSocket that can be asked to close (a relay, a replay player). */
export interface Closable {
  close(code: number, reason: string): void;
  ws: { terminate(): void };
}

/**
 * Stops listening, asks every live connection to close, gives the close handshakes two
 * seconds, then cuts whatever is left.
 */
export async function closeFront(server: http.Server, wss: { close(): void }, live: Set<Closable>, code: number, reason: string): Promise<void> {
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const c of live) c.close(code, reason);
  const deadline = Date.now() + 2000;
  while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const c of live) c.ws.terminate();
  server.closeAllConnections();
  wss.close();
  await done;
}
