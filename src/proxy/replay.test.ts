// spice-web replay: synthetic recordings (written byte by byte in the documented format) played
// to ws clients that speak the client side of the SPICE link.
// Size: the byte-level recording builders at the top serve every describe block below, and the
// scenarios share them; split, each half would re-import the same builders.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { main, parseArgs, type ReplayArgs } from './cli.js';
import { memoryLogger } from './log.js';
import { readRecording, RECORDING_MAGIC, RecordKind } from './recording.js';
import { startProxy } from './server.js';
import { ReplayCloseCode, startReplay, type Clock, type ReplayHandle } from './replay.js';
import { parseLinkMess, ReplayError } from './replay-link.js';
import { chooseSession, loadRecordings, type RecordedSession } from './replay-sessions.js';
import { closed, countingServer, openWs, tempDir, waitFor, wsOutcome } from './testing/helpers.js';
import { readdirSync } from 'node:fs';

const MAGIC = 0x51444552;
const CAPS = (1 << 0) | (1 << 1) | (1 << 3); // AUTH_SELECTION, AUTH_SPICE, MINI_HEADER
const MAIN = 1, DISPLAY = 2, INPUTS = 3, CURSOR = 4;

function linkMess(connectionId: number, type: number, id: number, caps = CAPS): Buffer {
  const b = Buffer.alloc(16 + 18 + 4);
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt32LE(2, 4);
  b.writeUInt32LE(2, 8);
  b.writeUInt32LE(18 + 4, 12);
  b.writeUInt32LE(connectionId, 16);
  b.writeUInt8(type, 20);
  b.writeUInt8(id, 21);
  b.writeUInt32LE(1, 22); // common caps words
  b.writeUInt32LE(0, 26); // channel caps words
  b.writeUInt32LE(18, 30); // caps offset
  b.writeUInt32LE(caps, 34);
  return b;
}

function linkReply(error = 0, caps = CAPS): Buffer {
  if (error !== 0) {
    const b = Buffer.alloc(16 + 4);
    b.writeUInt32LE(MAGIC, 0);
    b.writeUInt32LE(2, 4);
    b.writeUInt32LE(2, 8);
    b.writeUInt32LE(4, 12);
    b.writeUInt32LE(error, 16);
    return b;
  }
  const size = 178 + 4;
  const b = Buffer.alloc(16 + size);
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt32LE(2, 4);
  b.writeUInt32LE(2, 8);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(0, 16);
  b.fill(0xab, 20, 20 + 162); // the recorded server's public key
  b.writeUInt32LE(1, 16 + 166);
  b.writeUInt32LE(0, 16 + 170);
  b.writeUInt32LE(178, 16 + 174);
  b.writeUInt32LE(caps, 16 + 178);
  return b;
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v, 0);
  return b;
};

/** A mini-header message. */
function msg(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h.writeUInt16LE(type, 0);
  h.writeUInt32LE(body.length, 2);
  return Buffer.concat([h, body]);
}

const mainInit = (sessionId: number) => msg(103, Buffer.concat([u32(sessionId), Buffer.alloc(28)]));
const ticket = () => Buffer.alloc(128, 0x5a);

type Rec = [kind: number, timeUs: number, data: Buffer | Record<string, unknown>];

function recordingBytes(meta: Record<string, unknown>, records: Rec[], version = 1): Buffer {
  const m = Buffer.from(JSON.stringify({ version, tls: false, subprotocol: 'binary', ...meta }), 'utf8');
  const head = Buffer.alloc(14);
  head.write(RECORDING_MAGIC, 0, 'latin1');
  head.writeUInt16LE(version, 8);
  head.writeUInt32LE(m.length, 10);
  const parts: Buffer[] = [head, m];
  for (const [kind, t, d] of records) {
    const data = Buffer.isBuffer(d) ? d : Buffer.from(JSON.stringify(d), 'utf8');
    const h = Buffer.alloc(13);
    h.writeUInt8(kind, 0);
    h.writeBigUInt64LE(BigInt(t), 1);
    h.writeUInt32LE(data.length, 9);
    parts.push(h, data);
  }
  return Buffer.concat(parts);
}

const C2S = RecordKind.ClientToServer, S2C = RecordKind.ServerToClient, EV = RecordKind.Event;

