/**
 * The ACK window (protocol reference 2.3): spice-server zeroes its count when it sends SET_ACK,
 * counts that SET_ACK and every message after it, and stops sending once more than 2 windows are
 * unacknowledged. The client must count the same messages. A burst read in one go behind the
 * SET_ACK used to go uncounted (the window was taken only when the SET_ACK ran, after the whole
 * burst was read), so our ACKs trailed the server's count for good; past one window of lag the
 * server waited for an ACK that never came, and Xspice's X server hung with it (e2e typeText).
 */
import { describe, expect, it } from 'vitest';
import { FakeTransport, clientFrames, le, linkReply, linked, miniMessage } from '../../scripts/lib/scripted-server';
import { Msg, MsgMain, Msgc } from '../protocol/enums';
import { MainChannel } from './main-channel';
import { PendingLink } from './pending-link';

const setAck = (generation: number, window: number) => miniMessage(Msg.SET_ACK, [...le(generation, 4), ...le(window, 4)]);
const mmTime = (t: number) => miniMessage(MsgMain.MULTI_MEDIA_TIME, le(t, 4));
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};
const flow = (frames: Array<{ type: number }>) => frames.map((f) => f.type).filter((t) => t === Msgc.ACK_SYNC || t === Msgc.ACK);

describe('ACK window', () => {
  it('counts from the SET_ACK itself, also for a burst read in the same chunk', async () => {
    const s = await linked((o) => new MainChannel(o), 0);
    // SET_ACK (window 20) and 45 more messages arrive as one read
    s.t.onmessage!(concat([setAck(1, 20), ...Array.from({ length: 45 }, (_, i) => mmTime(i))]));
    let f = s.frames();
    // ACK_SYNC first (an ACK before it is ignored by the server), then one ACK per 20 messages
    // counting the SET_ACK: 46 messages, two ACKs
    expect(flow(f)).toEqual([Msgc.ACK_SYNC, Msgc.ACK, Msgc.ACK]);
    expect(f.find((x) => x.type === Msgc.ACK_SYNC)!.body).toEqual(le(1, 4));
    // the count goes on across reads: 14 more make 60, the third window
    for (let i = 0; i < 13; i++) s.recv(MsgMain.MULTI_MEDIA_TIME, le(100 + i, 4));
    expect(flow(s.frames())).toEqual([]);
    s.recv(MsgMain.MULTI_MEDIA_TIME, le(200, 4));
    expect(flow(s.frames())).toEqual([Msgc.ACK]);
  });

  it('a new SET_ACK restarts the count with its generation and window', async () => {
    const s = await linked((o) => new MainChannel(o), 0);
    s.t.onmessage!(concat([setAck(1, 20), ...Array.from({ length: 10 }, (_, i) => mmTime(i))]));
    expect(flow(s.frames())).toEqual([Msgc.ACK_SYNC]);
    // 11 counted so far; the new SET_ACK (window 3) starts again from itself
    s.t.onmessage!(concat([setAck(2, 3), mmTime(1), mmTime(2), mmTime(3), mmTime(4), mmTime(5)]));
    const f = s.frames();
    expect(flow(f)).toEqual([Msgc.ACK_SYNC, Msgc.ACK, Msgc.ACK]);
    expect(f.find((x) => x.type === Msgc.ACK_SYNC)!.body).toEqual(le(2, 4));
  });

  it('no ACK before any SET_ACK (the server has not started counting)', async () => {
    const s = await linked((o) => new MainChannel(o), 0);
    s.t.onmessage!(concat(Array.from({ length: 50 }, (_, i) => mmTime(i))));
    expect(flow(s.frames())).toEqual([]);
  });
});

describe('ACK window on a migration destination before the switch', () => {
  it('held messages count as they are read, and the channel takes the count over', async () => {
    const t = new FakeTransport();
    let linkedOk = false;
    const p = new PendingLink(t, { connectionId: 1, channelType: 1, channelId: 0, channelCaps: [], password: '', encrypt: async () => new Uint8Array(128) }, () => (linkedOk = true), (e) => {
      throw e;
    });
    t.onmessage!(linkReply(0));
    await new Promise((r) => setTimeout(r, 0)); // ticket encryption is asynchronous
    const linkSends = t.sent.length;
    t.onmessage!(new Uint8Array(le(0, 4)));
    expect(linkedOk).toBe(true);
    // SET_ACK and 25 messages held for the channel: one ACK (after 20 counting the SET_ACK), 6 counted
    t.onmessage!(concat([setAck(1, 20), ...Array.from({ length: 25 }, (_, i) => mmTime(i))]));
    expect(flow(clientFrames(t.sent.slice(linkSends)))).toEqual([Msgc.ACK_SYNC, Msgc.ACK]);
    expect(p.held.length).toBe(25);
    expect({ window: p.ack.window, count: p.ack.count }).toEqual({ window: 20, count: 6 });
  });
});
