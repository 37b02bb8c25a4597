import { describe, expect, it } from 'vitest';
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';

describe('SpiceWriter', () => {
  it('writes little-endian fields and grows past its initial size', () => {
    const w = new SpiceWriter(1);
    w.u8(0xab).u16(0x1234).i16(-2).u32(0xdeadbeef).i32(-1).u64(0x0102030405060708n).i64(-3n).bytes(new Uint8Array([9, 8, 7]));
    const b = w.finish();
    expect(b.length).toBe(1 + 2 + 2 + 4 + 4 + 8 + 8 + 3);
    expect([...b.subarray(0, 9)]).toEqual([0xab, 0x34, 0x12, 0xfe, 0xff, 0xef, 0xbe, 0xad, 0xde]);
    expect([...b.subarray(13, 21)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...b.subarray(29)]).toEqual([9, 8, 7]);
  });
  it('setU32 patches an earlier field', () => {
    const w = new SpiceWriter(2).u32(0).u32(5);
    w.setU32(0, 0x11223344);
    expect([...w.finish()]).toEqual([0x44, 0x33, 0x22, 0x11, 5, 0, 0, 0]);
  });
});

describe('SpiceReader', () => {
  const bytes = new SpiceWriter().u8(1).u16(0x0203).u32(0x04050607).u64(0x08090a0b0c0d0e0fn).i32(-5).finish();
  it('reads back what the writer wrote', () => {
    const r = SpiceReader.of(bytes);
    expect([r.u8(), r.u16(), r.u32(), r.u64(), r.i32()]).toEqual([1, 0x0203, 0x04050607, 0x08090a0b0c0d0e0fn, -5]);
    expect(r.remaining).toBe(0);
  });
  it('throws a typed error instead of reading past the end', () => {
    const r = SpiceReader.of(bytes.subarray(0, 5));
    r.u8();
    r.u16();
    expect(() => r.u32()).toThrow(SpiceProtocolError);
    expect(() => SpiceReader.of(bytes).bytesView(bytes.length + 1)).toThrow(SpiceProtocolError);
  });
  it('follows pointers relative to the body and refuses ones outside it', () => {
    const body = new SpiceWriter().u32(8).u32(0).u32(0xcafe).finish();
    const r = SpiceReader.of(body);
    expect(r.at(r.u32()).u32()).toBe(0xcafe);
    expect(() => r.at(body.length + 1)).toThrow(SpiceProtocolError);
    expect(() => r.at(body.length).u8()).toThrow(SpiceProtocolError);
    expect(() => r.at(0xffffff00)).toThrow(SpiceProtocolError);
  });
  it('sub-readers are bounded by their length', () => {
    const r = SpiceReader.of(bytes);
    const s = r.sub(3);
    s.u8();
    s.u16();
    expect(() => s.u8()).toThrow(SpiceProtocolError);
    expect(r.u32()).toBe(0x04050607);
  });
});