interface ChannelSpec {
  conn: number;
  at: number;
  type: number;
  id?: number;
  connectionId: number;
  /** server messages after the auth result, with their times (µs) */
  messages: Array<[number, Buffer]>;
  sessionId?: number;
  linkError?: number;
  closeBy?: string;
}

/** One recorded connection: link at 1 ms, reply at 2 ms, ticket at 10 ms, auth result at 11 ms, then `messages`. */
function channelRecording(s: ChannelSpec): Buffer {
  const recs: Rec[] = [[C2S, 1000, linkMess(s.connectionId, s.type, s.id ?? 0)]];
  if (s.linkError) {
    recs.push([S2C, 2000, linkReply(s.linkError)]);
  } else {
    recs.push([S2C, 2000, linkReply()], [C2S, 9000, u32(1)], [C2S, 10_000, ticket()], [S2C, 11_000, u32(0)]);
    if (s.sessionId !== undefined) recs.push([S2C, 11_500, mainInit(s.sessionId)]);
    for (const [t, d] of s.messages) recs.push([S2C, t, d]);
  }
  const last = Math.max(11_500, ...s.messages.map((m) => m[0]));
  recs.push([EV, last + 1000, { type: 'close', by: s.closeBy ?? 'client', code: 1000, reason: '' }]);
  return recordingBytes({ conn: s.conn, startedAt: new Date(s.at).toISOString(), startedAtMs: s.at, target: '127.0.0.1:5900' }, recs);
}

function writeChannels(dir: string, specs: ChannelSpec[]): void {
  mkdirSync(dir, { recursive: true });
  for (const s of specs) writeFileSync(path.join(dir, `rec-c${s.conn}.spicerec`), channelRecording(s));
}

/** The server->client bytes a recorded connection holds. */
function serverStream(s: ChannelSpec): Buffer {
  if (s.linkError) return linkReply(s.linkError);
  return Buffer.concat([linkReply(), u32(0), ...(s.sessionId !== undefined ? [mainInit(s.sessionId)] : []), ...s.messages.map((m) => m[1])]);
}

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const SID = 1804289383;

function sessionSpecs(sid = SID, at = T0, conn0 = 1): ChannelSpec[] {
  return [
    { conn: conn0, at, type: MAIN, connectionId: 0, sessionId: sid, messages: [[20_000, msg(104, Buffer.from('channels-list'))]] },
    { conn: conn0 + 1, at: at + 30, type: DISPLAY, connectionId: sid, messages: [[15_000, msg(302, Buffer.from('draw one'))], [40_000, msg(304, Buffer.from('draw two'))]] },
    { conn: conn0 + 2, at: at + 31, type: INPUTS, connectionId: sid, messages: [[12_000, msg(101, Buffer.from('inputs-init'))]] },
  ];
}

/** A ws client that links as `type:id`, sends its ticket when told, and collects what arrives. */
class FakeClient {
  readonly received: Buffer[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => this.received.push(d));
  }
  static async open(url: string, type: number, id = 0, connectionId = 0): Promise<FakeClient> {
    const c = new FakeClient(await openWs(url, ['binary']));
    c.ws.send(linkMess(connectionId, type, id));
    return c;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.received);
  }
  sendTicket(): void {
    this.ws.send(u32(1));
    this.ws.send(ticket());
  }
}

let handles: ReplayHandle[] = [];
let cleanups: Array<() => void> = [];
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
  for (const c of cleanups) c();
  cleanups = [];
});

