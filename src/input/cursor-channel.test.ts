import { describe, expect, it } from 'vitest';
import { cursorDataSize } from './cursor-shape';
import { CursorChannel, type CursorShapeEvent } from './cursor-channel';
import { le, linked } from '../../scripts/lib/scripted-server';

const INIT = 101, RESET = 102, SET = 103, MOVE = 104, HIDE = 105, TRAIL = 106, INVAL_ONE = 107, INVAL_ALL = 108;
const NONE = 1, CACHE_ME = 2, FROM_CACHE = 4;

/** Cursor: flags, header {unique, type, w, h, hot}, data */
function cursor(flags: number, unique: number, type = 0, w = 0, h = 0, data: number[] = [], hot = [0, 0]): number[] {
  if (flags & NONE) return le(flags, 2);
  return [...le(flags, 2), ...le(unique, 4), 0, 0, 0, 0, type, ...le(w, 2), ...le(h, 2), ...le(hot[0]!, 2), ...le(hot[1]!, 2), ...data];
}
const initBody = (x: number, y: number, visible: number, c: number[]): number[] => [...le(x, 2), ...le(y, 2), 0, 0, 0, 0, visible, ...c];
const setBody = (x: number, y: number, visible: number, c: number[]): number[] => [...le(x, 2), ...le(y, 2), visible, ...c];

// a 2×1 ALPHA shape: opaque blue, half-transparent white (premultiplied 0x80)
const ALPHA_2x1 = [0xff, 0x00, 0x00, 0xff, 0x80, 0x80, 0x80, 0x80];
const rgba = (e: CursorShapeEvent | undefined): number[] => Array.from(new Uint8Array(e!.shape!.pixels.buffer));

async function setup() {
  const s = await linked((o) => new CursorChannel(o), 0);
  const shapes: CursorShapeEvent[] = [];
  const log: string[] = [];
  s.ch.ev.on('shape', (e) => shapes.push(e));
  s.ch.ev.on('move', (p) => log.push(`move ${p.x},${p.y}`));
  s.ch.ev.on('hide', () => log.push('hide'));
  s.ch.ev.on('reset', () => log.push('reset'));
  s.ch.ev.on('trail', (t) => log.push(`trail ${t.length}/${t.frequency}`));
  let closed: { error?: { type: string; details: string; fatal: boolean; message: string; channel?: { channelType: number; channelId: number } } } | undefined;
  s.ch.ev.on('closed', (e) => (closed = e));
  return { ...s, shapes, log, closed: () => closed };
}

