/**
 * DisplayChannel over a scripted in-memory transport: link (our caps), DISPLAY_INIT and
 * PREFERRED_COMPRESSION on the wire, then a real recorded Xspice data phase delivered in
 * arbitrary chunks is drawn to the server's framebuffer; bad input closes the channel with a
 * typed error.
 */
import { describe, expect, it } from 'vitest';
import { FakeTransport, clientFrames, le, linkChannel } from '../../scripts/lib/scripted-server';
import { DisplayCap, ImageCompression, ImageType, MsgDisplay, MsgcDisplay } from '../protocol/enums';
import { DisplayChannel, type DisplayChannelOptions } from './display-channel';
import { loadStream, loadTruth } from '../../scripts/lib/fixture-images';
import { comparePixels, jpegJs } from '../../scripts/lib/display-replay';
import { drawCopy, drawFill, jpegImage, miniFrame, px, rect, surfaceCreate } from '../../scripts/lib/display-msgs';
import type { JpegDecoder } from './images';
import { BufferSink } from './sink';

const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);

async function linked(serverCaps: number, extra: Partial<DisplayChannelOptions> = {}) {
  const t = new FakeTransport();
  const sink = new BufferSink();
  const ch = new DisplayChannel({ transport: t, connectionId: 7, password: 'pw', encrypt: async () => new Uint8Array(128), sink, jpeg: jpegJs, ...extra });
  const closed: Array<{ error?: { type: string; details: string; fatal: boolean; message: string; channel?: { channelType: number; channelId: number } } }> = [];
  ch.ev.on('closed', (e) => closed.push(e));
  const linkSendCount = await linkChannel(ch, t, serverCaps);
  const linkMess = t.sent[0]!;
  linkSends.set(t, linkSendCount); // link mess and ticket
  return { t, ch, sink, closed, linkMess };
}

const linkSends = new WeakMap<FakeTransport, number>();
/** client data messages after the link */
function dataFrames(t: FakeTransport): Array<{ type: number; body: Uint8Array }> {
  return clientFrames(t.sent.slice(linkSends.get(t)));
}

