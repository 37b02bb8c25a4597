// Attacks on the proxy, each refused with a clear reason. A counting listener stands in for the
// SPICE server: refusals must not reach a TCP connect to it (TLS failures necessarily connect,
// and there the proof is that no TLS session and no byte of data reached the server).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signJwt } from './config/jwt.js';
import { memoryLogger } from './log.js';
import { startProxy, type ProxyHandle } from './server.js';
import { closed, countingServer, makePki, openWs, tempDir, waitFor, wsOutcome, type CountingServer, type Pki } from './testing/helpers.js';

const secret = randomBytes(32);
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

let target: CountingServer; // the SPICE server a ticket names
let forbidden: CountingServer; // a server an attacker would like to reach
let dir: string;
let cleanupDir: () => void;
let log: ReturnType<typeof memoryLogger>;
let p: ProxyHandle;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  target = await countingServer();
  forbidden = await countingServer();
  const t = tempDir();
  dir = t.dir;
  cleanupDir = t.cleanup;
  writeFileSync(path.join(dir, 'tokens'), `lab-vm: 127.0.0.1:${target.port}\n`);
  log = memoryLogger();
  p = await startProxy({
    listen: 0,
    tokens: path.join(dir, 'tokens'),
    jwt: { secret, publicKey: ecPublicPem },
    allowOrigins: ['https://portal.example'],
    maxConnectionsPerClient: 8,
    maxConnectionsPerToken: 4,
    heartbeatMs: 100,
    highWaterMark: 256 * 1024,
    lowWaterMark: 64 * 1024,
    logger: log,
  });
});
afterAll(async () => {
  await p.close();
  await target.close();
  await forbidden.close();
  cleanupDir();
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await waitFor(() => p.connections().length === 0, 'all relays closed');
});

function expectNoConnects(): void {
  expect(forbidden.accepted).toBe(0);
}

describe('security: the browser cannot choose where the proxy connects', () => {
  it('a token naming a target that is not in the token file is refused without connecting', async () => {
    const before = target.accepted;
    const attempts = [
      `?token=127.0.0.1:${forbidden.port}`,
      `?token=lab-vm2&host=127.0.0.1&port=${forbidden.port}`,
      `?token=${encodeURIComponent(`lab-vm: 127.0.0.1:${forbidden.port}`)}`,
      `?target=127.0.0.1:${forbidden.port}`,
      `?token=__proto__`,
      `?token=LAB-VM`,
    ];
    for (const q of attempts) {
      const o = await wsOutcome(`${p.wsUrl}${q}`, ['binary'], { origin: 'https://portal.example' });
      expect([o.code, o.reason], q).toEqual([4401, q.startsWith('?target') ? 'missing token (?token=)' : 'unknown token']);
    }
    // extra host/port parameters next to a valid token are ignored: it still goes to the token's target
    const o = await wsOutcome(`${p.wsUrl}?token=lab-vm&host=127.0.0.1&port=${forbidden.port}`, [], {}, (ws) => ws.close());
    expect(o.opened).toBe(true);
    await waitFor(() => target.accepted === before + 1, 'relay to the real target');
    expectNoConnects();
  });

  it('a valid ticket cannot be pointed at a migration destination it does not list', async () => {
    const tok = signJwt({ host: '127.0.0.1', port: target.port, exp: nowS() + 60 }, 'HS256', secret);
    const o = await wsOutcome(`${p.wsUrl}?token=${tok}&migrate=127.0.0.1:${forbidden.port}`);
    expect([o.code, o.reason]).toEqual([4403, 'migration destination not allowed by the token']);
    expectNoConnects();
  });
});

