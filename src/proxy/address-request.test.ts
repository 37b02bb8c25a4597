// A connection file's `?target=HOST:PORT` is a request the proxy answers from its own list: the
// pure rule, then the proxy end to end with a counting listener standing in for each server, so a
// refusal is proven to dial nothing.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerAddressRequest } from './address-request.js';
import { signJwt } from './config/jwt.js';
import { parseTokenFile } from './config/tokens.js';
import { startProxy, type ProxyHandle } from './server.js';
import WebSocket from 'ws';
import { countingServer, openWs, tempDir, wsOutcome, type CountingServer } from './testing/helpers.js';

/** opens a WebSocket, sends `text` and resolves with what the echo server sent back */
async function echo(url: string, text: string): Promise<string> {
  const ws: WebSocket = await openWs(url, ['binary']);
  try {
    const got = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    ws.send(Buffer.from(text));
    return await got;
  } finally {
    ws.terminate();
  }
}

describe('answerAddressRequest', () => {
  const routes = [
    { target: { host: '10.0.0.5', port: 5901, tls: { hostSubject: 'CN=vm' } }, migrate: [{ host: '10.0.0.6', port: 5901 }] },
    { target: { host: 'Vm.Example', port: 5900 }, migrate: [] },
  ];

  it('answers with the proxy entry (its TLS settings), not the text the browser sent', () => {
    const a = answerAddressRequest(['10.0.0.5:5901'], routes);
    expect(a).toEqual({ ok: true, route: routes[0], key: 'addr:10.0.0.5:5901' });
    const b = answerAddressRequest(['vm.example:5900'], routes);
    expect(b.ok && b.route.target.host).toBe('Vm.Example');
  });

  it('takes the first listed of port and tls-port, and a migration destination', () => {
    expect(answerAddressRequest(['10.0.0.5:5900', '10.0.0.5:5901'], routes)).toMatchObject({ ok: true, route: { target: { port: 5901 } } });
    expect(answerAddressRequest(['10.0.0.6:5901'], routes)).toMatchObject({ ok: true, route: { target: { host: '10.0.0.6' }, migrate: routes[0]!.migrate } });
  });

  it('refuses an unlisted server and says which', () => {
    expect(answerAddressRequest(['10.9.9.9:5900', '10.9.9.9:5901'], routes)).toEqual({ ok: false, status: 'not_listed', reason: "the server 10.9.9.9:5900 or 10.9.9.9:5901 is not on this proxy's list" });
    expect(answerAddressRequest(['10.0.0.5:5901'], [])).toMatchObject({ ok: false, status: 'not_listed' });
  });

  it.each([[[]], [['a:1', 'b:2', 'c:3']], [['no-port']], [['h:99999']], [['user@h:1']], [['h/x:1']]])('refuses malformed requests %j', (asked) => {
    expect(answerAddressRequest(asked, routes)).toMatchObject({ ok: false, status: 'bad_request' });
  });

  it('token file: `vv` marks an entry reachable by address', () => {
    const t = parseTokenFile('a: 127.0.0.1:5900 vv\nb: 127.0.0.1:5901\n', '/');
    expect(t.get('a')?.byAddress).toBe(true);
    expect(t.get('b')?.byAddress).toBeUndefined();
    expect(() => parseTokenFile('a: 127.0.0.1:5900 vv=1\n', '/')).toThrow(/vv takes no value/);
  });
});

describe('the proxy answers address requests from its own list', () => {
  let listed: CountingServer;
  let hidden: CountingServer; // in the token file, but without `vv`
  let unlisted: CountingServer;
  let p: ProxyHandle;
  let fixed: ProxyHandle;
  let cleanup: () => void;
  const secret = randomBytes(32);

  beforeAll(async () => {
    listed = await countingServer();
    hidden = await countingServer();
    unlisted = await countingServer();
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(path.join(t.dir, 'tokens'), `open: 127.0.0.1:${listed.port} vv\nsecret-name: 127.0.0.1:${hidden.port}\n`);
    p = await startProxy({ listen: 0, tokens: path.join(t.dir, 'tokens'), jwt: { secret }, logger: 'silent' });
    fixed = await startProxy({ listen: 0, target: `127.0.0.1:${listed.port}`, logger: 'silent', frameAncestors: ['https://portal.example:443'], webDir: t.dir });
  });
  afterAll(async () => {
    await p.close();
    await fixed.close();
    await listed.close();
    await hidden.close();
    await unlisted.close();
    cleanup();
  });

  it('relays to a `vv` entry named by address, with no token', async () => {
    expect(await echo(`${p.wsUrl}?target=127.0.0.1:${listed.port}`, 'hi')).toBe('hi');
  }, 10_000);

  it('refuses an entry without `vv` and an unlisted server with 4403, dialling nothing', async () => {
    const before = [hidden.accepted, unlisted.accepted];
    for (const port of [hidden.port, unlisted.port]) {
      const o = await wsOutcome(`${p.wsUrl}?target=127.0.0.1:${port}`, ['binary']);
      expect(o.code).toBe(4403);
      expect(o.reason).toBe(`the server 127.0.0.1:${port} is not on this proxy's list`);
    }
    expect([hidden.accepted, unlisted.accepted]).toEqual(before);
  });

  it('with a token, the request must name that token\'s server', async () => {
    const jwt = signJwt({ host: '127.0.0.1', port: hidden.port, exp: Math.floor(Date.now() / 1000) + 60 }, 'HS256', secret);
    expect(await echo(`${p.wsUrl}?token=${jwt}&target=127.0.0.1:${hidden.port}`, 'x')).toBe('x');
    const before = unlisted.accepted;
    const bad = await wsOutcome(`${p.wsUrl}?token=${jwt}&target=127.0.0.1:${unlisted.port}`, ['binary']);
    expect(bad.code).toBe(4403);
    const forged = await wsOutcome(`${p.wsUrl}?token=nope&target=127.0.0.1:${listed.port}`, ['binary']);
    expect(forged.code).toBe(4401);
    expect(unlisted.accepted).toBe(before);
  }, 10_000);

  it('a fixed target: only that server may be named', async () => {
    expect(await echo(`${fixed.wsUrl}?target=127.0.0.1:${unlisted.port}&target=127.0.0.1:${listed.port}`, 'y')).toBe('y');
    const bad = await wsOutcome(`${fixed.wsUrl}?target=127.0.0.1:${unlisted.port}`, ['binary']);
    expect([bad.code, bad.reason]).toEqual([4403, `the server 127.0.0.1:${unlisted.port} is not on this proxy's list`]);
    const malformed = await wsOutcome(`${fixed.wsUrl}?target=evil`, ['binary']);
    expect(malformed.code).toBe(4400);
  }, 10_000);

  it('pages carry frame-ancestors from the configuration, and /embed-config.json lists the same origins', async () => {
    const get = (u: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        http.get(u, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        }).on('error', reject);
      });
    const page = await get(`${fixed.url}tokens`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'self' https://portal.example");
    const cfg = await get(`${fixed.url}embed-config.json`);
    expect(cfg.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(cfg.body)).toEqual({ version: 1, parentOrigins: ['https://portal.example'], addressRequests: true });
    // a proxy without the option: only itself may frame the page
    const missing = await get(`${p.url}`);
    expect(missing.headers['content-security-policy']).toBe("frame-ancestors 'self'");
  });
});
