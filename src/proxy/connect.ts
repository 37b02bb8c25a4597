// Opening the proxy's side of a relay: TCP, or TLS with CA pinning and a host-subject check
// (what a .vv file's `ca` and `host-subject` keys ask of a native SPICE client).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { Endpoint, TlsSpec } from './endpoint.js';

export type TargetFailure = 'unreachable' | 'tls' | 'config';

/** A connection to the target that could not be made. `message` is safe to show to the browser. */
export class TargetError extends Error {
  constructor(readonly kind: TargetFailure, message: string, readonly code?: string) {
    super(message);
  }
}

/** A TlsSpec with its CA loaded. */
export interface ResolvedTls {
  ca?: string;
  hostSubject?: string;
  serverName?: string;
}

const MAX_CA_BYTES = 1 << 20;

/** Reads the CA file if `spec.ca` is a path. Throws TargetError('config'). */
export async function resolveTls(spec: TlsSpec): Promise<ResolvedTls> {
  const out: ResolvedTls = {};
  if (spec.hostSubject !== undefined) {
    if (parseSubject(spec.hostSubject).length === 0) throw new TargetError('config', 'target TLS: empty host-subject');
    out.hostSubject = spec.hostSubject;
  }
  if (spec.serverName !== undefined) out.serverName = spec.serverName;
  if (spec.ca !== undefined) {
    let pem = spec.ca;
    if (!pem.includes('-----BEGIN')) {
      try {
        const buf = await readFile(pem);
        if (buf.length > MAX_CA_BYTES) throw new Error('too large');
        pem = buf.toString('utf8');
      } catch {
        // The path comes from the operator or a signed token; do not echo it to the browser.
        throw new TargetError('config', 'target TLS: the CA file cannot be read');
      }
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new TargetError('config', 'target TLS: the CA is not a PEM certificate');
    out.ca = pem;
  }
  return out;
}

/**
 * Parses a host-subject string as written in .vv files: "C=XX,L=city,O=org,CN=name".
 * A backslash escapes the next character (e.g. "O=a\,b"). Returns [KEY, value] pairs in order.
 */
export function parseSubject(s: string): Array<[string, string]> {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += `\\${s[++i]}`;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  const out: Array<[string, string]> = [];
  for (const p of parts) {
    if (p.trim() === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) return []; // malformed: no key
    out.push([p.slice(0, eq).trim().toUpperCase(), unescapeValue(p.slice(eq + 1))]);
  }
  return out;
}

/** Parses X509Certificate#subject ("C=XX\nO=org\nCN=name", RFC 2253 escapes) into pairs. */
export function parseCertSubject(subject: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of subject.split('\n')) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.push([line.slice(0, eq).trim().toUpperCase(), unescapeValue(line.slice(eq + 1))]);
  }
  return out;
}

function unescapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && i + 1 < v.length) {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
      } else {
        out += v[++i];
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** Like OpenSSL's canonical name comparison: case-insensitive, whitespace collapsed. */
function canon(v: string): string {
  return v.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** True if the expected host-subject names exactly the certificate subject, attribute by attribute, in order. */
export function subjectMatches(expected: string, certSubject: string): boolean {
  const want = parseSubject(expected);
  const have = parseCertSubject(certSubject);
  if (want.length === 0 || want.length !== have.length) return false;
  return want.every(([k, v], i) => have[i]![0] === k && canon(have[i]![1]) === canon(v));
}

export interface ConnectOptions {
  /** Give up connecting (TCP and TLS handshake) after this long. */
  timeoutMs: number;
}

/**
 * Starts connecting to `ep`. The returned promise resolves with the socket once it is ready for
 * data (TCP connected, or TLS handshake done and verified) and rejects with a TargetError; the
 * socket is destroyed on failure. `onSocket` receives the socket at once, so the caller can tear
 * it down while it is still connecting.
 */
export function connectTarget(
  ep: Endpoint,
  resolvedTls: ResolvedTls | null,
  opts: ConnectOptions,
  onSocket?: (s: net.Socket) => void,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let sock: net.Socket;
    let tcpUp = false;
    let settled = false;
    if (resolvedTls) {
      const t = resolvedTls;
      const servername = t.serverName ?? (net.isIP(ep.host) ? undefined : ep.host);
      sock = tls.connect({
        host: ep.host,
        port: ep.port,
        ...(t.ca !== undefined ? { ca: t.ca } : {}),
        ...(servername !== undefined ? { servername } : {}),
        rejectUnauthorized: true,
        checkServerIdentity: (hostname, cert) => {
          if (t.hostSubject !== undefined) {
            let subject: string;
            try {
              subject = new X509Certificate(cert.raw).subject;
            } catch {
              return new Error('cannot parse the server certificate');
            }
            return subjectMatches(t.hostSubject, subject)
              ? undefined
              : Object.assign(new Error('server certificate subject does not match host-subject'), { code: 'ERR_SPICE_WEB_SUBJECT' });
          }
          return tls.checkServerIdentity(t.serverName ?? hostname, cert);
        },
      });
    } else {
      sock = net.connect({ host: ep.host, port: ep.port });
    }
    onSocket?.(sock);
    const timer = setTimeout(() => {
      fail(new TargetError(tcpUp ? 'tls' : 'unreachable', tcpUp ? 'target TLS handshake timed out' : 'target unreachable: connect timed out', 'ETIMEDOUT'));
    }, opts.timeoutMs);
    const fail = (e: TargetError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERROR';
      if (!tcpUp) fail(new TargetError('unreachable', `target unreachable: ${code}`, code));
      else if (resolvedTls) fail(new TargetError('tls', describeTlsError(err), code));
      else fail(new TargetError('unreachable', `target unreachable: ${code}`, code));
    };
    const onClose = () => fail(new TargetError(tcpUp ? 'tls' : 'unreachable', tcpUp ? 'target closed during the TLS handshake' : 'target unreachable'));
    sock.once('connect', () => {
      tcpUp = true;
    });
    sock.on('error', onError);
    sock.once('close', onClose);
    sock.once(resolvedTls ? 'secureConnect' : 'connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.off('error', onError);
      sock.off('close', onClose);
      resolve(sock);
    });
  });
}

function describeTlsError(err: NodeJS.ErrnoException): string {
  const v = 'target TLS verification failed';
  switch (err.code) {
    case 'ERR_SPICE_WEB_SUBJECT':
      return `${v}: certificate subject does not match host-subject`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return `${v}: certificate not signed by the trusted CA (${err.code})`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return `${v}: certificate not valid now (${err.code})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${v}: certificate does not match the host name`;
    default:
      return `target TLS handshake failed: ${err.code ?? 'error'}`;
  }
}
