import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTokenFile, TokenFile, TokenFileError } from './config/tokens.js';
import { memoryLogger } from './log.js';
import { startProxy } from './server.js';
import { countingServer, tempDir, wsOutcome, type CountingServer } from './testing/helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('token file parsing', () => {
  it('reads NAME: HOST:PORT lines, with comments and blank lines', () => {
    const m = parseTokenFile(
      ['# lab machines', '', 'vm1: 127.0.0.1:5900', '  vm2 :  host.example:5901   # trailing comment', 'v6: [::1]:5902', '\t'].join('\n'),
      '/etc/spice-web',
    );
    expect([...m.keys()]).toEqual(['vm1', 'vm2', 'v6']);
    expect(m.get('vm1')).toEqual({ target: { host: '127.0.0.1', port: 5900 }, migrate: [] });
    expect(m.get('vm2')!.target).toEqual({ host: 'host.example', port: 5901 });
    expect(m.get('v6')!.target).toEqual({ host: '::1', port: 5902 });
  });

  it('reads TLS and migration options', () => {
    const m = parseTokenFile(
      [
        'a: 10.0.0.1:5901 tls',
        'b: 10.0.0.2:5901 ca=pki/ca.pem host-subject="C=XX,L=city,O=org,CN=name" migrate=10.0.0.3:5901,10.0.0.4:5901',
        'c: 10.0.0.5:5900 migrate=10.0.0.6:5900',
      ].join('\n'),
      '/etc/spice-web',
    );
    expect(m.get('a')!.target.tls).toEqual({});
    const b = m.get('b')!;
    const tls = { ca: path.resolve('/etc/spice-web/pki/ca.pem'), hostSubject: 'C=XX,L=city,O=org,CN=name' };
    expect(b.target).toEqual({ host: '10.0.0.2', port: 5901, tls });
    expect(b.migrate).toEqual([
      { host: '10.0.0.3', port: 5901, tls },
      { host: '10.0.0.4', port: 5901, tls },
    ]);
    expect(m.get('c')!.migrate).toEqual([{ host: '10.0.0.6', port: 5900 }]);
  });

  it('keeps backslash escapes of a quoted host-subject', () => {
    const m = parseTokenFile('x: h:1 host-subject="O=a\\,b,CN=\\"q\\""', '/');
    expect(m.get('x')!.target.tls!.hostSubject).toBe('O=a\\,b,CN="q"');
  });

  it.each([
    ['no colon', 'vm1 127.0.0.1:5900', /expected "NAME: HOST:PORT"/],
    ['no port', 'vm1: 127.0.0.1', /HOST:PORT/],
    ['bad port', 'vm1: h:99999', /port out of range/],
    ['unbracketed v6', 'vm1: ::1:5900', /line 1/],
    ['unknown option', 'vm1: h:1 bogus=1', /unknown option "bogus"/],
    ['duplicate', 'a: h:1\na: h:2', /line 2: duplicate token name/],
    ['unterminated quote', 'a: h:1 host-subject="CN=x', /unterminated quote/],
    ['host with junk', 'a: h/x@y:1', /bad host/],
  ])('rejects %s with its line number', (_name, text, msg) => {
    expect(() => parseTokenFile(text, '/')).toThrow(TokenFileError);
    expect(() => parseTokenFile(text, '/')).toThrow(msg);
  });

  it('does not put token names in error messages', () => {
    try {
      parseTokenFile('s3cret-token: h:1\ns3cret-token: h:2', '/');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });

  it('re-reads the file when it changes, and keeps the old table if the new one is broken', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const f = path.join(t.dir, 'tokens');
    writeFileSync(f, 'a: h:1\n');
    const errors: string[] = [];
    const tf = new TokenFile(f, { onReloadError: (e) => errors.push(e.message) });
    expect(tf.lookup('a')?.target.port).toBe(1);
    expect(tf.lookup('b')).toBeUndefined();
    writeFileSync(f, 'a: h:1\nb: h:22\n');
    expect(tf.lookup('b')?.target.port).toBe(22);
    writeFileSync(f, 'a: h:1\nb h:22 broken\n');
    expect(tf.lookup('b')?.target.port).toBe(22);
    expect(errors[0]).toMatch(/line 2/);
  });

  it('has no prototype keys', () => {
    const m = parseTokenFile('a: h:1', '/');
    expect(m.get('__proto__')).toBeUndefined();
    expect(m.get('constructor')).toBeUndefined();
  });
});

describe('token file in the proxy', () => {
  async function setup(): Promise<{ a: CountingServer; b: CountingServer; url: string; log: ReturnType<typeof memoryLogger> }> {
    const a = await countingServer();
    const b = await countingServer();
    const t = tempDir();
    const f = path.join(t.dir, 'tokens');
    writeFileSync(f, `# test\nalpha-1: 127.0.0.1:${a.port}\nbeta: 127.0.0.1:${b.port}\n`);
    const log = memoryLogger();
    const p = await startProxy({ listen: 0, tokens: f, logger: log });
    cleanups.push(t.cleanup, () => a.close(), () => b.close(), () => p.close());
    return { a, b, url: p.wsUrl, log };
  }

  it('routes ?token=NAME to its target', async () => {
    const { a, b, url } = await setup();
    const o = await wsOutcome(`${url}?token=beta`, ['binary'], {}, (ws) => {
      ws.send(Buffer.from('ping'));
      ws.once('message', () => ws.close());
    });
    expect(Buffer.concat(o.messages).toString()).toBe('ping');
    expect(b.accepted).toBe(1);
    expect(a.accepted).toBe(0);
  });

  it('refuses an unknown token without any TCP connect and without logging it', async () => {
    const { a, b, url, log } = await setup();
    const o = await wsOutcome(`${url}?token=gamma-secret-value`, ['binary']);
    expect(o.code).toBe(4401);
    expect(o.reason).toBe('unknown token');
    const missing = await wsOutcome(url, ['binary']);
    expect(missing.code).toBe(4401);
    expect(missing.reason).toMatch(/missing token/);
    expect(a.accepted + b.accepted).toBe(0);
    const text = JSON.stringify(log.records);
    expect(text).not.toContain('gamma-secret-value');
    expect(log.records.some((r) => r.event === 'refused' && r['kind'] === 'token' && typeof r['tokenRef'] === 'string')).toBe(true);
  });

  it('never logs a valid token either', async () => {
    const { url, log } = await setup();
    await wsOutcome(`${url}?token=alpha-1`, [], {}, (ws) => ws.close());
    expect(log.records.some((r) => r.event === 'connection')).toBe(true);
    expect(JSON.stringify(log.records)).not.toContain('alpha-1');
  });

  it('refuses a repeated token parameter', async () => {
    const { a, b, url } = await setup();
    const o = await wsOutcome(`${url}?token=alpha-1&token=beta`);
    expect(o.code).toBe(4400);
    expect(a.accepted + b.accepted).toBe(0);
  });
});
