// Recorded sessions for `spice-web replay` (replay.ts): which recording files make up a session
// and which recording a new channel connection gets. Pure analysis of `--record` files
// (recording.ts): nothing here listens or connects.
//
// Sessions. A main-channel connection whose server sent MAIN_INIT opens a session with that
// session id; the other channels join the latest session whose id their link message carried as
// connection_id (spice-protocol.md §1). A main channel whose link or ticket failed belongs to the
// next session (the retry after a password prompt).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { eventsOf, readRecording, RecordKind, RecordingFormatError, type Recording } from './recording.js';
import { CAP_MINI_HEADER, CHANNEL_MAIN, channelName, findSessionId, hasCap, parseLinkMess, parseLinkReply, ReplayError, TICKET_BYTES, type LinkMess } from './replay-link.js';

export const RECORDING_EXTENSION = '.spicerec';

/** One server->client chunk of a recorded connection, with its place in the link. */
interface Chunk {
  timeUs: number;
  data: Buffer;
  /** false: part of the link reply (sent after the link message); true: after the ticket. */
  afterTicket: boolean;
}

export interface RecordedChannel {
  file: string;
  conn: number;
  startedAtMs: number;
  target: string;
  channelType: number;
  channelId: number;
  /** connection_id of the recorded link message (0 for a new session's main channel). */
  connectionId: number;
  /** Main channels: the session id from MAIN_INIT (null if the link failed or it is missing). */
  sessionId: number | null;
  /** The recorded link reply's error code (0 = OK), or null if the server sent none. */
  linkError: number | null;
  chunks: Chunk[];
  /** Recorded times (µs) of the link message and of the ticket, from the client's records. */
  linkTimeUs: number;
  ticketTimeUs: number | null;
  /** Recorded close: by whom and when. */
  close: { by: string; timeUs: number; code?: number; reason?: string } | null;
  /** The client->server byte stream as recorded (for the debug comparison). */
  clientStream: Buffer;
  truncated: boolean;
  bytesServerToClient: number;
}

export interface RecordedSession {
  /** 1-based position in startedAt order (what --session picks). */
  index: number;
  sessionId: number | null;
  startedAtMs: number;
  target: string;
  /** Ordered by start time (then conn). */
  channels: RecordedChannel[];
}

/** Offset where cumulated record sizes first reach `n` bytes: the record's time, or null. */
function timeWhenReached(rec: Recording, kind: RecordKind, n: number): number | null {
  let total = 0;
  for (const r of rec.records) {
    if (r.kind !== kind) continue;
    total += r.data.length;
    if (total >= n) return r.timeUs;
  }
  return null;
}

