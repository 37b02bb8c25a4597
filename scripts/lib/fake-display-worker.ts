/**
 * A display "worker" for Node tests: the real DisplayWorkerCore run in-thread, with messages
 * delivered asynchronously both ways as a Worker would, a pixel-buffer sink instead of
 * OffscreenCanvas, and raw RGBA bytes in a Blob instead of a PNG. Transports come from the test
 * (pipes to a scripted server). crash() fires onerror as a dying worker script would.
 */
import { DisplayWorkerCore, type HeadSink } from '../../src/display/worker-core';
import type { HeadRect } from '../../src/display/heads';
import { BufferSink } from '../../src/display/sink';
import type { Surface } from '../../src/display/surface';
import type { FromDisplayWorker, ToDisplayWorker } from '../../src/display/worker-messages';
import type { Transport } from '../../src/channels/transport';
import type { Clock } from '../../src/common/clock';
import type { WorkerLike } from '../../src/session/types';
import { jpegJs } from './display-replay';

export class BufferHeadSink extends BufferSink implements HeadSink {
  heads: readonly HeadRect[] = [];
  readonly attached: number[] = [];
  setHeads(heads: readonly HeadRect[]): void {
    this.heads = heads;
  }
  attach(head: number): void {
    this.attached.push(head);
  }
  flush(): void {}
}

/** the pixels of `r` of a surface as RGBA bytes with opaque alpha (what the PNG would hold) */
export function rectRgba(s: Surface, r: HeadRect): Uint8Array {
  const out = new Uint32Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) out[y * r.width + x] = (s.pixels[(r.y + y) * s.width + r.x + x]! | 0xff000000) >>> 0;
  }
  return new Uint8Array(out.buffer);
}

export class FakeDisplayWorker implements WorkerLike {
  onmessage: ((e: { data: FromDisplayWorker }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  terminated = false;
  readonly received: ToDisplayWorker[] = [];
  readonly core: DisplayWorkerCore;
  sink: BufferHeadSink | null = null;

  constructor(
    readonly channelId: number,
    transport: (url: string) => Transport,
    clock?: Clock,
  ) {
    this.core = new DisplayWorkerCore({
      post: (m) => setTimeout(() => !this.terminated && this.onmessage?.({ data: m }), 0),
      transport: (url) => transport(url),
      encrypt: async () => new Uint8Array(128),
      sink: () => (this.sink = new BufferHeadSink()),
      jpeg: jpegJs,
      png: async (s, r) => new Blob([rectRgba(s, r) as Uint8Array<ArrayBuffer>]),
      clock,
    });
  }

  postMessage(m: ToDisplayWorker): void {
    if (this.terminated) return;
    this.received.push(m);
    setTimeout(() => !this.terminated && this.core.handle(m), 0);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** the worker script died (uncaught error, out of memory) */
  crash(message: string): void {
    this.onerror?.({ message });
  }
}
