/** A Transport over a plain TCP socket, for Node tools (fixture recording, benchmarks). */
import net from 'node:net';
import type { Transport, TransportCloseInfo } from '../../src/channels/transport';

export class TcpTransport implements Transport {
  onopen: (() => void) | null = null;
  onmessage: ((bytes: Uint8Array) => void) | null = null;
  onclose: ((info: TransportCloseInfo) => void) | null = null;
  private readonly sock: net.Socket;
  private closed = false;

  constructor(host: string, port: number) {
    this.sock = net.connect({ host, port });
    this.sock.setNoDelay(true);
    this.sock.on('connect', () => this.onopen?.());
    this.sock.on('data', (b: Buffer) => this.onmessage?.(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    this.sock.on('error', (e) => this.finish(false, e.message));
    this.sock.on('close', () => this.finish(true, 'socket closed'));
  }
  private finish(clean: boolean, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({ clean, reason });
  }
  send(bytes: Uint8Array): void {
    this.sock.write(bytes);
  }
  close(): void {
    this.sock.destroy();
  }
}

/** WebCrypto RSA-OAEP/SHA-1, as the browser does it (Node 20 has globalThis.crypto.subtle). */
export async function webCryptoEncrypt(spki: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, data as Uint8Array<ArrayBuffer>));
}
