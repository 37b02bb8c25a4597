import { countLive } from '../common/live-counts';

/**
 * The seam between channel logic and bytes (architecture.md "Seams"): a WebSocket in the
 * browser, a recorded session in replay tests, an in-memory pipe to a scripted peer.
 */
export interface TransportCloseInfo {
  /** true when we or the peer closed in an orderly way */
  clean: boolean;
  reason: string;
  /** the WebSocket close code, when there was one (the proxy's 44xx/45xx codes say why it refused) */
  code?: number;
}

export interface Transport {
  send(bytes: Uint8Array): void;
  close(): void;
  onopen: (() => void) | null;
  onmessage: ((bytes: Uint8Array) => void) | null;
  onclose: ((info: TransportCloseInfo) => void) | null;
}

/** Opens one transport per channel connection (SPICE uses one TCP connection per channel). */
export type TransportFactory = (channelType: number, channelId: number) => Transport;

/**
 * WebSocket transport: binary frames both ways. Sends issued before the socket opens are
 * queued. Works on the main thread and in workers.
 */
export class WebSocketTransport implements Transport {
  onopen: (() => void) | null = null;
  onmessage: ((bytes: Uint8Array) => void) | null = null;
  onclose: ((info: TransportCloseInfo) => void) | null = null;
  private readonly ws: WebSocket;
  private pending: Uint8Array[] = [];
  private closedByUs = false;

  constructor(url: string, protocols?: string | string[]) {
    this.ws = new WebSocket(url, protocols);
    countLive('sockets', 1);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onopen = () => {
      for (const b of this.pending) this.ws.send(b);
      this.pending = [];
      this.onopen?.();
    };
    this.ws.onmessage = (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) this.onmessage?.(new Uint8Array(e.data));
    };
    this.ws.onclose = (e: CloseEvent) => {
      countLive('sockets', -1);
      const reason = e.reason || (e.code === 1006 ? 'connection lost (proxy or server unreachable)' : `closed (${e.code})`);
      this.onclose?.({ clean: this.closedByUs || e.code === 1000, reason, code: e.code });
    };
    this.ws.onerror = () => {
      /* onclose follows with the details */
    };
  }

  send(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes);
    else if (this.ws.readyState === WebSocket.CONNECTING) this.pending.push(bytes);
  }

  close(): void {
    this.closedByUs = true;
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}
