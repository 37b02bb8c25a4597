/**
 * RSA-OAEP (SHA-1, MGF1-SHA-1, empty label) encryption of the SPICE ticket without WebCrypto
 * (spice-protocol.md §1.3). Browsers expose crypto.subtle only in secure contexts; a client
 * served over plain http from a LAN address must still be able to send a password (the
 * password's secrecy then rests on the RSA layer alone, as in every SPICE client). Only the
 * public-key operation is needed: BigInt modular exponentiation over the server's 1024-bit key.
 * The ciphertext is always exactly the modulus size (left-padded), never shorter.
 */
import { SpiceProtocolError } from './errors';

/** the RSA public key inside a SubjectPublicKeyInfo DER (what SpiceLinkReply carries) */
export function parseRsaSpki(der: Uint8Array): { n: bigint; e: bigint; bytes: number } {
  let p = 0;
  const fail = (why: string): never => {
    throw new SpiceProtocolError('auth', `server public key: ${why}`);
  };
  const tlv = (tag: number): { start: number; end: number } => {
    if (p + 2 > der.length || der[p] !== tag) fail(`expected DER tag 0x${tag.toString(16)} at ${p}`);
    p++;
    let len = der[p++]!;
    if (len & 0x80) {
      const k = len & 0x7f;
      if (k < 1 || k > 3 || p + k > der.length) fail('bad DER length');
      len = 0;
      for (let i = 0; i < k; i++) len = len * 256 + der[p++]!;
    }
    if (p + len > der.length) fail('DER value past the end');
    return { start: p, end: p + len };
  };
  const int = (): { v: bigint; bytes: number } => {
    const { start, end } = tlv(0x02);
    let v = 0n;
    let s = start;
    while (s < end - 1 && der[s] === 0) s++;
    for (let i = s; i < end; i++) v = (v << 8n) | BigInt(der[i]!);
    p = end;
    return { v, bytes: end - s };
  };
  tlv(0x30); // SubjectPublicKeyInfo
  const alg = tlv(0x30);
  p = alg.end; // AlgorithmIdentifier (rsaEncryption): not needed to encrypt
  const bits = tlv(0x03);
  if (der[p++] !== 0) fail('bit string with unused bits');
  tlv(0x30); // RSAPublicKey
  const n = int();
  const e = int();
  if (p > bits.end) fail('RSAPublicKey overruns its bit string');
  if (n.bytes < 64 || n.bytes > 512) fail(`${n.bytes * 8}-bit modulus`);
  return { n: n.v, e: e.v, bytes: n.bytes };
}

/** SHA-1 (FIPS 180-4); only for OAEP padding, where it is what the protocol specifies */
export function sha1(msg: Uint8Array): Uint8Array {
  const ml = msg.length;
  const total = (((ml + 8) >> 6) + 1) << 6;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[ml] = 0x80;
  const dv = new DataView(buf.buffer);
  dv.setUint32(total - 8, Math.floor(ml / 0x20000000));
  dv.setUint32(total - 4, (ml * 8) >>> 0);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => ov.setUint32(i * 4, h >>> 0));
  return out;
}

function mgf1(seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let c = 0, o = 0; o < len; c++, o += 20) {
    new DataView(input.buffer).setUint32(seed.length, c);
    out.set(sha1(input).subarray(0, Math.min(20, len - o)), o);
  }
  return out;
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** RSAES-OAEP-ENCRYPT (RFC 8017 §7.1.1) with SHA-1; `random` fills the 20-byte seed */
export function rsaOaepSha1Encrypt(spki: Uint8Array, msg: Uint8Array, random: (b: Uint8Array) => void): Uint8Array {
  const { n, e, bytes: k } = parseRsaSpki(spki);
  const hLen = 20;
  if (msg.length > k - 2 * hLen - 2) throw new SpiceProtocolError('auth', `ticket of ${msg.length} bytes is too long for a ${k * 8}-bit key`);
  const db = new Uint8Array(k - hLen - 1);
  db.set(sha1(new Uint8Array(0)));
  db[db.length - msg.length - 1] = 1;
  db.set(msg, db.length - msg.length);
  const seed = new Uint8Array(hLen);
  random(seed);
  const dbMask = mgf1(seed, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= dbMask[i]!;
  const seedMask = mgf1(db, hLen);
  for (let i = 0; i < hLen; i++) seed[i]! ^= seedMask[i]!;
  let m = 0n;
  for (const b of seed) m = (m << 8n) | BigInt(b);
  for (const b of db) m = (m << 8n) | BigInt(b); // EM = 0x00 || seed || db: the leading 0 adds nothing
  let c = modPow(m, e, n);
  const out = new Uint8Array(k);
  for (let i = k - 1; i >= 0; i--) {
    out[i] = Number(c & 0xffn);
    c >>= 8n;
  }
  return out;
}
