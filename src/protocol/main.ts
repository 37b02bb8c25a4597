/** Main channel messages (spice-protocol.md §3). */
import { SpiceProtocolError } from './errors';
import { SpiceReader } from './reader';
import { SpiceWriter } from './writer';
import { utf8Decode } from './utf8';

export interface MainInit {
  sessionId: number;
  displayChannelsHint: number;
  supportedMouseModes: number;
  currentMouseMode: number;
  agentConnected: boolean;
  agentTokens: number;
  multiMediaTime: number;
  ramHint: number;
}
export function parseMainInit(r: SpiceReader): MainInit {
  return {
    sessionId: r.u32(),
    displayChannelsHint: r.u32(),
    supportedMouseModes: r.u32(),
    currentMouseMode: r.u32(),
    agentConnected: r.u32() !== 0,
    agentTokens: r.u32(),
    multiMediaTime: r.u32(),
    ramHint: r.u32(),
  };
}

export interface ChannelId {
  type: number;
  id: number;
}
export function parseChannelsList(r: SpiceReader): ChannelId[] {
  const n = r.u32();
  if (n > 256) throw new SpiceProtocolError('malformed', `channels list of ${n} entries`);
  const out: ChannelId[] = [];
  for (let i = 0; i < n; i++) out.push({ type: r.u8(), id: r.u8() });
  return out;
}

export interface MouseModeMsg {
  supported: number;
  current: number;
}
export function parseMouseMode(r: SpiceReader): MouseModeMsg {
  return { supported: r.u16(), current: r.u16() };
}

export function parseMultiMediaTime(r: SpiceReader): number {
  return r.u32();
}

export function parseName(r: SpiceReader): string {
  const len = r.u32();
  return utf8Decode(r.bytesView(Math.min(len, r.remaining)), true);
}

export function parseUuid(r: SpiceReader): Uint8Array {
  return r.bytesView(16).slice();
}

export function parseAgentTokens(r: SpiceReader): number {
  return r.u32();
}

export interface MigrateDstInfo {
  port: number;
  sport: number;
  host: string;
  certSubject: string;
}
export function parseMigrationDstInfo(r: SpiceReader): MigrateDstInfo {
  const port = r.u16();
  const sport = r.u16();
  const hostSize = r.u32();
  const hostPtr = r.u32();
  const subjSize = r.u32();
  const subjPtr = r.u32();
  const host = hostPtr ? utf8Decode(r.at(hostPtr).bytesView(hostSize), true) : '';
  const certSubject = subjPtr ? utf8Decode(r.at(subjPtr).bytesView(subjSize), true) : '';
  return { port, sport, host, certSubject };
}

export function buildMouseModeRequest(mode: number): Uint8Array {
  return new SpiceWriter(2).u16(mode).finish();
}
export function buildAgentStart(tokens: number): Uint8Array {
  return new SpiceWriter(4).u32(tokens).finish();
}
export function buildAgentToken(tokens: number): Uint8Array {
  return new SpiceWriter(4).u32(tokens).finish();
}
