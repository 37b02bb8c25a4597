import { describe, expect, it } from 'vitest';
import { CURSOR_HEADER_SIZE, parseCursor, parseCursorInit, parseCursorInvalOne, parseCursorMove, parseCursorSet, parseCursorTrail } from './cursor';
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';

const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const rd = (b: number[]): SpiceReader => SpiceReader.of(new Uint8Array(b));

// header: unique 0x1122334455667788, type MONO, 32×16, hot (3, 4)
const HEADER = [...u64(0x1122334455667788n), 1, ...u16(32), ...u16(16), ...u16(3), ...u16(4)];

describe('cursor messages', () => {
  it('header is 17 bytes', () => {
    expect(HEADER.length).toBe(CURSOR_HEADER_SIZE);
  });

  it('parses INIT', () => {
    const body = [...u16(-5 & 0xffff), ...u16(300), ...u16(7), ...u16(9), 1, ...u16(2), ...HEADER, 0xaa, 0xbb];
    const m = parseCursorInit(rd(body));
    expect(m.position).toEqual({ x: -5, y: 300 });
    expect(m.trailLength).toBe(7);
    expect(m.trailFrequency).toBe(9);
    expect(m.visible).toBe(true);
    expect(m.cursor.flags).toBe(2);
    expect(m.cursor.header).toEqual({ unique: 0x1122334455667788n, type: 1, width: 32, height: 16, hotSpotX: 3, hotSpotY: 4 });
    expect(Array.from(m.cursor.data)).toEqual([0xaa, 0xbb]);
  });

  it('parses SET with NONE: no header, data is the rest', () => {
    const m = parseCursorSet(rd([...u16(10), ...u16(20), 0, ...u16(1)]));
    expect(m.position).toEqual({ x: 10, y: 20 });
    expect(m.visible).toBe(false);
    expect(m.cursor).toEqual({ flags: 1, header: null, data: new Uint8Array(0) });
  });

  it('parses SET FROM_CACHE with empty data', () => {
    const m = parseCursorSet(rd([...u16(1), ...u16(2), 1, ...u16(4), ...HEADER]));
    expect(m.cursor.flags).toBe(4);
    expect(m.cursor.header?.unique).toBe(0x1122334455667788n);
    expect(m.cursor.data.length).toBe(0);
  });

  it('parses MOVE, TRAIL, INVAL_ONE', () => {
    expect(parseCursorMove(rd([...u16(0xffff), ...u16(0x8000)]))).toEqual({ x: -1, y: -32768 });
    expect(parseCursorTrail(rd([...u16(3), ...u16(50)]))).toEqual({ length: 3, frequency: 50 });
    expect(parseCursorInvalOne(rd(u64(0xfedcba9876543210n)))).toBe(0xfedcba9876543210n);
  });

  it('throws SpiceProtocolError on a truncated header', () => {
    for (let n = 0; n < 2 + CURSOR_HEADER_SIZE; n++) {
      const b = [...u16(0), ...HEADER].slice(0, n);
      expect(() => parseCursor(rd(b))).toThrow(SpiceProtocolError);
    }
  });
});
