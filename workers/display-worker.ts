/**
 * Display worker entry: a typed message switch around DisplayChannel (src/display), which also
 * runs in-thread in Node tests. The worker owns its channel's WebSocket, so display traffic and
 * decoding never touch the UI thread.
 */
/// <reference lib="webworker" />
import { WebSocketTransport } from '../src/channels/transport';
import { webCryptoEncrypt } from '../src/channels/webcrypto';
import { DisplayChannel } from '../src/display/display-channel';
import type { FromDisplayWorker, ToDisplayWorker } from '../src/display/worker-messages';
import { MsgDisplay, imageTypeName } from '../src/protocol/enums';
import { CanvasSink, surfacePng } from './canvas-sink';
import { decodeJpegInWorker } from './jpeg';

declare const self: DedicatedWorkerGlobalScope;

let channel: DisplayChannel | null = null;
let sink: CanvasSink | null = null;

const msgNames = new Map<number, string>(Object.entries(MsgDisplay).map(([k, v]) => [v as number, k]));
const msgName = (t: number): string => msgNames.get(t) ?? String(t);

function post(m: FromDisplayWorker): void {
  self.postMessage(m);
}

self.onmessage = (e: MessageEvent<ToDisplayWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'connect': {
      sink = new CanvasSink(
        m.canvas,
        (width, height) => post({ type: 'primary', width, height }),
        () => post({ type: 'first-frame', at: performance.timeOrigin + performance.now() }),
      );
      channel = new DisplayChannel({
        transport: new WebSocketTransport(m.url, m.protocols),
        channelId: m.channelId,
        connectionId: m.connectionId,
        password: m.password,
        encrypt: webCryptoEncrypt,
        sink,
        jpeg: decodeJpegInWorker,
        preferredCompression: m.preferredCompression,
      });
      channel.events.on('ready', () => post({ type: 'ready' }));
      channel.events.on('closed', (c) => post({ type: 'closed', clean: c.clean, reason: c.reason, error: c.error }));
      channel.start();
      return;
    }
    case 'screenshot': {
      const s = sink?.primary;
      if (!s) {
        post({ type: 'screenshot', id: m.id, blob: null, error: 'no primary surface yet' });
        return;
      }
      sink!.present();
      surfacePng(s).then(
        (blob) => post({ type: 'screenshot', id: m.id, blob }),
        (err: unknown) => post({ type: 'screenshot', id: m.id, blob: null, error: String(err) }),
      );
      return;
    }
    case 'stats': {
      const messages: Record<string, number> = {};
      const imageTypes: Record<string, number> = {};
      if (channel) {
        for (const [t, n] of channel.core.counts) messages[msgName(t)] = n;
        for (const [t, n] of channel.core.imageTypeCounts) imageTypes[imageTypeName(t)] = n;
      }
      post({ type: 'stats', id: m.id, stats: { messages, imageTypes } });
      return;
    }
    case 'close':
      channel?.close();
      return;
  }
};
