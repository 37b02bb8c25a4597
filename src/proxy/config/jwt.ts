// Signed tickets: compact JWS (JWT) verified with node:crypto, HS256 or ES256 only.
//
// Claims the proxy reads:
//   host, port            the SPICE server (required)
//   tls                   optional: true, or { ca?: PEM text or path, hostSubject?: string, serverName?: string }
//   migrate               optional: [{ host, port, tls? }] destinations for seamless migration;
//                         an entry without `tls` inherits the ticket's
//   exp                   required (seconds since the epoch); nbf optional
//   aud, iss              checked when the proxy is configured with an audience / issuer
//   jti                   optional; identifies the ticket in logs and for the per-token cap
// A ticket is reusable until it expires: SPICE opens one connection per channel.
import { createHmac, createPrivateKey, createPublicKey, timingSafeEqual, verify as cryptoVerify, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { isValidHost, isValidPort, type Endpoint, type Route, type TlsSpec } from '../endpoint.js';

export type JwtFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'claims';

export class JwtError extends Error {
  constructor(readonly failure: JwtFailure, message: string) {
    super(message);
  }
}

export interface JwtKeys {
  /** Enables HS256. */
  hs256Secret?: Buffer;
  /** Enables ES256 (a P-256 public key). */
  es256PublicKey?: KeyObject;
}

export interface JwtVerifyOptions {
  /** Seconds since the epoch (default: now). */
  now?: number;
  /** Clock skew tolerated on exp/nbf, seconds (default 5). */
  leeway?: number;
  audience?: string;
  issuer?: string;
}

export type JwtClaims = Record<string, unknown>;

/** Longest token accepted; real tickets are a few hundred bytes (more with an inline CA). */
export const MAX_JWT_LENGTH = 16 * 1024;

const B64URL = /^[A-Za-z0-9_-]*$/;

function b64urlDecode(part: string, what: string): Buffer {
  if (!B64URL.test(part) || part.length % 4 === 1) throw new JwtError('malformed', `token ${what} is not base64url`);
  return Buffer.from(part, 'base64url');
}

function jsonObject(buf: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new JwtError('malformed', `token ${what} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JwtError('malformed', `token ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** A string with the JWS compact shape (three base64url parts). */
export function looksLikeJwt(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);
}

/** Loads an ES256 public key (PEM: SPKI, or an X.509 certificate). Throws if it is not P-256. */
export function loadEs256PublicKey(pem: string | Buffer): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the JWT public key must be an EC P-256 key (ES256)');
  }
  return key;
}

/** Verifies signature and time claims; returns the claims. Throws JwtError. */
export function verifyJwt(token: string, keys: JwtKeys, opts: JwtVerifyOptions = {}): JwtClaims {
  if (token.length > MAX_JWT_LENGTH) throw new JwtError('malformed', 'token too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed', parts.length === 5 ? 'encrypted tokens (JWE) are not supported' : 'token is not a JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = jsonObject(b64urlDecode(h, 'header'), 'header');
  const alg = header['alg'];
  if (header['crit'] !== undefined) throw new JwtError('malformed', 'token header has unsupported critical extensions');
  const signingInput = Buffer.from(`${h}.${p}`, 'ascii');
  const sig = b64urlDecode(s, 'signature');
  // The algorithm must be one the operator configured a key for; the header only says which.
  if (alg === 'HS256' && keys.hs256Secret) {
    const mac = createHmac('sha256', keys.hs256Secret).update(signingInput).digest();
    if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) throw new JwtError('signature', 'token signature is invalid');
  } else if (alg === 'ES256' && keys.es256PublicKey) {
    if (sig.length !== 64) throw new JwtError('signature', 'token signature is invalid');
    const ok = cryptoVerify('sha256', signingInput, { key: keys.es256PublicKey, dsaEncoding: 'ieee-p1363' }, sig);
    if (!ok) throw new JwtError('signature', 'token signature is invalid');
  } else {
    const allowed = [keys.hs256Secret ? 'HS256' : '', keys.es256PublicKey ? 'ES256' : ''].filter(Boolean).join(', ') || 'none configured';
    throw new JwtError('algorithm', `token algorithm ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 20)) : '(missing)'} not allowed (allowed: ${allowed})`);
  }
  const claims = jsonObject(b64urlDecode(p, 'payload'), 'payload');
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const leeway = opts.leeway ?? 5;
  const exp = claims['exp'];
  if (exp === undefined) throw new JwtError('claims', 'token has no expiry (exp)');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new JwtError('claims', 'token exp is not a number');
  if (now >= exp + leeway) throw new JwtError('expired', 'token expired');
  const nbf = claims['nbf'];
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf)) throw new JwtError('claims', 'token nbf is not a number');
    if (now + leeway < nbf) throw new JwtError('not-yet-valid', 'token not yet valid');
  }
  if (opts.audience !== undefined) {
    const aud = claims['aud'];
    const list = Array.isArray(aud) ? aud : [aud];
    if (!list.includes(opts.audience)) throw new JwtError('claims', 'token audience does not match');
  }
  if (opts.issuer !== undefined && claims['iss'] !== opts.issuer) throw new JwtError('claims', 'token issuer does not match');
  return claims;
}