function dir(): string {
  const t = tempDir('spice-web-replay-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function replayOf(session: RecordedSession, extra: Partial<Parameters<typeof startReplay>[0]> = {}): Promise<ReplayHandle> {
  const h = await startReplay({ session, listen: 0, speed: Infinity, logger: 'silent', ...extra });
  handles.push(h);
  return h;
}

describe('replay: loading and grouping', () => {
  it('groups connections into sessions by the SPICE session id; a failed main link joins the retry; orphans are skipped', async () => {
    const d = dir();
    writeChannels(d, [
      { conn: 1, at: T0 - 1000, type: MAIN, connectionId: 0, linkError: 0, messages: [], sessionId: undefined },
      ...sessionSpecs(SID, T0, 2),
      // the same session id again (a restarted server), later: a separate session
      ...sessionSpecs(SID, T0 + 60_000, 10),
      { conn: 20, at: T0 + 70_000, type: CURSOR, connectionId: 999, messages: [] },
    ]);
    // conn 1 is an OK link without MAIN_INIT: it has no session id, like a failed one
    const loaded = await loadRecordings([d]);
    expect(loaded.sessions.map((s) => [s.index, s.sessionId, s.channels.map((c) => c.conn)])).toEqual([
      [1, SID, [1, 2, 3, 4]],
      [2, SID, [10, 11, 12]],
    ]);
    expect(loaded.skipped).toEqual([{ file: path.join(d, 'rec-c20.spicerec'), reason: expect.stringMatching(/cursor:0 of session 999, whose main channel is not recorded/) }]);
    expect(() => chooseSession(loaded)).toThrow(/hold 2 sessions; choose one with --session N/);
    expect(chooseSession(loaded, 2).channels[0]!.conn).toBe(10);
    expect(() => chooseSession(loaded, 3)).toThrow(/there is no session 3/);
  });

  it('parses the client link message and refuses what is not one', () => {
    const l = linkMess(42, DISPLAY, 1);
    expect(parseLinkMess(l.subarray(0, 20))).toBeNull();
    expect(parseLinkMess(l)).toMatchObject({ length: l.length, connectionId: 42, channelType: DISPLAY, channelId: 1, commonCaps: [CAPS] });
    expect(() => parseLinkMess(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(ReplayError);
    const huge = Buffer.from(l);
    huge.writeUInt32LE(1 << 30, 12);
    expect(() => parseLinkMess(huge)).toThrow(/bad link message size/);
  });
});

describe('replay: malformed input', () => {
  it.each([
    ['not a recording', Buffer.from('hello, this is not a recording at all'), /bad\.spicerec: not a spice-web recording/],
    ['a future version', recordingBytes({ conn: 1 }, [], 9), /bad\.spicerec: unsupported recording version 9/],
    ['broken metadata', Buffer.concat([Buffer.from(RECORDING_MAGIC, 'latin1'), Buffer.from([1, 0, 3, 0, 0, 0]), Buffer.from('{x}')]), /recording metadata is not JSON/],
    ['a bad record kind', Buffer.concat([recordingBytes({ conn: 1 }, []), Buffer.from([7]), Buffer.alloc(12)]), /bad record kind 7/],
  ])('%s: a ReplayError naming the file', async (_what, bytes, msg) => {
    const d = dir();
    writeFileSync(path.join(d, 'bad.spicerec'), bytes);
    await expect(loadRecordings([d])).rejects.toThrow(ReplayError);
    await expect(loadRecordings([d])).rejects.toThrow(msg);
  });

  it('missing paths, empty directories and recordings without a SPICE link', async () => {
    const d = dir();
    await expect(loadRecordings([path.join(d, 'nope')])).rejects.toThrow(/nope: no such file or directory/);
    await expect(loadRecordings([d])).rejects.toThrow(/no \.spicerec files in this directory/);
    await expect(loadRecordings([])).rejects.toThrow(/no recording given/);
    // the target was unreachable: a recording with only a close event
    writeFileSync(path.join(d, 'empty.spicerec'), recordingBytes({ conn: 1, startedAtMs: T0 }, [[EV, 5, { type: 'close', by: 'proxy', code: 4502 }]]));
    await expect(loadRecordings([d])).rejects.toThrow(/no session to replay: no recording holds a main channel \(1 skipped\)/);
  });

  it('the CLI prints a clear message and exits 1; --list prints the sessions', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'bad.spicerec'), Buffer.from('garbage garbage garbage'));
    let out = '';
    let err = '';
    const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
    expect(await main(['replay', path.join(d, 'bad.spicerec')], io)).toBe(1);
    expect(err).toBe(`spice-web replay: ${path.join(d, 'bad.spicerec')}: not a spice-web recording\n`);
    const good = path.join(d, 'good');
    writeChannels(good, sessionSpecs());
    expect(await main(['replay', good, '--list'], io)).toBe(0);
    expect(out).toMatch(new RegExp(`^1  2026-12-01T12:00:00.000Z  session id ${SID}  target 127.0.0.1:5900  3 connections \\(main:0 display:0 inputs:0\\)`));
  });

  it('parses the replay options', () => {
    const a = parseArgs(['replay', 'rec', '--speed', 'max', '--session', '2', '--listen', '9000', '--allow-origin', 'https://a', '--no-web', '--log-level', 'debug']) as ReplayArgs;
    expect(a).toMatchObject({ command: 'replay', recordings: ['rec'], speed: Infinity, session: 2, listen: '127.0.0.1:9000', allowOrigins: ['https://a'], web: null, logLevel: 'debug' });
    expect((parseArgs(['replay', 'rec', '--speed', '0']) as ReplayArgs).speed).toBe(Infinity);
    expect((parseArgs(['replay', 'rec', '--speed', '2.5']) as ReplayArgs).speed).toBe(2.5);
    expect((parseArgs(['replay', 'rec']) as ReplayArgs).speed).toBe(1);
    expect(() => parseArgs(['replay'])).toThrow(/replay needs a recording/);
    expect(() => parseArgs(['replay', 'rec', '--speed', 'fast'])).toThrow(/--speed wants a number/);
    expect(() => parseArgs(['replay', 'rec', '--session', '0'])).toThrow(/--session wants a session number/);
    expect(() => parseArgs(['replay', 'rec', '--target', 'h:1'])).toThrow(/unknown option "--target"/);
  });
});

