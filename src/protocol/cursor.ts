/**
 * Cursor channel messages (spice-protocol.md §8). Only the wire layout lives here; turning the
 * shape bytes into pixels is input/cursor-shape.ts.
 *
 *   Cursor       = u16 flags; unless NONE: CursorHeader; data = rest of the message
 *   CursorHeader = u64 unique, u8 type, u16 width, u16 height, u16 hot_spot_x, u16 hot_spot_y
 */
import { CursorFlags } from './enums';
import type { SpiceReader } from './reader';

export const CURSOR_HEADER_SIZE = 17;

export interface CursorHeader {
  /** cache key */
  unique: bigint;
  /** CursorType */
  type: number;
  width: number;
  height: number;
  hotSpotX: number;
  hotSpotY: number;
}

export interface SpiceCursor {
  /** CursorFlags bits */
  flags: number;
  /** null when flags has NONE (no shape) */
  header: CursorHeader | null;
  /** the shape bytes (empty for FROM_CACHE); a view into the message */
  data: Uint8Array;
}

export interface CursorPosition {
  x: number;
  y: number;
}

export interface CursorInit {
  position: CursorPosition;
  trailLength: number;
  trailFrequency: number;
  visible: boolean;
  cursor: SpiceCursor;
}

export interface CursorSet {
  position: CursorPosition;
  visible: boolean;
  cursor: SpiceCursor;
}

export interface CursorTrail {
  length: number;
  frequency: number;
}

export function parseCursorHeader(r: SpiceReader): CursorHeader {
  return { unique: r.u64(), type: r.u8(), width: r.u16(), height: r.u16(), hotSpotX: r.u16(), hotSpotY: r.u16() };
}

/** a Cursor at `r`'s position; it runs to the end of the message */
export function parseCursor(r: SpiceReader): SpiceCursor {
  const flags = r.u16();
  const header = flags & CursorFlags.NONE ? null : parseCursorHeader(r);
  return { flags, header, data: r.rest() };
}

function parsePoint16(r: SpiceReader): CursorPosition {
  return { x: r.i16(), y: r.i16() };
}

export function parseCursorInit(r: SpiceReader): CursorInit {
  const position = parsePoint16(r);
  const trailLength = r.u16();
  const trailFrequency = r.u16();
  const visible = r.u8() !== 0;
  return { position, trailLength, trailFrequency, visible, cursor: parseCursor(r) };
}

export function parseCursorSet(r: SpiceReader): CursorSet {
  const position = parsePoint16(r);
  const visible = r.u8() !== 0;
  return { position, visible, cursor: parseCursor(r) };
}

export function parseCursorMove(r: SpiceReader): CursorPosition {
  return parsePoint16(r);
}

export function parseCursorTrail(r: SpiceReader): CursorTrail {
  return { length: r.u16(), frequency: r.u16() };
}

/** INVAL_ONE: the cache id to drop */
export function parseCursorInvalOne(r: SpiceReader): bigint {
  return r.u64();
}