describe('CursorChannel', () => {
  it('links as channel type 4', async () => {
    const { t } = await setup();
    expect(t.sent[0]![20]).toBe(4);
  });

  it('INIT: decodes, caches and reports the shape with position and visibility', async () => {
    const { ch, recv, shapes } = await setup();
    recv(INIT, initBody(100, 50, 1, cursor(CACHE_ME, 7, 0, 2, 1, ALPHA_2x1, [1, 9])));
    expect(shapes.length).toBe(1);
    const e = shapes[0]!;
    expect([e.visible, e.x, e.y, e.outcome]).toEqual([true, 100, 50, 'decoded']);
    expect([e.shape!.width, e.shape!.height, e.shape!.hotX, e.shape!.hotY]).toEqual([2, 1, 1, 0]);
    expect(rgba(e)).toEqual([0, 0, 255, 255, 255, 255, 255, 128]);
    expect(ch.cache.has(7n)).toBe(true);
    expect(ch.current).toBe(e);
  });

  it('SET FROM_CACHE reuses the shape; INVAL_ONE makes it a miss', async () => {
    const { recv, shapes } = await setup();
    recv(INIT, initBody(0, 0, 1, cursor(CACHE_ME, 7, 0, 2, 1, ALPHA_2x1)));
    recv(SET, setBody(5, 6, 1, cursor(FROM_CACHE, 7, 0, 2, 1)));
    expect(shapes[1]!.outcome).toBe('cached');
    expect(shapes[1]!.shape).toBe(shapes[0]!.shape);
    recv(INVAL_ONE, le(7, 8));
    recv(SET, setBody(5, 6, 1, cursor(FROM_CACHE, 7, 0, 2, 1)));
    expect(shapes[2]).toMatchObject({ shape: null, visible: true, outcome: 'cache-miss' });
  });

  it('INVAL_ALL, RESET and a new INIT clear the cache', async () => {
    const { ch, recv, log } = await setup();
    recv(INIT, initBody(0, 0, 1, cursor(CACHE_ME, 1, 0, 2, 1, ALPHA_2x1)));
    recv(SET, setBody(0, 0, 1, cursor(CACHE_ME, 2, 0, 2, 1, ALPHA_2x1)));
    expect(ch.cache.size).toBe(2);
    recv(INVAL_ALL);
    expect(ch.cache.size).toBe(0);
    recv(SET, setBody(0, 0, 1, cursor(CACHE_ME, 3, 0, 2, 1, ALPHA_2x1)));
    recv(RESET);
    expect(ch.cache.size).toBe(0);
    expect(ch.current).toBeNull();
    expect(log).toEqual(['reset']);
    recv(INIT, initBody(0, 0, 1, cursor(CACHE_ME, 4, 0, 2, 1, ALPHA_2x1)));
    recv(SET, setBody(0, 0, 1, cursor(CACHE_ME, 5, 0, 2, 1, ALPHA_2x1)));
    recv(INIT, initBody(0, 0, 1, cursor(0, 6, 0, 2, 1, ALPHA_2x1)));
    expect(ch.cache.size).toBe(0);
  });

  it('MOVE, HIDE and TRAIL', async () => {
    const { ch, recv, log } = await setup();
    recv(INIT, initBody(0, 0, 1, cursor(0, 1, 0, 2, 1, ALPHA_2x1)));
    recv(MOVE, [...le(-3, 2), ...le(40, 2)]);
    recv(HIDE);
    recv(TRAIL, [...le(4, 2), ...le(20, 2)]);
    expect(log).toEqual(['move -3,40', 'hide', 'trail 4/20']);
    expect(ch.current).toMatchObject({ x: -3, y: 40, visible: false });
  });

  it('NONE and visible=0 report no cursor to show', async () => {
    const { recv, shapes } = await setup();
    recv(INIT, initBody(0, 0, 1, cursor(NONE, 0)));
    recv(SET, setBody(0, 0, 0, cursor(0, 1, 0, 2, 1, ALPHA_2x1)));
    expect(shapes[0]).toMatchObject({ shape: null, visible: false, outcome: 'none' });
    expect(shapes[1]).toMatchObject({ visible: false, outcome: 'decoded' });
  });

  it('a shape over 512×512 is refused but the channel stays up', async () => {
    const { ch, recv, shapes, closed } = await setup();
    recv(SET, setBody(0, 0, 1, cursor(CACHE_ME, 1, 1, 600, 8, new Array(cursorDataSize(1, 600, 8)!).fill(0))));
    expect(shapes[0]).toMatchObject({ shape: null, visible: true, outcome: 'too-large' });
    expect(closed()).toBeUndefined();
    expect(ch.isOpen).toBe(true);
  });

  it('closes with a typed error on a truncated shape', async () => {
    const { ch, recv, closed } = await setup();
    recv(SET, setBody(0, 0, 1, cursor(0, 1, 0, 4, 4, [1, 2, 3])));
    expect(ch.isOpen).toBe(false);
    expect(closed()?.error).toMatchObject({ type: 'protocolError', details: 'truncatedMessage', fatal: false, channel: { channelType: 4, channelId: 0 } });
  });

  it('random junk in every message type never causes an internal error', async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 200; i++) {
      const { recv, closed } = await setup();
      const type = 101 + rand(9);
      recv(type, Array.from({ length: rand(40) }, () => rand(256)));
      const c = closed();
      if (c) {
        expect(['truncatedMessage', 'malformedMessage', 'unsupportedFeature']).toContain(c.error?.details);
        expect(c.error?.message).not.toMatch(/internal error/);
      }
    }
  });

  it('a message that stops half-way and then silence loses the channel after the stall time, typed as stalled', async () => {
    const s = await linked((o) => new CursorChannel({ ...o, stallMs: 40 }), 0);
    let closed: { error?: { type: string; details: string; message: string } } | undefined;
    s.ch.ev.on('closed', (e) => (closed = e));
    // a header that promises 100 bytes, 10 of them, then nothing
    s.t.onmessage!(new Uint8Array([...le(104, 2), ...le(100, 4), ...new Array<number>(10).fill(0)]));
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBeUndefined();
    await new Promise((r) => setTimeout(r, 80));
    expect(closed?.error).toMatchObject({ type: 'networkError', details: 'stalled' });
    expect(closed?.error?.message).toMatch(/cursor:0: the connection stalled/);
    expect(s.t.closed).toBe(true);
  });

  it('idle silence between whole messages is not a stall', async () => {
    const s = await linked((o) => new CursorChannel({ ...o, stallMs: 30 }), 0);
    let closed = false;
    s.ch.ev.on('closed', () => (closed = true));
    s.recv(105); // CURSOR_HIDE: a whole message
    await new Promise((r) => setTimeout(r, 80));
    expect(closed).toBe(false);
  });
});
