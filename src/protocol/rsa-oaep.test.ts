import { createHash, generateKeyPairSync, privateDecrypt, constants, randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SpiceProtocolError } from './errors';
import { parseRsaSpki, rsaOaepSha1Encrypt, sha1 } from './rsa-oaep';

describe('sha1', () => {
  it('matches node:crypto on lengths around the block boundaries', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const m = new Uint8Array(len).map((_, i) => (i * 31 + len) & 0xff);
      expect(Buffer.from(sha1(m)).toString('hex')).toBe(createHash('sha1').update(m).digest('hex'));
    }
  });
});

describe('rsaOaepSha1Encrypt', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  it('produces modulus-size ciphertexts that node:crypto decrypts (RSA-OAEP SHA-1)', () => {
    for (let i = 0; i < 300; i++) {
      const pw = new TextEncoder().encode(`secret-${i}\0`);
      const c = rsaOaepSha1Encrypt(spki, pw, (b) => randomFillSync(b));
      expect(c.length).toBe(128);
      const back = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, c);
      expect(new Uint8Array(back)).toEqual(pw);
    }
  });
  it('reads the modulus and exponent', () => {
    const k = parseRsaSpki(spki);
    expect(k.bytes).toBe(128);
    expect(k.e).toBe(65537n);
  });
  it('rejects garbage keys and too-long tickets with a typed error', () => {
    expect(() => parseRsaSpki(new Uint8Array([0x30, 0x82, 0xff]))).toThrow(SpiceProtocolError);
    expect(() => parseRsaSpki(spki.subarray(0, 40))).toThrow(SpiceProtocolError);
    expect(() => rsaOaepSha1Encrypt(spki, new Uint8Array(100), () => {})).toThrow(SpiceProtocolError);
  });
});
