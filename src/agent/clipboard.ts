/**
 * The clipboard over the agent, by-demand model (spice-protocol.md §4.5, spice-gtk channel-main.c
 * clipboard functions): the owner GRABs a selection listing its types, the other side REQUESTs
 * one type, the owner answers CLIPBOARD (type, data), RELEASE ends the ownership.
 *
 * Page → guest: `grab(selection, items)` keeps the data and answers the guest's requests with it.
 * Guest → page: a guest GRAB is announced (`grab` event) and, when it offers UTF-8 text or PNG, the
 * data is requested at once so the page gets a `data` event without asking (a browser cannot be
 * asked synchronously at paste time the way a native clipboard manager is).
 *
 * Grab serials (agent cap CLIPBOARD_GRAB_SERIAL): one counter per selection, reset with each agent
 * connect; our GRAB carries the counter and increments it; a guest GRAB whose serial is not the
 * counter crossed one of ours and is dropped, otherwise it is accepted and the counter advances.
 */
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes, type SpiceError } from '../common/errors';
import {
  VDAgentCap, VDAgentClipboardType, VDAgentType, buildClipboardData, buildClipboardGrab, buildClipboardRelease, buildClipboardRequest,
  parseClipboardData, parseClipboardGrab, parseClipboardRelease, parseClipboardRequest, type AgentMessage, type ClipboardLayout,
} from '../protocol/agent';
import type { AgentConnection } from './connection';

/** what the page offers: clipboard type (VDAgentClipboardType) → bytes */
export type ClipboardItems = Map<number, Uint8Array>;

export type ClipboardEvents = {
  /** the guest owns `selection` and offers `types` */
  grab: { selection: number; types: number[] };
  /** the guest's data for a selection (answer to our REQUEST) */
  data: { selection: number; type: number; data: Uint8Array };
  /** the guest no longer owns the selection */
  release: { selection: number };
  /** the guest read what the page put on the clipboard */
  served: { selection: number; type: number; bytes: number };
  error: SpiceError;
};

/** types we fetch from the guest as soon as it grabs, best first */
const FETCH = [VDAgentClipboardType.UTF8_TEXT, VDAgentClipboardType.IMAGE_PNG];

export class AgentClipboard {
  readonly ev = new Emitter<ClipboardEvents>();
  /** what we own, per selection */
  private owned = new Map<number, ClipboardItems>();
  /** what the guest offers, per selection */
  readonly guest = new Map<number, number[]>();
  private serials = new Map<number, number>();
  private off: Array<() => void> = [];

  constructor(private readonly agent: AgentConnection) {
    this.off.push(
      agent.ev.on('state', () => this.reset()),
      agent.ev.on('message', (m) => this.onMessage(m)),
    );
  }

  /** usable: the agent is there and does the by-demand clipboard */
  get available(): boolean {
    return this.agent.connected && this.agent.has(VDAgentCap.CLIPBOARD_BY_DEMAND);
  }

  private get layout(): ClipboardLayout {
    return { selection: this.agent.has(VDAgentCap.CLIPBOARD_SELECTION), serial: this.agent.has(VDAgentCap.CLIPBOARD_GRAB_SERIAL) };
  }

  /** put `items` on the guest's `selection`; false (and an `error` event) when it cannot */
  grab(selection: number, items: ClipboardItems): boolean {
    if (!this.available) {
      this.fail(ErrorDetails.AGENT_UNAVAILABLE, 'clipboard: no guest agent with the clipboard capability');
      return false;
    }
    const limit = this.agent.agentMaxClipboard;
    for (const [type, data] of items) {
      // the agent drops larger data (its MAX_CLIPBOARD, §4.5); say so instead of a silent no-op
      if (limit >= 0 && data.length > limit) {
        this.fail(ErrorDetails.CLIPBOARD_TOO_LARGE, `clipboard: ${data.length} bytes of type ${type} exceed the guest's limit of ${limit}`);
        return false;
      }
    }
    this.owned.set(selection, items);
    this.guest.delete(selection);
    const serial = this.serials.get(selection) ?? 0;
    this.serials.set(selection, serial + 1);
    return this.agent.send(VDAgentType.CLIPBOARD_GRAB, buildClipboardGrab(this.layout, selection, serial, [...items.keys()]));
  }

