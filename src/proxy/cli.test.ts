import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEB_DIR, main, mintToken, parseArgs, readSecretFile, serveOptions, UsageError, type ServeArgs, type TokenArgs } from './cli.js';
import { verifyJwt } from './config/jwt.js';
import { tempDir } from './testing/helpers.js';

describe('cli', () => {
  it('parses a fixed-target serve with defaults', () => {
    const a = parseArgs(['serve', '--target', 'localhost:5900']) as ServeArgs;
    expect(a.command).toBe('serve');
    expect(a.listen).toBe('127.0.0.1:8080');
    expect(a.target).toBe('localhost:5900');
    expect(a.web).toBe(DEFAULT_WEB_DIR);
    const o = serveOptions(a);
    expect(o.target).toEqual({ host: 'localhost', port: 5900 });
    expect(o.listen).toBe('127.0.0.1:8080');
  });

  it('parses every serve option', () => {
    const a = parseArgs([
      'serve', '--listen', '9000', '--tokens', 't.txt', '--web', 'www', '--allow-origin', 'https://a', '--allow-origin', 'https://b',
      '--max-payload', '65536', '--max-conns-per-ip', '8', '--max-conns-per-token', '4', '--max-conns', '100', '--idle-timeout', '600',
      '--heartbeat', '15', '--connect-timeout', '2.5', '--trusted-proxy', '10.0.0.1', '--record', 'rec', '--log-level', 'debug', '--no-metrics',
    ]) as ServeArgs;
    expect(a.listen).toBe('127.0.0.1:9000');
    const o = serveOptions(a);
    expect(o).toMatchObject({
      tokens: path.resolve('t.txt'), webDir: path.resolve('www'), allowOrigins: ['https://a', 'https://b'], maxPayload: 65536,
      maxConnectionsPerClient: 8, maxConnectionsPerToken: 4, maxConnections: 100, idleTimeoutMs: 600_000, heartbeatMs: 15_000,
      connectTimeoutMs: 2500, trustedProxies: ['10.0.0.1'], recordDir: path.resolve('rec'), logLevel: 'debug', metrics: false,
    });
  });

  it('builds target TLS options', () => {
    const a = parseArgs(['serve', '--target', '10.0.0.1:5901', '--target-ca', 'ca.pem', '--target-host-subject', 'C=XX,CN=x', '--migrate-target', '10.0.0.2:5901']) as ServeArgs;
    const o = serveOptions(a);
    expect(o.target).toEqual({ host: '10.0.0.1', port: 5901, tls: { ca: path.resolve('ca.pem'), hostSubject: 'C=XX,CN=x' } });
    expect(o.migrateTargets).toEqual(['10.0.0.2:5901']);
  });

  it.each([
    [['serve'], /say where connections go/],
    [['serve', '--target', 'h:1', '--tokens', 'f'], /excludes/],
    [['serve', '--target', 'nope'], /--target/],
    [['serve', '--target', 'h:1', '--cert', 'c'], /--cert and --key go together/],
    [['serve', '--target', 'h:1', '--bogus'], /unknown option/],
    [['serve', '--target'], /needs a value/],
    [['serve', '--tokens', 'f', '--target-tls'], /need --target/],
    [['serve', '--target', 'h:1', '--heartbeat', '-1'], /--heartbeat/],
    [['serve', '--target', 'h:1', '--log-level', 'loud'], /--log-level/],
    [['frobnicate'], /unknown command/],
  ])('rejects %j', (argv, msg) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(msg);
  });

  it('main prints usage and returns exit codes', async () => {
    let out = '';
    let err = '';
    const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
    expect(await main(['help'], io)).toBe(0);
    expect(out).toMatch(/spice-web serve/);
    expect(await main(['serve'], io)).toBe(2);
    expect(err).toMatch(/say where connections go/);
  });

  it('token: mints a ticket the proxy accepts; secret files lose their trailing newline', () => {
    const t = tempDir();
    try {
      const f = path.join(t.dir, 'secret');
      writeFileSync(f, 'a-long-enough-secret-for-hs256-tests!!\n');
      expect(readSecretFile(f).toString()).toBe('a-long-enough-secret-for-hs256-tests!!');
      const a = parseArgs(['token', '--jwt-secret', f, '--host', '10.0.0.1', '--port', '5900', '--ttl', '60', '--migrate', '10.0.0.2:5900', '--jti', 'x1']) as TokenArgs;
      const jwt = mintToken(a, 1_000_000);
      const claims = verifyJwt(jwt, { hs256Secret: readSecretFile(f) }, { now: 1_000_010 });
      expect(claims).toMatchObject({ host: '10.0.0.1', port: 5900, exp: 1_000_060, nbf: 1_000_000, jti: 'x1', migrate: [{ host: '10.0.0.2', port: 5900 }] });
    } finally {
      t.cleanup();
    }
  });
});
