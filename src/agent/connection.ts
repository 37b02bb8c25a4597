/**
 * The agent connection: the client's end of the VD agent stream over the main channel
 * (spice-protocol.md §3.1–3.2, §4.1–4.2). It owns what spice-gtk's channel-main.c keeps for the
 * agent: the token counts both ways, the send queue, the reassembly of records, and the agent's
 * announced capabilities. Features (clipboard, monitors, files) send records through `send()` and
 * take the records they care about from `message` events. Every (re)connect of the guest agent
 * starts from a clean state: AGENT_START, then ANNOUNCE_CAPABILITIES asking for the agent's.
 */
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes, classifyKind, type SpiceError } from '../common/errors';
import {
  AgentStreamReader, VDAgentCap, VDAgentReplyResult, VDAgentType, buildAnnounceCapabilities, buildMaxClipboard, chunkAgentMessage,
  encodeAgentMessage, hasCap, parseAnnounceCapabilities, parseMaxClipboard, parseReply, type AgentMessage,
} from '../protocol/agent';
import { SpiceProtocolError } from '../protocol/errors';

/** what the connection needs of the main channel (MainChannel implements it) */
export interface AgentLink {
  sendAgentStart(tokens: number): void;
  sendAgentData(chunk: Uint8Array): void;
  sendAgentToken(tokens: number): void;
}

/**
 * How many AGENT_DATA messages the server may send before we grant more. spice-gtk grants
 * 0xFFFFFFFF (no flow control); we grant a window and give tokens back as we consume messages,
 * so a guest that floods the clipboard cannot queue unbounded data in the tab (the server holds
 * it instead). 64 × 2 KiB keeps a 1 MB transfer at ~16 token round trips.
 */
export const AGENT_WINDOW = 64;

/** what we announce (spice-gtk announces the same set, §4.2) */
export const CLIENT_CAPS: readonly number[] = [
  VDAgentCap.MOUSE_STATE, VDAgentCap.MONITORS_CONFIG, VDAgentCap.REPLY, VDAgentCap.CLIPBOARD_BY_DEMAND,
  VDAgentCap.CLIPBOARD_SELECTION, VDAgentCap.MAX_CLIPBOARD, VDAgentCap.MONITORS_CONFIG_POSITION,
  VDAgentCap.FILE_XFER_DETAILED_ERRORS, VDAgentCap.CLIPBOARD_NO_RELEASE_ON_REGRAB, VDAgentCap.CLIPBOARD_GRAB_SERIAL,
];

export type AgentEvents = {
  /** the agent came or went; features reset their state on both */
  state: { connected: boolean };
  /** the agent's capabilities arrived (once per connect, possibly again when it re-announces) */
  caps: Uint32Array;
  /** a record for the features (everything but ANNOUNCE_CAPABILITIES, MAX_CLIPBOARD) */
  message: AgentMessage;
  /** the send queue ran empty (file transfer feeds the next piece) */
  drain: undefined;
  /** a bad record or an agent error reply; never fatal to the session */
  error: SpiceError;
};

export interface AgentOptions {
  /** our own clipboard limit sent as VD_AGENT_MAX_CLIPBOARD (bytes; -1 unlimited) */
  maxClipboard?: number;
  /** tokens granted to the server (AGENT_START) */
  window?: number;
}

export class AgentConnection {
  readonly ev = new Emitter<AgentEvents>();
  connected = false;
  /** AGENT_DATA messages we may still send */
  tokens = 0;
  /** the agent's caps, null until announced since the last connect */
  caps: Uint32Array | null = null;
  /** the agent's MAX_CLIPBOARD (-1: none said, unlimited) */
  agentMaxClipboard = -1;
  /** counters, for tests and stats */
  readonly stats = { chunksOut: 0, chunksIn: 0, recordsOut: 0, recordsIn: 0, tokensGranted: 0 };
  readonly window: number;
  readonly maxClipboard: number;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private reader = new AgentStreamReader();
  /** AGENT_DATA messages received since the last AGENT_TOKEN we sent */
  private owed = 0;

  constructor(private readonly link: AgentLink, opts: AgentOptions = {}) {
    this.window = opts.window ?? AGENT_WINDOW;
    this.maxClipboard = opts.maxClipboard ?? -1;
  }

  /** the agent is there (INIT agent_connected, AGENT_CONNECTED(_TOKENS)); `tokens` we may spend */
  connect(tokens: number): void {
    this.reset();
    this.connected = true;
    this.tokens = tokens;
    this.link.sendAgentStart(this.window);
    this.send(VDAgentType.ANNOUNCE_CAPABILITIES, buildAnnounceCapabilities(true, CLIENT_CAPS));
    this.ev.emit('state', { connected: true });
  }

