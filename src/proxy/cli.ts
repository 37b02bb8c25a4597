// Command line: `spice-web serve ...` (the proxy), `spice-web replay ...` (play recordings back)
// and `spice-web token ...` (mint a test ticket); `spice-web kiosk` lives in cli-kiosk.ts.
//
// Size: just over 15 KB; the usage text and the `serve` option table are one reference a reader
// checks against docs/proxy.md, kept together (replay and kiosk have their own files).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { signJwt, type JwtClaims } from './config/jwt.js';
import { parseHostPort, type TlsSpec } from './endpoint.js';
import { isLogLevel, type LogLevel } from './log.js';
import { DEFAULT_WEB_DIR, hostPort, num, reader, stdio, untilSignal, UsageError, type Io } from './cli-common.js';
import { parseReplay, runReplay, type ReplayArgs } from './cli-replay.js';
import { KIOSK_USAGE, parseKiosk, runKiosk, type KioskArgs } from './cli-kiosk.js';
import { normalizeParentOrigin } from './embed-config.js';
import { startProxy, type ProxyHandle, type ProxyOptions } from './server.js';


export const USAGE = `usage:
  spice-web serve [options]        WebSocket -> SPICE proxy serving the web client
  spice-web replay [options] DIR   play a --record directory (or .spicerec files) back to the web client
  spice-web token [options]        print a signed ticket (JWT) for testing
  spice-web kiosk [options] URL    run Chromium as a kiosk showing the client at URL (a proxy's page)
  spice-web help

serve: where connections go (exactly one of --target, or --tokens and/or --jwt-*)
  --target HOST:PORT         every connection goes to this SPICE server
  --target-tls               use TLS toward --target (its tls-port)
  --target-ca FILE           trust only this CA for --target (implies --target-tls)
  --target-host-subject S    expected certificate subject, e.g. "C=XX,L=city,O=org,CN=name"
  --migrate-target HOST:PORT a destination ?migrate= may ask for (repeatable)
  --tokens FILE              token file: "NAME: HOST:PORT [options]" lines, chosen by ?token=NAME
  --jwt-secret FILE          accept HS256 tickets signed with this secret (trailing newline ignored)
  --jwt-public-key FILE      accept ES256 tickets signed by this P-256 key (PEM)
  --jwt-audience AUD         require this aud claim
  --jwt-issuer ISS           require this iss claim
  --jwt-leeway SECONDS       clock skew tolerated on exp/nbf (default 5)
serve: listening and serving
  --listen HOST:PORT         default 127.0.0.1:8080 (a bare PORT means 127.0.0.1:PORT)
  --web DIR                  static files at / (default: dist/client of this package)
  --no-web                   serve no static files
  --cert FILE --key FILE     serve https and wss
  --no-metrics               do not serve /metrics
  --frame-ancestor ORIGIN    a portal origin that may frame the client page and post it tickets (repeatable;
                             sets CSP frame-ancestors and /embed-config.json; default: none but this proxy)
serve: limits
  --allow-origin ORIGIN      allowed browser Origin (repeatable; "*" = any). Default: same host as Host
  --max-payload BYTES        largest message from the browser (default 1048576)
  --max-conns-per-ip N       concurrent connections per client address (default 64, 0 = no cap)
  --max-conns-per-token N    concurrent connections per token (default 32, 0 = no cap)
  --max-conns N              concurrent connections in total (default 0 = no cap)
  --idle-timeout SECONDS     close connections idle this long (default 0 = never)
  --heartbeat SECONDS        ping interval; no pong and no data read by the next ping drops the client (default 30, 0 = off)
  --connect-timeout SECONDS  give up connecting to the target (default 10)
  --trusted-proxy ADDR       believe X-Forwarded-For from this reverse proxy address (repeatable)
serve: diagnostics
  --record DIR               record each connection's traffic (see docs/proxy.md)
  --log-level LEVEL          debug | info | warn | error (default info); logs are JSON lines on stderr

replay DIR|FILE...: serves the client at / and plays the recorded server side at /ws (connects nowhere)
  --session N                which recorded session (required when DIR holds several; see --list)
  --list                     print the sessions in the recordings and exit
  --speed N|max              1 = recorded timing (default), 2 = twice as fast, max (or 0) = as fast as possible
  --listen, --web, --no-web, --cert, --key, --allow-origin, --max-payload, --log-level   as for serve

${KIOSK_USAGE}
token:
  --jwt-secret FILE | --jwt-private-key FILE   HS256 secret or ES256 private key (PEM)
  --host HOST --port PORT    the SPICE server
  --ttl SECONDS              lifetime (default 120)
  --tls  --ca FILE  --host-subject S            TLS toward the server (the CA is embedded as PEM)
  --migrate HOST:PORT        allowed migration destination (repeatable)
  --aud AUD --iss ISS --jti ID
`;

