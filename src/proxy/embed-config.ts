// Embedding policy, set by the operator and nowhere else: which portal origins may frame the
// client page and post it a connection ticket. One list does both jobs, so a page that the CSP
// lets a portal frame is exactly a page that accepts that portal's messages:
//
// - every static response carries `Content-Security-Policy: frame-ancestors 'self' <origins>`
//   (without a list: 'self' only), so the browser refuses to render the page in a frame of any
//   other site (clickjacking, and a hostile parent posting tickets);
// - `GET /embed-config.json` tells the client page the same list (`parentOrigins`), and the
//   page's postMessage bridge (src/embed/post-message.ts) accepts messages only from them.
//
// The list never comes from the browser (a URL parameter would let the attacker allow itself).

/** Thrown for an origin that cannot go into the list (a path, a wildcard, not http(s)). */
export class EmbedConfigError extends Error {}

/** "HTTPS://Portal.example:443/" -> "https://portal.example"; throws EmbedConfigError. */
export function normalizeParentOrigin(s: string): string {
  const text = s.trim();
  if (text === '*' || text.includes('*')) throw new EmbedConfigError(`"${s}": wildcards are not allowed in a frame-ancestor list; name each portal origin`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new EmbedConfigError(`"${s}" is not an origin (https://host[:port])`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new EmbedConfigError(`"${s}": only http and https origins can frame the page`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
    throw new EmbedConfigError(`"${s}" is not an origin: give scheme, host and port only`);
  }
  return u.origin;
}

export interface EmbedConfig {
  /** portal origins that may frame the page and post it tickets (normalised, no duplicates) */
  parentOrigins: string[];
  /**
   * A connection file (.vv) may name its server: the client sends it as `?target=HOST:PORT` and
   * the proxy checks it against its own list (server.ts). The page offers .vv files only then.
   */
  addressRequests: boolean;
}

export function makeEmbedConfig(origins: readonly string[] | undefined, addressRequests: boolean): EmbedConfig {
  return { parentOrigins: [...new Set((origins ?? []).map(normalizeParentOrigin))], addressRequests };
}

/** The CSP header value for every page the proxy serves. */
export function frameAncestorsPolicy(c: EmbedConfig): string {
  return ["frame-ancestors 'self'", ...c.parentOrigins].join(' ');
}

/** The path of the page's configuration, next to the client's index.html. */
export const EMBED_CONFIG_PATH = '/embed-config.json';

export function embedConfigBody(c: EmbedConfig): string {
  return `${JSON.stringify({ version: 1, parentOrigins: c.parentOrigins, addressRequests: c.addressRequests })}\n`;
}
