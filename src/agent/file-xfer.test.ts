import { describe, expect, it } from 'vitest';
import { AgentStreamReader, VDAgentCap, VDAgentFileXferStatus as St, VDAgentType, buildAnnounceCapabilities, encodeAgentMessage } from '../protocol/agent';
import { AgentConnection, type AgentLink } from './connection';
import { FileTransfers } from './file-xfer';

/** a link that decodes what we send back into records, and gives tokens back at once */
function setup() {
  const records: Array<{ type: number; data: Uint8Array }> = [];
  const reader = new AgentStreamReader();
  let agent: AgentConnection | null = null;
  const link: AgentLink = {
    sendAgentStart: () => undefined,
    sendAgentData: (c) => {
      records.push(...reader.push(c));
      queueMicrotask(() => agent!.addTokens(1));
    },
    sendAgentToken: () => undefined,
  };
  agent = new AgentConnection(link);
  agent.connect(4);
  agent.receive(encodeAgentMessage(VDAgentType.ANNOUNCE_CAPABILITIES, buildAnnounceCapabilities(false, [VDAgentCap.FILE_XFER_DETAILED_ERRORS])));
  const files = new FileTransfers(agent);
  const status = (id: number, result: number, extra: number[] = []) =>
    agent!.receive(encodeAgentMessage(VDAgentType.FILE_XFER_STATUS, new Uint8Array([id, 0, 0, 0, result, 0, 0, 0, ...extra])));
  return { agent, files, records, status };
}

