/**
 * Connection settings from the page URL. spice-html5's names keep working (host, port, path,
 * password, encrypt) so existing portal links do not break; `token` selects a proxy target
 * (the proxy maps it to host:port — the browser never chooses one).
 */
export interface ConnectSettings {
  /** WebSocket URL for every channel connection */
  url: string;
  password: string;
  /** image compression name to prefer (off, auto_glz, auto_lz, quic, glz, lz, lz4), if set */
  compression: string | null;
  /** connect as soon as the page loads */
  autoconnect: boolean;
  /** the guest's screen follows the page (noVNC's `resize=remote`; `resize=1` works too) */
  resizeSession: boolean;
  /** `mic=off`: no microphone; `mic-codec=raw`: never Opus; `mic-processing=0`: no echo cancellation etc. */
  microphone?: 'ask' | 'off';
  microphoneOpus?: boolean;
  microphoneProcessing?: boolean;
}

/** a page parameter that cannot be used (the page shows it in the connect dialog) */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly param: string,
    readonly value: string,
  ) {
    super(`invalid ${param} parameter: ${JSON.stringify(value)}`);
  }
}

/** a host name, an IPv4 address or an IPv6 address (bracketed or not) */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[\w.-]+)?\]?)$/;

/** throws SettingsError for a host, port or path parameter that cannot make a URL */
export function settingsFromUrl(loc: { href: string }): ConnectSettings {
  const u = new URL(loc.href);
  const q = u.searchParams;
  const secure = u.protocol === 'https:' || q.get('encrypt') === '1' || q.get('encrypt') === 'true';
  const host = q.get('host') || u.hostname;
  const port = q.get('port') || u.port;
  if (!HOST.test(host)) throw new SettingsError('host', host);
  if (port && (!/^\d{1,5}$/.test(port) || +port < 1 || +port > 65535)) throw new SettingsError('port', port);
  // default path: our proxy's /ws next to the page; spice-html5 links pass path=websockify etc.
  let path = q.get('path') ?? defaultWsPath(u.pathname);
  if (!path.startsWith('/')) path = `/${path}`;
  if (/[\s#?\\]/.test(path)) throw new SettingsError('path', path);
  const ws = new URL(`${secure ? 'wss' : 'ws'}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}${port ? `:${port}` : ''}${path}`);
  const token = q.get('token');
  if (token) ws.searchParams.set('token', token);
  return {
    url: ws.toString(),
    password: q.get('password') ?? '',
    compression: q.get('compression'),
    autoconnect: q.get('autoconnect') !== '0',
    resizeSession: q.get('resize') === 'remote' || q.get('resize') === '1',
    microphone: q.get('mic') === 'off' ? 'off' : 'ask',
    microphoneOpus: q.get('mic-codec') !== 'raw',
    microphoneProcessing: q.get('mic-processing') !== '0',
  };
}

/** "/" → "/ws"; "/app/index.html" → "/app/ws" (the proxy serves the client and /ws together) */
function defaultWsPath(pagePath: string): string {
  const dir = pagePath.endsWith('/') ? pagePath : pagePath.slice(0, pagePath.lastIndexOf('/') + 1);
  return `${dir}ws`;
}
