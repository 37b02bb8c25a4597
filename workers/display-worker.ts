/**
 * Display worker entry: the browser's pieces (WebSocket, OffscreenCanvas sink, ImageDecoder,
 * PNG encoder) around DisplayWorkerCore (src/display/worker-core.ts), which also runs in-thread
 * in Node tests. The worker owns its channel's WebSocket, so display traffic and decoding never
 * touch the UI thread.
 */
/// <reference lib="webworker" />
import { WebSocketTransport } from '../src/channels/transport';
import { webCryptoEncrypt } from '../src/channels/webcrypto';
import { DisplayWorkerCore } from '../src/display/worker-core';
import { probeVideoDecoders } from '../src/display/video/webcodecs';
import { realTimers } from '../src/display/video/scheduler';
import type { FromDisplayWorker, ToDisplayWorker } from '../src/display/worker-messages';
import { CanvasSink, surfacePng } from './canvas-sink';
import { decodeJpegInWorker, decodeMjpegPicture } from './jpeg';

declare const self: DedicatedWorkerGlobalScope;

const core = new DisplayWorkerCore({
  post: (m: FromDisplayWorker) => self.postMessage(m),
  transport: (url, protocols) => new WebSocketTransport(url, protocols),
  encrypt: webCryptoEncrypt,
  sink: (ev) => new CanvasSink(ev.firstFrame),
  jpeg: decodeJpegInWorker,
  mjpeg: decodeMjpegPicture,
  png: surfacePng,
  video: probeVideoDecoders,
  frameTimers: realTimers,
});

self.onmessage = (e: MessageEvent<ToDisplayWorker>) => core.handle(e.data);
