/**
 * Reconnect policy and its effect on a real Session (scripted main channel, in-thread display
 * worker): retries with backoff after the server or network goes away, keeps the last frame
 * while it waits, gives up on refusals, stops on cancel and on the user's disconnect.
 */
import { describe, expect, it } from 'vitest';
import { le, miniMessage } from '../../scripts/lib/scripted-server';
import { channelsList, connected, mainInit, serverLink, setup, until } from '../../scripts/lib/scripted-session';
import { loadStream } from '../../scripts/lib/fixture-images';
import { ChannelType, LinkErr } from '../protocol/enums';
import { DEFAULT_RECONNECT, Reconnector, backoffDelay, type Timers } from './reconnect';

/** timers that fire only when the test says so */
class ManualTimers implements Timers {
  t = 0;
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; at: number }>();
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, at: this.t + ms });
    return id;
  }
  clear(h: unknown): void {
    this.pending.delete(h as number);
  }
  now(): number {
    return this.t;
  }
  /** run the earliest timer; returns its delay */
  fireNext(): number {
    const [id, e] = [...this.pending].sort((a, b) => a[1].at - b[1].at)[0]!;
    this.pending.delete(id);
    const d = e.at - this.t;
    this.t = e.at;
    e.fn();
    return d;
  }
}

describe('backoffDelay', () => {
  it('grows by the factor, is capped, and jitters within ±jitter', () => {
    const p = DEFAULT_RECONNECT;
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, p, () => 0.5))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(backoffDelay(1, p, () => 0)).toBe(200);
    expect(backoffDelay(4, p, () => 0.999999)).toBe(2400);
  });
});

