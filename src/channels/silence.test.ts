/**
 * A server that pings while idle (spice-server: main and display every 15 s) and then goes
 * silent has stopped answering: a hung server or a half-open connection closes nothing, so the
 * channel watches for it once it has seen a PING.
 */
import { describe, expect, it } from 'vitest';
import { le, linked } from '../../scripts/lib/scripted-server';
import { Msg } from '../protocol/enums';
import { MainChannel } from './main-channel';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ping = (id: number) => [...le(id, 4), ...le(0, 8)];

describe('silence after pings', () => {
  it('is lost as stalled when nothing comes for silenceMs after a PING', async () => {
    const s = await linked((o) => new MainChannel({ ...o, silenceMs: 60 }), 0);
    let closed: { error?: { type: string; details: string; message: string } } | undefined;
    s.ch.ev.on('closed', (e) => (closed = e));
    s.recv(Msg.PING, ping(1));
    expect(s.frames().map((f) => f.type)).toContain(3); // PONG
    await wait(30);
    s.recv(Msg.PING, ping(2)); // still alive: the watch restarts from here
    await wait(40);
    expect(closed).toBeUndefined();
    await wait(80);
    expect(closed?.error).toMatchObject({ type: 'networkError', details: 'stalled' });
    expect(closed?.error?.message).toMatch(/main:0: the server stopped answering/);
    expect(s.t.closed).toBe(true);
  });

  it('does not watch a server that never pings, nor after close', async () => {
    const s = await linked((o) => new MainChannel({ ...o, silenceMs: 30 }), 0);
    let closed = false;
    s.ch.ev.on('closed', () => (closed = true));
    await wait(90);
    expect(closed).toBe(false);
    s.recv(Msg.PING, ping(1));
    s.ch.close();
    await wait(90);
    expect(closed).toBe(true); // closed by us, once; no timer fired after it
  });
});