describe('DisplayChannel', () => {
  it('advertises the display caps it implements and sends DISPLAY_INIT, then PREFERRED_COMPRESSION', async () => {
    const { t, linkMess } = await linked(1 << DisplayCap.PREF_COMPRESSION, { preferredCompression: ImageCompression.LZ4 });
    // SpiceLinkMess after the 16-byte header: conn id, type, id, n common, n channel, caps offset
    const m = linkMess.subarray(16);
    expect(m[4]).toBe(2); // DISPLAY
    const nCommon = u32(m, 6), nChannel = u32(m, 10), capsOff = u32(m, 14);
    expect(nChannel).toBe(1);
    const word = u32(m, capsOff + 4 * nCommon);
    // STREAM_REPORT: we answer STREAM_ACTIVATE_REPORT (video/report.ts); no video decoders given here, so no VP8/VP9/H.264
    const want: number[] = [DisplayCap.SIZED_STREAM, DisplayCap.MONITORS_CONFIG, DisplayCap.COMPOSITE, DisplayCap.LZ4_COMPRESSION, DisplayCap.PREF_COMPRESSION, DisplayCap.MULTI_CODEC, DisplayCap.CODEC_MJPEG, DisplayCap.STREAM_REPORT];
    expect(word).toBe(want.reduce((w, c) => w | (1 << c), 0));
    expect(word & (1 << DisplayCap.A8_SURFACE)).toBe(0);

    const f = dataFrames(t);
    expect(f.map((x) => x.type)).toEqual([MsgcDisplay.INIT, MsgcDisplay.PREFERRED_COMPRESSION]);
    const init = f[0]!.body;
    expect(init.length).toBe(14);
    const dv = new DataView(init.buffer, init.byteOffset, 14);
    expect(init[0]).toBe(1); // pixmap cache id
    expect(dv.getBigInt64(1, true)).toBe(20n * 1024n * 1024n); // 80 MiB of pixels
    expect(init[9]).toBe(1); // GLZ dictionary id
    expect(dv.getInt32(10, true)).toBe(4 * 1024 * 1024);
    expect(Array.from(f[1]!.body)).toEqual([ImageCompression.LZ4]);
  });

  it('sends no PREFERRED_COMPRESSION when the server lacks the cap', async () => {
    const { t } = await linked(0, { preferredCompression: ImageCompression.LZ4 });
    expect(dataFrames(t).map((x) => x.type)).toEqual([MsgcDisplay.INIT]);
  });

  it('draws a recorded glz session fed in odd-sized chunks to the server framebuffer', async () => {
    const { t, ch, sink, closed } = await linked(0);
    const prim: string[] = [];
    let marks = 0;
    ch.ev.on('primary', (e) => prim.push(`${e.width}x${e.height}`));
    ch.ev.on('mark', () => marks++);
    const bin = loadStream('glz');
    for (let o = 0; o < bin.length; o += 40000 + 7) t.onmessage!(bin.subarray(o, Math.min(bin.length, o + 40007)));
    await ch.whenProcessed(ch.receivedSerial);
    expect(closed).toEqual([]);
    const truth = loadTruth('glz');
    expect(prim).toEqual([`${truth.width}x${truth.height}`]);
    expect(marks).toBe(1);
    const d = comparePixels(sink.primary!.pixels, truth.pixels, truth.width);
    expect(d, `${d.count} pixels differ, first ${d.first}`).toEqual({ count: 0, first: null });
    // the recording holds SET_ACK and PINGs: the channel answered them
    expect(dataFrames(t).map((x) => x.type)).toContain(3 /* PONG */);
  });

  it('relinked to a new transport mid-stream, it continues with its state (GLZ window, caches, surfaces)', async () => {
    const bin = loadStream('glz');
    // message boundaries of the recorded data phase (mini header: u16 type, u32 size)
    const ends: number[] = [];
    for (let o = 0; o < bin.length; ) ends.push((o += 6 + u32(bin, o + 2)));
    expect(ends.at(-1)).toBe(bin.length);
    const cut = ends[Math.floor(ends.length / 2)]!;
    const { t, ch, sink, closed } = await linked(0);
    const ready: number[] = [];
    ch.ev.on('ready', () => ready.push(ch.generation));
    t.onmessage!(bin.subarray(0, cut));
    const t2 = new FakeTransport();
    ch.relink(t2, { connectionId: 9 });
    expect(t.closed).toBe(true);
    // late bytes on the old connection are ignored
    t.onmessage?.(bin.subarray(cut, cut + 100));
    t.onclose?.({ clean: false, reason: 'gone' });
    await linkChannel({ start: () => undefined }, t2, 0);
    expect(ready).toEqual([1]);
    // the new link message carries the new connection id
    expect(u32(t2.sent[0]!, 16)).toBe(9);
    for (let o = cut; o < bin.length; o += 30011) t2.onmessage!(bin.subarray(o, Math.min(bin.length, o + 30011)));
    await ch.whenProcessed(ch.receivedSerial);
    expect(closed).toEqual([]);
    const truth = loadTruth('glz');
    const d = comparePixels(sink.primary!.pixels, truth.pixels, truth.width);
    expect(d, `${d.count} pixels differ, first ${d.first}`).toEqual({ count: 0, first: null });
    // GLZ images in the second half referred to images decoded from the first connection
    expect(ch.core.imageTypeCounts.get(ImageType.GLZ_RGB)).toBeGreaterThan(0);
  });

  it('the same stream with a fresh channel on the second transport cannot draw it (the state is what carries it)', async () => {
    const bin = loadStream('glz');
    const ends: number[] = [];
    for (let o = 0; o < bin.length; ) ends.push((o += 6 + u32(bin, o + 2)));
    const cut = ends[Math.floor(ends.length / 2)]!;
    const { t, ch, sink, closed } = await linked(0);
    t.onmessage!(bin.subarray(cut));
    await ch.whenProcessed(ch.receivedSerial);
    const truth = loadTruth('glz');
    const broken = closed.length > 0 || !sink.primary || comparePixels(sink.primary.pixels, truth.pixels, truth.width).count > 0;
    expect(broken).toBe(true);
  });

  it('a malformed draw message closes only this channel with a typed error', async () => {
    const { t, ch, closed } = await linked(0);
    // DRAW_COPY on a surface that was never created
    const body = [...le(5, 4), ...le(0, 16), 0, ...le(0, 4), ...le(0, 16), ...le(8, 2), 1, 0, ...le(0, 8), ...le(0, 4)];
    t.onmessage!(new Uint8Array([...le(MsgDisplay.DRAW_COPY, 2), ...le(body.length, 4), ...body]));
    await new Promise((r) => setTimeout(r, 0));
    expect(ch.isOpen).toBe(false);
    expect(closed[0]?.error).toMatchObject({ type: 'protocolError', details: 'malformedMessage', fatal: false, channel: { channelType: 2, channelId: 0 } });
    expect(t.closed).toBe(true);
  });

  it('keeps message order across a slow asynchronous JPEG decode', async () => {
    let decodes = 0;
    const slow: JpegDecoder = (d) => new Promise((r) => setTimeout(() => { decodes++; r(jpegJs(d)); }, 20));
    const { t, ch, sink, closed } = await linked(0, { jpeg: slow });
    const rgba = new Uint8Array(4 * 4 * 4).fill(255);
    t.onmessage!(new Uint8Array([
      ...miniFrame(MsgDisplay.SURFACE_CREATE, surfaceCreate(0, 4, 4)),
      ...miniFrame(MsgDisplay.DRAW_COPY, drawCopy(0, rect(0, 0, 4, 4), jpegImage(0n, 0, 4, 4, rgba))),
      ...miniFrame(MsgDisplay.DRAW_FILL, drawFill(0, rect(1, 1, 3, 3), 0x102030)),
    ]));
    await new Promise((r) => setTimeout(r, 5));
    expect(ch.lastProcessedSerial).toBe(1n); // the fill waits behind the decode
    await ch.whenProcessed(3n);
    expect(decodes).toBe(1);
    expect(closed).toEqual([]);
    const p = sink.primary!.pixels;
    // the later fill stays on top of the earlier (white) JPEG
    expect([p[5], p[6], p[9], p[10]]).toEqual(new Array(4).fill(px(0x10, 0x20, 0x30)));
    expect([p[0]! & 0xff, (p[0]! >>> 8) & 0xff, (p[0]! >>> 16) & 0xff].every((c) => c > 250)).toBe(true); // white JPEG around it
  });
});