describe('Reconnector', () => {
  it('after the server goes away: keeps the last frame, retries with backoff while the server is down, and resumes the display worker on a fresh state', async () => {
    const s = setup();
    const main = await connected(s);
    const timers = new ManualTimers();
    const r = new Reconnector(s.session, DEFAULT_RECONNECT, timers, () => 0.5);
    const log: string[] = [];
    r.ev.on('scheduled', (e) => log.push(`scheduled ${e.attempt} in ${e.delayMs}`));
    r.ev.on('attempting', (e) => log.push(`attempt ${e.attempt}`));
    r.ev.on('reconnected', (e) => log.push(`reconnected after ${e.attempts}`));
    s.tr(ChannelType.DISPLAY)!.onmessage!(loadStream('glz'));
    await until(() => s.display.monitors.length === 1, 'a monitor');

    // the server dies: every socket drops
    main.onclose!({ clean: false, reason: 'connection lost' });
    expect(s.session.status.state).toBe('disconnected');
    expect(log).toEqual(['scheduled 1 in 250']);
    // the monitor stays (its canvas keeps the last frame), the worker only closed its channel
    expect(s.display.monitors).toHaveLength(1);
    expect(s.workers[0]!.terminated).toBe(false);

    // two attempts while the server is still down: the proxy cannot reach it (4502)
    for (const n of [1, 2]) {
      timers.fireNext();
      const t = s.tr(ChannelType.MAIN, 0, n)!;
      t.onclose!({ clean: false, reason: 'target unreachable', code: 4502 });
    }
    expect(log).toEqual(['scheduled 1 in 250', 'attempt 1', 'scheduled 2 in 500', 'attempt 2', 'scheduled 3 in 1000']);
    expect(s.session.status.error).toMatchObject({ type: 'networkError', details: 'serverUnreachable' });

    // the server is back: attempt 3 links, the same worker is relinked with a fresh state
    timers.fireNext();
    const m3 = s.tr(ChannelType.MAIN, 0, 3)!;
    await serverLink(m3);
    m3.onmessage!(mainInit(77));
    m3.onmessage!(channelsList([[2, 0], [3, 0]]));
    expect(log.at(-1)).toBe('reconnected after 3');
    expect(s.workers).toHaveLength(1);
    await until(() => s.workers[0]!.received.some((m) => m.type === 'relink'), 'the relink');
    expect(s.workers[0]!.received.find((m) => m.type === 'relink')).toMatchObject({ type: 'relink', connectionId: 77, fresh: true });
    await until(() => s.tr(ChannelType.DISPLAY, 0, 1), 'the new display transport');
    await serverLink(s.tr(ChannelType.DISPLAY, 0, 1)!);
    await until(() => s.session.channels.find((c) => c.channelType === 2)?.state === 'ready', 'display ready');
    // the new server session draws again, from scratch, on the same worker
    s.tr(ChannelType.DISPLAY, 0, 1)!.onmessage!(loadStream('lz'));
    await until(async () => ((await s.display.stats(0)).imageTypes.LZ_RGB ?? 0) > 0, 'the new stream drawn');
    expect(s.display.monitors).toHaveLength(1);
    expect(timers.pending.size).toBe(0);
    r.dispose();
  });

  it('does not loop when the server refuses the password or the proxy the token', async () => {
    for (const refuse of ['password', 'token'] as const) {
      const s = setup();
      const timers = new ManualTimers();
      const r = new Reconnector(s.session, DEFAULT_RECONNECT, timers);
      const stopped: string[] = [];
      r.ev.on('stopped', (e) => stopped.push(`${e.reason} ${e.error?.details}`));
      s.session.connect();
      const t = s.tr(ChannelType.MAIN)!;
      if (refuse === 'password') await serverLink(t, LinkErr.PERMISSION_DENIED);
      else t.onclose!({ clean: false, reason: 'token rejected', code: 4401 });
      expect(stopped).toEqual([refuse === 'password' ? 'refused permissionDenied' : 'refused proxyRefused']);
      expect(timers.pending.size).toBe(0);
    }
  });

  it('stops on cancel (and lets the kept frame go), and never after the user disconnects', async () => {
    const s = setup();
    const main = await connected(s);
    const timers = new ManualTimers();
    const r = new Reconnector(s.session, DEFAULT_RECONNECT, timers);
    const stopped: string[] = [];
    r.ev.on('stopped', (e) => stopped.push(e.reason));
    main.onclose!({ clean: true, reason: 'closed (1000)' }); // the server shut down in order
    expect(r.pending).toBe(true);
    expect(r.nextAt).toBeGreaterThan(0);
    r.cancel();
    expect(stopped).toEqual(['cancelled']);
    expect(timers.pending.size).toBe(0);
    expect(s.workers[0]!.received.at(-1)).toEqual({ type: 'close' });

    const s2 = setup();
    await connected(s2);
    const r2 = new Reconnector(s2.session, DEFAULT_RECONNECT, timers);
    s2.session.disconnect();
    expect(r2.pending).toBe(false);
    expect(timers.pending.size).toBe(0);
  });

  it('waits for the network while offline, then tries at once; a manual connect voids the pending retry', async () => {
    const s = setup();
    const main = await connected(s);
    const timers = new ManualTimers();
    const r = new Reconnector(s.session, DEFAULT_RECONNECT, timers);
    const log: string[] = [];
    r.ev.on('offline', () => log.push('offline'));
    r.ev.on('attempting', (e) => log.push(`attempt ${e.attempt}`));
    main.onclose!({ clean: false, reason: 'network changed' });
    r.offline();
    expect(timers.pending.size).toBe(0);
    r.online();
    expect(log).toEqual(['offline', 'attempt 1']);
    // the attempt fails; while the next waits, the user connects by hand
    s.tr(ChannelType.MAIN, 0, 1)!.onclose!({ clean: false, reason: 'gone' });
    expect(timers.pending.size).toBe(1);
    s.session.connect();
    expect(timers.pending.size).toBe(0);
    expect(r.pending).toBe(false);
  });

  it('a main channel lost mid-session with a malformed message is not retried', async () => {
    const s = setup();
    const main = await connected(s);
    const timers = new ManualTimers();
    const r = new Reconnector(s.session, DEFAULT_RECONNECT, timers);
    main.onmessage!(miniMessage(104, le(5000, 4)));
    expect(s.session.status.state).toBe('disconnected');
    expect(r.pending).toBe(false);
  });
});
