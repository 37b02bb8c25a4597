// What the proxy may connect to. Endpoints only ever come from the operator (command line, token
// file) or from a signed token: never from the browser.

/** TLS toward the SPICE server's tls-port. */
export interface TlsSpec {
  /**
   * Trusted CA certificates: PEM text, or the path of a PEM file. When set, ONLY these CAs are
   * trusted (pinning, like the `ca` key of a .vv file). When absent, the system CA store is used.
   */
  ca?: string;
  /**
   * Expected subject of the server certificate, e.g. "C=XX,L=city,O=org,CN=name" (the
   * `host-subject` key of a .vv file). When set it replaces the host name check.
   */
  hostSubject?: string;
  /** SNI and host name to check when no hostSubject is given (default: the endpoint host). */
  serverName?: string;
}

export interface Endpoint {
  host: string;
  port: number;
  /** null/undefined: plain TCP. */
  tls?: TlsSpec | null;
}

/** Where one WebSocket may go: its target and the migration destinations it may switch to. */
export interface Route {
  target: Endpoint;
  /** Destinations a client may ask for with `?migrate=HOST:PORT` (SPICE seamless migration). */
  migrate: Endpoint[];
  /** a connection file may name this server by address, without the token (token file option `vv`) */
  byAddress?: boolean;
}

export class EndpointSyntaxError extends Error {}

/** Parses "host:port", "[v6addr]:port". Throws EndpointSyntaxError. */
export function parseHostPort(s: string): { host: string; port: number } {
  const text = s.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([0-9A-Fa-f:.%a-zA-Z]+)\]:(\d+)$/.exec(text);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
  } else {
    const i = text.lastIndexOf(':');
    if (i <= 0) throw new EndpointSyntaxError(`expected HOST:PORT, got "${text}"`);
    host = text.slice(0, i);
    portText = text.slice(i + 1);
    if (host.includes(':')) throw new EndpointSyntaxError(`IPv6 addresses need brackets: [${host}]:${portText}`);
  }
  if (!/^\d{1,5}$/.test(portText)) throw new EndpointSyntaxError(`bad port in "${text}"`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new EndpointSyntaxError(`port out of range in "${text}"`);
  if (!isValidHost(host)) throw new EndpointSyntaxError(`bad host in "${text}"`);
  return { host, port };
}

/** Host names and IP literals; rejects anything with spaces, slashes, '@' and the like. */
export function isValidHost(host: string): boolean {
  return host.length > 0 && host.length <= 253 && /^[A-Za-z0-9._:%-]+$/.test(host);
}

export function isValidPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

export function formatEndpoint(ep: { host: string; port: number }): string {
  return ep.host.includes(':') ? `[${ep.host}]:${ep.port}` : `${ep.host}:${ep.port}`;
}

/** Same host (case-insensitive) and port. */
export function sameHostPort(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}
