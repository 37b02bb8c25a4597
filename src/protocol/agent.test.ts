import { describe, expect, it } from 'vitest';
import {
  AgentStreamReader, VD_AGENT_HEADER_SIZE, VD_AGENT_MAX_DATA_SIZE, VDAgentCap, VDAgentType, buildAnnounceCapabilities, buildClipboardData,
  buildClipboardGrab, buildFileXferData, buildMonitorsConfig, chunkAgentMessage, encodeAgentMessage, fileXferKeyFile, hasCap,
  parseAnnounceCapabilities, parseClipboardData, parseClipboardGrab, parseFileXferStatus, parseMonitorsConfig,
} from './agent';
import { SpiceProtocolError } from './errors';

function payload(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

describe('VDAgentMessage framing (§4.1)', () => {
  it('encodes the 20-byte header: protocol 1, type, opaque 0, size', () => {
    const m = encodeAgentMessage(VDAgentType.CLIPBOARD_REQUEST, new Uint8Array([1, 2, 3]));
    expect([...m]).toEqual([1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3]);
  });

  it('cuts records into AGENT_DATA bodies of at most VD_AGENT_MAX_DATA_SIZE, the header in the first', () => {
    const rec = encodeAgentMessage(VDAgentType.CLIPBOARD, payload(5000));
    const chunks = chunkAgentMessage(rec);
    expect(chunks.map((c) => c.length)).toEqual([2048, 2048, 5020 - 4096]);
    expect(chunks.every((c) => c.length <= VD_AGENT_MAX_DATA_SIZE)).toBe(true);
    expect(new DataView(chunks[0]!.buffer, chunks[0]!.byteOffset).getUint32(16, true)).toBe(5000);
    // a record that fills chunks exactly leaves no empty trailing chunk
    expect(chunkAgentMessage(new Uint8Array(4096)).map((c) => c.length)).toEqual([2048, 2048]);
  });

  it('reassembles records across chunks, several per chunk and headers split anywhere', () => {
    const a = encodeAgentMessage(VDAgentType.CLIPBOARD, payload(3000, 7));
    const b = encodeAgentMessage(VDAgentType.REPLY, new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0]));
    const c = encodeAgentMessage(VDAgentType.CLIPBOARD_RELEASE);
    const stream = new Uint8Array([...a, ...b, ...c]);
    for (const cut of [1, 7, 19, 20, 21, 2048, 3019, 3020, 3021, 3040]) {
      const r = new AgentStreamReader();
      const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
      expect(got.map((m) => [m.type, m.data.length])).toEqual([[4, 3000], [3, 8], [9, 0]]);
      expect(got[0]!.data).toEqual(payload(3000, 7));
      expect(r.idle).toBe(true);
    }
    // byte by byte
    const r = new AgentStreamReader();
    const got = [];
    for (let i = 0; i < stream.length; i++) got.push(...r.push(stream.subarray(i, i + 1)));
    expect(got.map((m) => m.type)).toEqual([4, 3, 9]);
  });

  it('refuses a wrong protocol number and a record over the limit, never reading past its input', () => {
    const bad = encodeAgentMessage(1, new Uint8Array(4));
    bad[0] = 2;
    expect(() => new AgentStreamReader().push(bad)).toThrow(SpiceProtocolError);
    const big = encodeAgentMessage(4, new Uint8Array(0));
    new DataView(big.buffer).setUint32(16, 2000, true);
    expect(() => new AgentStreamReader(1000).push(big)).toThrow(/limit 1000/);
    // a partial record is kept, not an error
    const r = new AgentStreamReader();
    expect(r.push(encodeAgentMessage(4, new Uint8Array(10)).subarray(0, 25))).toEqual([]);
    expect(r.idle).toBe(false);
    r.reset();
    expect(r.idle).toBe(true);
  });
});

describe('agent messages', () => {
  it('capabilities round-trip and are tested by bit', () => {
    const caps = [VDAgentCap.CLIPBOARD_BY_DEMAND, VDAgentCap.CLIPBOARD_SELECTION, VDAgentCap.CLIPBOARD_GRAB_SERIAL];
    const a = parseAnnounceCapabilities(buildAnnounceCapabilities(true, caps));
    expect(a.request).toBe(true);
    expect(a.caps.length).toBe(1);
    expect(caps.every((c) => hasCap(a.caps, c))).toBe(true);
    expect(hasCap(a.caps, VDAgentCap.MOUSE_STATE)).toBe(false);
    expect(hasCap(a.caps, 40)).toBe(false);
    expect(hasCap(null, 5)).toBe(false);
  });

  it('clipboard records with and without the selection prefix and the grab serial (§4.5)', () => {
    const full = { selection: true, serial: true };
    expect([...buildClipboardGrab(full, 1, 7, [1, 2])]).toEqual([1, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]);
    expect(parseClipboardGrab(full, buildClipboardGrab(full, 1, 7, [1, 2]))).toEqual({ selection: 1, serial: 7, types: [1, 2] });
    const old = { selection: false, serial: false };
    expect([...buildClipboardGrab(old, 0, 7, [1])]).toEqual([1, 0, 0, 0]);
    expect(() => buildClipboardGrab(old, 1, 0, [1])).toThrow(SpiceProtocolError);
    const d = parseClipboardData(full, buildClipboardData(full, 0, 1, new Uint8Array([104, 105])));
    expect(d).toEqual({ selection: 0, type: 1, data: new Uint8Array([104, 105]) });
    expect(() => parseClipboardData(full, new Uint8Array([0, 0, 0]))).toThrow(SpiceProtocolError);
  });

  it('monitors config: height before width, USE_POS, signed positions (§4.3)', () => {
    const b = buildMonitorsConfig([{ width: 1024, height: 768, x: 0, y: 0 }, { width: 800, height: 600, x: -800, y: 0 }]);
    expect(b.length).toBe(8 + 40);
    const dv = new DataView(b.buffer);
    expect([dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true), dv.getUint32(16, true)]).toEqual([2, 1, 768, 1024, 32]);
    expect(parseMonitorsConfig(b).monitors[1]).toEqual({ width: 800, height: 600, depth: 32, x: -800, y: 0 });
    expect(() => parseMonitorsConfig(b.subarray(0, 30))).toThrow(SpiceProtocolError);
  });

  it('file transfer start text, data header and detailed statuses (§4.6)', () => {
    expect(fileXferKeyFile('dir/evil\nname.txt', 12)).toBe('[vdagent-file-xfer]\nname=evil_name.txt\nsize=12\n');
    const d = buildFileXferData(3, new Uint8Array([9, 9]));
    expect([...d]).toEqual([3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 9]);
    const noSpace = new Uint8Array(16);
    new DataView(noSpace.buffer).setUint32(4, 4, true);
    new DataView(noSpace.buffer).setBigUint64(8, 12345n, true);
    expect(parseFileXferStatus(noSpace)).toEqual({ id: 0, result: 4, diskFree: 12345n });
    expect(() => parseFileXferStatus(new Uint8Array(6))).toThrow(SpiceProtocolError);
    expect(VD_AGENT_HEADER_SIZE).toBe(20);
  });
});
