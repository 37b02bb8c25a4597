/**
 * Fuzz of every non-display message parser (main, cursor, inputs, base, link): seeded random and
 * mutated bodies. The only error allowed out is SpiceProtocolError, and nothing reads past the
 * body (the reader is bounded to it, so an overread shows up as that typed error, never as
 * garbage). Display parsers and codecs have their own fuzz tests beside them.
 */
import { describe, expect, it } from 'vitest';
import { mutate, rng } from '../../scripts/lib/fuzz';
import * as base from './base';
import * as cursor from './cursor';
import { SpiceProtocolError } from './errors';
import * as inputs from './inputs';
import * as link from './link';
import * as main from './main';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';

const readerParsers: Record<string, (r: SpiceReader) => unknown> = {
  parseMainInit: main.parseMainInit,
  parseChannelsList: main.parseChannelsList,
  parseMouseMode: main.parseMouseMode,
  parseMultiMediaTime: main.parseMultiMediaTime,
  parseName: main.parseName,
  parseUuid: main.parseUuid,
  parseAgentTokens: main.parseAgentTokens,
  parseMigrationDstInfo: main.parseMigrationDstInfo,
  parseCursorInit: cursor.parseCursorInit,
  parseCursorSet: cursor.parseCursorSet,
  parseCursorMove: cursor.parseCursorMove,
  parseCursorTrail: cursor.parseCursorTrail,
  parseCursorInvalOne: cursor.parseCursorInvalOne,
  parseInputsInit: inputs.parseInputsInit,
  parseKeyModifiers: inputs.parseKeyModifiers,
  parseSetAck: base.parseSetAck,
  parsePing: base.parsePing,
  parseWaitForChannels: base.parseWaitForChannels,
  parseDisconnecting: base.parseDisconnecting,
  parseNotify: base.parseNotify,
  parseSubMessageList: base.parseSubMessageList,
};

/** a few well-formed seeds so mutations start from the valid paths too */
const seeds: Uint8Array[] = [
  new SpiceWriter().u32(7).u32(1).u32(3).u32(2).u32(1).u32(10).u32(12345).u32(0).finish(), // MAIN_INIT
  new SpiceWriter().u32(3).u8(2).u8(0).u8(3).u8(0).u8(4).u8(0).finish(), // CHANNELS_LIST
  new SpiceWriter().u32(5).bytes(new TextEncoder().encode('vm-1\0')).finish(), // NAME
  new SpiceWriter().u64(1n).u32(1).u32(0).u32(0).u32(5).bytes(new TextEncoder().encode('hello\0')).finish(), // NOTIFY
  new SpiceWriter().u8(2).u8(1).u8(0).u64(5n).u8(4).u8(0).u64(9n).finish(), // WAIT_FOR_CHANNELS
  new SpiceWriter().u16(2).u32(10).u32(20).u16(101).u32(2).u8(1).u8(2).u16(102).u32(0).finish(), // SUB_LIST-ish
  // CURSOR_SET: pos, visible, cursor flags 0 + header (unique, type ALPHA=0, 2x2, hot 0,0) + 16 bytes
  new SpiceWriter().i16(10).i16(20).u8(1).u16(0).u64(1n).u8(0).u16(2).u16(2).u16(0).u16(0).u32(16).bytes(new Uint8Array(16).fill(0x80)).finish(),
  new SpiceWriter().i16(1).i16(2).u16(4).u16(60).u8(1).u16(0).u64(2n).u8(1).u16(8).u16(8).u16(3).u16(3).bytes(new Uint8Array(16)).finish(),
];

function check(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SpiceProtocolError)) throw e;
  }
}

describe('message parser fuzz', () => {
  it('random and mutated bodies give a parsed value or a SpiceProtocolError, for every parser', () => {
    const rand = rng(0x5eed);
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      let body: Uint8Array;
      if (i % 3 === 0) body = Uint8Array.from({ length: Math.floor(rand() * 64) }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 256)));
      else body = mutate(seeds[i % seeds.length]!, rand);
      for (const [name, p] of Object.entries(readerParsers)) {
        try {
          p(SpiceReader.of(body));
          parsed++;
        } catch (e) {
          if (!(e instanceof SpiceProtocolError)) throw new Error(`${name} threw ${String(e)} on ${Buffer.from(body).toString('hex')}`);
          refused++;
        }
      }
      // (parsed cursor shapes going on to the decoder: src/input/cursor-shape.fuzz.test.ts)
      check(() => link.parseLinkHeader(body));
      check(() => link.parseLinkReply(body));
    }
    // both outcomes occur, so the fuzz reaches past the first field checks
    expect(parsed).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