function tlsFromClaim(v: unknown, where: string): TlsSpec | null {
  if (v === undefined || v === null || v === false) return null;
  if (v === true) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new JwtError('claims', `token ${where} must be true or an object`);
  const o = v as Record<string, unknown>;
  const spec: TlsSpec = {};
  for (const k of ['ca', 'hostSubject', 'serverName'] as const) {
    const x = o[k];
    if (x === undefined) continue;
    if (typeof x !== 'string' || x === '') throw new JwtError('claims', `token ${where}.${k} must be a non-empty string`);
    spec[k] = x;
  }
  return spec;
}

function endpointFromClaim(o: Record<string, unknown>, where: string): Endpoint {
  const host = o['host'];
  const port = o['port'];
  if (typeof host !== 'string' || !isValidHost(host)) throw new JwtError('claims', `token ${where}host is missing or invalid`);
  if (!isValidPort(port)) throw new JwtError('claims', `token ${where}port is missing or invalid`);
  return { host, port };
}

/** Reads host/port/tls/migrate from verified claims. Throws JwtError('claims'). */
export function routeFromClaims(claims: JwtClaims): Route {
  const target = endpointFromClaim(claims, '');
  const tls = tlsFromClaim(claims['tls'], 'tls');
  if (tls) target.tls = tls;
  const migrate: Endpoint[] = [];
  const m = claims['migrate'];
  if (m !== undefined) {
    if (!Array.isArray(m) || m.length > 16) throw new JwtError('claims', 'token migrate must be a list (at most 16)');
    m.forEach((entry, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new JwtError('claims', `token migrate[${i}] must be an object`);
      const e = entry as Record<string, unknown>;
      const ep = endpointFromClaim(e, `migrate[${i}].`);
      const t = e['tls'] === undefined ? tls : tlsFromClaim(e['tls'], `migrate[${i}].tls`);
      if (t) ep.tls = t;
      migrate.push(ep);
    });
  }
  return { target, migrate };
}

/**
 * Signs claims (for tests, demos and simple ticket issuers). `key` is the HS256 secret, or an
 * ES256 private key (KeyObject or PEM).
 */
export function signJwt(claims: JwtClaims, alg: 'HS256' | 'ES256', key: Buffer | string | KeyObject, extraHeader: Record<string, unknown> = {}): string {
  const h = Buffer.from(JSON.stringify({ alg, typ: 'JWT', ...extraHeader })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = Buffer.from(`${h}.${p}`, 'ascii');
  let sig: Buffer;
  if (alg === 'HS256') {
    sig = createHmac('sha256', key as Buffer | string).update(input).digest();
  } else {
    const k = typeof key === 'string' || Buffer.isBuffer(key) ? createPrivateKey(key) : key;
    sig = cryptoSign('sha256', input, { key: k, dsaEncoding: 'ieee-p1363' });
  }
  return `${h}.${p}.${sig.toString('base64url')}`;
}