export interface ServeArgs {
  command: 'serve';
  listen: string;
  target?: string;
  targetTls: boolean;
  targetCa?: string;
  targetHostSubject?: string;
  migrateTargets: string[];
  tokens?: string;
  jwtSecret?: string;
  jwtPublicKey?: string;
  jwtAudience?: string;
  jwtIssuer?: string;
  jwtLeeway?: number;
  web: string | null;
  cert?: string;
  key?: string;
  metrics: boolean;
  allowOrigins: string[];
  frameAncestors: string[];
  maxPayload?: number;
  maxConnsPerIp?: number;
  maxConnsPerToken?: number;
  maxConns?: number;
  idleTimeout?: number;
  heartbeat?: number;
  connectTimeout?: number;
  trustedProxies: string[];
  record?: string;
  logLevel: LogLevel;
}

export interface TokenArgs {
  command: 'token';
  jwtSecret?: string;
  jwtPrivateKey?: string;
  host?: string;
  port?: number;
  ttl: number;
  tls: boolean;
  ca?: string;
  hostSubject?: string;
  migrate: string[];
  aud?: string;
  iss?: string;
  jti?: string;
}

export { DEFAULT_WEB_DIR, UsageError, type Io, type ReplayArgs };
export { replayOptions } from './cli-replay.js';

export type ParsedArgs = ServeArgs | ReplayArgs | TokenArgs | KioskArgs | { command: 'help' };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') return { command: 'help' };
  if (cmd === 'serve') return parseServe(rest);
  if (cmd === 'token') return parseToken(rest);
  if (cmd === 'replay') return parseReplay(rest);
  if (cmd === 'kiosk') return parseKiosk(rest);
  throw new UsageError(`unknown command "${cmd}" (try: spice-web serve --help)`);
}

