// The token file: which target each `?token=NAME` stands for.
//
//   # comment
//   NAME: HOST:PORT [tls] [ca=PATH] [host-subject="C=XX,O=org,CN=name"] [migrate=HOST:PORT,...] [vv]
//
// NAME is any run of characters other than whitespace, ':' and '#'. HOST may be an IPv6 literal in
// brackets. `ca` or `host-subject` imply `tls`; a relative `ca` path is relative to the token
// file. `migrate` lists the destinations a client may follow during SPICE seamless migration
// (they inherit the entry's TLS settings). `vv` lets a connection file name this server by its
// address without the token (address-request.ts). The file is re-read when it changes.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EndpointSyntaxError, parseHostPort, type Endpoint, type Route, type TlsSpec } from '../endpoint.js';

export class TokenFileError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
  }
}

const NAME = /^[^\s:#]+$/;

/** Splits the part after "NAME:" into words; quotes group, backslash escapes inside quotes, '#' starts a comment. */
function words(s: string, lineNo: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length || s[i] === '#') break;
    let w = '';
    while (i < s.length && !/\s/.test(s[i]!)) {
      const c = s[i]!;
      if (c === '"') {
        i++;
        let closed = false;
        while (i < s.length) {
          const q = s[i]!;
          if (q === '\\' && i + 1 < s.length) {
            // keep escapes other than \" and \\ as written (host-subject uses "\," itself)
            const n = s[i + 1]!;
            w += n === '"' || n === '\\' ? n : `\\${n}`;
            i += 2;
          } else if (q === '"') {
            i++;
            closed = true;
            break;
          } else {
            w += q;
            i++;
          }
        }
        if (!closed) throw new TokenFileError('unterminated quote', lineNo);
      } else {
        w += c;
        i++;
      }
    }
    out.push(w);
  }
  return out;
}

function endpoint(text: string, lineNo: number): { host: string; port: number } {
  try {
    return parseHostPort(text);
  } catch (e) {
    if (e instanceof EndpointSyntaxError) throw new TokenFileError(e.message, lineNo);
    throw e;
  }
}

/** Parses a token file's text. `baseDir` resolves relative `ca=` paths. Throws TokenFileError. */
export function parseTokenFile(text: string, baseDir: string): Map<string, Route> {
  const routes = new Map<string, Route>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new TokenFileError('expected "NAME: HOST:PORT"', lineNo);
    const name = line.slice(0, colon).trim();
    if (!NAME.test(name)) throw new TokenFileError('expected "NAME: HOST:PORT" (a token name may not contain spaces, ":" or "#")', lineNo);
    if (routes.has(name)) throw new TokenFileError('duplicate token name', lineNo);
    const w = words(line.slice(colon + 1), lineNo);
    if (w.length === 0) throw new TokenFileError('missing HOST:PORT', lineNo);
    const target: Endpoint = endpoint(w[0]!, lineNo);
    let tls: TlsSpec | null = null;
    const migrate: Array<{ host: string; port: number }> = [];
    let byAddress = false;
    for (const opt of w.slice(1)) {
      const eq = opt.indexOf('=');
      const key = eq < 0 ? opt : opt.slice(0, eq);
      const value = eq < 0 ? undefined : opt.slice(eq + 1);
      const need = () => {
        if (value === undefined || value === '') throw new TokenFileError(`${key} needs a value`, lineNo);
        return value;
      };
      switch (key) {
        case 'tls':
          if (value !== undefined) throw new TokenFileError('tls takes no value', lineNo);
          tls ??= {};
          break;
        case 'ca':
          tls = { ...(tls ?? {}), ca: path.resolve(baseDir, need()) };
          break;
        case 'host-subject':
          tls = { ...(tls ?? {}), hostSubject: need() };
          break;
        case 'vv':
          if (value !== undefined) throw new TokenFileError('vv takes no value', lineNo);
          byAddress = true;
          break;
        case 'migrate':
          for (const m of need().split(',')) if (m !== '') migrate.push(endpoint(m, lineNo));
          break;
        default:
          throw new TokenFileError(`unknown option "${key}"`, lineNo);
      }
    }
    if (tls) target.tls = tls;
    routes.set(name, { target, migrate: migrate.map((m) => (tls ? { ...m, tls } : m)), ...(byAddress ? { byAddress } : {}) });
  });
  return routes;
}

export interface TokenFileOptions {
  /** Called when a changed file cannot be parsed (the previous table stays in use). */
  onReloadError?: (err: Error) => void;
  onReload?: (count: number) => void;
}

/** A token file on disk; re-read when its size or modification time changes. */
export class TokenFile {
  private routes: Map<string, Route>;
  private stamp: string;

  /** Reads the file now; throws TokenFileError (or a file system error) if it cannot be used. */
  constructor(readonly file: string, private readonly opts: TokenFileOptions = {}) {
    this.stamp = this.statStamp();
    this.routes = this.read();
  }

  get size(): number {
    return this.routes.size;
  }

  lookup(name: string): Route | undefined {
    this.maybeReload();
    // own-property lookup only: a Map has no prototype keys to worry about
    return this.routes.get(name);
  }

  /** the entries a connection file may name by address (option `vv`) */
  addressable(): Route[] {
    this.maybeReload();
    return [...this.routes.values()].filter((r) => r.byAddress);
  }

  private statStamp(): string {
    const st = statSync(this.file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  }

  private read(): Map<string, Route> {
    const text = readFileSync(this.file, 'utf8');
    try {
      return parseTokenFile(text, path.dirname(path.resolve(this.file)));
    } catch (e) {
      if (e instanceof TokenFileError) throw new TokenFileError(`${this.file}: ${e.message}`);
      throw e;
    }
  }

  private maybeReload(): void {
    let stamp: string;
    try {
      stamp = this.statStamp();
    } catch (e) {
      this.opts.onReloadError?.(e as Error);
      return;
    }
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    try {
      this.routes = this.read();
      this.opts.onReload?.(this.routes.size);
    } catch (e) {
      this.opts.onReloadError?.(e as Error);
    }
  }
}
