/**
 * The iframe / window.open contract between a portal and the client page.
 *
 * In: a connection ticket and password, accepted only
 *   - from a window that is our parent (iframe) or our opener (oVirt's window.open), and
 *   - from an origin on the allowlist, which the proxy serves (/embed-config.json, from its
 *     --frame-ancestor list, the same list its CSP frame-ancestors header carries). A URL
 *     parameter never extends it: whoever writes the URL could allow themselves.
 * Shapes: oVirt's `{connectionTicket, password}`; ours `{type: 'spice-web:connect', token?,
 * password?, vv?, title?}`, `{type: 'spice-web:disconnect'}`, `{type: 'spice-web:ctrl-alt-del'}`.
 *
 * Out: `{type: 'spice-web:<event>', ...}` to the portal with an explicit target origin (never
 * '*'): `ready` (listening), `status`, `connected`, `disconnected`, `error`, `title`,
 * `rejected` (a message we could not use, with why; only to an allowed origin).
 */

export const NS = 'spice-web:';

export type InboundMessage =
  | { kind: 'connect'; token: string | null; password: string | null; vv: string | null; title: string | null }
  | { kind: 'disconnect' }
  | { kind: 'ctrl-alt-del' };

export type OutboundMessage =
  | { type: 'spice-web:ready'; version: 1 }
  | { type: 'spice-web:status'; state: string; message: string; error?: { type: string; details: string } }
  | { type: 'spice-web:connected'; sessionId: number }
  | { type: 'spice-web:disconnected'; clean: boolean; reason: string; error?: { type: string; details: string } }
  | { type: 'spice-web:error'; errorType: string; details: string; fatal: boolean; message: string }
  | { type: 'spice-web:title'; title: string }
  | { type: 'spice-web:rejected'; reason: string };

/** longest ticket / password / file text we take (a JWT with a CA inside is a few KB) */
const MAX = { token: 16 * 1024, password: 1024, vv: 256 * 1024, title: 200 };

/** "HTTPS://A.example:443" → "https://a.example"; null when it is not an http(s) origin */
export function canonicalOrigin(o: string): string | null {
  try {
    const u = new URL(o);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

/** exact origin match (scheme, host, port); 'null' (sandboxed frames, file:) never matches */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  const o = canonicalOrigin(origin);
  return o !== null && allowed.some((a) => canonicalOrigin(a) === o);
}

function str(v: unknown, max: number, what: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new TypeError(`${what} must be a string`);
  if (v.length > max) throw new TypeError(`${what} is too long`);
  return v;
}

/**
 * The message's meaning, or null when it is not for us (other libraries share the channel:
 * unknown shapes are ignored silently). Throws TypeError for a message of ours that is malformed.
 */
export function parseInbound(data: unknown): InboundMessage | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  if (typeof d['type'] === 'string') {
    const t = d['type'];
    if (!t.startsWith(NS)) return null;
    switch (t.slice(NS.length)) {
      case 'connect': {
        const token = str(d['token'] ?? d['connectionTicket'], MAX.token, 'token');
        const vv = str(d['vv'], MAX.vv, 'vv');
        if (token === null && vv === null) throw new TypeError('connect needs a token or a vv file');
        return { kind: 'connect', token, password: str(d['password'], MAX.password, 'password'), vv, title: str(d['title'], MAX.title, 'title') };
      }
      case 'disconnect':
        return { kind: 'disconnect' };
      case 'ctrl-alt-del':
        return { kind: 'ctrl-alt-del' };
      default:
        throw new TypeError(`unknown message type "${t}"`);
    }
  }
  // oVirt's shape (novnc-main.jsp / spicehtml5-main.jsp): {connectionTicket, password}
  if ('connectionTicket' in d) {
    const token = str(d['connectionTicket'], MAX.token, 'connectionTicket');
    if (!token) throw new TypeError('connectionTicket is empty');
    return { kind: 'connect', token, password: str(d['password'], MAX.password, 'password'), vv: null, title: null };
  }
  return null;
}

/** the window that may talk to us: the parent of an iframe, else the opener of a window */
export function portalWindow(win: Window): Window | null {
  if (win.parent && win.parent !== win) return win.parent;
  return (win.opener as Window | null) ?? null;
}

/**
 * Where status events go before any message came: the parent's origin when the browser tells it
 * (location.ancestorOrigins) and it is allowed; else every allowed origin (postMessage drops the
 * ones that do not match the portal's, so nothing reaches anyone else).
 */
export function initialTargets(ancestor: string | undefined, allowed: readonly string[]): string[] {
  if (ancestor !== undefined) return originAllowed(ancestor, allowed) ? [canonicalOrigin(ancestor)!] : [];
  return [...new Set(allowed.map(canonicalOrigin).filter((o): o is string => o !== null))];
}

export interface BridgeHost {
  /** connect with this ticket (proxy token), password, and/or connection file text */
  connect(m: Extract<InboundMessage, { kind: 'connect' }>): void | Promise<void>;
  disconnect(): void;
  sendCtrlAltDel(): void;
}

/**
 * Listens for the portal's messages and posts events back. `dispose()` removes the listener.
 */
export class EmbedBridge {
  #targets: string[];
  #locked = false;
  readonly #onMessage = (e: MessageEvent) => this.#receive(e);

  constructor(
    private readonly win: Window,
    private readonly portal: Window,
    private readonly allowed: readonly string[],
    private readonly host: BridgeHost,
  ) {
    this.#targets = initialTargets(win.location.ancestorOrigins?.[0], allowed);
    win.addEventListener('message', this.#onMessage);
    this.post({ type: 'spice-web:ready', version: 1 });
  }

  /** the origins events go to now */
  get targets(): readonly string[] {
    return this.#targets;
  }

  post(m: OutboundMessage): void {
    for (const t of this.#targets) {
      try {
        this.portal.postMessage(m, t);
      } catch {
        /* the portal went away */
      }
    }
  }

  dispose(): void {
    this.win.removeEventListener('message', this.#onMessage);
  }

  #receive(e: MessageEvent): void {
    if (e.source !== this.portal || !originAllowed(e.origin, this.allowed)) return; // not the portal: ignored, unanswered
    let m: InboundMessage | null;
    try {
      m = parseInbound(e.data);
    } catch (err) {
      this.#lock(e.origin);
      this.post({ type: 'spice-web:rejected', reason: (err as Error).message });
      return;
    }
    if (!m) return;
    this.#lock(e.origin);
    if (m.kind === 'connect') void Promise.resolve(this.host.connect(m)).catch((err: unknown) => this.post({ type: 'spice-web:rejected', reason: err instanceof Error ? err.message : String(err) }));
    else if (m.kind === 'disconnect') this.host.disconnect();
    else this.host.sendCtrlAltDel();
  }

  /** once the portal spoke, events go to its origin only */
  #lock(origin: string): void {
    if (this.#locked) return;
    this.#locked = true;
    this.#targets = [canonicalOrigin(origin)!];
  }
}
