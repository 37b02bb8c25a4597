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
});