function blob(n: number): { name: string; size: number; slice(a: number, b: number): { arrayBuffer(): Promise<ArrayBuffer> } } {
  const bytes = new Uint8Array(n).map((_, i) => i * 7);
  return { name: 'f.bin', size: n, slice: (a, b) => ({ arrayBuffer: async () => bytes.slice(a, b).buffer }) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('file transfer', () => {
  it('START names the file; data goes in 64 KiB records after CAN_SEND_DATA; SUCCESS resolves', async () => {
    const { files, records, status } = setup();
    const progress: number[] = [];
    files.ev.on('progress', (p) => progress.push(p.sent));
    const done = files.send(blob(150_000));
    const start = records.find((r) => r.type === VDAgentType.FILE_XFER_START)!;
    expect(new TextDecoder().decode(start.data.subarray(4))).toBe('[vdagent-file-xfer]\nname=f.bin\nsize=150000\n\0');
    status(1, St.CAN_SEND_DATA);
    for (let i = 0; i < 20 && progress.length < 3; i++) await tick();
    expect(progress).toEqual([65536, 131072, 150000]);
    const data = records.filter((r) => r.type === VDAgentType.FILE_XFER_DATA);
    expect(data.map((d) => d.data.length - 12)).toEqual([65536, 65536, 150000 - 131072]);
    expect(data[2]!.data[12]).toBe((131072 * 7) & 255);
    status(1, St.SUCCESS);
    await expect(done).resolves.toBeUndefined();
  });

  it("the agent's errors are typed: no space (with the free bytes), IO error, locked session", async () => {
    const { files, status } = setup();
    const a = files.send(blob(10));
    const b = files.send(blob(10));
    const c = files.send(blob(10));
    status(1, St.NOT_ENOUGH_SPACE, [0, 16, 0, 0, 0, 0, 0, 0]);
    status(2, St.ERROR, [0, 28, 0, 0, 0]);
    status(3, St.SESSION_LOCKED);
    await expect(a).rejects.toMatchObject({ type: 'agentError', details: 'fileTransferNoSpace', fatal: false, message: expect.stringContaining('4096 bytes free') });
    await expect(b).rejects.toMatchObject({ details: 'fileTransferFailed', message: expect.stringContaining('error 0/28') });
    await expect(c).rejects.toMatchObject({ details: 'fileTransferFailed', message: expect.stringContaining('locked') });
  });

  it('cancel tells the agent (STATUS CANCELLED) and stops sending; the agent going away fails the rest', async () => {
    const { agent, files, records, status } = setup();
    const failed: Array<{ cancelled: boolean }> = [];
    files.ev.on('failed', (f) => failed.push(f));
    const a = files.send(blob(1_000_000));
    const b = files.send(blob(10));
    status(1, St.CAN_SEND_DATA);
    await tick();
    files.cancel(1);
    const sentStatus = records.filter((r) => r.type === VDAgentType.FILE_XFER_STATUS);
    expect([...sentStatus[0]!.data]).toEqual([1, 0, 0, 0, St.CANCELLED, 0, 0, 0]);
    await expect(a).rejects.toMatchObject({ details: 'fileTransferFailed' });
    const before = records.filter((r) => r.type === VDAgentType.FILE_XFER_DATA).length;
    for (let i = 0; i < 5; i++) await tick();
    expect(records.filter((r) => r.type === VDAgentType.FILE_XFER_DATA).length).toBeLessThanOrEqual(before + 1);
    agent.disconnect();
    await expect(b).rejects.toMatchObject({ details: 'fileTransferFailed' });
    expect(failed.map((f) => f.cancelled)).toEqual([true, false]);
  });

  it('a 50 MB file streams in slices: never more than the high-water mark plus one record read ahead of the tokens', async () => {
    // the server gives a token back for every AGENT_DATA only a task later (a slow network), and
    // the file makes its bytes per slice, so nothing here holds the 50 MB at once
    const SIZE = 50 * 1024 * 1024;
    const reader = new AgentStreamReader();
    let agent: AgentConnection | null = null;
    let received = 0, check = 0, pendingTokens = 0;
    const link: AgentLink = {
      sendAgentStart: () => undefined,
      sendAgentData: (c) => {
        for (const r of reader.push(c)) {
          if (r.type !== VDAgentType.FILE_XFER_DATA) continue;
          // every 4099th byte of the file, by its offset in the file, into a checksum
          for (let i = 12 + ((4099 - (received % 4099)) % 4099); i < r.data.length; i += 4099) check = (check + r.data[i]!) >>> 0;
          received += r.data.length - 12;
        }
        pendingTokens++;
        if (pendingTokens === 1) setTimeout(() => { const n = pendingTokens; pendingTokens = 0; agent!.addTokens(n); }, 0);
      },
      sendAgentToken: () => undefined,
    };
    agent = new AgentConnection(link);
    agent.connect(10); // spice-server's agent window
    agent.receive(encodeAgentMessage(VDAgentType.ANNOUNCE_CAPABILITIES, buildAnnounceCapabilities(false, [])));
    const files = new FileTransfers(agent);
    let reading = 0, peak = 0, slices = 0, expected = 0;
    const file = {
      name: 'big.bin', size: SIZE,
      slice: (a: number, b: number) => ({
        arrayBuffer: async () => {
          slices++;
          reading += b - a;
          peak = Math.max(peak, reading + agent!.queuedBytes);
          const u = new Uint8Array(b - a);
          for (let i = 0; i < u.length; i++) u[i] = (a + i) * 13;
          for (let i = 0; i < u.length; i++) if ((a + i) % 4099 === 0) expected = (expected + u[i]!) >>> 0;
          await Promise.resolve();
          reading -= b - a;
          return u.buffer;
        },
      }),
    };
    files.ev.on('progress', () => { peak = Math.max(peak, reading + agent!.queuedBytes); });
    const done = files.send(file);
    agent.receive(encodeAgentMessage(VDAgentType.FILE_XFER_STATUS, new Uint8Array([1, 0, 0, 0, St.CAN_SEND_DATA, 0, 0, 0])));
    while (received < SIZE) await new Promise((r) => setTimeout(r, 0));
    agent.receive(encodeAgentMessage(VDAgentType.FILE_XFER_STATUS, new Uint8Array([1, 0, 0, 0, St.SUCCESS, 0, 0, 0])));
    await expect(done).resolves.toBeUndefined();
    expect(received).toBe(SIZE);
    expect(check).toBe(expected);
    expect(slices).toBe(SIZE / 65536);
    // 256 KiB queued behind the tokens + one 64 KiB record being read (+ record headers)
    expect(peak).toBeLessThanOrEqual(256 * 1024 + 2 * (65536 + 64));
  }, 60_000);
});
