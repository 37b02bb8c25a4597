/**
 * Main channel (spice-protocol.md §3): session id, channel list, mouse mode, multimedia time.
 * The agent's bytes only pass through here (§4): AGENT_DATA bodies go out as `agentData` events
 * and AGENT_TOKEN grants as `agentToken`; src/agent owns framing, tokens and state and sends with
 * sendAgentStart / sendAgentData / sendAgentToken. Migration messages arrive in later work.
 */
import { MainCap, MouseMode, MsgMain, MsgcMain } from '../protocol/enums';
import {
  buildMouseModeRequest, parseAgentTokens, parseChannelsList, parseMainInit, parseMigrationDstInfo, parseMouseMode,
  parseMultiMediaTime, parseName, parseUuid, type ChannelId, type MainInit, type MigrateDstInfo,
} from '../protocol/main';
import type { SpiceReader } from '../protocol/reader';
import { SpiceWriter } from '../protocol/writer';
import { SpiceChannel, type ChannelOptions } from './channel';

export type MainEvents = {
  init: MainInit;
  channels: ChannelId[];
  mouseMode: { supported: number; current: number };
  mmTime: number;
  name: string;
  uuid: Uint8Array;
  /** agent (dis)connected; `tokens`: AGENT_DATA messages we may send (INIT / CONNECTED_TOKENS) */
  agent: { connected: boolean; tokens: number; error?: number };
  agentData: Uint8Array;
  /** MIGRATE_BEGIN(_SEAMLESS): link every channel to `dst` and answer (§3.5) */
  migrateBegin: { dst: MigrateDstInfo; seamless: boolean; srcVersion: number };
  /** MIGRATE_CANCEL: drop the destination links, stay */
  migrateCancel: void;
  /** MIGRATE_END (semi-seamless): the VM has moved */
  migrateEnd: void;
  /** MIGRATE_SWITCH_HOST: connect again, from scratch, to `dst` */
  switchHost: MigrateDstInfo;
  /** AGENT_TOKEN: this many more AGENT_DATA messages may be sent (§3.1) */
  agentToken: number;
};

export class MainChannel extends SpiceChannel<MainEvents> {
  sessionId = 0;
  mouseModeSupported = 0;
  mouseMode = 0;
  /** prefer client (absolute) mouse mode when the server offers it (no pointer lock needed) */
  preferClientMouse = true;
  agentConnected = false;
  /** the token count of INIT / AGENT_CONNECTED_TOKENS (src/agent counts what is left) */
  agentTokens = 0;

  constructor(opts: Omit<ChannelOptions, 'channelType' | 'channelId' | 'connectionId'>) {
    super({ ...opts, channelType: 1, channelId: 0, connectionId: 0 });
  }

  protected channelCaps(): number[] {
    // SEAMLESS_MIGRATE needs SEMI_SEAMLESS_MIGRATE too: the server offers seamless only to
    // clients that have both (spice-server main-channel-client migrate_connect)
    return [MainCap.SEMI_SEAMLESS_MIGRATE, MainCap.NAME_AND_UUID, MainCap.AGENT_CONNECTED_TOKENS, MainCap.SEAMLESS_MIGRATE];
  }

  /** AGENT_START: the server may send us `tokens` AGENT_DATA messages before we grant more (§3.2) */
  sendAgentStart(tokens: number): void {
    this.send(MsgcMain.AGENT_START, new SpiceWriter(4).u32(tokens >>> 0).finish());
  }

  /** one AGENT_DATA (≤ VD_AGENT_MAX_DATA_SIZE bytes); the caller holds the token it costs */
  sendAgentData(chunk: Uint8Array): void {
    this.send(MsgcMain.AGENT_DATA, chunk);
  }

  /** AGENT_TOKEN: the server may send `tokens` more AGENT_DATA messages */
  sendAgentToken(tokens: number): void {
    this.send(MsgcMain.AGENT_TOKEN, new SpiceWriter(4).u32(tokens >>> 0).finish());
  }

  /** ask the server for a mouse mode (only if it supports it) */
  requestMouseMode(mode: number): void {
    if (this.mouseModeSupported & mode && this.mouseMode !== mode) this.send(MsgcMain.MOUSE_MODE_REQUEST, buildMouseModeRequest(mode));
  }

