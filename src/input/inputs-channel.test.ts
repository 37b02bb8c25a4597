import { describe, expect, it } from 'vitest';
import { KeyboardState } from './keyboard';
import { scancodeOf } from './scancodes';
import { InputsChannel } from './inputs-channel';
import { FakeTransport, le, linkReply, linked, scriptedOptions } from '../../scripts/lib/scripted-server';

const KEY_DOWN = 101, KEY_UP = 102, KEY_MODIFIERS = 103, KEY_SCANCODE = 104;
const MOTION = 111, POSITION = 112, PRESS = 113, RELEASE = 114;
const S_INIT = 101, S_KEY_MODIFIERS = 102, S_MOTION_ACK = 111;

const inputs = (cap: boolean) => linked((o) => new InputsChannel(o), cap ? 1 : 0);

describe('InputsChannel', () => {
  it('keys pressed while the channel links go out, in order, once it is linked; none after close', async () => {
    const t = new FakeTransport();
    const ch = new InputsChannel(scriptedOptions(t));
    ch.start();
    ch.keyDown(0x2a);
    ch.keyDown(0x23);
    ch.keyUp(0xa3);
    expect(ch.isLinked).toBe(false);
    expect(t.sent.length).toBe(1); // only the link message so far
    t.onmessage!(linkReply(0));
    await new Promise((r) => setTimeout(r, 0));
    ch.keyUp(0xaa); // during auth: still held
    const beforeOk = t.sent.length;
    t.onmessage!(new Uint8Array(le(0, 4)));
    expect(ch.isLinked).toBe(true);
    const data = t.sent.slice(beforeOk).map((b) => ({ type: b[0]! | (b[1]! << 8), code: b[6]! | (b[7]! << 8) }));
    expect(data).toEqual([
      { type: KEY_DOWN, code: 0x2a }, { type: KEY_DOWN, code: 0x23 }, { type: KEY_UP, code: 0xa3 }, { type: KEY_UP, code: 0xaa },
    ]);
    ch.close();
    const n = t.sent.length;
    ch.keyDown(0x1e);
    expect(t.sent.length).toBe(n);
  });

  it('links as channel type 3 with no channel caps', async () => {
    const { t } = await inputs(true);
    const mess = t.sent[0]!;
    expect(mess[20]).toBe(3); // channel_type after 16-byte header + u32 connection id
    expect(mess[21]).toBe(0);
    expect(Array.from(mess.subarray(26, 30))).toEqual([0, 0, 0, 0]); // num_channel_caps
  });

  it('reports guest LEDs from INIT and KEY_MODIFIERS', async () => {
    const { ch, recv } = await inputs(true);
    const seen: number[] = [];
    ch.ev.on('modifiers', (m) => seen.push(m));
    recv(S_INIT, [2, 0]);
    recv(S_KEY_MODIFIERS, [6, 0]);
    expect(seen).toEqual([2, 6]);
    expect(ch.guestModifiers).toBe(6);
  });

  it('syncs lock keys: deferred until INIT, then only when different', async () => {
    const { ch, recv, frames } = await inputs(true);
    expect(ch.syncModifiers({ capsLock: true, numLock: true, scrollLock: false })).toBe(false);
    expect(frames()).toEqual([]);
    recv(S_INIT, [2, 0]); // guest: NumLock only
    expect(frames()).toEqual([{ type: KEY_MODIFIERS, body: [6, 0] }]);
    recv(S_KEY_MODIFIERS, [6, 0]);
    expect(ch.syncModifiers({ capsLock: true, numLock: true, scrollLock: false })).toBe(false);
    expect(ch.syncModifiers({ capsLock: false })).toBe(true);
    expect(frames()).toEqual([{ type: KEY_MODIFIERS, body: [2, 0] }]);
  });

  it('compares a quick second sync with what it asked for, not the stale report', async () => {
    const { ch, recv, frames } = await inputs(true);
    recv(S_INIT, [2, 0]);
    expect(ch.syncModifiers({ capsLock: true, numLock: false, scrollLock: true })).toBe(true);
    // the server has not reported the new LEDs yet (it does so after a delay)
    expect(ch.syncModifiers({ capsLock: false, numLock: true, scrollLock: false })).toBe(true);
    expect(frames()).toEqual([
      { type: KEY_MODIFIERS, body: [5, 0] },
      { type: KEY_MODIFIERS, body: [2, 0] },
    ]);
    recv(S_KEY_MODIFIERS, [2, 0]);
    expect(ch.syncModifiers({ capsLock: false, numLock: true, scrollLock: false })).toBe(false);
  });

  it('sends keyboard state machine output as KEY_DOWN/KEY_UP codes', async () => {
    const { ch, frames } = await inputs(true);
    const kb = new KeyboardState((op) => ch.sendKey(op), { altGrFix: false });
    kb.handle({ type: 'down', code: 'ControlRight' });
    kb.handle({ type: 'down', code: 'KeyA' });
    kb.handle({ type: 'up', code: 'KeyA' });
    kb.handle({ type: 'down', code: 'Pause' });
    kb.releaseAll();
    expect(frames()).toEqual([
      { type: KEY_DOWN, body: [0xe0, 0x1d, 0, 0] },
      { type: KEY_DOWN, body: [0x1e, 0, 0, 0] },
      { type: KEY_UP, body: [0x9e, 0, 0, 0] },
      { type: KEY_DOWN, body: [0xe0, 0x46, 0, 0] },
      { type: KEY_UP, body: [0xe0, 0xc6, 0, 0] },
      { type: KEY_UP, body: [0xe0, 0x9d, 0, 0] },
    ]);
  });

  it('sends Ctrl+Alt+Del as one KEY_SCANCODE with the cap', async () => {
    const { ch, frames } = await inputs(true);
    expect(ch.hasScancodeCap).toBe(true);
    ch.sendCombo([scancodeOf('ControlLeft')!, scancodeOf('AltLeft')!, scancodeOf('Delete')!]);
    expect(frames()).toEqual([{ type: KEY_SCANCODE, body: [0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d] }]);
  });

  it('falls back to KEY_DOWN/KEY_UP without the cap', async () => {
    const { ch, frames } = await inputs(false);
    expect(ch.hasScancodeCap).toBe(false);
    ch.sendCombo([0x1d, 0x38, 0xe053]);
    expect(frames()).toEqual([
      { type: KEY_DOWN, body: [0x1d, 0, 0, 0] },
      { type: KEY_DOWN, body: [0x38, 0, 0, 0] },
      { type: KEY_DOWN, body: [0xe0, 0x53, 0, 0] },
      { type: KEY_UP, body: [0xe0, 0xd3, 0, 0] },
      { type: KEY_UP, body: [0xb8, 0, 0, 0] },
      { type: KEY_UP, body: [0x9d, 0, 0, 0] },
    ]);
    ch.sendScancodes([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
    expect(frames()).toEqual([
      { type: KEY_DOWN, body: [0xe1, 0x1d, 0x45, 0xe1] },
      { type: KEY_UP, body: [0x9d, 0xc5, 0, 0] },
    ]);
  });

  it('throttles motion to 8 in flight and flushes the sum on MOTION_ACK', async () => {
    const { ch, recv, frames } = await inputs(true);
    for (let i = 0; i < 12; i++) ch.mouseMotion(1, -1, 0);
    const first = frames();
    expect(first.length).toBe(8);
    expect(first[0]).toEqual({ type: MOTION, body: [...le(1, 4), ...le(-1, 4), 0, 0] });
    expect(ch.motionInFlight).toBe(8);
    recv(S_MOTION_ACK);
    expect(frames()).toEqual([{ type: MOTION, body: [...le(4, 4), ...le(-4, 4), 0, 0] }]);
    expect(ch.motionInFlight).toBe(5);
  });

  it('sends the latest position before a press, and the press unthrottled', async () => {
    const { ch, frames } = await inputs(true);
    for (let i = 0; i < 10; i++) ch.mousePosition(i, 2 * i, 0, 1);
    frames();
    ch.mousePress(1, 1);
    ch.mouseRelease(1, 0);
    expect(frames()).toEqual([
      { type: POSITION, body: [...le(9, 4), ...le(18, 4), 0, 0, 1] },
      { type: PRESS, body: [1, 1, 0] },
      { type: RELEASE, body: [1, 0, 0] },
    ]);
  });

  it('sends wheel notches as PRESS+RELEASE pairs', async () => {
    const { ch, frames } = await inputs(true);
    ch.wheel(-1, 4);
    ch.wheel(2, 0);
    expect(frames()).toEqual([
      { type: PRESS, body: [4, 12, 0] },
      { type: RELEASE, body: [4, 4, 0] },
      { type: PRESS, body: [5, 16, 0] },
      { type: RELEASE, body: [5, 0, 0] },
      { type: PRESS, body: [5, 16, 0] },
      { type: RELEASE, body: [5, 0, 0] },
    ]);
  });

  it('closes with a typed error on a malformed server message', async () => {
    const { ch, recv } = await inputs(true);
    let closed: { error?: { type: string; details: string; fatal: boolean } } | undefined;
    ch.ev.on('closed', (e) => (closed = e));
    recv(S_INIT, [1]); // u16 cut short
    expect(closed?.error).toMatchObject({ type: 'protocolError', details: 'truncatedMessage', fatal: false });
  });
});