describe('security: tickets', () => {
  const claims = () => ({ host: '127.0.0.1', port: forbidden.port, exp: nowS() + 60 });

  it.each([
    ['forged HS256 (other secret)', () => signJwt(claims(), 'HS256', randomBytes(32)), 'token rejected: token signature is invalid'],
    ['forged ES256 (other key)', () => signJwt(claims(), 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), 'token rejected: token signature is invalid'],
    ['tampered claims', () => {
      const [h, , s] = signJwt({ ...claims(), port: target.port }, 'HS256', secret).split('.');
      return `${h}.${b64(claims())}.${s}`;
    }, 'token rejected: token signature is invalid'],
    ['expired', () => signJwt({ ...claims(), exp: nowS() - 3600 }, 'HS256', secret), 'token rejected: token expired'],
    ['not yet valid', () => signJwt({ ...claims(), nbf: nowS() + 3600 }, 'HS256', secret), 'token rejected: token not yet valid'],
    ['without exp', () => signJwt({ host: '127.0.0.1', port: forbidden.port }, 'HS256', secret), 'token rejected: token has no expiry (exp)'],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'token rejected: token algorithm "none" not allowed (allowed: HS256, ES256)'],
    ['alg HS512', () => `${b64({ alg: 'HS512' })}.${b64(claims())}.${randomBytes(64).toString('base64url')}`, 'token rejected: token algorithm "HS512" not allowed (allowed: HS256, ES256)'],
    ['HS256 keyed with the ES256 public key', () => signJwt(claims(), 'HS256', Buffer.from(ecPublicPem)), 'token rejected: token signature is invalid'],
  ])('%s is refused without connecting', async (_name, make, reason) => {
    const o = await wsOutcome(`${p.wsUrl}?token=${make()}`, ['binary']);
    expect([o.code, o.reason]).toEqual([4401, reason]);
    expectNoConnects();
  });

  it('HS/ES confusion is refused by algorithm when only ES256 is configured', async () => {
    const esOnly = await startProxy({ listen: 0, jwt: { publicKey: ecPublicPem }, logger: 'silent' });
    try {
      const o = await wsOutcome(`${esOnly.wsUrl}?token=${signJwt(claims(), 'HS256', Buffer.from(ecPublicPem))}`);
      expect([o.code, o.reason]).toEqual([4401, 'token rejected: token algorithm "HS256" not allowed (allowed: ES256)']);
    } finally {
      await esOnly.close();
    }
    expectNoConnects();
  });

  it('no refused ticket appears in the logs', () => {
    const text = JSON.stringify(log.records);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no base64url JSON (JWT parts)
    expect(text).not.toContain('lab-vm');
  });
});

