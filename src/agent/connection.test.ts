// The agent connection and clipboard on recorded real traffic (fixtures/agent/xspice-clipboard.bin,
// made by scripts/record-agent.mjs against Xspice + spice-vdagent 0.22) and on token-flow cases.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VDAgentCap, VDAgentClipboardType, VDAgentType, encodeAgentMessage, chunkAgentMessage } from '../protocol/agent';
import { AgentClipboard } from './clipboard';
import { AGENT_WINDOW, AgentConnection, type AgentLink } from './connection';

const here = path.dirname(fileURLToPath(import.meta.url));

/** the same texts the recorder used */
function textOf(n: number, word: string): string {
  let s = '';
  while (Buffer.byteLength(s + word) <= n) s += word;
  return s + 'x'.repeat(n - Buffer.byteLength(s));
}
const PAGE_TEXT = textOf(6000, 'Seite→Gast ✓ ');
const GUEST_TEXT = textOf(5000, 'guest→page 世界 ');

interface Rec { dir: 1 | 2; type: number; body: Uint8Array }
function load(): Rec[] {
  const b = readFileSync(path.join(here, '../../fixtures/agent/xspice-clipboard.bin'));
  const out: Rec[] = [];
  for (let p = 0; p + 7 <= b.length;) {
    const len = b.readUInt32LE(p + 3);
    out.push({ dir: b[p] as 1 | 2, type: b.readUInt16LE(p + 1), body: new Uint8Array(b.subarray(p + 7, p + 7 + len)) });
    p += 7 + len;
  }
  return out;
}

class FakeLink implements AgentLink {
  sent: Array<{ type: 'start' | 'data' | 'token'; n?: number; data?: Uint8Array }> = [];
  sendAgentStart(n: number): void {
    this.sent.push({ type: 'start', n });
  }
  sendAgentData(d: Uint8Array): void {
    this.sent.push({ type: 'data', data: d.slice() });
  }
  sendAgentToken(n: number): void {
    this.sent.push({ type: 'token', n });
  }
  get data(): Uint8Array[] {
    return this.sent.filter((s) => s.type === 'data').map((s) => s.data!);
  }
}

describe('agent on recorded Xspice + spice-vdagent traffic', () => {
  const recs = load();
  const fromServer = recs.filter((r) => r.dir === 2 && r.type === 109).map((r) => r.body);
  const fromClient = recs.filter((r) => r.dir === 1 && r.type === 107).map((r) => r.body);

  it('holds multi-chunk records both ways, each chunk within VD_AGENT_MAX_DATA_SIZE', () => {
    expect(fromServer.length).toBeGreaterThanOrEqual(5);
    expect(fromClient.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...fromClient.map((c) => c.length))).toBe(2048);
    expect(recs.find((r) => r.dir === 1 && r.type === 106)?.body).toEqual(new Uint8Array([AGENT_WINDOW, 0, 0, 0]));
  });

  it('reassembles the guest records and gets its 5000-byte copy exactly; our side answers byte for byte as recorded', () => {
    const link = new FakeLink();
    const agent = new AgentConnection(link, { maxClipboard: 100 * 1024 * 1024 });
    const clip = new AgentClipboard(agent);
    const got: Array<{ type: number; text: string }> = [];
    clip.ev.on('data', (d) => got.push({ type: d.type, text: new TextDecoder().decode(d.data) }));
    const errors: unknown[] = [];
    agent.ev.on('error', (e) => errors.push(e));
    clip.ev.on('error', (e) => errors.push(e));
    agent.connect(10);
    let grabbed = false;
    for (const chunk of fromServer) {
      agent.receive(chunk);
      // the page set its clipboard once the agent had announced its caps, as in the recording
      if (!grabbed && agent.caps) {
        expect(clip.grab(0, new Map([[VDAgentClipboardType.UTF8_TEXT, new TextEncoder().encode(PAGE_TEXT)]]))).toBe(true);
        grabbed = true;
      }
    }
    expect(errors).toEqual([]);
    expect(agent.has(VDAgentCap.CLIPBOARD_BY_DEMAND) && agent.has(VDAgentCap.CLIPBOARD_SELECTION) && agent.has(VDAgentCap.CLIPBOARD_GRAB_SERIAL)).toBe(true);
    expect(got).toEqual([{ type: VDAgentClipboardType.UTF8_TEXT, text: GUEST_TEXT }]);
    // what we sent is what the browser client sent in the recorded session, chunk for chunk
    expect(link.sent[0]).toEqual({ type: 'start', n: AGENT_WINDOW });
    expect(link.data.length).toBe(fromClient.length);
    link.data.forEach((c, i) => expect(c).toEqual(fromClient[i]));
  });
});