  /** give up our ownership of `selection` */
  release(selection: number): void {
    if (!this.owned.delete(selection) || !this.available) return;
    this.agent.send(VDAgentType.CLIPBOARD_RELEASE, buildClipboardRelease(this.layout, selection));
  }

  /** ask the guest for its `type` data of `selection` (answer: a `data` event) */
  request(selection: number, type: number): boolean {
    if (!this.available) return false;
    return this.agent.send(VDAgentType.CLIPBOARD_REQUEST, buildClipboardRequest(this.layout, selection, type));
  }

  dispose(): void {
    for (const f of this.off) f();
    this.off = [];
  }

  private reset(): void {
    this.owned.clear();
    this.guest.clear();
    this.serials.clear();
  }

  private onMessage(m: AgentMessage): void {
    const l = this.layout;
    switch (m.type) {
      case VDAgentType.CLIPBOARD_GRAB: {
        const g = parseClipboardGrab(l, m.data);
        if (g.serial !== null) {
          const mine = this.serials.get(g.selection) ?? 0;
          if (g.serial !== mine) return; // crossed our own newer grab: stale
          this.serials.set(g.selection, mine + 1);
        }
        this.owned.delete(g.selection);
        this.guest.set(g.selection, g.types);
        this.ev.emit('grab', { selection: g.selection, types: g.types });
        const want = FETCH.find((t) => g.types.includes(t));
        if (want !== undefined) this.request(g.selection, want);
        return;
      }
      case VDAgentType.CLIPBOARD_REQUEST: {
        const q = parseClipboardRequest(l, m.data);
        const data = this.owned.get(q.selection)?.get(q.type);
        // nothing to give: answer NONE so the guest application does not wait forever
        if (!data) {
          this.agent.send(VDAgentType.CLIPBOARD, buildClipboardData(l, q.selection, VDAgentClipboardType.NONE, new Uint8Array(0)));
          return;
        }
        this.agent.send(VDAgentType.CLIPBOARD, buildClipboardData(l, q.selection, q.type, data));
        this.ev.emit('served', { selection: q.selection, type: q.type, bytes: data.length });
        return;
      }
      case VDAgentType.CLIPBOARD: {
        const d = parseClipboardData(l, m.data);
        if (d.type === VDAgentClipboardType.NONE) return;
        const limit = this.agent.maxClipboard;
        if (limit >= 0 && d.data.length > limit) {
          this.fail(ErrorDetails.CLIPBOARD_TOO_LARGE, `clipboard: the guest sent ${d.data.length} bytes, over our limit of ${limit}`);
          return;
        }
        this.ev.emit('data', d);
        return;
      }
      case VDAgentType.CLIPBOARD_RELEASE: {
        const selection = parseClipboardRelease(l, m.data);
        this.guest.delete(selection);
        this.ev.emit('release', { selection });
        return;
      }
      default:
    }
  }

  private fail(details: SpiceError['details'], message: string): void {
    this.ev.emit('error', { type: ErrorTypes.AGENT_ERROR, details, fatal: false, message, channel: { channelType: 1, channelId: 0 } });
  }
}

/** text for the guest: UTF-8, with the guest's line ends (agent caps GUEST_LINEEND_*, §4.5) */
export function textToGuest(agent: AgentConnection, text: string): Uint8Array {
  const t = agent.has(VDAgentCap.GUEST_LINEEND_CRLF) ? text.replace(/\r?\n/g, '\r\n') : text;
  return new TextEncoder().encode(t);
}

/** text from the guest: CRLF guests' line ends back to LF */
export function textFromGuest(agent: AgentConnection, data: Uint8Array): string {
  // a trailing NUL some agents add is not part of the text
  const end = data.length && data[data.length - 1] === 0 ? data.length - 1 : data.length;
  const t = new TextDecoder().decode(data.subarray(0, end));
  return agent.has(VDAgentCap.GUEST_LINEEND_CRLF) ? t.replace(/\r\n/g, '\n') : t;
}