describe('security: browsers and abusive clients', () => {
  it('a page from another Origin is refused (403) before any connect', async () => {
    const tok = signJwt({ host: '127.0.0.1', port: forbidden.port, exp: nowS() + 60 }, 'HS256', secret);
    for (const origin of ['https://evil.example', 'null', 'https://portal.example.evil.example', 'http://portal.example']) {
      const o = await wsOutcome(`${p.wsUrl}?token=${tok}`, ['binary'], { origin });
      expect([o.opened, o.status, o.body], origin).toEqual([false, 403, 'origin not allowed\n']);
    }
    expectNoConnects();
  });

  it('an oversized frame closes the connection (1009) and none of it reaches the target', async () => {
    let received = 0;
    const sink = await countingServer((s) => s.on('data', (d: Buffer) => (received += d.length)));
    const tok = signJwt({ host: '127.0.0.1', port: sink.port, exp: nowS() + 60 }, 'HS256', secret);
    try {
      const ws = await openWs(`${p.wsUrl}?token=${tok}`);
      sockets.push(ws);
      await waitFor(() => sink.accepted === 1, 'relay up');
      ws.send(Buffer.alloc(2 * 1024 * 1024));
      const c = await closed(ws);
      expect(c.code).toBe(1009);
      expect(received).toBe(0);
    } finally {
      await sink.close();
    }
  });

  it('a slow client that never reads: bounded proxy buffers, target paused, client dropped by the heartbeat', async () => {
    let offered = 0;
    const flood = await countingServer((s) => {
      const block = Buffer.alloc(64 * 1024, 0x55);
      const pump = () => {
        while (offered < 256 * 1024 * 1024) {
          offered += block.length;
          if (!s.write(block)) return void s.once('drain', pump);
        }
      };
      pump();
    });
    const tok = signJwt({ host: '127.0.0.1', port: flood.port, exp: nowS() + 60 }, 'HS256', secret);
    try {
      const ws = await openWs(`${p.wsUrl}?token=${tok}`);
      sockets.push(ws);
      ws.pause(); // never reads again (so it never answers pings either)
      await waitFor(() => p.connections()[0]?.targetPaused === true, 'target paused');
      const st = p.connections()[0]!;
      expect(st.wsBufferedAmount).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
      expect(offered).toBeLessThan(256 * 1024 * 1024);
      // the client reads nothing, so it cannot even see the close: watch the proxy's side
      await waitFor(() => p.connections().length === 0, 'relay dropped');
      expect(p.metrics.errors.get('heartbeat')).toBeGreaterThanOrEqual(1);
      expect(log.records.some((r) => r.event === 'heartbeat_timeout')).toBe(true);
    } finally {
      await flood.close();
    }
  }, 30_000);

  it('a client opening many connections is capped per token and per address; refused ones never connect', async () => {
    const before = target.accepted;
    const states = Array.from({ length: 10 }, () => {
      const ws = new WebSocket(`${p.wsUrl}?token=lab-vm`);
      sockets.push(ws);
      const st = { opened: false, code: 0, reason: '' };
      ws.on('open', () => (st.opened = true));
      ws.on('close', (code, reason) => Object.assign(st, { code, reason: reason.toString() }));
      return st;
    });
    await waitFor(() => states.filter((s) => s.code === 4429).length === 6, 'six refusals');
    expect(states.find((s) => s.code === 4429)!.reason).toBe('too many connections with this token');
    await waitFor(() => target.accepted === before + 4, 'four relays');
    expect(states.filter((s) => s.opened && s.code === 0)).toHaveLength(4); // per-token cap
    // per-address cap across tokens: 4 more with tickets fill the 8 slots, the next is refused
    const tickets = Array.from({ length: 5 }, (_, i) => signJwt({ host: '127.0.0.1', port: target.port, exp: nowS() + 60, jti: `t${i}` }, 'HS256', secret));
    for (const t of tickets.slice(0, 4)) sockets.push(await openWs(`${p.wsUrl}?token=${t}`));
    const ninth = await wsOutcome(`${p.wsUrl}?token=${tickets[4]}`);
    expect([ninth.code, ninth.reason]).toEqual([4429, 'too many connections from this address']);
    await waitFor(() => target.accepted === before + 8, 'eight relays');
    expect(target.accepted).toBe(before + 8);
  });
});

describe('security: TLS targets', () => {
  let pki: Pki;
  let server: tls.Server;
  let tlsPort: number;
  let sessions = 0;
  let bytes = 0;

  beforeAll(async () => {
    pki = makePki(dir);
    server = tls.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (s) => {
      sessions++;
      s.on('data', (d: Buffer) => (bytes += d.length));
      s.on('error', () => {});
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tlsPort = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    ['wrong CA', () => ({ ca: readFileSync(pki.otherCaCert, 'utf8'), hostSubject: pki.subject }), /^target TLS verification failed: certificate not signed by the trusted CA/],
    ['wrong subject', () => ({ ca: readFileSync(pki.caCert, 'utf8'), hostSubject: 'C=XX,L=city,O=org,CN=impostor' }), /^target TLS verification failed: certificate subject does not match host-subject$/],
  ])('%s: refused; no TLS session and no data reach the server', async (_name, tlsClaim, reason) => {
    const tok = signJwt({ host: '127.0.0.1', port: tlsPort, exp: nowS() + 60, tls: tlsClaim() }, 'HS256', secret);
    const o = await wsOutcome(`${p.wsUrl}?token=${tok}`, ['binary'], {}, (ws) => ws.send(Buffer.from('SPICE link with ticket')));
    expect(o.code).toBe(4525);
    expect(o.reason).toMatch(reason);
    expect(sessions).toBe(0);
    expect(bytes).toBe(0);
  });
});
