/** Which image types a recorded display stream contains (for fixture metadata and e2e reports). */
import { MessageFramer } from '../../src/protocol/framing';
import { SpiceReader } from '../../src/protocol/reader';
import { MsgDisplay, imageTypeName } from '../../src/protocol/enums';
import { parseDrawCopy, parseDrawOpaque, parseDrawRop3, parseDrawTransparent, parseDrawAlphaBlend, parseDrawComposite, parseDrawFill, type SpiceImage } from '../../src/protocol/display';
import { parseSubMessageList } from '../../src/protocol/base';

export function imageTypesInStream(bin: Uint8Array): Record<string, number> {
  const framer = new MessageFramer();
  framer.push(bin);
  const out: Record<string, number> = {};
  const add = (img: SpiceImage | null | undefined) => {
    if (!img) return;
    const n = imageTypeName(img.type);
    out[n] = (out[n] ?? 0) + 1;
  };
  const visit = (type: number, body: Uint8Array) => {
    const r = SpiceReader.of(body);
    try {
      switch (type) {
        case 8: for (const s of parseSubMessageList(r)) visit(s.type, s.body); break;
        case MsgDisplay.DRAW_COPY: case MsgDisplay.DRAW_BLEND: add(parseDrawCopy(r).src); break;
        case MsgDisplay.DRAW_OPAQUE: add(parseDrawOpaque(r).src); break;
        case MsgDisplay.DRAW_ROP3: add(parseDrawRop3(r).src); break;
        case MsgDisplay.DRAW_TRANSPARENT: add(parseDrawTransparent(r).src); break;
        case MsgDisplay.DRAW_ALPHA_BLEND: add(parseDrawAlphaBlend(r).src); break;
        case MsgDisplay.DRAW_COMPOSITE: { const c = parseDrawComposite(r); add(c.src); add(c.mask); break; }
        case MsgDisplay.DRAW_FILL: { const f = parseDrawFill(r); if (f.brush.type === 2) add(f.brush.pattern); break; }
      }
    } catch {
      out.unparsable = (out.unparsable ?? 0) + 1;
    }
  };
  for (let m = framer.next(); m; m = framer.next()) visit(m.type, m.body);
  return out;
}
