/**
 * Fuzz of the cursor path above the parser: CURSOR_SET bodies, random and mutated from valid
 * seeds, parsed and then decoded into a shape. Only SpiceProtocolError may come out, and the
 * decoder never reads past the data the parser bounded (src/protocol/parsers.fuzz.test.ts fuzzes
 * the parsers alone).
 */
import { describe, expect, it } from 'vitest';
import { mutate, rng } from '../../scripts/lib/fuzz';
import { parseCursorSet } from '../protocol/cursor';
import { SpiceProtocolError } from '../protocol/errors';
import { SpiceReader } from '../protocol/reader';
import { SpiceWriter } from '../protocol/writer';
import { decodeCursorShape } from './cursor-shape';

const seeds: Uint8Array[] = [
  // pos, visible, cursor flags 0 + header (unique, type ALPHA=0, 2x2, hot 0,0) + 16 bytes
  new SpiceWriter().i16(10).i16(20).u8(1).u16(0).u64(1n).u8(0).u16(2).u16(2).u16(0).u16(0).u32(16).bytes(new Uint8Array(16).fill(0x80)).finish(),
  // MONO 8x8, hot 3,3: AND and XOR masks
  new SpiceWriter().i16(1).i16(2).u8(1).u16(0).u64(2n).u8(1).u16(8).u16(8).u16(3).u16(3).u32(16).bytes(new Uint8Array(16).fill(0x0f)).finish(),
  // COLOR32 2x1 with its mask
  new SpiceWriter().i16(0).i16(0).u8(1).u16(0).u64(3n).u8(6).u16(2).u16(1).u16(0).u16(0).u32(9).bytes(new Uint8Array(9).fill(0x33)).finish(),
];

describe('cursor shape fuzz', () => {
  it('random and mutated CURSOR_SET bodies decode to a shape or a SpiceProtocolError', () => {
    const rand = rng(0xc0de);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 6000; i++) {
      const body = i % 4 === 0 ? Uint8Array.from({ length: Math.floor(rand() * 80) }, () => Math.floor(rand() * 256)) : mutate(seeds[i % seeds.length]!, rand);
      try {
        const s = parseCursorSet(SpiceReader.of(body));
        if (s.cursor.header) {
          decodeCursorShape(s.cursor.header, s.cursor.data);
          decoded++;
        }
      } catch (e) {
        if (!(e instanceof SpiceProtocolError)) throw new Error(`threw ${String(e)} on ${Buffer.from(body).toString('hex')}`);
        refused++;
      }
    }
    expect(decoded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
