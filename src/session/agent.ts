/**
 * The agent feature: the guest agent over the main channel (architecture.md "Where the next
 * features land"). It wires the main channel's agent events to an AgentConnection (src/agent) and
 * offers what the embed layer needs: the clipboard as text (and PNG bytes) both ways, the guest
 * following a size (MONITORS_CONFIG, debounced), enabling and disabling monitors, file transfer.
 * The agent may come and go during a session (spice-vdagent restarted in the guest): every
 * connect starts clean and the last monitors config is offered again once the caps are known.
 */
import { AgentClipboard, textFromGuest, textToGuest } from '../agent/clipboard';
import { AgentConnection } from '../agent/connection';
import { FileTransfers, type FileSource, type TransferEvents } from '../agent/file-xfer';
import { layoutSideBySide } from '../agent/monitor-layout';
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes, type SpiceError } from '../common/errors';
import { VDAgentCap, VDAgentClipboardType, VDAgentMonitorsFlag, VDAgentType, buildMonitorsConfig, type AgentMonitor } from '../protocol/agent';
import type { ChannelId } from '../protocol/main';
import type { SessionContext, SessionFeature } from './types';

export type AgentFeatureEvents = {
  /** the guest agent came or went, with its caps as a bit list */
  agent: { connected: boolean; caps: number[] };
  /** the guest put something on a selection (text decoded; PNG as bytes) */
  clipboard: { selection: number; type: 'text' | 'image/png'; text?: string; data?: Uint8Array };
  /** the guest read what the page put on a clipboard selection */
  clipboardserved: { selection: number; bytes: number };
  /** the monitors config we sent (after debouncing) */
  monitorsconfig: AgentMonitor[];
} & { [K in keyof TransferEvents as `file${K & string}`]: TransferEvents[K] };

export interface AgentFeatureOptions {
  /** ms a size must be stable before it goes to the guest (default 150) */
  resizeDebounceMs?: number;
  /** our clipboard limit in bytes (default 100 MiB, spice-gtk's) */
  maxClipboard?: number;
}

export class AgentFeature implements SessionFeature {
  readonly ev = new Emitter<AgentFeatureEvents>();
  agent: AgentConnection | null = null;
  clipboard: AgentClipboard | null = null;
  files: FileTransfers | null = null;
  private ctx: SessionContext | null = null;
  private off: Array<() => void> = [];
  /** the monitors the guest should have (null: leave the guest's layout alone) */
  private wanted: AgentMonitor[] | null = null;
  private lastSent = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly debounceMs: number;
  private readonly maxClipboard: number;

  constructor(opts: AgentFeatureOptions = {}) {
    this.debounceMs = opts.resizeDebounceMs ?? 150;
    this.maxClipboard = opts.maxClipboard ?? 100 * 1024 * 1024;
  }

  start(ctx: SessionContext): void {
    this.ctx = ctx;
    const main = ctx.main;
    const agent = new AgentConnection(main, { maxClipboard: this.maxClipboard });
    const clipboard = new AgentClipboard(agent);
    const files = new FileTransfers(agent);
    this.agent = agent;
    this.clipboard = clipboard;
    this.files = files;
    this.lastSent = '';
    const report = (e: SpiceError) => ctx.report(e);
    this.off.push(
      main.ev.on('agent', (a) => (a.connected ? agent.connect(a.tokens) : agent.disconnect())),
      main.ev.on('agentData', (d) => agent.receive(d)),
      main.ev.on('agentToken', (n) => agent.addTokens(n)),
      agent.ev.on('error', report),
      clipboard.ev.on('error', report),
      agent.ev.on('state', (s) => {
        this.lastSent = '';
        if (!s.connected) this.ev.emit('agent', { connected: false, caps: [] });
      }),
      agent.ev.on('caps', (caps) => {
        const list: number[] = [];
        for (let i = 0; i < caps.length * 32; i++) if ((caps[i >> 5]! >>> (i & 31)) & 1) list.push(i);
        this.ev.emit('agent', { connected: true, caps: list });
        this.lastSent = '';
        this.schedule(0); // a (re)connected agent gets the layout we want again
      }),
      clipboard.ev.on('data', (d) => {
        if (d.type === VDAgentClipboardType.UTF8_TEXT) this.ev.emit('clipboard', { selection: d.selection, type: 'text', text: textFromGuest(agent, d.data) });
        else if (d.type === VDAgentClipboardType.IMAGE_PNG) this.ev.emit('clipboard', { selection: d.selection, type: 'image/png', data: d.data });
      }),
      clipboard.ev.on('served', (s) => this.ev.emit('clipboardserved', { selection: s.selection, bytes: s.bytes })),
      files.ev.on('progress', (p) => this.ev.emit('fileprogress', p)),
      files.ev.on('done', (p) => this.ev.emit('filedone', p)),
      files.ev.on('failed', (f) => {
        if (!f.cancelled) report(f.error);
        this.ev.emit('filefailed', f);
      }),
    );
    if (main.agentConnected) agent.connect(main.agentTokens);
  }

