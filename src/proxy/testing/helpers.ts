// Test helpers for the proxy tests (not part of the build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export interface CountingServer {
  port: number;
  /** TCP connections accepted so far. */
  readonly accepted: number;
  sockets: net.Socket[];
  close(): Promise<void>;
}

/** A loopback TCP server that counts connections; `onConn` decides what it does (default: echo). */
export async function countingServer(onConn: (s: net.Socket) => void = (s) => s.pipe(s)): Promise<CountingServer> {
  let accepted = 0;
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    accepted++;
    sockets.push(s);
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface WsOutcome {
  /** The handshake completed. */
  opened: boolean;
  protocol: string;
  /** Close code and reason (after open). */
  code?: number;
  reason?: string;
  /** HTTP status and body when the upgrade was refused. */
  status?: number;
  body?: string;
  error?: string;
  messages: Buffer[];
}

/** Opens a WebSocket and collects what happens until it closes. */
export function wsOutcome(url: string, protocols: string[] = [], opts: WebSocket.ClientOptions = {}, onOpen?: (ws: WebSocket) => void): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const out: WsOutcome = { opened: false, protocol: '', messages: [] };
    const ws = new WebSocket(url, protocols, opts);
    ws.on('open', () => {
      out.opened = true;
      out.protocol = ws.protocol;
      onOpen?.(ws);
    });
    ws.on('message', (d: Buffer) => out.messages.push(d));
    ws.on('unexpected-response', (_req, res) => {
      out.status = res.statusCode;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        out.body = body;
        resolve(out);
      });
      res.on('error', () => resolve(out));
    });
    ws.on('error', (e) => {
      out.error = e.message;
    });
    ws.on('close', (code, reason) => {
      out.code = code;
      out.reason = reason.toString();
      resolve(out);
    });
  });
}

/** Opens a WebSocket; resolves once open (rejects if it closes first). */
export function openWs(url: string, protocols: string[] = [], opts: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, opts);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve({ code: 1006, reason: '' });
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Polls `cond` until true; throws after `timeoutMs` (a failure guard, not a timing assertion). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function tempDir(prefix = 'spice-web-proxy-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Pki {
  dir: string;
  caCert: string;
  /** A second, unrelated CA. */
  otherCaCert: string;
  serverCert: string;
  serverKey: string;
  /** The server certificate's subject as a .vv host-subject. */
  subject: string;
}

/** Makes a CA and a server certificate (CN=localhost, SAN 127.0.0.1) with openssl. */
export function makePki(dir: string): Pki {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const p = (f: string) => path.join(dir, f);
  for (const ca of ['ca', 'other-ca']) {
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=spice-web test ${ca}`,
      '-keyout', p(`${ca}.key`), '-out', p(`${ca}.pem`));
  }
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/C=XX/L=city/O=org/CN=localhost',
    '-keyout', p('server.key'), '-out', p('server.csr'));
  writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2',
    '-extfile', p('ext.cnf'), '-out', p('server.pem'));
  return { dir, caCert: p('ca.pem'), otherCaCert: p('other-ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), subject: 'C=XX,L=city,O=org,CN=localhost' };
}
