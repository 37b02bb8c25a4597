// The record e2e's two independent observers besides the client itself:
//  - recordChannelMessages(): the proxy's traffic recording (`recordDir`) of the record channel's
//    connection, cut into SPICE messages in the order the proxy relayed them, so "nothing before
//    RECORD_START" is checked on the wire the server reads, not on the client's word;
//  - burstTone(): the frequency of Chromium's fake microphone in what the server stored. That
//    device (--use-fake-device-for-media-stream) plays short beeps (~20 ms every ~0.5 s, measured
//    in the page by the spec) of a unipolar square wave; the frequency is taken from the spacing
//    of the rising edges inside the beeps, interpolated to a fraction of a sample.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRecording, RecordKind } from '../../src/proxy/recording';

export interface WireMessage {
  /** 'c2s' client → server, 's2c' server → client */
  dir: 'c2s' | 's2c';
  type: number;
  size: number;
  /** index in the proxy's recording of the record whose bytes completed this message: the relay order */
  seq: number;
}

const SPICE_CHANNEL_RECORD = 6;

/** one direction's bytes, message by message, after the link stage (`skip` bytes) */
function cut(chunks: Array<{ seq: number; data: Buffer }>, skip: (b: Buffer) => number | null, dir: 'c2s' | 's2c'): WireMessage[] {
  const out: WireMessage[] = [];
  let buf = Buffer.alloc(0);
  let linked = false;
  for (const c of chunks) {
    buf = Buffer.concat([buf, c.data]);
    if (!linked) {
      const n = skip(buf);
      if (n === null || buf.length < n) continue;
      buf = buf.subarray(n);
      linked = true;
    }
    // mini header: u16 type, u32 size
    while (buf.length >= 6 && buf.length >= 6 + buf.readUInt32LE(2)) {
      const size = buf.readUInt32LE(2);
      out.push({ dir, type: buf.readUInt16LE(0), size, seq: c.seq });
      buf = buf.subarray(6 + size);
    }
  }
  return out;
}

/** the record channel connection's messages (both directions, in relay order) from a proxy recordDir */
export function recordChannelMessages(dir: string): WireMessage[] {
  for (const f of readdirSync(dir)) {
    const rec = parseRecording(readFileSync(path.join(dir, f)));
    const c2s = rec.records.map((r, seq) => ({ seq, r })).filter((x) => x.r.kind === RecordKind.ClientToServer).map((x) => ({ seq: x.seq, data: x.r.data }));
    const first = Buffer.concat(c2s.map((c) => c.data));
    // SpiceLinkHeader (16) then SpiceLinkMess: connection_id u32, channel_type u8
    if (first.length < 21 || first.readUInt8(20) !== SPICE_CHANNEL_RECORD) continue;
    const s2c = rec.records.map((r, seq) => ({ seq, r })).filter((x) => x.r.kind === RecordKind.ServerToClient).map((x) => ({ seq: x.seq, data: x.r.data }));
    // client: header + link mess, auth mechanism (4), RSA ticket (128); server: header + reply, auth result (4)
    const fromClient = cut(c2s, (b) => (b.length >= 16 ? 16 + b.readUInt32LE(12) + 4 + 128 : null), 'c2s');
    const fromServer = cut(s2c, (b) => (b.length >= 16 ? 16 + b.readUInt32LE(12) + 4 : null), 's2c');
    return [...fromClient, ...fromServer].sort((a, b) => a.seq - b.seq || (a.dir === 's2c' ? -1 : 1));
  }
  throw new Error(`no record channel connection in ${dir}`);
}

/**
 * The frequency of the square-wave beeps in `s` (one channel): rising crossings of half the
 * peak, interpolated; spacings of 1 … 10 ms are periods (longer ones are the gaps between
 * beeps); the mean of the periods within 5 % of their median.
 */
export function burstTone(s: ArrayLike<number>, rate: number): { hz: number; periods: number; peak: number } {
  let peak = 0;
  for (let i = 0; i < s.length; i++) peak = Math.max(peak, Math.abs(s[i]!));
  const th = peak / 2;
  const edges: number[] = [];
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!, b = s[i]!;
    if (a < th && b >= th) edges.push(i - 1 + (th - a) / (b - a));
  }
  const periods = edges.slice(1).map((e, i) => e - edges[i]!).filter((d) => d >= rate / 1000 && d <= rate / 100);
  if (periods.length === 0) return { hz: 0, periods: 0, peak };
  const sorted = [...periods].sort((a, b) => a - b);
  const med = sorted[sorted.length >> 1]!;
  const good = periods.filter((p) => Math.abs(p - med) <= med * 0.05);
  const mean = good.reduce((x, y) => x + y, 0) / good.length;
  return { hz: rate / mean, periods: good.length, peak };
}
