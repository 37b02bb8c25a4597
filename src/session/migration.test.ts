/**
 * Seamless live migration through a real Session (scripted source and destination servers on
 * pipes, the display channel in an in-thread worker): the main channel links to the destination
 * and does the DST_DO_SEAMLESS handshake there, every other channel links its second connection,
 * the source hears MIGRATE_CONNECTED_SEAMLESS; on MIGRATE each channel flushes, hands the
 * source's MIGRATE_DATA to the destination and switches over with its state: a recorded GLZ
 * display stream cut in two (first half from the source, second from the destination) gives the
 * server's framebuffer exactly. Failures answer MIGRATE_CONNECT_ERROR and stay on the source.
 */
import { describe, expect, it } from 'vitest';
import { clientFrames, le, miniMessage, type FakeTransport } from '../../scripts/lib/scripted-server';
import { connected, messageEnds, serverLink, setup, until } from '../../scripts/lib/scripted-session';
import { rectRgba } from '../../scripts/lib/fake-display-worker';
import { loadStream, loadTruth } from '../../scripts/lib/fixture-images';
import { comparePixels } from '../../scripts/lib/display-replay';
import { ChannelType, Msg, Msgc, MsgMain, MsgcMain } from '../protocol/enums';

const DST = '127.0.0.1:5911';
const LINK_SENDS = 2; // link message and ticket

function beginSeamless(port: number, host: string, version: number): Uint8Array {
  const h = [...new TextEncoder().encode(host), 0];
  // port, sport, host_size, host ptr (after the 24 fixed bytes), cert subject size 0, ptr 0, src version
  return miniMessage(MsgMain.MIGRATE_BEGIN_SEAMLESS, [...le(port, 2), ...le(0, 2), ...le(h.length, 4), ...le(24, 4), ...le(0, 4), ...le(0, 4), ...le(version, 4), ...h]);
}
const types = (t: FakeTransport) => clientFrames(t.sent.slice(LINK_SENDS)).map((f) => f.type);