  channels(_list: readonly ChannelId[]): void {
    /* the agent lives on the main channel */
  }

  /** the agent is there and has said what it can (features usable) */
  get connected(): boolean {
    return !!this.agent?.connected && this.agent.caps !== null;
  }

  /** put text on the guest's clipboard (selection 0 CLIPBOARD, 1 PRIMARY) */
  setClipboardText(text: string, selection = 0): boolean {
    const a = this.agent, c = this.clipboard;
    if (!a || !c) return this.unavailable('clipboard');
    return c.grab(selection, new Map([[VDAgentClipboardType.UTF8_TEXT, textToGuest(a, text)]]));
  }

  /** put a PNG image on the guest's clipboard */
  setClipboardImage(png: Uint8Array, selection = 0): boolean {
    const c = this.clipboard;
    if (!c) return this.unavailable('clipboard');
    return c.grab(selection, new Map([[VDAgentClipboardType.IMAGE_PNG, png]]));
  }

  /**
   * The guest should have these monitors (index = monitor id; a 0×0 entry disables one when the
   * agent has SPARSE_MONITORS_CONFIG). Debounced: only the last layout of a burst is sent, and a
   * layout equal to the last one sent is not sent again (no resize loop).
   */
  setMonitors(monitors: AgentMonitor[]): void {
    this.wanted = monitors.map((m) => ({ ...m }));
    this.schedule(this.debounceMs);
  }

  /**
   * The guest's first monitor should be w×h (the element's size); the others keep their sizes and
   * are laid out again to its right, so a wider monitor 0 never overlaps monitor 1.
   */
  resize(width: number, height: number): void {
    const rest = this.wanted?.slice(1) ?? [];
    this.setMonitors(layoutSideBySide([{ width, height, x: 0, y: 0 }, ...rest]));
  }

  /** send a file to the guest (its download folder with spice-vdagent); resolves when done */
  sendFile(file: FileSource): Promise<void> {
    if (!this.files) {
      this.unavailable('file transfer');
      return Promise.reject(new Error('no guest agent'));
    }
    return this.files.send(file);
  }

  cancelFile(id?: number): void {
    this.files?.cancel(id);
  }

  stop(): void {
    for (const f of this.off) f();
    this.off = [];
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.files?.dispose();
    this.clipboard?.dispose();
    this.agent?.disconnect();
    this.agent = null;
    this.clipboard = null;
    this.files = null;
    this.ctx = null;
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sendMonitors();
    }, ms);
  }

  private sendMonitors(): void {
    const a = this.agent, wanted = this.wanted;
    if (!a?.connected || !a.caps || !wanted || !a.has(VDAgentCap.MONITORS_CONFIG)) return;
    // without SPARSE_MONITORS_CONFIG only enabled monitors are listed (§4.3)
    const list = a.has(VDAgentCap.SPARSE_MONITORS_CONFIG) ? wanted : wanted.filter((m) => m.width > 0 && m.height > 0);
    const key = JSON.stringify(list);
    if (key === this.lastSent) return;
    this.lastSent = key;
    a.send(VDAgentType.MONITORS_CONFIG, buildMonitorsConfig(list, VDAgentMonitorsFlag.USE_POS));
    this.ev.emit('monitorsconfig', list);
  }

  private unavailable(what: string): false {
    this.ctx?.report({ type: ErrorTypes.AGENT_ERROR, details: ErrorDetails.AGENT_UNAVAILABLE, fatal: false, message: `${what}: no guest agent`, channel: { channelType: 1, channelId: 0 } });
    return false;
  }
}
