// Static files of the built client (--web DIR), served read-only with safe path resolution.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.vv': 'application/x-virt-viewer',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type Resolved = { ok: true; file: string; size: number; mtime: Date } | { ok: false; status: number; message: string };

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Maps a request path (already split from its query) to a file under `root`. Refuses encoded or
 * plain "..", backslashes, NUL bytes, dot files and symbolic links that lead outside `root`.
 */
export async function resolveStatic(root: string, urlPath: string): Promise<Resolved> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400, message: 'bad path encoding' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400, message: 'bad path' };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, message: 'path traversal refused' };
  if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) return { ok: false, status: 404, message: 'not found' };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, status: 404, message: 'the client is not built (no web directory): run `npm run build`' };
  }
  let candidate = path.join(realRoot, ...segments.filter((s) => s !== ''));
  if (!isInside(realRoot, candidate)) return { ok: false, status: 403, message: 'path traversal refused' };
  try {
    let st = await stat(candidate);
    if (st.isDirectory()) {
      candidate = path.join(candidate, 'index.html');
      st = await stat(candidate);
    }
    if (!st.isFile()) return { ok: false, status: 404, message: 'not found' };
    const real = await realpath(candidate);
    if (!isInside(realRoot, real)) return { ok: false, status: 403, message: 'path traversal refused' };
    return { ok: true, file: real, size: st.size, mtime: st.mtime };
  } catch {
    return { ok: false, status: 404, message: 'not found' };
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/** Serves GET/HEAD requests for files under `root`; `extra` headers go on every answer (the CSP). */
export async function serveStatic(root: string | null, req: IncomingMessage, res: ServerResponse, extra: Record<string, string> = {}): Promise<void> {
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendText(res, 405, 'method not allowed\n');
    return;
  }
  if (!root) {
    sendText(res, 404, 'this proxy serves no web client (started without a web directory)\n');
    return;
  }
  const raw = req.url ?? '/';
  const q = raw.search(/[?#]/);
  const r = await resolveStatic(root, q < 0 ? raw : raw.slice(0, q));
  if (!r.ok) {
    sendText(res, r.status, `${r.message}\n`);
    return;
  }
  const etag = `W/"${r.size.toString(16)}-${Math.floor(r.mtime.getTime()).toString(16)}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': contentTypeFor(r.file),
    'Content-Length': r.size,
    'Last-Modified': r.mtime.toUTCString(),
    ETag: etag,
    // revalidate every time: a rebuilt client must not mix with cached old chunks
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache' });
    res.end();
    return;
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(r.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
