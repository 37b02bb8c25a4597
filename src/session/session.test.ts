/**
 * Session in Node: a scripted main channel on a pipe, display channels in in-thread workers
 * (scripts/lib/fake-display-worker.ts) fed a real recorded Xspice display stream, inputs and
 * cursor channels on pipes. What a user sees (status, events, pixels) is checked, not internals.
 */
import { describe, expect, it } from 'vitest';
import { le, miniMessage } from '../../scripts/lib/scripted-server';
import { rectRgba } from '../../scripts/lib/fake-display-worker';
import { channelsList, connected, messageEnds, serverLink, setup, tick, until } from '../../scripts/lib/scripted-session';
import { loadStream, loadTruth } from '../../scripts/lib/fixture-images';
import { comparePixels } from '../../scripts/lib/display-replay';
import { ChannelType, LinkErr, MsgMain } from '../protocol/enums';
import { WORKER_CLOSE_GRACE_MS } from './index';

describe('Session', () => {
  it('connects: main INIT, then a channel per listed channel, each linked with the session id', async () => {
    const s = setup();
    await connected(s);
    expect(s.log).toEqual(['status connecting', 'status connected', 'connected']);
    expect(s.session.status.state).toBe('connected');
    expect(s.session.channels.map((c) => `${c.channelType}:${c.channelId} ${c.state}`)).toEqual(['1:0 ready', '2:0 ready', '3:0 ready', '4:0 ready']);
    // every channel's link message carries the connection id from MAIN_INIT (SpiceLinkMess at 16)
    for (const type of [2, 3, 4]) expect(new DataView(s.tr(type)!.sent[0]!.buffer).getUint32(16, true)).toBe(42);
    expect(s.inputs.ready).toBe(true);
    expect(s.workers).toHaveLength(1);
    expect(s.errors).toEqual([]);
  });

  it('shows a recorded display stream through the worker pixel for pixel; screenshot by monitor index', async () => {
    const s = setup();
    await connected(s);
    const monitors: number[] = [];
    s.display.ev.on('monitors', (m) => monitors.push(m.length));
    const bin = loadStream('glz');
    s.tr(ChannelType.DISPLAY)!.onmessage!(bin);
    const truth = loadTruth('glz');
    await until(() => s.display.monitors.length === 1, 'a monitor');
    expect(s.display.monitors[0]).toMatchObject({ channelId: 0, head: 0, x: 0, y: 0, width: truth.width, height: truth.height });
    let diff = { count: -1, first: null as string | null };
    await until(async () => {
      const shot = new Uint8Array(await (await s.display.screenshot(0)).arrayBuffer());
      diff = comparePixels(new Uint32Array(shot.buffer), truth.pixels.map((p) => (p | 0xff000000) >>> 0), truth.width);
      return diff.count === 0;
    }, 'the exact frame');
    expect(diff).toEqual({ count: 0, first: null });
    await expect(s.display.screenshot(1)).rejects.toThrow(/no monitor 1/);
    const stats = await s.display.stats(0);
    expect(stats.imageTypes.GLZ_RGB).toBeGreaterThan(0);
    expect(monitors.at(-1)).toBe(1);
  });

  it('a refused password ends the session with an auth error and asks for credentials; nothing else opens', async () => {
    const s = setup({ password: 'wrong' });
    const creds: string[] = [];
    s.session.ev.on('credentialsrequired', (c) => creds.push(`${c.error.type}/${c.error.details}`));
    s.session.connect();
    await serverLink(s.tr(ChannelType.MAIN)!, LinkErr.PERMISSION_DENIED);
    await until(() => s.session.status.state === 'disconnected', 'the end');
    expect(s.session.status.error).toMatchObject({ type: 'authError', details: 'permissionDenied', fatal: true, channel: { channelType: 1, channelId: 0 } });
    expect(creds).toEqual(['authError/permissionDenied']);
    expect(s.log).toEqual(['status connecting', 'status disconnected', 'disconnected clean=false', 'credentialsrequired']);
    expect(s.workers).toHaveLength(0);
    expect(s.tr(ChannelType.MAIN)!.closed).toBe(true);
  });

  it('a crashed display worker is a worker error on display:0; the session and other channels go on', async () => {
    const s = setup();
    await connected(s);
    const shot = s.display.screenshot(0).catch((e: Error) => e.message); // no monitor yet: rejects at once
    const w = s.workers[0]!;
    const stats = s.display.stats(0); // pending in the worker when it dies
    w.crash('out of memory');
    expect(await stats.then(() => 'resolved', (e: Error) => e.message)).toMatch(/display:0.*stopped/);
    expect(await shot).toMatch(/no monitor 0/);
    expect(s.errors).toEqual([
      expect.objectContaining({ type: 'workerError', details: 'workerCrashed', fatal: false, channel: { channelType: 2, channelId: 0 } }),
    ]);
    expect(s.errors[0]!.message).toMatch(/display:0: the display worker crashed: out of memory/);
    expect(w.terminated).toBe(true);
    expect(s.session.status).toMatchObject({ state: 'connected', error: { type: 'workerError' } });
    expect(s.session.channels.find((c) => c.channelType === 2)?.state).toBe('closed');
    expect(s.inputs.ready).toBe(true);
  });

  it('a lost channel connection ends the session with that channel named (a reconnect repairs it), not a protocol error', async () => {
    const s = setup();
    await connected(s);
    s.tr(ChannelType.INPUTS)!.onclose!({ clean: true, reason: 'closed (1000)' });
    expect(s.errors).toEqual([expect.objectContaining({ type: 'networkError', details: 'channelClosed', fatal: false, channel: { channelType: 3, channelId: 0 } })]);
    expect(s.session.status).toMatchObject({ state: 'disconnected', error: { type: 'networkError', details: 'channelClosed', fatal: true, channel: { channelType: 3, channelId: 0 } } });
    expect(s.log.at(-1)).toBe('disconnected clean=false');
    // what was on screen stays (suspended) until released
    expect(s.workers[0]!.received.at(-1)).toEqual({ type: 'suspend' });
    s.session.release();
    expect(s.workers[0]!.received.at(-1)).toEqual({ type: 'close' });
    await until(() => s.workers[0]!.terminated, 'the worker stopped', WORKER_CLOSE_GRACE_MS + 2_000);

    // a broken socket on the display channel, inside the worker: the same
    const s2 = setup();
    await connected(s2);
    s2.tr(ChannelType.DISPLAY)!.onclose!({ clean: false, reason: 'connection lost' });
    await until(() => s2.session.status.state === 'disconnected', 'the end');
    expect(s2.session.status.error).toMatchObject({ type: 'networkError', details: 'transportClosed', channel: { channelType: 2, channelId: 0 } });
  });

  it('the main channel closed by the server in order ends the session cleanly, the picture kept until released', async () => {
    const s = setup();
    const main = await connected(s);
    main.onclose!({ clean: true, reason: 'closed (1000)' });
    expect(s.session.status).toMatchObject({ state: 'disconnected', message: 'the server closed the session' });
    expect(s.log.at(-1)).toBe('disconnected clean=true');
    expect(s.tr(ChannelType.CURSOR)!.closed).toBe(true);
    expect(s.workers[0]!.received.at(-1)).toEqual({ type: 'suspend' });
    expect(s.workers[0]!.terminated).toBe(false);
    s.session.release();
    await until(() => s.workers[0]!.terminated, 'the worker stopped', WORKER_CLOSE_GRACE_MS + 2_000);
  });

  it('a malformed main message is fatal: the session ends with a protocol error on main:0', async () => {
    const s = setup();
    const main = await connected(s);
    main.onmessage!(miniMessage(MsgMain.CHANNELS_LIST, [...le(1000, 4)])); // 1000 entries, none there
    expect(s.session.status).toMatchObject({ state: 'disconnected', error: { type: 'protocolError', details: 'malformedMessage', fatal: true, channel: { channelType: 1, channelId: 0 } } });
    expect(s.tr(ChannelType.INPUTS)!.closed).toBe(true);
  });

  it('a display channel relinked to a new transport continues with its state: a stream split across two connections gives the same final frame', async () => {
    const s = setup();
    await connected(s);
    const bin = loadStream('glz');
    const ends = messageEnds(bin);
    const cut = ends[Math.floor(ends.length / 2)]!;
    s.tr(ChannelType.DISPLAY)!.onmessage!(bin.subarray(0, cut));
    await until(() => s.display.monitors.length === 1, 'the first half drawn');
    const client = s.display.clients.get(0)!;
    s.display.relink({ connectionId: 43 });
    expect(client.generation).toBe(2);
    await until(() => s.tr(ChannelType.DISPLAY, 0, 1), 'the second transport');
    const t2 = s.tr(ChannelType.DISPLAY, 0, 1)!;
    await serverLink(t2);
    expect(new DataView(t2.sent[0]!.buffer).getUint32(16, true)).toBe(43);
    t2.onmessage!(bin.subarray(cut));
    const truth = loadTruth('glz');
    const want = truth.pixels.map((p) => (p | 0xff000000) >>> 0);
    await until(async () => {
      const st = await s.display.stats(0);
      return st.generation === 1 && (st.messages.DRAW_COPY ?? 0) > 0 && comparePixels(new Uint32Array(rectRgba(s.workers[0]!.sink!.primary!, s.display.monitors[0]!).buffer), want, truth.width).count === 0;
    }, 'the exact frame after the relink');
    const shot = new Uint32Array(await (await s.display.screenshot(0)).arrayBuffer());
    expect(comparePixels(shot, want, truth.width)).toEqual({ count: 0, first: null });
    expect(s.session.channels.find((c) => c.channelType === 2)?.state).toBe('ready');
    expect(s.errors).toEqual([]);
  });

  it('the server multimedia time reaches display workers (INIT, then MULTI_MEDIA_TIME)', async () => {
    const s = setup();
    const main = await connected(s);
    const w = s.workers[0]!;
    expect(w.received[0]).toMatchObject({ type: 'connect', gen: 1, mmSync: { mmTime: 5_000 } });
    main.onmessage!(miniMessage(MsgMain.MULTI_MEDIA_TIME, le(9_000, 4)));
    await until(() => w.received.some((m) => m.type === 'mm-time'), 'the sync');
    await tick();
    const now = w.core.mm.now()!;
    expect(now - 9_000).toBeGreaterThanOrEqual(0);
    expect(now - 9_000).toBeLessThan(1_000);
  });

  it('disconnect() closes every channel and worker; late events of the old session change nothing', async () => {
    const s = setup();
    const main = await connected(s);
    s.session.disconnect();
    expect(s.session.status).toMatchObject({ state: 'disconnected', message: 'disconnected by the user' });
    expect(s.session.channels).toEqual([]);
    for (const type of [1, 3, 4]) expect(s.tr(type)!.closed).toBe(true);
    main.onmessage?.(channelsList([[2, 1]]));
    s.tr(ChannelType.INPUTS)!.onclose?.({ clean: false, reason: 'late' });
    await tick();
    expect(s.workers).toHaveLength(1);
    expect(s.errors).toEqual([]);
    expect(s.log.at(-1)).toBe('disconnected clean=true');
  });
});
