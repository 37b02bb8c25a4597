import { describe, expect, it } from 'vitest';
import type { FromDisplayWorker, ToDisplayWorker } from '../display/worker-messages';
import { DisplayClient } from './display-client';
import type { WorkerLike } from './types';

/** a worker that only records: the test plays its side */
class ScriptedWorker implements WorkerLike {
  onmessage: ((e: { data: FromDisplayWorker }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  readonly got: ToDisplayWorker[] = [];
  terminated = false;
  postMessage(m: ToDisplayWorker): void {
    this.got.push(m);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(m: FromDisplayWorker): void {
    this.onmessage?.({ data: m });
  }
}

describe('DisplayClient', () => {
  it('drops events of a connection it has replaced (generation ids) and keeps the current one', () => {
    const w = new ScriptedWorker();
    const c = new DisplayClient(3, w);
    const seen: string[] = [];
    c.ev.on('heads', (h) => seen.push(`heads ${h.map((x) => `${x.width}x${x.height}`).join()}`));
    c.ev.on('closed', (x) => seen.push(`closed ${x.reason}`));
    c.connect({ url: 'ws://p', connectionId: 1, password: '' });
    expect(w.got[0]).toMatchObject({ type: 'connect', gen: 1, channelId: 3 });
    w.say({ type: 'heads', gen: 1, heads: [{ head: 0, x: 0, y: 0, width: 640, height: 480 }] });
    c.relink({ connectionId: 2 });
    expect(w.got[1]).toEqual({ type: 'relink', gen: 2, connectionId: 2 });
    // the old connection's close and a late layout arrive after the relink: stale
    w.say({ type: 'closed', gen: 1, clean: false, reason: 'old socket' });
    w.say({ type: 'heads', gen: 1, heads: [{ head: 0, x: 0, y: 0, width: 1, height: 1 }] });
    w.say({ type: 'heads', gen: 2, heads: [{ head: 0, x: 0, y: 0, width: 800, height: 600 }] });
    expect(seen).toEqual(['heads 640x480', 'heads 800x600']);
    expect(c.staleDropped).toBe(2);
    expect(c.heads[0]).toMatchObject({ width: 800, height: 600 });
  });

  it('matches replies by request id, across generations', async () => {
    const w = new ScriptedWorker();
    const c = new DisplayClient(0, w);
    c.connect({ url: 'ws://p', connectionId: 1, password: '' });
    const a = c.stats();
    const b = c.screenshot(1);
    expect(w.got.slice(1)).toEqual([{ type: 'stats', id: 1 }, { type: 'screenshot', id: 2, head: 1 }]);
    c.relink({ connectionId: 2 });
    w.say({ type: 'screenshot', id: 2, blob: null, error: 'no head 1' });
    const stats = { messages: {}, imageTypes: {}, streamTiming: { frames: 0, late: 0, meanMarginMs: null }, generation: 1, streams: { created: {}, presented: 0, dropped: 0, active: 0, reports: 0 }, video: { at: 0, codec: null, received: 0, bytes: 0, presented: 0, dropped: 0, decodeMs: 0, decoded: 0, held: 0, late: 0, resyncs: 0, pending: 0, offset: null, audioDelayMs: null } };
    w.say({ type: 'stats', id: 1, stats });
    await expect(a).resolves.toEqual(stats);
    await expect(b).rejects.toThrow('no head 1');
  });

  it('a worker error is a WORKER_ERROR close with the channel, pending requests rejected, worker terminated', async () => {
    const w = new ScriptedWorker();
    const c = new DisplayClient(1, w);
    c.connect({ url: 'ws://p', connectionId: 1, password: '' });
    const p = c.stats();
    const closed: unknown[] = [];
    c.ev.on('closed', (x) => closed.push(x));
    w.onerror!({ message: 'Uncaught RangeError' });
    await expect(p).rejects.toThrow(/display:1/);
    expect(closed).toEqual([
      expect.objectContaining({ clean: false, error: expect.objectContaining({ type: 'workerError', details: 'workerCrashed', channel: { channelType: 2, channelId: 1 } }) }),
    ]);
    expect(w.terminated).toBe(true);
    await expect(c.stats()).rejects.toThrow(/closed/);
  });

  it('close() lets the worker close its socket, then terminates it when it says closed', () => {
    const w = new ScriptedWorker();
    const c = new DisplayClient(0, w);
    c.connect({ url: 'ws://p', connectionId: 1, password: '' });
    const closed: Array<{ local?: boolean }> = [];
    c.ev.on('closed', (x) => closed.push(x));
    c.close();
    expect(w.got.at(-1)).toEqual({ type: 'close' });
    expect(w.terminated).toBe(false);
    w.say({ type: 'closed', gen: 1, clean: true, reason: 'closed by the client' });
    expect(w.terminated).toBe(true);
    expect(closed).toEqual([expect.objectContaining({ local: true })]);
    expect(c.isTerminated).toBe(true);
  });
});