  /** AGENT_DISCONNECTED (or the session ended): drop everything in flight */
  disconnect(): void {
    const was = this.connected;
    this.reset();
    this.connected = false;
    this.tokens = 0;
    if (was) this.ev.emit('state', { connected: false });
  }

  /** AGENT_TOKEN from the server */
  addTokens(n: number): void {
    this.tokens += n;
    this.flush();
  }

  /** true when the agent announced `cap` */
  has(cap: number): boolean {
    return hasCap(this.caps, cap);
  }

  /** bytes waiting for tokens */
  get queuedBytes(): number {
    return this.queued;
  }

  /** queue one record (cut in AGENT_DATA pieces, sent as tokens allow); false without an agent */
  send(type: number, payload?: Uint8Array): boolean {
    if (!this.connected) return false;
    const record = encodeAgentMessage(type, payload);
    for (const c of chunkAgentMessage(record)) this.queue.push(c);
    this.queued += record.length;
    this.stats.recordsOut++;
    this.flush();
    return true;
  }

  /** one AGENT_DATA body from the server */
  receive(chunk: Uint8Array): void {
    if (!this.connected) return; // after AGENT_DISCONNECTED: stale bytes of the old agent
    this.stats.chunksIn++;
    // give tokens back in batches: each AGENT_DATA the server sent used one of ours
    if (++this.owed >= this.window >> 1) {
      this.link.sendAgentToken(this.owed);
      this.stats.tokensGranted += this.owed;
      this.owed = 0;
    }
    let records: AgentMessage[];
    try {
      records = this.reader.push(chunk);
    } catch (e) {
      // the stream cannot be resynchronised: drop what is partly read, keep the session
      this.reader.reset();
      this.report(e);
      return;
    }
    for (const m of records) {
      this.stats.recordsIn++;
      try {
        this.dispatch(m);
      } catch (e) {
        this.report(e, m.type);
      }
    }
  }

  private dispatch(m: AgentMessage): void {
    switch (m.type) {
      case VDAgentType.ANNOUNCE_CAPABILITIES: {
        const a = parseAnnounceCapabilities(m.data);
        const first = this.caps === null;
        this.caps = a.caps;
        if (a.request) this.send(VDAgentType.ANNOUNCE_CAPABILITIES, buildAnnounceCapabilities(false, CLIENT_CAPS));
        // our limit, once per connect (spice-gtk sends it when the agent has the cap)
        if (first && this.has(VDAgentCap.MAX_CLIPBOARD)) this.send(VDAgentType.MAX_CLIPBOARD, buildMaxClipboard(this.maxClipboard));
        this.ev.emit('caps', a.caps);
        return;
      }
      case VDAgentType.MAX_CLIPBOARD:
        this.agentMaxClipboard = parseMaxClipboard(m.data);
        return;
      case VDAgentType.REPLY: {
        const r = parseReply(m.data);
        if (r.error !== VDAgentReplyResult.SUCCESS) {
          this.ev.emit('error', { type: ErrorTypes.AGENT_ERROR, details: ErrorDetails.AGENT_REQUEST_FAILED, fatal: false, message: `agent: the guest refused message type ${r.type} (error ${r.error})`, channel: MAIN });
        }
        this.ev.emit('message', m);
        return;
      }
      default:
        this.ev.emit('message', m);
    }
  }

  private flush(): void {
    while (this.tokens > 0 && this.queue.length) {
      const c = this.queue.shift()!;
      this.tokens--;
      this.queued -= c.length;
      this.stats.chunksOut++;
      this.link.sendAgentData(c);
    }
    if (!this.queue.length) this.ev.emit('drain', undefined);
  }

  private reset(): void {
    this.queue = [];
    this.queued = 0;
    this.reader.reset();
    this.caps = null;
    this.agentMaxClipboard = -1;
    this.owed = 0;
  }

  private report(e: unknown, type?: number): void {
    const what = type === undefined ? 'agent stream' : `agent message type ${type}`;
    if (e instanceof SpiceProtocolError) {
      const k = classifyKind(e.kind);
      this.ev.emit('error', { ...k, fatal: false, message: `main:0: ${what}: ${e.message}`, channel: MAIN });
    } else {
      this.ev.emit('error', { type: ErrorTypes.OTHER_ERROR, details: ErrorDetails.INTERNAL_EXCEPTION, fatal: false, message: `main:0: ${what}: ${e instanceof Error ? e.message : String(e)}`, channel: MAIN });
    }
  }
}

const MAIN = { channelType: 1, channelId: 0 };
