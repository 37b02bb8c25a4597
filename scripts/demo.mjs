#!/usr/bin/env node
// `npm start`: a local demo. Starts an Xspice desktop (an xterm and an xclock) on 127.0.0.1 and
// our WebSocket->TCP proxy serving the built client, then prints the URL to open.
//
//   npm start                               Xspice + proxy on http://localhost:8080/
//   npm start -- --target HOST:PORT         no Xspice: proxy to another SPICE server
//   npm start -- --listen 9090              another HTTP port
//   npm start -- --compression quic         image compression (off|auto_glz|auto_lz|quic|glz|lz)
//   npm start -- --geometry 1280x800        screen size
//   npm start -- --no-build | --build       skip / force `npm run build` (default: when stale)
//   SPICE_PASSWORD=secret npm start         ticketed server (default: ticketing disabled)
// Ctrl-C stops everything this script started.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensurePackages } from './ensure-packages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// SPICE_WEB_PROXY_MODULE: load the proxy from elsewhere (e.g. a stub while developing this script)
const PROXY_MODULE = process.env.SPICE_WEB_PROXY_MODULE ? path.resolve(process.env.SPICE_WEB_PROXY_MODULE) : path.join(root, 'dist/node/proxy/server.js');
const WEB_DIR = path.join(root, 'dist/client');

/** @param {string} msg */
const log = (msg) => console.log(`[demo] ${msg}`);
/** @param {string} msg @returns {never} */
function die(msg) {
  console.error(`[demo] ERROR: ${msg}`);
  process.exit(1);
}

function parseArgs() {
  const a = process.argv.slice(2);
  /** @type {{ target: { host: string, port: number } | null, listen: number, build: 'auto'|'always'|'never', compression: string, geometry: string | undefined }} */
  const o = { target: null, listen: 8080, build: 'auto', compression: 'auto_glz', geometry: undefined };
  for (let i = 0; i < a.length; i++) {
    const next = () => a[++i] ?? die(`${a[i - 1]} needs a value`);
    switch (a[i]) {
      case '--target': {
        const v = next();
        const m = /^(.+):(\d+)$/.exec(v) ?? die(`--target wants HOST:PORT, got ${v}`);
        o.target = { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
        break;
      }
      case '--listen': o.listen = Number(next()); break;
      case '--compression': o.compression = next(); break;
      case '--geometry': o.geometry = next(); break;
      case '--build': o.build = 'always'; break;
      case '--no-build': o.build = 'never'; break;
      case '-h': case '--help':
        console.log(readHelp());
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default: die(`unknown option ${a[i]} (see --help)`);
    }
  }
  return o;
}

function readHelp() {
  const text = spawnSync('sed', ['-n', '2,13p', fileURLToPath(import.meta.url)], { encoding: 'utf8' }).stdout ?? '';
  return text.replace(/^\/\/ ?/gm, '');
}

/** Newest mtime (ms) of the files under p (skipping node_modules), or 0. @param {string} p */
function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(p)) if (e !== 'node_modules' && !e.startsWith('.')) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

function buildIsStale() {
  const outputs = [PROXY_MODULE, path.join(WEB_DIR, 'index.html')];
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const inputs = ['src', 'workers', 'public', 'index.html', 'package.json', 'tsconfig.json', 'tsconfig.base.json']
    .concat(readdirSync(root).filter((f) => /^vite\.config\./.test(f)));
  return Math.max(...inputs.map((p) => newest(path.join(root, p)))) > built;
}

const opts = parseArgs();

try {
  ensurePackages({ log: (m) => log(m) });
} catch (e) {
  die(e instanceof Error ? e.message : String(e));
}

if (opts.build === 'always' || (opts.build === 'auto' && buildIsStale())) {
  log('building (npm run build) ...');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) die('npm run build failed');
} else {
  log(opts.build === 'never' ? 'skipping build (--no-build)' : 'build is up to date');
}

if (!existsSync(PROXY_MODULE)) {
  die(`${path.relative(root, PROXY_MODULE)} is missing: the proxy (src/proxy/server.ts exporting startProxy) ` +
    'has not been built. Build it with `npm run build` once src/proxy/server.ts exists.');
}
/** @type {any} */
let proxyMod;
try {
  proxyMod = await import(pathToFileURL(PROXY_MODULE).href);
} catch (e) {
  die(`cannot load ${PROXY_MODULE}: ${e instanceof Error ? e.message : e}`);
}
if (typeof proxyMod.startProxy !== 'function') die(`${PROXY_MODULE} does not export startProxy()`);
if (!existsSync(WEB_DIR)) log(`warning: ${path.relative(root, WEB_DIR)} is missing; the proxy will have no page to serve`);

/** @type {import('./lib/xspice.mjs').XspiceServer | null} */
let xspice = null;
/** @type {any} */
let proxy = null;
let shuttingDown = false;

async function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  log('stopping ...');
  try {
    if (proxy) {
      if (typeof proxy.close === 'function') await proxy.close();
      else if (typeof proxy.stop === 'function') await proxy.stop();
    }
  } catch (e) {
    log(`proxy close: ${e instanceof Error ? e.message : e}`);
  }
  if (xspice) await xspice.stop();
  process.exit(code);
}
process.on('SIGINT', () => {
  if (shuttingDown) process.exit(130); // second Ctrl-C: leave now (the exit hook still kills our children)
  void shutdown(0);
});
process.on('SIGTERM', () => void shutdown(0));

/** @type {{ host: string, port: number }} */
let target;
if (opts.target) {
  target = opts.target;
  log(`proxying to the SPICE server at ${target.host}:${target.port} (no Xspice started)`);
} else {
  const { startXspice } = await import('./lib/xspice.mjs');
  const { startXterm, startXclock, setRootSolid } = await import('./lib/content.mjs');
  const password = process.env.SPICE_PASSWORD || undefined;
  try {
    xspice = await startXspice({
      password,
      // @ts-ignore validated by startXspice
      imageCompression: opts.compression,
      geometry: opts.geometry,
      // as a deployed Xspice would: JPEG / zlib when the server finds the link slow
      jpegWanCompression: 'auto',
      zlibGlzWanCompression: 'auto',
    });
    await setRootSolid(xspice, '#204060');
    await startXterm(xspice, { x: 40, y: 40, cols: 80, rows: 24, banner: 'spice-web demo: type here\n' });
    await startXclock(xspice, { x: Math.max(0, xspice.width - 240), y: 40 });
  } catch (e) {
    if (xspice) await xspice.stop();
    die(`could not start Xspice: ${e instanceof Error ? e.message : e}`);
  }
  target = { host: xspice.host, port: xspice.port };
  log(`Xspice on display ${xspice.display}, SPICE at ${xspice.host}:${xspice.port} ` +
    `(${password ? 'password from SPICE_PASSWORD' : 'no password'}), ${xspice.width}x${xspice.height}`);
}

try {
  proxy = await proxyMod.startProxy({ listen: { host: '127.0.0.1', port: opts.listen }, target, webDir: WEB_DIR });
} catch (e) {
  log(`could not start the proxy: ${e instanceof Error ? e.message : e}`);
  await shutdown(1);
}
log(`open http://localhost:${opts.listen}/   (Ctrl-C to stop)`);
