#!/usr/bin/env node
// The example portal (public/portal/index.html) on an origin of its own, as a real portal would
// be: its page at /, and a copy of the library build (dist/client/lib) at /lib/ so that it loads
// spice-web from its own origin (module workers cannot come from another origin).
//
//   npm run build
//   npx spice-web serve --target 127.0.0.1:5900 --frame-ancestor http://127.0.0.1:8081 --allow-origin http://127.0.0.1:8081
//   node scripts/portal.mjs                 # http://127.0.0.1:8081/ (--listen HOST:PORT to change)
//
// Files are served by the proxy's own static file code (read-only, no traversal).
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{ host?: string, port?: number }} [o]
 * @returns {Promise<{ url: string, origin: string, port: number, close(): Promise<void> }>}
 */
export async function startPortal(o = {}) {
  const { serveStatic } = await import(pathToFileURL(path.join(root, 'dist/node/proxy/static.js')).href);
  const pageDir = path.join(root, 'public/portal');
  const libDir = path.join(root, 'dist/client/lib');
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/lib' || url.startsWith('/lib/')) {
      req.url = url.slice(4) || '/';
      void serveStatic(libDir, req, res);
    } else void serveStatic(pageDir, req, res);
  });
  await new Promise((resolve) => server.listen(o.port ?? 8081, o.host ?? '127.0.0.1', () => resolve(undefined)));
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  const origin = `http://${addr.address}:${addr.port}`;
  return {
    url: `${origin}/`,
    origin,
    port: addr.port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve(undefined));
    }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const i = process.argv.indexOf('--listen');
  const [host, port] = i > 0 ? (process.argv[i + 1] ?? '').split(':') : ['127.0.0.1', '8081'];
  const p = await startPortal({ host: host || '127.0.0.1', port: Number(port) });
  process.stderr.write(`example portal on ${p.url} (library from dist/client/lib at ${p.url}lib/spice-web.js); Ctrl-C stops\n`);
}
