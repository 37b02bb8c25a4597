import { describe, expect, it } from 'vitest';
import { SpiceProtocolError } from './errors';
import {
  buildKeyDown, buildKeyModifiers, buildKeyScancode, buildKeyUp, buildMouseMotion, buildMousePosition,
  buildMousePress, buildMouseRelease, parseInputsInit, parseKeyModifiers,
} from './inputs';
import { SpiceReader } from './reader';

const bytes = (u: Uint8Array): number[] => Array.from(u);

describe('inputs client messages', () => {
  it('KEY_DOWN / KEY_UP: u32 little-endian', () => {
    expect(bytes(buildKeyDown(0x1e))).toEqual([0x1e, 0, 0, 0]);
    expect(bytes(buildKeyUp(0x9de0))).toEqual([0xe0, 0x9d, 0, 0]);
    expect(bytes(buildKeyDown(0x451de1))).toEqual([0xe1, 0x1d, 0x45, 0]);
  });

  it('KEY_MODIFIERS: u16', () => {
    expect(bytes(buildKeyModifiers(6))).toEqual([6, 0]);
  });

  it('KEY_SCANCODE: the bytes as they are', () => {
    expect(bytes(buildKeyScancode([0xe0, 0x1d, 0xe0, 0x9d]))).toEqual([0xe0, 0x1d, 0xe0, 0x9d]);
    expect(() => buildKeyScancode([256])).toThrow(SpiceProtocolError);
    expect(() => buildKeyScancode([-1])).toThrow(SpiceProtocolError);
  });

  it('MOUSE_MOTION: i32 dx, i32 dy, u16 buttons', () => {
    expect(bytes(buildMouseMotion(-2, 258, 5))).toEqual([0xfe, 0xff, 0xff, 0xff, 2, 1, 0, 0, 5, 0]);
    // out-of-range deltas saturate instead of wrapping
    expect(bytes(buildMouseMotion(2 ** 40, -(2 ** 40), 0)).slice(0, 8)).toEqual([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80]);
  });

  it('MOUSE_POSITION: u32 x, u32 y, u16 buttons, u8 display', () => {
    expect(bytes(buildMousePosition(640, 480, 1, 2))).toEqual([0x80, 2, 0, 0, 0xe0, 1, 0, 0, 1, 0, 2]);
    expect(bytes(buildMousePosition(-3, 1.7, 0, 0)).slice(0, 8)).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('MOUSE_PRESS / MOUSE_RELEASE: u8 button, u16 buttons', () => {
    expect(bytes(buildMousePress(3, 4))).toEqual([3, 4, 0]);
    expect(bytes(buildMouseRelease(6, 0x20))).toEqual([6, 0x20, 0]);
  });
});

describe('inputs server messages', () => {
  it('parses INIT and KEY_MODIFIERS', () => {
    expect(parseInputsInit(SpiceReader.of(new Uint8Array([7, 0])))).toBe(7);
    expect(parseKeyModifiers(SpiceReader.of(new Uint8Array([2, 0])))).toBe(2);
    expect(() => parseKeyModifiers(SpiceReader.of(new Uint8Array([2])))).toThrow(SpiceProtocolError);
  });
});
