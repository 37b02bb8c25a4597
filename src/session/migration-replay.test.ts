/**
 * A real seamless migration, replayed: QEMU A's and B's recorded server streams
 * (fixtures/qemu-migration) played to a Session over pipes, in the order the migration needs —
 * A up to MIGRATE_BEGIN_SEAMLESS, B's main link and its seamless ACK, B's other links, then A's
 * MIGRATE and MIGRATE_DATA on every channel, then B's stream. The client must hand each
 * channel's MIGRATE_DATA to B byte for byte, switch every channel with its state, and end with B's
 * screen exactly (the display channel draws B's updates over what it received from A).
 */
import { describe, expect, it } from 'vitest';
import { clientFrames, type FakeTransport } from '../../scripts/lib/scripted-server';
import { setup, until } from '../../scripts/lib/scripted-session';
import { rectRgba } from '../../scripts/lib/fake-display-worker';
import { loadMigrationFixture, type RecordedStream } from '../../scripts/lib/migration-fixture';
import { ChannelType, Msg, Msgc, MsgMain, MsgcMain } from '../protocol/enums';

/** play a recorded link stage to the client: reply after its link message, result after its ticket */
async function link(t: FakeTransport, r: RecordedStream): Promise<void> {
  await until(() => t.onmessage && t.sent.length >= 1, 'the link message');
  t.onmessage!(r.linkReply);
  await until(() => t.sent.some((b) => b.length === 128), 'the ticket');
  t.onmessage!(r.authResult);
}
const sentTypes = (t: FakeTransport, from: number) => clientFrames(t.sent.slice(from)).map((f) => f.type);

describe('a recorded QEMU seamless migration, replayed', () => {
  it('hands every channel over to B with its state and ends exactly on the screen of B', async () => {
    const { streams, truth } = loadMigrationFixture();
    const rec = (target: 'A' | 'B', type: number) => streams.find((s) => s.target === target && s.channelType === type)!;
    const s = setup();
    s.session.connect();

    // A: main up to MIGRATE_BEGIN_SEAMLESS; the other channels up to their MIGRATE
    const aMain = rec('A', ChannelType.MAIN);
    const begin = aMain.types.indexOf(MsgMain.MIGRATE_BEGIN_SEAMLESS);
    expect(begin).toBeGreaterThan(0);
    await link(s.tr(ChannelType.MAIN)!, aMain);
    for (const m of aMain.messages.slice(0, aMain.types.indexOf(MsgMain.CHANNELS_LIST) + 1)) s.tr(ChannelType.MAIN)!.onmessage!(m);
    const others = [ChannelType.DISPLAY, ChannelType.INPUTS, ChannelType.CURSOR];
    for (const type of others) {
      await until(() => s.tr(type), `A's ${type} connection`);
      const r = rec('A', type);
      await link(s.tr(type)!, r);
      for (const m of r.messages.slice(0, r.types.indexOf(Msg.MIGRATE))) s.tr(type)!.onmessage!(m);
    }
    await until(() => s.display.monitors.length === 1, 'A drawn');
    for (const m of aMain.messages.slice(aMain.types.indexOf(MsgMain.CHANNELS_LIST) + 1, begin + 1)) s.tr(ChannelType.MAIN)!.onmessage!(m);

    // B: main link and the seamless handshake, then every other link
    const dst = s.migration.ev;
    const phases: string[] = [];
    dst.on('connected', () => phases.push('connected'));
    dst.on('completed', () => phases.push('completed'));
    dst.on('failed', (e) => phases.push(`failed ${e.reason}`));
    const target = [...s.transports.keys()].find((k) => k.startsWith('1:0@'))?.split('@')[1];
    expect(target).toMatch(/^127\.0\.0\.1:\d+$/);
    const bMain = rec('B', ChannelType.MAIN);
    const bm = s.trTo(target!, ChannelType.MAIN)!;
    await link(bm, bMain);
    await until(() => sentTypes(bm, 3).includes(MsgcMain.MIGRATE_DST_DO_SEAMLESS), 'DST_DO_SEAMLESS');
    const ack = bMain.types.indexOf(MsgMain.MIGRATE_DST_SEAMLESS_ACK);
    for (const m of bMain.messages.slice(0, ack + 1)) bm.onmessage!(m);
    for (const type of others) {
      await until(() => s.trTo(target!, type), `B's ${type} connection`);
      await link(s.trTo(target!, type)!, rec('B', type));
    }
    await until(() => phases.includes('connected'), 'MIGRATE_CONNECTED_SEAMLESS');
    expect(sentTypes(s.tr(ChannelType.MAIN)!, 3)).toContain(MsgcMain.MIGRATE_CONNECTED_SEAMLESS);

    // A: MIGRATE (+ MIGRATE_DATA) on every channel; each hands its data to B and switches
    for (const type of [...others, ChannelType.MAIN]) {
      const r = rec('A', type);
      const from = type === ChannelType.MAIN ? begin + 1 : r.types.indexOf(Msg.MIGRATE);
      for (const m of r.messages.slice(from)) s.tr(type)!.onmessage!(m);
      const dataAt = r.types.indexOf(Msg.MIGRATE_DATA, from);
      if (dataAt >= 0) {
        const t = s.trTo(target!, type)!;
        await until(() => sentTypes(t, 3).includes(Msgc.MIGRATE_DATA), `MIGRATE_DATA to B's ${type}`);
        const handed = clientFrames(t.sent.slice(3)).find((f) => f.type === Msgc.MIGRATE_DATA)!;
        expect(Buffer.from(handed.body).equals(Buffer.from(r.messages[dataAt]!.subarray(6))), `channel ${type}: the hand-over is byte for byte`).toBe(true);
      }
    }
    await until(() => phases.includes('completed'), 'the main channel switched');
    for (const type of others) await until(() => s.tr(type)!.closed, `A's ${type} closed`);

    // B's own stream, from after the handshake
    for (const m of bMain.messages.slice(ack + 1)) bm.onmessage!(m);
    for (const type of others) for (const m of rec('B', type).messages) s.trTo(target!, type)!.onmessage!(m);
    const want = new Uint32Array(new Uint8Array(truth.rgba).buffer);
    await until(() => {
      const p = s.workers[0]!.sink?.primary;
      const mon = s.display.monitors[0];
      if (!p || !mon || mon.width !== truth.width || mon.height !== truth.height) return false;
      const got = new Uint32Array(rectRgba(p, mon).buffer);
      return got.every((v, i) => v === want[i]);
    }, 'the screen of B, exactly');
    expect(s.errors).toEqual([]);
    expect(s.session.status.state).toBe('connected');
  });
});
