/**
 * The recorded QEMU seamless migration (fixtures/qemu-migration, made by
 * scripts/record-migration.mjs): each connection's server->client bytes cut into the link part
 * (link header, reply, auth result) and whole mini-header messages, so a test can play the
 * source (A) and destination (B) servers in the order a migration needs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodePng } from './truth.mjs';

const DIR = fileURLToPath(new URL('../../fixtures/qemu-migration/', import.meta.url));

export interface RecordedStream {
  target: 'A' | 'B';
  channelType: number;
  channelId: number;
  /** link header + reply + the 4-byte auth result */
  linkReply: Uint8Array;
  authResult: Uint8Array;
  /** whole messages (mini header included) */
  messages: Uint8Array[];
  types: number[];
  /** what the recorded client sent on this connection */
  client: Uint8Array;
}

export function loadMigrationFixture(): { streams: RecordedStream[]; truth: { width: number; height: number; rgba: Buffer } } {
  const bin = readFileSync(`${DIR}streams.bin`);
  const meta = JSON.parse(readFileSync(`${DIR}streams.json`, 'utf8')) as { streams: Array<{ target: 'A' | 'B'; channelType: number; channelId: number; server: [number, number]; client: [number, number] }> };
  const streams = meta.streams.map((m) => {
    const s = bin.subarray(m.server[0], m.server[0] + m.server[1]);
    const replyEnd = 16 + s.readUInt32LE(12);
    const messages: Uint8Array[] = [];
    const types: number[] = [];
    for (let o = replyEnd + 4; o + 6 <= s.length; ) {
      const size = s.readUInt32LE(o + 2);
      if (o + 6 + size > s.length) break;
      messages.push(s.subarray(o, o + 6 + size));
      types.push(s.readUInt16LE(o));
      o += 6 + size;
    }
    return {
      target: m.target, channelType: m.channelType, channelId: m.channelId,
      linkReply: s.subarray(0, replyEnd), authResult: s.subarray(replyEnd, replyEnd + 4),
      messages, types, client: bin.subarray(m.client[0], m.client[0] + m.client[1]),
    };
  });
  return { streams, truth: decodePng(readFileSync(`${DIR}truth.png`)) };
}