describe('replay: playing to a client', () => {
  it('sends the link reply after the link message, the rest after the ticket; the recorded bytes exactly', async () => {
    const d = dir();
    const specs = sessionSpecs();
    writeChannels(d, specs);
    const session = chooseSession(await loadRecordings([d]));
    const logger = memoryLogger();
    const h = await replayOf(session, { logger });
    const main0 = await FakeClient.open(h.wsUrl, MAIN);
    await waitFor(() => main0.bytes.length >= linkReply().length, 'link reply');
    // nothing past the link reply before the ticket: the server waits for it
    await new Promise((r) => setTimeout(r, 100));
    expect(main0.bytes).toEqual(linkReply());
    main0.sendTicket();
    const want = serverStream(specs[0]!);
    await waitFor(() => main0.bytes.length >= want.length, 'the main stream');
    expect(main0.bytes).toEqual(want);
    // the display channel: the recorded session id comes back in its link; not checked either way
    const disp = await FakeClient.open(h.wsUrl, DISPLAY, 0, 12345);
    disp.sendTicket();
    const wantD = serverStream(specs[1]!);
    await waitFor(() => disp.bytes.length >= wantD.length, 'the display stream');
    expect(disp.bytes).toEqual(wantD);
    await h.idle();
    // the recording ended on the client side: the WebSocket stays open on the final state
    expect(disp.ws.readyState).toBe(WebSocket.OPEN);
    expect(logger.records.filter((r) => r.event === 'replay_connection').map((r) => r['channel'])).toEqual(['main:0', 'display:0']);
    main0.ws.close();
    disp.ws.close();
  });

  it('a link message split over several WebSocket messages, with the ticket in the same message as its end', async () => {
    const d = dir();
    const specs = sessionSpecs();
    writeChannels(d, specs);
    const h = await replayOf(chooseSession(await loadRecordings([d])));
    const ws = await openWs(h.wsUrl, ['binary']);
    const got: Buffer[] = [];
    ws.on('message', (b: Buffer) => got.push(b));
    const l = linkMess(0, MAIN, 0);
    ws.send(l.subarray(0, 3));
    ws.send(l.subarray(3, 20));
    ws.send(Buffer.concat([l.subarray(20), u32(1), ticket()]));
    const want = serverStream(specs[0]!);
    await waitFor(() => Buffer.concat(got).length >= want.length, 'the main stream');
    expect(Buffer.concat(got)).toEqual(want);
    ws.close();
  });

  it('matches channels by type and id in recorded order; a channel not recorded, or played out, is closed with a reason', async () => {
    const d = dir();
    const specs: ChannelSpec[] = [
      ...sessionSpecs(),
      { conn: 4, at: T0 + 40, type: DISPLAY, id: 1, connectionId: SID, messages: [[15_000, msg(302, Buffer.from('second monitor'))]] },
      { conn: 5, at: T0 + 50, type: DISPLAY, connectionId: SID, messages: [[15_000, msg(302, Buffer.from('display reconnected'))]] },
    ];
    writeChannels(d, specs);
    const h = await replayOf(chooseSession(await loadRecordings([d])));
    const play = async (type: number, id: number) => {
      const c = await FakeClient.open(h.wsUrl, type, id, SID);
      c.sendTicket();
      return c;
    };
    const m = await play(MAIN, 0);
    const d1 = await play(DISPLAY, 1);
    const d0a = await play(DISPLAY, 0);
    const d0b = await play(DISPLAY, 0);
    for (const [c, s] of [[m, specs[0]], [d1, specs[3]], [d0a, specs[1]], [d0b, specs[4]]] as const) {
      const want = serverStream(s!);
      await waitFor(() => c.bytes.length >= want.length, 'a stream');
      expect(c.bytes).toEqual(want);
    }
    const third = await FakeClient.open(h.wsUrl, DISPLAY, 0, SID);
    expect(await closed(third.ws)).toEqual({ code: ReplayCloseCode.NoRecording, reason: 'replay: all 2 recorded display:0 connections were played' });
    const cursor = await FakeClient.open(h.wsUrl, CURSOR, 0, SID);
    expect(await closed(cursor.ws)).toEqual({ code: ReplayCloseCode.NoRecording, reason: 'replay: the recorded session has no cursor:0 channel' });
    // a new main channel once every main was played (a page reload): the session starts over
    const again = await play(MAIN, 0);
    const d0c = await play(DISPLAY, 0);
    await waitFor(() => d0c.bytes.length >= serverStream(specs[1]!).length, 'display again');
    expect(d0c.bytes).toEqual(serverStream(specs[1]!));
    expect(again.bytes.subarray(0, linkReply().length)).toEqual(linkReply());
    for (const c of [m, d1, d0a, d0b, again, d0c]) c.ws.close();
  });

  it('a wrong password then the right one: the failed main link is replayed first, then the good one', async () => {
    const d = dir();
    // auth failed (SPICE_LINK_ERR_PERMISSION_DENIED = 7 comes as the auth result; here as a link error)
    const failed: ChannelSpec = { conn: 1, at: T0 - 5000, type: MAIN, connectionId: 0, linkError: 7, messages: [], closeBy: 'target' };
    const specs = [failed, ...sessionSpecs()];
    writeChannels(d, specs.map((s, i) => ({ ...s, conn: i + 1 })));
    const h = await replayOf(chooseSession(await loadRecordings([d])));
    const first = await FakeClient.open(h.wsUrl, MAIN);
    // the recorded server closed this one: so does the replay, after the reply
    expect(await closed(first.ws)).toEqual({ code: 1000, reason: 'end of the recording: the server closed this channel' });
    expect(first.bytes).toEqual(linkReply(7));
    const second = await FakeClient.open(h.wsUrl, MAIN);
    second.sendTicket();
    const want = serverStream(specs[1]!);
    await waitFor(() => second.bytes.length >= want.length, 'main stream');
    expect(second.bytes).toEqual(want);
    second.ws.close();
  });

  it('refuses what serve refuses: a foreign Origin, the base64 subprotocol, non-SPICE bytes, text frames', async () => {
    const d = dir();
    writeChannels(d, sessionSpecs());
    const h = await replayOf(chooseSession(await loadRecordings([d])));
    const foreign = await wsOutcome(h.wsUrl, ['binary'], { headers: { Origin: 'https://evil.example' } });
    expect(foreign).toMatchObject({ opened: false, status: 403, body: 'origin not allowed\n' });
    const b64 = await wsOutcome(h.wsUrl, ['base64']);
    expect(b64.status).toBe(400);
    const junk = await wsOutcome(h.wsUrl, ['binary'], {}, (ws) => ws.send(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
    expect({ code: junk.code, reason: junk.reason }).toEqual({ code: ReplayCloseCode.BadLink, reason: 'replay: not a SPICE link message' });
    const text = await wsOutcome(h.wsUrl, ['binary'], {}, (ws) => ws.send('hello'));
    expect(text.code).toBe(1003);
    expect(junk.messages).toEqual([]);
  });
});

/** Virtual time: sleep() advances it at once and notes how long was asked. */
function fakeClock(): Clock & { sleeps: number[]; t: number } {
  const c = {
    t: 1_000_000,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

describe('replay: pacing', () => {
  // recorded: link at 1 ms, reply at 2 ms, ticket at 10 ms, auth result at 11 ms, MAIN_INIT at
  // 11.5 ms, then 20 ms and 250 ms; the target closed at 251 ms
  const spec: ChannelSpec = { conn: 1, at: T0, type: MAIN, connectionId: 0, sessionId: SID, messages: [[20_000, msg(104, Buffer.from('a'))], [250_000, msg(105, Buffer.from('b'))]], closeBy: 'target' };

  async function paced(speed: number): Promise<{ sleeps: number[]; bytes: Buffer; close: { code: number; reason: string } }> {
    const d = dir();
    writeChannels(d, [spec]);
    const clock = fakeClock();
    const h = await replayOf(chooseSession(await loadRecordings([d])), { speed, clock });
    const c = await FakeClient.open(h.wsUrl, MAIN);
    await waitFor(() => c.bytes.length >= linkReply().length, 'link reply');
    // the ticket takes 5 s of virtual time to come: pacing restarts from it
    clock.t += 5000;
    c.sendTicket();
    const close = await closed(c.ws);
    return { sleeps: clock.sleeps, bytes: c.bytes, close };
  }

  it('speed 1: the recorded gaps, counted from the link message and then from the ticket', async () => {
    const r = await paced(1);
    expect(r.bytes).toEqual(serverStream(spec));
    // reply 1 ms after the link; auth result 1 ms after the ticket, then 0.5, 8.5, 230 and the close 1 ms later
    const want = [1, 1, 0.5, 8.5, 230, 1];
    expect(r.sleeps.length).toBe(want.length);
    r.sleeps.forEach((s, i) => expect(s).toBeCloseTo(want[i]!, 6));
    expect(r.close).toEqual({ code: 1000, reason: 'end of the recording: the server closed this channel' });
  });

  it('speed 4: the same gaps, a quarter as long', async () => {
    const r = await paced(4);
    expect(r.bytes).toEqual(serverStream(spec));
    const want = [1, 1, 0.5, 8.5, 230, 1].map((x) => x / 4);
    expect(r.sleeps.length).toBe(want.length);
    r.sleeps.forEach((s, i) => expect(s).toBeCloseTo(want[i]!, 6));
  });

  it('speed max: no waiting at all, same bytes', async () => {
    const r = await paced(Infinity);
    expect(r.sleeps).toEqual([]);
    expect(r.bytes).toEqual(serverStream(spec));
  });

  it('real clock, speed 1: order and bytes are kept (no timing asserted)', async () => {
    const d = dir();
    writeChannels(d, [spec]);
    const h = await replayOf(chooseSession(await loadRecordings([d])), { speed: 1 });
    const c = await FakeClient.open(h.wsUrl, MAIN);
    await waitFor(() => c.bytes.length >= linkReply().length, 'link reply');
    c.sendTicket();
    await closed(c.ws);
    expect(c.bytes).toEqual(serverStream(spec));
    expect(c.received.length).toBeGreaterThanOrEqual(5);
  });
});

describe('replay: what serve --record wrote', () => {
  it('a session relayed through the proxy to a scripted SPICE server replays to the same bytes', async () => {
    const rest = Buffer.concat([u32(0), mainInit(SID), msg(104, Buffer.from('channels'))]);
    const server = await countingServer((sock) => {
      let got = 0;
      let stage = 0;
      sock.on('data', (d) => {
        got += d.length;
        if (stage === 0 && got >= linkMess(0, MAIN, 0).length) {
          stage = 1;
          sock.write(linkReply());
        }
        if (stage === 1 && got >= linkMess(0, MAIN, 0).length + 132) {
          stage = 2;
          sock.write(rest);
        }
      });
    });
    const d = dir();
    try {
      const proxy = await startProxy({ listen: 0, target: `127.0.0.1:${server.port}`, recordDir: d, logger: 'silent' });
      const live = await FakeClient.open(proxy.wsUrl, MAIN);
      await waitFor(() => live.bytes.length >= linkReply().length, 'link reply');
      live.sendTicket();
      await waitFor(() => live.bytes.length >= linkReply().length + rest.length, 'the rest');
      await proxy.close();
      // the file is complete once close() resolved: it ends with the close event
      const [file] = readdirSync(d);
      const rec = await readRecording(path.join(d, file!));
      expect(rec.truncated).toBe(false);
      expect(rec.records.at(-1)!.kind).toBe(RecordKind.Event);
      const session = chooseSession(await loadRecordings([d]));
      expect(session.sessionId).toBe(SID);
      const h = await replayOf(session);
      const again = await FakeClient.open(h.wsUrl, MAIN);
      again.sendTicket();
      await waitFor(() => again.bytes.length >= live.bytes.length, 'the replayed stream');
      expect(again.bytes).toEqual(live.bytes);
      again.ws.close();
    } finally {
      await server.close();
    }
  });
});
