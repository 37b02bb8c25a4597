import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { JwtError, loadEs256PublicKey, looksLikeJwt, routeFromClaims, signJwt, verifyJwt, type JwtKeys } from './config/jwt.js';
import { memoryLogger } from './log.js';
import { startProxy } from './server.js';
import { countingServer, wsOutcome } from './testing/helpers.js';

const secret = randomBytes(32);
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const now = 1_800_000_000;
const claims = { host: '10.0.0.1', port: 5900, exp: now + 120, nbf: now - 1 };

function failure(token: string, keys: JwtKeys, opts: Parameters<typeof verifyJwt>[2] = { now }): string {
  try {
    verifyJwt(token, keys, opts);
  } catch (e) {
    if (e instanceof JwtError) return `${e.failure}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('JWT verification', () => {
  it('accepts HS256 and ES256 tokens with the configured keys', () => {
    const hs = signJwt(claims, 'HS256', secret);
    const es = signJwt(claims, 'ES256', ec.privateKey);
    expect(looksLikeJwt(hs)).toBe(true);
    expect(verifyJwt(hs, { hs256Secret: secret }, { now })).toMatchObject(claims);
    expect(verifyJwt(es, { es256PublicKey: ec.publicKey }, { now })).toMatchObject(claims);
    expect(Buffer.from(es.split('.')[2]!, 'base64url')).toHaveLength(64); // raw r||s
  });

  it('rejects a forged or tampered signature', () => {
    const hs = signJwt(claims, 'HS256', randomBytes(32));
    expect(failure(hs, { hs256Secret: secret })).toBe('signature: token signature is invalid');
    const good = signJwt(claims, 'HS256', secret);
    const [h, , s] = good.split('.');
    const tampered = `${h}.${b64({ ...claims, host: 'evil.example' })}.${s}`;
    expect(failure(tampered, { hs256Secret: secret })).toMatch(/^signature/);
    const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(failure(signJwt(claims, 'ES256', otherEc.privateKey), { es256PublicKey: ec.publicKey })).toMatch(/^signature/);
    // a DER-encoded ECDSA signature is not the JWS form
    const esDer = signJwt(claims, 'ES256', ec.privateKey).split('.');
    expect(failure(`${esDer[0]}.${esDer[1]}.${randomBytes(71).toString('base64url')}`, { es256PublicKey: ec.publicKey })).toMatch(/^signature/);
  });

  it('rejects expired and not-yet-valid tokens (with 5 s leeway by default)', () => {
    const keys = { hs256Secret: secret };
    expect(failure(signJwt({ ...claims, exp: now - 10 }, 'HS256', secret), keys)).toBe('expired: token expired');
    expect(failure(signJwt({ ...claims, exp: now - 2 }, 'HS256', secret), keys)).toBe('accepted');
    expect(failure(signJwt({ ...claims, nbf: now + 60 }, 'HS256', secret), keys)).toBe('not-yet-valid: token not yet valid');
    expect(failure(signJwt({ ...claims, exp: undefined }, 'HS256', secret), keys)).toMatch(/^claims: token has no expiry/);
    expect(failure(signJwt({ ...claims, exp: '9999999999' }, 'HS256', secret), keys)).toMatch(/^claims: token exp is not a number/);
    expect(failure(signJwt({ ...claims, exp: now - 2 }, 'HS256', secret), keys, { now, leeway: 0 })).toBe('expired: token expired');
  });

  it('rejects alg none, unknown algorithms and HS/ES confusion', () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expect(failure(none, { hs256Secret: secret, es256PublicKey: ec.publicKey })).toMatch(/^algorithm: token algorithm "none" not allowed/);
    const noneUpper = `${b64({ alg: 'NONE' })}.${b64(claims)}.`;
    expect(failure(noneUpper, { hs256Secret: secret })).toMatch(/^algorithm/);
    const missingAlg = `${b64({ typ: 'JWT' })}.${b64(claims)}.${createHmac('sha256', secret).update('x').digest('base64url')}`;
    expect(failure(missingAlg, { hs256Secret: secret })).toMatch(/^algorithm: token algorithm \(missing\)/);
    // HS256 "signed" with the public key as the HMAC secret: the classic confusion attack
    const confused = signJwt(claims, 'HS256', Buffer.from(ecPublicPem));
    expect(failure(confused, { es256PublicKey: ec.publicKey })).toMatch(/^algorithm: token algorithm "HS256" not allowed \(allowed: ES256\)/);
    expect(failure(confused, { es256PublicKey: ec.publicKey, hs256Secret: secret })).toMatch(/^signature/);
    // ES256 token when only HS256 is configured
    expect(failure(signJwt(claims, 'ES256', ec.privateKey), { hs256Secret: secret })).toMatch(/^algorithm: token algorithm "ES256" not allowed/);
    for (const alg of ['HS384', 'HS512', 'RS256', 'ES384', 'PS256', 'EdDSA']) {
      const t = `${b64({ alg })}.${b64(claims)}.${createHmac('sha256', secret).update('x').digest('base64url')}`;
      expect(failure(t, { hs256Secret: secret, es256PublicKey: ec.publicKey })).toMatch(/^algorithm/);
    }
  });

  it('rejects malformed tokens', () => {
    const keys = { hs256Secret: secret };
    expect(failure('a.b', keys)).toMatch(/^malformed/);
    expect(failure('a.b.c.d.e', keys)).toMatch(/JWE/);
    expect(failure(`${b64({ alg: 'HS256' })}.${Buffer.from('not json').toString('base64url')}.x`, keys)).toMatch(/^signature|^malformed/);
    expect(failure(`${Buffer.from('[1]').toString('base64url')}.${b64(claims)}.x`, keys)).toMatch(/^malformed: token header is not a JSON object/);
    expect(failure(`${b64({ alg: 'HS256', crit: ['b64'] })}.${b64(claims)}.x`, keys)).toMatch(/critical/);
    expect(failure(`${b64({ alg: 'HS256' })}.${b64(claims)}.a+b/`, keys)).toMatch(/^malformed/);
    expect(failure('x'.repeat(20_000), keys)).toMatch(/too long/);
  });

  it('checks audience and issuer when configured', () => {
    const keys = { hs256Secret: secret };
    const t = signJwt({ ...claims, aud: ['spice-web', 'other'], iss: 'portal' }, 'HS256', secret);
    expect(failure(t, keys, { now, audience: 'spice-web', issuer: 'portal' })).toBe('accepted');
    expect(failure(t, keys, { now, audience: 'elsewhere' })).toMatch(/audience/);
    expect(failure(t, keys, { now, issuer: 'mallory' })).toMatch(/issuer/);
  });

  it('reads host, port, tls and migrate claims strictly', () => {
    expect(routeFromClaims({ host: 'h', port: 1 })).toEqual({ target: { host: 'h', port: 1 }, migrate: [] });
    const r = routeFromClaims({
      host: 'a', port: 5901, tls: { ca: '/etc/pki/ca.pem', hostSubject: 'C=XX,CN=a' },
      migrate: [{ host: 'b', port: 5901 }, { host: 'c', port: 5900, tls: false }],
    });
    expect(r.target.tls).toEqual({ ca: '/etc/pki/ca.pem', hostSubject: 'C=XX,CN=a' });
    expect(r.migrate[0]).toEqual({ host: 'b', port: 5901, tls: { ca: '/etc/pki/ca.pem', hostSubject: 'C=XX,CN=a' } });
    expect(r.migrate[1]).toEqual({ host: 'c', port: 5900 });
    expect(routeFromClaims({ host: 'h', port: 1, tls: true }).target.tls).toEqual({});
    for (const bad of [{}, { host: 'h' }, { host: 'h', port: 0 }, { host: 'h', port: 70000 }, { host: 'h', port: '5900' }, { host: 'a b', port: 1 },
      { host: 'h/x', port: 1 }, { host: 'h', port: 1, tls: 'yes' }, { host: 'h', port: 1, tls: { ca: 5 } }, { host: 'h', port: 1, migrate: 'x' },
      { host: 'h', port: 1, migrate: [{ host: 'x' }] }]) {
      expect(() => routeFromClaims(bad)).toThrow(JwtError);
    }
  });

  it('accepts only P-256 public keys for ES256', () => {
    expect(() => loadEs256PublicKey(ecPublicPem)).not.toThrow();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => loadEs256PublicKey(p384)).toThrow(/P-256/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => loadEs256PublicKey(rsa)).toThrow(/P-256/);
  });
});

describe('JWT tickets in the proxy', () => {
  it('routes to the signed target, reusable for several channel connections; refuses bad tickets without connecting', async () => {
    const a = await countingServer();
    const b = await countingServer();
    const log = memoryLogger();
    const p = await startProxy({ listen: 0, jwt: { secret, publicKey: ecPublicPem }, logger: log });
    try {
      const t = Math.floor(Date.now() / 1000);
      const hs = signJwt({ host: '127.0.0.1', port: a.port, exp: t + 60, jti: 'ticket-1' }, 'HS256', secret);
      for (let i = 0; i < 3; i++) {
        const o = await wsOutcome(`${p.wsUrl}?token=${hs}`, ['binary'], {}, (ws) => {
          ws.send(Buffer.from(`ch${i}`));
          ws.once('message', () => ws.close());
        });
        expect(Buffer.concat(o.messages).toString()).toBe(`ch${i}`);
      }
      expect(a.accepted).toBe(3);
      const es = signJwt({ host: '127.0.0.1', port: b.port, exp: t + 60 }, 'ES256', ec.privateKey);
      expect((await wsOutcome(`${p.wsUrl}?token=${es}`, [], {}, (ws) => ws.close())).opened).toBe(true);
      expect(b.accepted).toBe(1);

      const refusals = await Promise.all([
        signJwt({ host: '127.0.0.1', port: a.port, exp: t - 60 }, 'HS256', secret),
        signJwt({ host: '127.0.0.1', port: a.port, exp: t + 60 }, 'HS256', randomBytes(32)),
        `${b64({ alg: 'none' })}.${b64({ host: '127.0.0.1', port: a.port, exp: t + 60 })}.`,
      ].map((tok) => wsOutcome(`${p.wsUrl}?token=${tok}`)));
      expect(refusals.map((o) => [o.code, o.reason])).toEqual([
        [4401, 'token rejected: token expired'],
        [4401, 'token rejected: token signature is invalid'],
        [4401, 'token rejected: token algorithm "none" not allowed (allowed: HS256, ES256)'],
      ]);
      expect(a.accepted).toBe(3);
      expect(JSON.stringify(log.records)).not.toContain(hs.split('.')[2]);
      expect(log.records.filter((r) => r.event === 'connection').every((r) => r['jti'] === 'ticket-1' || r['jti'] === undefined)).toBe(true);
    } finally {
      await p.close();
      await a.close();
      await b.close();
    }
  });

  it('lets ?migrate= choose only a destination listed in the ticket', async () => {
    const src = await countingServer();
    const dst = await countingServer();
    const other = await countingServer();
    const p = await startProxy({ listen: 0, jwt: { secret }, logger: 'silent' });
    try {
      const t = Math.floor(Date.now() / 1000);
      const tok = signJwt({ host: '127.0.0.1', port: src.port, exp: t + 60, migrate: [{ host: '127.0.0.1', port: dst.port }] }, 'HS256', secret);
      expect((await wsOutcome(`${p.wsUrl}?token=${tok}&migrate=127.0.0.1:${dst.port}`, [], {}, (ws) => ws.close())).opened).toBe(true);
      expect(dst.accepted).toBe(1);
      const denied = await wsOutcome(`${p.wsUrl}?token=${tok}&migrate=127.0.0.1:${other.port}`);
      expect([denied.code, denied.reason]).toEqual([4403, 'migration destination not allowed by the token']);
      const bad = await wsOutcome(`${p.wsUrl}?token=${tok}&migrate=nonsense`);
      expect(bad.code).toBe(4400);
      expect(src.accepted + other.accepted).toBe(0);
    } finally {
      await p.close();
      await Promise.all([src.close(), dst.close(), other.close()]);
    }
  });
});