function parseServe(args: readonly string[]): ServeArgs | { command: 'help' } {
  const o: ServeArgs = {
    command: 'serve', listen: '127.0.0.1:8080', targetTls: false, migrateTargets: [], web: DEFAULT_WEB_DIR, metrics: true,
    allowOrigins: [], frameAncestors: [], trustedProxies: [], logLevel: 'info',
  };
  const r = reader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    switch (a) {
      case '-h': case '--help': return { command: 'help' };
      case '--listen': {
        const v = r.value(a);
        o.listen = /^\d+$/.test(v) ? `127.0.0.1:${v}` : hostPort(a, v);
        break;
      }
      case '--target': o.target = hostPort(a, r.value(a)); break;
      case '--target-tls': o.targetTls = true; break;
      case '--target-ca': o.targetCa = r.value(a); o.targetTls = true; break;
      case '--target-host-subject': o.targetHostSubject = r.value(a); o.targetTls = true; break;
      case '--migrate-target': o.migrateTargets.push(hostPort(a, r.value(a))); break;
      case '--tokens': o.tokens = r.value(a); break;
      case '--jwt-secret': o.jwtSecret = r.value(a); break;
      case '--jwt-public-key': o.jwtPublicKey = r.value(a); break;
      case '--jwt-audience': o.jwtAudience = r.value(a); break;
      case '--jwt-issuer': o.jwtIssuer = r.value(a); break;
      case '--jwt-leeway': o.jwtLeeway = num(a, r.value(a)); break;
      case '--web': o.web = path.resolve(r.value(a)); break;
      case '--no-web': o.web = null; break;
      case '--cert': o.cert = r.value(a); break;
      case '--key': o.key = r.value(a); break;
      case '--no-metrics': o.metrics = false; break;
      case '--allow-origin': o.allowOrigins.push(r.value(a)); break;
      case '--frame-ancestor': {
        const v = r.value(a);
        try {
          o.frameAncestors.push(normalizeParentOrigin(v));
        } catch (e) {
          throw new UsageError(`--frame-ancestor: ${(e as Error).message}`);
        }
        break;
      }
      case '--max-payload': o.maxPayload = num(a, r.value(a), 1); break;
      case '--max-conns-per-ip': o.maxConnsPerIp = num(a, r.value(a)); break;
      case '--max-conns-per-token': o.maxConnsPerToken = num(a, r.value(a)); break;
      case '--max-conns': o.maxConns = num(a, r.value(a)); break;
      case '--idle-timeout': o.idleTimeout = num(a, r.value(a)); break;
      case '--heartbeat': o.heartbeat = num(a, r.value(a)); break;
      case '--connect-timeout': o.connectTimeout = num(a, r.value(a), 0.001); break;
      case '--trusted-proxy': o.trustedProxies.push(r.value(a)); break;
      case '--record': o.record = path.resolve(r.value(a)); break;
      case '--log-level': {
        const v = r.value(a);
        if (!isLogLevel(v)) throw new UsageError(`--log-level wants debug|info|warn|error, got "${v}"`);
        o.logLevel = v;
        break;
      }
      default: throw new UsageError(`unknown option "${a}" (see spice-web help)`);
    }
  }
  const tokenMode = o.tokens !== undefined || o.jwtSecret !== undefined || o.jwtPublicKey !== undefined;
  if (o.target && tokenMode) throw new UsageError('--target excludes --tokens/--jwt-*: the target is either fixed or chosen by a token');
  if (!o.target && !tokenMode) throw new UsageError('say where connections go: --target HOST:PORT, --tokens FILE or --jwt-secret/--jwt-public-key FILE');
  if (!o.target && (o.targetTls || o.migrateTargets.length > 0)) throw new UsageError('--target-tls/--target-ca/--target-host-subject/--migrate-target need --target');
  if ((o.cert === undefined) !== (o.key === undefined)) throw new UsageError('--cert and --key go together');
  return o;
}

function parseToken(args: readonly string[]): TokenArgs | { command: 'help' } {
  const o: TokenArgs = { command: 'token', ttl: 120, tls: false, migrate: [] };
  const r = reader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    switch (a) {
      case '-h': case '--help': return { command: 'help' };
      case '--jwt-secret': o.jwtSecret = r.value(a); break;
      case '--jwt-private-key': o.jwtPrivateKey = r.value(a); break;
      case '--host': o.host = r.value(a); break;
      case '--port': o.port = num(a, r.value(a), 1); break;
      case '--ttl': o.ttl = num(a, r.value(a), 1); break;
      case '--tls': o.tls = true; break;
      case '--ca': o.ca = r.value(a); o.tls = true; break;
      case '--host-subject': o.hostSubject = r.value(a); o.tls = true; break;
      case '--migrate': o.migrate.push(hostPort(a, r.value(a))); break;
      case '--aud': o.aud = r.value(a); break;
      case '--iss': o.iss = r.value(a); break;
      case '--jti': o.jti = r.value(a); break;
      default: throw new UsageError(`unknown option "${a}" (see spice-web help)`);
    }
  }
  if ((o.jwtSecret === undefined) === (o.jwtPrivateKey === undefined)) throw new UsageError('give one of --jwt-secret FILE or --jwt-private-key FILE');
  if (!o.host || !o.port) throw new UsageError('--host and --port are required');
  return o;
}

/** An HS256 secret file: the bytes, without a trailing newline (as `echo` or an editor leaves). */
export function readSecretFile(file: string): Buffer {
  const b = readFileSync(file);
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d)) end--;
  return b.subarray(0, end);
}