  protected handle(type: number, r: SpiceReader): void {
    switch (type) {
      case MsgMain.INIT: {
        const init = parseMainInit(r);
        this.sessionId = init.sessionId;
        this.agentConnected = init.agentConnected;
        this.agentTokens = init.agentTokens;
        this.setMouseMode(init.supportedMouseModes, init.currentMouseMode);
        this.ev.emit('init', init);
        this.ev.emit('mmTime', init.multiMediaTime);
        this.send(MsgcMain.ATTACH_CHANNELS);
        return;
      }
      case MsgMain.CHANNELS_LIST:
        this.ev.emit('channels', parseChannelsList(r));
        return;
      case MsgMain.MOUSE_MODE: {
        const m = parseMouseMode(r);
        this.setMouseMode(m.supported, m.current);
        return;
      }
      case MsgMain.MULTI_MEDIA_TIME:
        this.ev.emit('mmTime', parseMultiMediaTime(r));
        return;
      case MsgMain.NAME:
        this.ev.emit('name', parseName(r));
        return;
      case MsgMain.UUID:
        this.ev.emit('uuid', parseUuid(r));
        return;
      case MsgMain.AGENT_CONNECTED:
        this.agentConnected = true;
        this.ev.emit('agent', { connected: true, tokens: this.agentTokens });
        return;
      case MsgMain.AGENT_CONNECTED_TOKENS:
        this.agentConnected = true;
        this.agentTokens = parseAgentTokens(r);
        this.ev.emit('agent', { connected: true, tokens: this.agentTokens });
        return;
      case MsgMain.AGENT_DISCONNECTED:
        this.agentConnected = false;
        this.ev.emit('agent', { connected: false, tokens: 0, error: r.remaining >= 4 ? r.u32() : 0 });
        return;
      case MsgMain.AGENT_TOKEN:
        this.ev.emit('agentToken', parseAgentTokens(r));
        return;
      case MsgMain.AGENT_DATA:
        this.ev.emit('agentData', r.rest());
        return;
      case MsgMain.MIGRATE_BEGIN:
        this.ev.emit('migrateBegin', { dst: parseMigrationDstInfo(r), seamless: false, srcVersion: 0 });
        return;
      case MsgMain.MIGRATE_BEGIN_SEAMLESS: {
        const dst = parseMigrationDstInfo(r);
        // src_mig_version follows the 20-byte fixed part of the DstInfo
        this.ev.emit('migrateBegin', { dst, seamless: true, srcVersion: r.at(20).u32() });
        return;
      }
      case MsgMain.MIGRATE_CANCEL:
        this.cancelMigration();
        this.ev.emit('migrateCancel', undefined);
        return;
      case MsgMain.MIGRATE_END:
        this.ev.emit('migrateEnd', undefined);
        return;
      case MsgMain.MIGRATE_SWITCH_HOST:
        this.ev.emit('switchHost', parseMigrationDstInfo(r));
        return;
      default:
        return; // unknown types are skipped (§12)
    }
  }

  /**
   * Seamless migration handshake on the linked destination main connection (§3.5): send
   * MIGRATE_DST_DO_SEAMLESS(src_version), wait for DST_SEAMLESS_ACK (true) or NACK (false).
   */
  async seamlessHandshake(srcVersion: number): Promise<boolean> {
    const p = this.pendingLink;
    if (!p) throw new Error('no destination main connection');
    p.send(MsgcMain.MIGRATE_DST_DO_SEAMLESS, new SpiceWriter(4).u32(srcVersion).finish());
    const m = await p.next([MsgMain.MIGRATE_DST_SEAMLESS_ACK, MsgMain.MIGRATE_DST_SEAMLESS_NACK]);
    return m.type === MsgMain.MIGRATE_DST_SEAMLESS_ACK;
  }

  private setMouseMode(supported: number, current: number): void {
    this.mouseModeSupported = supported;
    this.mouseMode = current;
    this.ev.emit('mouseMode', { supported, current });
    if (this.preferClientMouse && current !== MouseMode.CLIENT && supported & MouseMode.CLIENT) {
      this.requestMouseMode(MouseMode.CLIENT);
    }
  }
}
