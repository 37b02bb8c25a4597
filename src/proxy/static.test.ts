import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHandle } from './server.js';
import { contentTypeFor, resolveStatic } from './static.js';
import { countingServer, tempDir, type CountingServer } from './testing/helpers.js';

let p: ProxyHandle;
let echo: CountingServer;
let web: string;
let cleanup: () => void;

/** Raw GET (so paths reach the server exactly as written, unlike fetch which normalizes them). */
function get(pathAndQuery: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: p.port, path: pathAndQuery, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  web = path.join(t.dir, 'web');
  mkdirSync(path.join(web, 'assets'), { recursive: true });
  mkdirSync(path.join(web, 'sub'), { recursive: true });
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>spice-web</title>');
  writeFileSync(path.join(web, 'sub', 'index.html'), 'sub index');
  for (const [f, c] of [['app.js', 'js'], ['worker.mjs', 'mjs'], ['codec.wasm', 'wasm'], ['style.css', 'css'], ['icon.png', 'png'], ['logo.svg', '<svg/>'], ['a b.txt', 'space']]) {
    writeFileSync(path.join(web, 'assets', f!), c!);
  }
  writeFileSync(path.join(web, '.env'), 'SECRET=1');
  writeFileSync(path.join(t.dir, 'outside.txt'), 'outside secret');
  symlinkSync(path.join(t.dir, 'outside.txt'), path.join(web, 'escape.txt'));
  echo = await countingServer();
  p = await startProxy({ listen: 0, target: { host: '127.0.0.1', port: echo.port }, webDir: web, logger: 'silent' });
});
afterAll(async () => {
  await p.close();
  await echo.close();
  cleanup();
});

describe('static files', () => {
  it('serves index.html for / and for directories', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('spice-web');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/sub/')).body).toBe('sub index');
    expect((await get('/?token=x')).status).toBe(200);
  });

  it.each([
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/worker.mjs', 'text/javascript; charset=utf-8'],
    ['/assets/codec.wasm', 'application/wasm'],
    ['/assets/style.css', 'text/css; charset=utf-8'],
    ['/assets/icon.png', 'image/png'],
    ['/assets/logo.svg', 'image/svg+xml'],
    ['/assets/a%20b.txt', 'text/plain; charset=utf-8'],
  ])('%s has content type %s', async (url, type) => {
    const r = await get(url);
    expect(r.status).toBe(200);
    expect(r.type).toBe(type);
  });

  it('answers HEAD without a body, 304 for a matching ETag, 405 for POST, 404 for missing files', async () => {
    const h = await get('/assets/app.js', 'HEAD');
    expect(h.status).toBe(200);
    expect(h.body).toBe('');
    expect(h.headers['content-length']).toBe('2');
    const again = await get('/assets/app.js', 'GET', { 'If-None-Match': String(h.headers.etag) });
    expect(again.status).toBe(304);
    expect((await get('/assets/app.js', 'POST')).status).toBe(405);
    expect((await get('/nope.js')).status).toBe(404);
  });

  it.each([
    '/../outside.txt',
    '/assets/../../outside.txt',
    '/%2e%2e/outside.txt',
    '/assets/%2E%2E/%2e%2e/outside.txt',
    '/..%2foutside.txt',
    '/%2e%2e%2foutside.txt',
    '/..%5coutside.txt',
    '/assets/..\\..\\outside.txt',
    '/%00index.html',
    '/index.html%00.png',
    '/escape.txt',
    '/.env',
    '/%',
    '//etc/passwd',
  ])('refuses %s', async (url) => {
    const r = await get(url);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain('outside secret');
    expect(r.body).not.toContain('SECRET');
    expect(r.body).not.toContain('root:');
  });

  it('resolveStatic never returns a file outside the root', async () => {
    for (const u of ['/../x', '/a/../../x', '/%2e%2e/x', '/escape.txt']) {
      const r = await resolveStatic(web, u);
      expect(r.ok).toBe(false);
    }
    const ok = await resolveStatic(web, '/assets/app.js');
    expect(ok.ok && ok.file.startsWith(web)).toBe(true);
  });

  it('says how to build the client when the web directory is missing', async () => {
    const r = await resolveStatic(path.join(web, 'does-not-exist'), '/');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/npm run build/);
  });

  it('maps unknown extensions to octet-stream', () => {
    expect(contentTypeFor('x.bin')).toBe('application/octet-stream');
    expect(contentTypeFor('X.JS')).toBe('text/javascript; charset=utf-8');
  });

  it('answers plain GET /ws with 426 and serves /healthz and /metrics', async () => {
    expect((await get('/ws')).status).toBe(426);
    expect((await get('/healthz')).body).toBe('ok\n');
    const m = await get('/metrics');
    expect(m.type).toMatch(/^text\/plain; version=0.0.4/);
    expect(m.body).toMatch(/^spice_web_proxy_connections_current 0$/m);
  });
});