/** Turns parsed `serve` arguments into startProxy options (reads the key files). */
export function serveOptions(a: ServeArgs): ProxyOptions {
  const o: ProxyOptions = { listen: a.listen, webDir: a.web, metrics: a.metrics, logLevel: a.logLevel, logger: 'json' };
  if (a.target) {
    const t = parseHostPort(a.target);
    let tls: TlsSpec | null = null;
    if (a.targetTls) {
      tls = {};
      if (a.targetCa) tls.ca = path.resolve(a.targetCa);
      if (a.targetHostSubject) tls.hostSubject = a.targetHostSubject;
    }
    o.target = tls ? { ...t, tls } : t;
    o.migrateTargets = a.migrateTargets;
  }
  if (a.tokens) o.tokens = path.resolve(a.tokens);
  if (a.jwtSecret || a.jwtPublicKey) {
    o.jwt = {};
    if (a.jwtSecret) o.jwt.secret = readSecretFile(a.jwtSecret);
    if (a.jwtPublicKey) o.jwt.publicKey = readFileSync(a.jwtPublicKey);
    if (a.jwtAudience !== undefined) o.jwt.audience = a.jwtAudience;
    if (a.jwtIssuer !== undefined) o.jwt.issuer = a.jwtIssuer;
    if (a.jwtLeeway !== undefined) o.jwt.leewaySeconds = a.jwtLeeway;
  }
  if (a.cert && a.key) o.https = { cert: readFileSync(a.cert), key: readFileSync(a.key) };
  if (a.allowOrigins.length > 0) o.allowOrigins = a.allowOrigins;
  if (a.frameAncestors.length > 0) o.frameAncestors = a.frameAncestors;
  if (a.maxPayload !== undefined) o.maxPayload = a.maxPayload;
  if (a.maxConnsPerIp !== undefined) o.maxConnectionsPerClient = a.maxConnsPerIp;
  if (a.maxConnsPerToken !== undefined) o.maxConnectionsPerToken = a.maxConnsPerToken;
  if (a.maxConns !== undefined) o.maxConnections = a.maxConns;
  if (a.idleTimeout !== undefined) o.idleTimeoutMs = a.idleTimeout * 1000;
  if (a.heartbeat !== undefined) o.heartbeatMs = a.heartbeat * 1000;
  if (a.connectTimeout !== undefined) o.connectTimeoutMs = a.connectTimeout * 1000;
  if (a.trustedProxies.length > 0) o.trustedProxies = a.trustedProxies;
  if (a.record) o.recordDir = a.record;
  return o;
}

/** Builds the ticket for `spice-web token`. */
export function mintToken(a: TokenArgs, now = Math.floor(Date.now() / 1000)): string {
  const claims: JwtClaims = { host: a.host, port: a.port, iat: now, nbf: now, exp: now + a.ttl };
  if (a.tls) {
    const tls: Record<string, string> = {};
    if (a.ca) tls['ca'] = readFileSync(a.ca, 'utf8');
    if (a.hostSubject) tls['hostSubject'] = a.hostSubject;
    claims['tls'] = Object.keys(tls).length > 0 ? tls : true;
  }
  if (a.migrate.length > 0) claims['migrate'] = a.migrate.map((m) => parseHostPort(m));
  if (a.aud) claims['aud'] = a.aud;
  if (a.iss) claims['iss'] = a.iss;
  if (a.jti) claims['jti'] = a.jti;
  return a.jwtSecret ? signJwt(claims, 'HS256', readSecretFile(a.jwtSecret)) : signJwt(claims, 'ES256', readFileSync(a.jwtPrivateKey!, 'utf8'));
}

/** Runs the CLI; `serve` resolves when the proxy stopped (SIGINT/SIGTERM). Returns the exit code. */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`spice-web: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (args.command === 'token') {
    try {
      io.out(`${mintToken(args)}\n`);
      return 0;
    } catch (e) {
      io.err(`spice-web token: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (args.command === 'replay') return runReplay(args, io);
  if (args.command === 'kiosk') return runKiosk(args, io);
  let proxy: ProxyHandle;
  try {
    proxy = await startProxy(serveOptions(args));
  } catch (e) {
    io.err(`spice-web serve: ${(e as Error).message}\n`);
    return 1;
  }
  const where = args.target ? `to ${args.target}` : 'to targets chosen by ?token=';
  io.err(`spice-web: listening on ${proxy.url} (WebSocket ${proxy.wsUrl}, relaying ${where}); Ctrl-C stops\n`);
  await untilSignal(proxy);
  return 0;
}

// `node dist/node/proxy/cli.js serve ...` works too
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
