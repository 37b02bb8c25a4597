import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from './config/jwt.js';
import { parseCertSubject, parseSubject, subjectMatches } from './connect.js';
import { startProxy, type ProxyOptions } from './server.js';
import { makePki, openWs, tempDir, wsOutcome, type Pki } from './testing/helpers.js';

describe('host-subject', () => {
  it('parses .vv subjects, with escaped commas', () => {
    expect(parseSubject('C=XX,L=city,O=org,CN=name')).toEqual([['C', 'XX'], ['L', 'city'], ['O', 'org'], ['CN', 'name']]);
    expect(parseSubject('C=XX, O=a\\,b , cn=x')).toEqual([['C', 'XX'], ['O', 'a,b '], ['CN', 'x']]);
    expect(parseSubject('garbage')).toEqual([]);
  });

  it('parses X509Certificate#subject lines', () => {
    expect(parseCertSubject('C=XX\nO=a\\, b\nCN=name')).toEqual([['C', 'XX'], ['O', 'a, b'], ['CN', 'name']]);
  });

  it('matches attribute by attribute, in order, case- and space-insensitively like OpenSSL', () => {
    const cert = 'C=XX\nL=city\nO=org\nCN=name';
    expect(subjectMatches('C=XX,L=city,O=org,CN=name', cert)).toBe(true);
    expect(subjectMatches('c=xx, l=City, o=ORG, cn=name', cert)).toBe(true);
    expect(subjectMatches('C=XX,L=city,O=org,CN=other', cert)).toBe(false);
    expect(subjectMatches('CN=name', cert)).toBe(false);
    expect(subjectMatches('CN=name,O=org,L=city,C=XX', cert)).toBe(false);
    expect(subjectMatches('', cert)).toBe(false);
  });
});

describe('TLS toward the SPICE server', () => {
  let pki: Pki;
  let cleanup: () => void;
  let server: tls.Server;
  let port: number;
  let secure = 0;
  let handshakeErrors = 0;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    pki = makePki(t.dir);
    server = tls.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (s) => {
      secure++;
      s.on('error', () => {});
      s.pipe(s);
    });
    server.on('tlsClientError', () => handshakeErrors++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    cleanup();
  });

  async function attempt(target: ProxyOptions['target']) {
    const p = await startProxy({ listen: 0, target, logger: 'silent' });
    try {
      return await wsOutcome(p.wsUrl, ['binary'], {}, (ws) => {
        ws.send(Buffer.from('secret data'));
        ws.once('message', () => ws.close());
      });
    } finally {
      await p.close();
    }
  }

  it('connects with the pinned CA and the right host-subject, and relays', async () => {
    const before = secure;
    const o = await attempt({ host: '127.0.0.1', port, tls: { ca: pki.caCert, hostSubject: pki.subject } });
    expect(Buffer.concat(o.messages).toString()).toBe('secret data');
    expect(secure).toBe(before + 1);
  });

  it('checks the host name (SAN) when no host-subject is given', async () => {
    expect((await attempt({ host: '127.0.0.1', port, tls: { ca: pki.caCert } })).messages.length).toBe(1);
    const o = await attempt({ host: '127.0.0.1', port, tls: { ca: pki.caCert, serverName: 'other.example' } });
    expect([o.code, o.reason]).toEqual([4525, 'target TLS verification failed: certificate does not match the host name']);
  });

  it('refuses a server whose certificate is not from the pinned CA', async () => {
    const before = secure;
    const o = await attempt({ host: '127.0.0.1', port, tls: { ca: pki.otherCaCert, hostSubject: pki.subject } });
    expect(o.code).toBe(4525);
    expect(o.reason).toMatch(/^target TLS verification failed: certificate not signed by the trusted CA/);
    expect(o.messages).toEqual([]);
    expect(secure).toBe(before);
  });

  it('refuses a server whose subject differs from host-subject', async () => {
    const before = secure;
    const o = await attempt({ host: '127.0.0.1', port, tls: { ca: pki.caCert, hostSubject: 'C=XX,L=city,O=org,CN=someone-else' } });
    expect([o.code, o.reason]).toEqual([4525, 'target TLS verification failed: certificate subject does not match host-subject']);
    expect(o.messages).toEqual([]);
    expect(secure).toBe(before);
  });

  it('refuses a self-signed server when the system CA store is used', async () => {
    const o = await attempt({ host: '127.0.0.1', port, tls: {} });
    expect(o.code).toBe(4525);
  });

  it('reports an unreadable CA file as a configuration problem, without connecting', async () => {
    const errs = handshakeErrors;
    const before = secure;
    const o = await attempt({ host: '127.0.0.1', port, tls: { ca: path.join(pki.dir, 'missing.pem') } });
    expect([o.code, o.reason]).toEqual([4500, 'target TLS: the CA file cannot be read']);
    expect(secure).toBe(before);
    expect(handshakeErrors).toBe(errs);
  });

  it('takes the CA inline (PEM) and the subject from a signed ticket', async () => {
    const secret = Buffer.alloc(32, 7);
    const p = await startProxy({ listen: 0, jwt: { secret }, logger: 'silent' });
    try {
      const exp = Math.floor(Date.now() / 1000) + 60;
      const ca = readFileSync(pki.caCert, 'utf8');
      const good = signJwt({ host: '127.0.0.1', port, exp, tls: { ca, hostSubject: pki.subject } }, 'HS256', secret);
      const o = await wsOutcome(`${p.wsUrl}?token=${good}`, [], {}, (ws) => {
        ws.send(Buffer.from('x'));
        ws.once('message', () => ws.close());
      });
      expect(o.messages.length).toBe(1);
      const wrong = signJwt({ host: '127.0.0.1', port, exp, tls: { ca: readFileSync(pki.otherCaCert, 'utf8') } }, 'HS256', secret);
      expect((await wsOutcome(`${p.wsUrl}?token=${wrong}`)).code).toBe(4525);
    } finally {
      await p.close();
    }
  });

  it('serves wss to the browser with --cert/--key', async () => {
    const echo = tls.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const p = await startProxy({
      listen: 0,
      target: { host: '127.0.0.1', port: (echo.address() as { port: number }).port, tls: { ca: pki.caCert, hostSubject: pki.subject } },
      https: { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) },
      logger: 'silent',
    });
    try {
      expect(p.wsUrl.startsWith('wss://')).toBe(true);
      const ws = await openWs(p.wsUrl, ['binary'], { ca: readFileSync(pki.caCert) });
      const got = new Promise<Buffer>((r) => ws.once('message', (d: Buffer) => r(d)));
      ws.send(Buffer.from('over wss'));
      expect((await got).toString()).toBe('over wss');
      ws.close();
      const refused = await wsOutcome(p.wsUrl, [], { ca: readFileSync(pki.otherCaCert) });
      expect(refused.opened).toBe(false);
    } finally {
      await p.close();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });
});