describe('token flow', () => {
  it('never sends AGENT_DATA without a token, queues and resumes on AGENT_TOKEN', () => {
    const link = new FakeLink();
    const agent = new AgentConnection(link);
    agent.connect(2); // announce takes one token
    expect(link.data.length).toBe(1);
    agent.send(VDAgentType.CLIPBOARD, new Uint8Array(5000)); // 3 chunks
    expect(link.data.length).toBe(2);
    expect(agent.tokens).toBe(0);
    expect(agent.queuedBytes).toBe(5020 - 2048);
    agent.addTokens(1);
    expect(link.data.length).toBe(3);
    agent.addTokens(5);
    expect(link.data.length).toBe(4);
    expect(agent.tokens).toBe(4);
    expect(agent.queuedBytes).toBe(0);
    // chunks of one record are never interleaved with another's
    const joined = new Uint8Array(link.data.slice(1).reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of link.data.slice(1)) joined.set(c, (o += c.length) - c.length);
    expect(joined).toEqual(encodeAgentMessage(VDAgentType.CLIPBOARD, new Uint8Array(5000)));
  });

  it('gives the server its tokens back in batches of half the window', () => {
    const link = new FakeLink();
    const agent = new AgentConnection(link, { window: 8 });
    agent.connect(10);
    const rec = encodeAgentMessage(VDAgentType.CLIPBOARD_RELEASE, new Uint8Array(4));
    for (let i = 0; i < 9; i++) agent.receive(rec);
    expect(link.sent.filter((s) => s.type === 'token')).toEqual([{ type: 'token', n: 4 }, { type: 'token', n: 4 }]);
  });

  it('an agent restart drops the queue and a half-read record, and announces again', () => {
    const link = new FakeLink();
    const agent = new AgentConnection(link);
    const states: boolean[] = [];
    agent.ev.on('state', (s) => states.push(s.connected));
    agent.connect(1);
    agent.send(VDAgentType.CLIPBOARD, new Uint8Array(10_000));
    const big = chunkAgentMessage(encodeAgentMessage(VDAgentType.CLIPBOARD, new Uint8Array(10_000)));
    agent.receive(big[0]!); // half a record from the old agent
    agent.disconnect();
    expect(agent.queuedBytes).toBe(0);
    agent.receive(big[1]!); // stale: ignored while disconnected
    link.sent = [];
    agent.connect(5);
    expect(states).toEqual([true, false, true]);
    expect(link.sent[0]).toEqual({ type: 'start', n: AGENT_WINDOW });
    expect(new DataView(link.data[0]!.buffer).getUint32(4, true)).toBe(VDAgentType.ANNOUNCE_CAPABILITIES);
    // the new agent's stream starts clean
    const msgs: number[] = [];
    agent.ev.on('message', (m) => msgs.push(m.type));
    agent.receive(encodeAgentMessage(VDAgentType.CLIPBOARD_RELEASE));
    expect(msgs).toEqual([VDAgentType.CLIPBOARD_RELEASE]);
  });

  it('a bad record is a typed, non-fatal error and the stream goes on', () => {
    const link = new FakeLink();
    const agent = new AgentConnection(link);
    const errors: Array<{ type: string; details: string; fatal: boolean }> = [];
    agent.ev.on('error', (e) => errors.push(e));
    agent.connect(5);
    const bad = encodeAgentMessage(VDAgentType.REPLY, new Uint8Array(8));
    bad[0] = 9; // protocol 9
    agent.receive(bad);
    agent.receive(encodeAgentMessage(VDAgentType.REPLY, new Uint8Array([2, 0, 0, 0, 2, 0, 0, 0]))); // the guest refused a monitors config
    agent.receive(encodeAgentMessage(VDAgentType.ANNOUNCE_CAPABILITIES, new Uint8Array(2))); // truncated
    expect(errors.map((e) => [e.type, e.details, e.fatal])).toEqual([
      ['protocolError', 'malformedMessage', false],
      ['agentError', 'agentRequestFailed', false],
      ['protocolError', 'truncatedMessage', false],
    ]);
    expect(agent.connected).toBe(true);
  });
});

describe('clipboard serials and limits', () => {
  function ready(caps: number[]): { link: FakeLink; agent: AgentConnection; clip: AgentClipboard } {
    const link = new FakeLink();
    const agent = new AgentConnection(link);
    const clip = new AgentClipboard(agent);
    agent.connect(100);
    const words = new Uint8Array(8);
    const dv = new DataView(words.buffer);
    for (const c of caps) dv.setUint32(4, dv.getUint32(4, true) | (1 << c), true);
    agent.receive(encodeAgentMessage(VDAgentType.ANNOUNCE_CAPABILITIES, words));
    return { link, agent, clip };
  }
  const grab = (serial: number) => encodeAgentMessage(VDAgentType.CLIPBOARD_GRAB, new Uint8Array([0, 0, 0, 0, serial, 0, 0, 0, 1, 0, 0, 0]));

  it('accepts a guest grab with the expected serial, drops a stale one, and asks for the text at once', () => {
    const { link, agent: a, clip } = ready([VDAgentCap.CLIPBOARD_BY_DEMAND, VDAgentCap.CLIPBOARD_SELECTION, VDAgentCap.CLIPBOARD_GRAB_SERIAL]);
    const grabs: number[][] = [];
    clip.ev.on('grab', (g) => grabs.push(g.types));
    const agent = a;
    clip.grab(0, new Map([[1, new Uint8Array([65])]])); // ours carries serial 0, the counter is now 1
    link.sent = [];
    agent.receive(grab(0)); // a guest grab with serial 0 crossed ours: stale
    expect(grabs).toEqual([]);
    expect(link.data.length).toBe(0);
    agent.receive(grab(1));
    expect(grabs).toEqual([[1]]);
    const req = link.data[0]!;
    expect(new DataView(req.buffer).getUint32(4, true)).toBe(VDAgentType.CLIPBOARD_REQUEST);
  });

  it("refuses data over the agent's MAX_CLIPBOARD with a typed error", () => {
    const { agent, clip } = ready([VDAgentCap.CLIPBOARD_BY_DEMAND, VDAgentCap.MAX_CLIPBOARD]);
    agent.receive(encodeAgentMessage(VDAgentType.MAX_CLIPBOARD, new Uint8Array([100, 0, 0, 0])));
    expect(agent.agentMaxClipboard).toBe(100);
    const errors: string[] = [];
    clip.ev.on('error', (e) => errors.push(e.details));
    expect(clip.grab(0, new Map([[1, new Uint8Array(101)]]))).toBe(false);
    expect(clip.grab(0, new Map([[1, new Uint8Array(100)]]))).toBe(true);
    expect(errors).toEqual(['clipboardTooLarge']);
  });
});
