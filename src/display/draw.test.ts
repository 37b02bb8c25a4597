/**
 * The draw messages the Xspice recordings do not carry, through DisplayCore end to end (parser →
 * image resolution → ops → damage), each on a 4×2 primary pre-filled with one colour; expected
 * pixels are worked out by hand from the protocol's definition of each op (spice-protocol.md §5.4).
 */
import { describe, expect, it } from 'vitest';
import { Body, bitmap32, black, maskBitmap, px, rect, surfaceCreate, type R } from '../../scripts/lib/display-msgs';
import { MsgDisplay } from '../protocol/enums';
import { SpiceReader } from '../protocol/reader';
import { DisplayCore } from './core';
import { BufferSink } from './sink';

const bg = px(10, 20, 30), red = px(255, 0, 0), green = px(0, 255, 0), white = 0xffffffff;
const OP_PUT = 8, OP_AND = 32, INVERS_RES = 1 << 10;

function setup() {
  const sink = new BufferSink();
  const core = new DisplayCore({ sink });
  const h = (type: number, body: Uint8Array) => core.handle(type, SpiceReader.of(body));
  h(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 4, 2));
  h(MsgDisplay.DRAW_COPY, copyBody(rect(0, 0, 4, 2), bitmap32(0n, 0, 4, 2, new Array(8).fill(bg))));
  return { sink, core, h, pixels: () => Array.from(core.primary!.pixels) };
}

/** DRAW_COPY/BLEND body: base, src, src_area, ropd, scale, mask */
function copyBody(box: R, src: ReturnType<typeof bitmap32>, ropd = OP_PUT, clip: R[] | null = null): Uint8Array {
  const b = new Body().base(0, box, clip).ptr(src);
  b.w.i32(0).i32(0).i32(box.bottom - box.top).i32(box.right - box.left).u16(ropd).u8(1);
  return b.mask().finish();
}

describe('draw messages through DisplayCore', () => {
  it('BLACKNESS, WHITENESS and INVERS inside clip and mask', () => {
    const { h, pixels } = setup();
    h(MsgDisplay.DRAW_BLACKNESS, new Body().base(0, rect(0, 0, 4, 1), [rect(1, 0, 3, 1)]).mask().finish());
    h(MsgDisplay.DRAW_WHITENESS, new Body().base(0, rect(0, 1, 4, 2)).mask(maskBitmap([[1, 0, 0, 1]])).finish());
    h(MsgDisplay.DRAW_INVERS, new Body().base(0, rect(2, 1, 4, 2)).mask().finish());
    const inv = (c: number) => (~c | 0xff000000) >>> 0;
    expect(pixels()).toEqual([bg, black, black, bg, white, bg, inv(bg), inv(white)]);
  });

  it('a mask with INVERS draws where its bits are clear', () => {
    const { h, pixels } = setup();
    h(MsgDisplay.DRAW_WHITENESS, new Body().base(0, rect(0, 0, 4, 1)).mask(maskBitmap([[1, 0, 0, 1]]), 1).finish());
    expect(pixels().slice(0, 4)).toEqual([bg, white, white, bg]);
  });

  it('DRAW_BLEND with OP_PUT|INVERS_RES draws the inverted source', () => {
    const { h, pixels } = setup();
    h(MsgDisplay.DRAW_BLEND, copyBody(rect(0, 0, 2, 1), bitmap32(0n, 0, 2, 1, [red, green]), OP_PUT | INVERS_RES));
    expect(pixels().slice(0, 3)).toEqual([px(0, 255, 255), px(255, 0, 255), bg]);
  });

  it('DRAW_OPAQUE: the brush combined with the copied source (OP_AND)', () => {
    const { h, pixels } = setup();
    const b = new Body().base(0, rect(0, 0, 2, 1)).ptr(bitmap32(0n, 0, 2, 1, [white, red]));
    b.w.i32(0).i32(0).i32(1).i32(2);
    b.solid(0x00ff00).w.u16(OP_AND).u8(1);
    h(MsgDisplay.DRAW_OPAQUE, b.mask().finish());
    expect(pixels().slice(0, 3)).toEqual([green, black, bg]);
  });

  it('DRAW_ROP3: 0xCC copies the source, 0xF0 paints the brush, 0x55 inverts the destination', () => {
    const { h, pixels } = setup();
    const rop3 = (box: R, code: number) => {
      const b = new Body().base(0, box).ptr(bitmap32(0n, 0, 1, 1, [red]));
      b.w.i32(0).i32(0).i32(1).i32(1);
      b.solid(0x00ff00).w.u8(code).u8(1);
      return b.mask().finish();
    };
    h(MsgDisplay.DRAW_ROP3, rop3(rect(0, 0, 1, 1), 0xcc));
    h(MsgDisplay.DRAW_ROP3, rop3(rect(1, 0, 2, 1), 0xf0));
    h(MsgDisplay.DRAW_ROP3, rop3(rect(2, 0, 3, 1), 0x55));
    expect(pixels().slice(0, 4)).toEqual([red, green, (~bg | 0xff000000) >>> 0, bg]);
  });

  it('DRAW_TRANSPARENT skips the key colour; DRAW_ALPHA_BLEND of an opaque source at alpha 255 copies it', () => {
    const { h, pixels } = setup();
    const t = new Body().base(0, rect(0, 0, 2, 1)).ptr(bitmap32(0n, 0, 2, 1, [red, green]));
    t.w.i32(0).i32(0).i32(1).i32(2).u32(0x00ff00).u32(0x00ff00);
    h(MsgDisplay.DRAW_TRANSPARENT, t.finish());
    const a = new Body().base(0, rect(2, 1, 4, 2));
    a.w.u8(0).u8(255);
    a.ptr(bitmap32(0n, 0, 2, 1, [green, red])).w.i32(0).i32(0).i32(1).i32(2);
    h(MsgDisplay.DRAW_ALPHA_BLEND, a.finish());
    expect(pixels()).toEqual([red, bg, bg, bg, bg, bg, green, red]);
  });

  it('DRAW_STROKE: a zero-width line without its last point (X11 CapNotLast)', () => {
    const { h, pixels, sink } = setup();
    const before = sink.damageCount;
    const s = new Body().base(0, rect(0, 0, 4, 2)).ptr(() => {
      const b = new Body();
      b.w.u32(1).u8(1 | 2).u32(2).i32(0 << 4).i32(1 << 4).i32(3 << 4).i32(1 << 4);
      return b.finish();
    });
    s.w.u8(0);
    s.solid(0xff0000).w.u16(OP_PUT).u16(0);
    h(MsgDisplay.DRAW_STROKE, s.finish());
    expect(pixels().slice(4)).toEqual([red, red, red, bg]);
    expect(sink.damageCount).toBe(before + 1);
  });

  it('DRAW_TEXT: an A1 glyph (MSB first) in the fore colour, nothing else', () => {
    const { h, pixels } = setup();
    const t = new Body().base(0, rect(0, 0, 4, 2)).ptr(() => {
      const b = new Body();
      // one glyph: render_pos (1,1), origin (0,0), 8×1, bits 1010_0000
      b.w.u16(1).u8(1).i32(1).i32(1).i32(0).i32(0).u16(8).u16(1).u8(0b10100000);
      return b.finish();
    });
    t.w.i32(0).i32(0).i32(0).i32(0); // empty back area
    t.solid(0x00ff00).solid(0xff0000).w.u16(OP_PUT).u16(OP_PUT);
    h(MsgDisplay.DRAW_TEXT, t.finish());
    expect(pixels()).toEqual([bg, bg, bg, bg, bg, green, bg, green]);
  });
});