/** Understands one recording; null (with why) when it holds no SPICE link to replay. */
export function analyseRecording(file: string, rec: Recording): RecordedChannel | { skip: string } {
  const client = Buffer.concat(rec.records.filter((r) => r.kind === RecordKind.ClientToServer).map((r) => r.data));
  let link: LinkMess | null;
  try {
    link = parseLinkMess(client);
  } catch (e) {
    return { skip: `the client's first bytes are not a SPICE link message (${(e as Error).message})` };
  }
  if (!link) return { skip: 'no complete link message from the client' };
  const server = Buffer.concat(rec.records.filter((r) => r.kind === RecordKind.ServerToClient).map((r) => r.data));
  const reply = parseLinkReply(server);
  const replyLen = reply?.length ?? server.length;
  let sessionId: number | null = null;
  if (reply && reply.error === 0 && link.channelType === CHANNEL_MAIN) {
    const mini = hasCap(link.commonCaps, CAP_MINI_HEADER) && hasCap(reply.commonCaps, CAP_MINI_HEADER);
    const authEnd = reply.length + 4;
    if (server.length >= authEnd && server.readUInt32LE(reply.length) === 0) sessionId = findSessionId(server, authEnd, mini);
  }
  // split the server records at the end of the link reply: the rest waits for the ticket
  const chunks: Chunk[] = [];
  let off = 0;
  for (const r of rec.records) {
    if (r.kind !== RecordKind.ServerToClient || r.data.length === 0) continue;
    const end = off + r.data.length;
    if (off < replyLen && end > replyLen) {
      chunks.push({ timeUs: r.timeUs, data: r.data.subarray(0, replyLen - off), afterTicket: false });
      chunks.push({ timeUs: r.timeUs, data: r.data.subarray(replyLen - off), afterTicket: true });
    } else chunks.push({ timeUs: r.timeUs, data: r.data, afterTicket: off >= replyLen });
    off = end;
  }
  let close: RecordedChannel['close'] = null;
  for (const r of rec.records) {
    if (r.kind !== RecordKind.Event) continue;
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(r.data.toString('utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (ev['type'] === 'close' && !close) {
      close = { by: String(ev['by']), timeUs: r.timeUs };
      if (typeof ev['code'] === 'number') close.code = ev['code'];
      if (typeof ev['reason'] === 'string') close.reason = ev['reason'];
    }
  }
  const m = rec.meta;
  return {
    file,
    conn: typeof m.conn === 'number' ? m.conn : 0,
    startedAtMs: typeof m.startedAtMs === 'number' ? m.startedAtMs : 0,
    target: typeof m.target === 'string' ? m.target : '',
    channelType: link.channelType,
    channelId: link.channelId,
    connectionId: link.connectionId,
    sessionId,
    linkError: reply ? reply.error : null,
    chunks,
    linkTimeUs: timeWhenReached(rec, RecordKind.ClientToServer, link.length) ?? 0,
    ticketTimeUs: timeWhenReached(rec, RecordKind.ClientToServer, link.length + TICKET_BYTES),
    close,
    clientStream: client,
    truncated: rec.truncated || eventsOf(rec).some((e) => e['type'] === 'truncated'),
    bytesServerToClient: server.length,
  };
}

/**
 * Groups channels into sessions. In start order: a main channel with a session id opens a
 * session; a main channel whose link failed (wrong password...) belongs to the next session
 * opened (the retry); another channel joins the latest session with its connection_id.
 */
export function groupSessions(channels: RecordedChannel[]): { sessions: RecordedSession[]; orphans: RecordedChannel[] } {
  const sorted = [...channels].sort((a, b) => a.startedAtMs - b.startedAtMs || a.conn - b.conn || a.file.localeCompare(b.file));
  const sessions: RecordedSession[] = [];
  const byId = new Map<number, RecordedSession>();
  let pendingMains: RecordedChannel[] = [];
  const orphans: RecordedChannel[] = [];
  for (const c of sorted) {
    if (c.channelType === CHANNEL_MAIN) {
      if (c.sessionId === null) {
        pendingMains.push(c);
        continue;
      }
      const first = pendingMains[0] ?? c;
      const s: RecordedSession = { index: 0, sessionId: c.sessionId, startedAtMs: first.startedAtMs, target: c.target, channels: [...pendingMains, c] };
      pendingMains = [];
      sessions.push(s);
      byId.set(c.sessionId, s);
    } else {
      const s = byId.get(c.connectionId);
      if (s) s.channels.push(c);
      else orphans.push(c);
    }
  }
  if (pendingMains.length > 0) {
    const first = pendingMains[0]!;
    sessions.push({ index: 0, sessionId: null, startedAtMs: first.startedAtMs, target: first.target, channels: pendingMains });
  }
  sessions.sort((a, b) => a.startedAtMs - b.startedAtMs);
  sessions.forEach((s, i) => (s.index = i + 1));
  return { sessions, orphans };
}

export interface LoadedRecordings {
  sessions: RecordedSession[];
  /** Files that hold nothing to replay, with why. */
  skipped: Array<{ file: string; reason: string }>;
}

/** Reads recording files and directories (their `*.spicerec` files, not recursive). */
export async function loadRecordings(paths: readonly string[]): Promise<LoadedRecordings> {
  if (paths.length === 0) throw new ReplayError('no recording given (a directory written by `serve --record DIR`, or .spicerec files)');
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw new ReplayError(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n.endsWith(RECORDING_EXTENSION)).sort();
      if (names.length === 0) throw new ReplayError(`${p}: no ${RECORDING_EXTENSION} files in this directory`);
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  const channels: RecordedChannel[] = [];
  const skipped: LoadedRecordings['skipped'] = [];
  for (const f of files) {
    let rec: Recording;
    try {
      rec = await readRecording(f);
    } catch (e) {
      if (e instanceof RecordingFormatError) throw new ReplayError(`${f}: ${e.message}`);
      throw new ReplayError(`${f}: ${(e as Error).message}`);
    }
    const a = analyseRecording(f, rec);
    if ('skip' in a) skipped.push({ file: f, reason: a.skip });
    else channels.push(a);
  }
  const { sessions, orphans } = groupSessions(channels);
  for (const o of orphans) skipped.push({ file: o.file, reason: `${channelName(o.channelType, o.channelId)} of session ${o.connectionId}, whose main channel is not recorded` });
  if (sessions.length === 0) throw new ReplayError(`no session to replay: no recording holds a main channel${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
  return { sessions, skipped };
}

/** One line per session, for `--list` and for the "which session?" error. */
export function describeSession(s: RecordedSession): string {
  const chans = s.channels.map((c) => channelName(c.channelType, c.channelId)).join(' ');
  const bytes = s.channels.reduce((n, c) => n + c.bytesServerToClient, 0);
  const id = s.sessionId === null ? 'link failed' : `session id ${s.sessionId}`;
  return `${s.index}  ${new Date(s.startedAtMs).toISOString()}  ${id}  target ${s.target}  ${s.channels.length} connections (${chans}), ${bytes} bytes from the server`;
}

/** Picks the session to replay: `index` (1-based), or the only one. */
export function chooseSession(loaded: LoadedRecordings, index?: number): RecordedSession {
  if (index !== undefined) {
    const s = loaded.sessions.find((x) => x.index === index);
    if (!s) throw new ReplayError(`there is no session ${index} (there are ${loaded.sessions.length}; see --list)`);
    return s;
  }
  if (loaded.sessions.length > 1) {
    throw new ReplayError(`the recordings hold ${loaded.sessions.length} sessions; choose one with --session N:\n${loaded.sessions.map(describeSession).join('\n')}`);
  }
  return loaded.sessions[0]!;
}


/** Which recording each new channel connection gets (see the top of this file). */
export class ChannelMatcher {
  private used = new Map<string, number>();
  constructor(private readonly session: RecordedSession) {}

  next(channelType: number, channelId: number): RecordedChannel | { missing: string } {
    const key = `${channelType}:${channelId}`;
    const all = this.session.channels.filter((c) => c.channelType === channelType && c.channelId === channelId);
    if (channelType === CHANNEL_MAIN && (this.used.get(key) ?? 0) >= all.length && all.length > 0) this.used.clear();
    const n = this.used.get(key) ?? 0;
    const name = channelName(channelType, channelId);
    if (all.length === 0) return { missing: `replay: the recorded session has no ${name} channel` };
    if (n >= all.length) return { missing: `replay: all ${all.length} recorded ${name} connections were played` };
    this.used.set(key, n + 1);
    return all[n]!;
  }
}