describe('seamless migration', () => {
  it('links every channel to the destination, switches each on MIGRATE with its state, and the picture continues exactly', async () => {
    const s = setup();
    const src = await connected(s);
    const phases: string[] = [];
    s.migration.ev.on('begin', (e) => phases.push(`begin ${e.target} ${e.seamless}`));
    s.migration.ev.on('connected', (e) => phases.push(`connected ${e.channels}`));
    s.migration.ev.on('completed', () => phases.push('completed'));
    const statuses: string[] = [];
    s.session.ev.on('status', (st) => statuses.push(st.state));
    const bin = loadStream('glz');
    const ends = messageEnds(bin);
    const cut = ends[Math.floor(ends.length / 2)]!;
    s.tr(ChannelType.DISPLAY)!.onmessage!(bin.subarray(0, cut));
    await until(() => s.display.monitors.length === 1, 'the first half');

    src.onmessage!(beginSeamless(5911, '127.0.0.1', 7));
    expect(phases).toEqual([`begin ${DST} true`]);
    const dmain = s.trTo(DST, ChannelType.MAIN)!;
    await serverLink(dmain);
    // the destination main link carries the current session id, then the handshake
    expect(new DataView(dmain.sent[0]!.buffer).getUint32(16, true)).toBe(42);
    await until(() => types(dmain).includes(MsgcMain.MIGRATE_DST_DO_SEAMLESS), 'DST_DO_SEAMLESS');
    expect(Array.from(clientFrames(dmain.sent.slice(LINK_SENDS))[0]!.body)).toEqual(le(7, 4));
    dmain.onmessage!(miniMessage(MsgMain.MIGRATE_DST_SEAMLESS_ACK));
    for (const type of [ChannelType.DISPLAY, ChannelType.INPUTS, ChannelType.CURSOR]) {
      await until(() => s.trTo(DST, type), `the destination ${type} connection`);
      await serverLink(s.trTo(DST, type)!);
    }
    await until(() => types(src).includes(MsgcMain.MIGRATE_CONNECTED_SEAMLESS), 'MIGRATE_CONNECTED_SEAMLESS');
    expect(phases.at(-1)).toBe('connected 4');
    expect(types(src)).not.toContain(MsgcMain.MIGRATE_CONNECT_ERROR);

    // the VM has moved: MIGRATE (flush + data) on every channel of the source
    const data = (tag: number) => miniMessage(Msg.MIGRATE_DATA, [tag, 1, 2, 3]);
    const migrate = miniMessage(Msg.MIGRATE, le(3, 4));
    for (const [type, tag] of [[ChannelType.DISPLAY, 0xd0], [ChannelType.INPUTS, 0x10], [ChannelType.CURSOR, 0xc0], [ChannelType.MAIN, 0x30]] as const) {
      const t = s.tr(type)!;
      t.onmessage!(new Uint8Array([...migrate, ...data(tag)]));
      const d = s.trTo(DST, type)!;
      await until(() => types(d).includes(Msgc.MIGRATE_DATA), `MIGRATE_DATA to the destination ${type}`);
      expect(types(t)).toContain(Msgc.MIGRATE_FLUSH_MARK);
      const md = clientFrames(d.sent.slice(LINK_SENDS)).find((f) => f.type === Msgc.MIGRATE_DATA)!;
      expect(Array.from(md.body)).toEqual([tag, 1, 2, 3]);
      expect(t.closed).toBe(true);
    }
    expect(phases.at(-1)).toBe('completed');

    // the destination continues the stream: GLZ images refer to ones from the source's half
    s.trTo(DST, ChannelType.DISPLAY)!.onmessage!(bin.subarray(cut));
    const truth = loadTruth('glz');
    const want = truth.pixels.map((p) => (p | 0xff000000) >>> 0);
    await until(async () => {
      const st = await s.display.stats(0);
      return (st.imageTypes.GLZ_RGB ?? 0) > 0 && comparePixels(new Uint32Array(rectRgba(s.workers[0]!.sink!.primary!, s.display.monitors[0]!).buffer), want, truth.width).count === 0;
    }, 'the exact frame on the destination');
    // input goes to the destination now, not to the source
    const srcInputs = s.tr(ChannelType.INPUTS)!.sent.length;
    const dstInputs = s.trTo(DST, ChannelType.INPUTS)!;
    const before = dstInputs.sent.length;
    s.inputs.channel!.sendCombo([0x1e]);
    expect(dstInputs.sent.length).toBeGreaterThan(before);
    expect(s.tr(ChannelType.INPUTS)!.sent.length).toBe(srcInputs);
    expect(s.errors).toEqual([]);
    expect(statuses).toEqual([]);
    expect(s.session.status.state).toBe('connected');
  });

  it('a destination that refuses (proxy 4403) leaves the session on the source with MIGRATE_CONNECT_ERROR', async () => {
    const s = setup();
    const src = await connected(s);
    const failed: string[] = [];
    s.migration.ev.on('failed', (e) => failed.push(e.reason));
    src.onmessage!(beginSeamless(5911, '127.0.0.1', 7));
    const dmain = s.trTo(DST, ChannelType.MAIN)!;
    dmain.onclose!({ clean: false, reason: 'migration destination not allowed by the token', code: 4403 });
    await until(() => types(src).includes(MsgcMain.MIGRATE_CONNECT_ERROR), 'MIGRATE_CONNECT_ERROR');
    expect(failed[0]).toMatch(/not allowed/);
    expect(s.session.status.state).toBe('connected');
    expect(s.errors).toEqual([]);
    // still on the source: a MIGRATE now is a protocol error only if it came; the channels keep working
    expect(s.tr(ChannelType.INPUTS)!.closed).toBe(false);
  });

  it('semi-seamless MIGRATE_BEGIN is answered MIGRATE_CONNECT_ERROR; SWITCH_HOST then connects to the destination from scratch, the monitor kept', async () => {
    const s = setup();
    const src = await connected(s);
    const h = [...new TextEncoder().encode('127.0.0.1'), 0];
    const dst = [...le(5911, 2), ...le(0, 2), ...le(h.length, 4), ...le(20, 4), ...le(0, 4), ...le(0, 4), ...h];
    src.onmessage!(miniMessage(MsgMain.MIGRATE_BEGIN, dst));
    await until(() => types(src).includes(MsgcMain.MIGRATE_CONNECT_ERROR), 'MIGRATE_CONNECT_ERROR');
    s.tr(ChannelType.DISPLAY)!.onmessage!(loadStream('lz'));
    await until(() => s.display.monitors.length === 1, 'a monitor');
    src.onmessage!(miniMessage(MsgMain.MIGRATE_SWITCH_HOST, dst));
    const m2 = s.trTo(DST, ChannelType.MAIN)!;
    expect(m2).toBeTruthy();
    expect(s.display.monitors).toHaveLength(1);
    await serverLink(m2);
    // a new session on the destination (connection id 0 for its main link)
    expect(new DataView(m2.sent[0]!.buffer).getUint32(16, true)).toBe(0);
    const { mainInit, channelsList } = await import('../../scripts/lib/scripted-session');
    m2.onmessage!(mainInit(99));
    m2.onmessage!(channelsList([[2, 0]]));
    await until(() => s.workers[0]!.received.some((m) => m.type === 'relink'), 'the display relinked');
    expect(s.workers[0]!.received.find((m) => m.type === 'relink')).toMatchObject({ fresh: true, connectionId: 99 });
    expect((s.workers[0]!.received.find((m) => m.type === 'relink') as { url: string }).url).toContain('migrate=127.0.0.1%3A5911');
    expect(s.session.status.state).toBe('connected');
  });
});
