/**
 * Feed a recorded display-channel data phase (mini-header messages, as fixtures/xspice/*.bin
 * and scripts/record-display.ts store them) into a DisplayCore, outside any channel: base
 * messages (SET_ACK, PING, …) are skipped, LIST sub-messages are applied in order. For replay
 * tests, benchmarks and offline rendering of session recordings.
 */
import { parseSubMessageList } from '../protocol/base';
import { Msg } from '../protocol/enums';
import { MessageFramer } from '../protocol/framing';
import { SpiceReader } from '../protocol/reader';
import type { DisplayCore } from './core';

export interface ReplayMessage {
  type: number;
  body: Uint8Array;
}

/** The display messages of a recorded stream, LISTs flattened; throws SpiceProtocolError. */
export function displayMessages(bin: Uint8Array): ReplayMessage[] {
  const framer = new MessageFramer();
  framer.push(bin);
  const out: ReplayMessage[] = [];
  const visit = (type: number, body: Uint8Array) => {
    if (type === Msg.LIST) {
      for (const s of parseSubMessageList(SpiceReader.of(body))) visit(s.type, s.body);
    } else if (type > Msg.BASE_LAST) out.push({ type, body });
  };
  for (let m = framer.next(); m; m = framer.next()) visit(m.type, m.body);
  return out;
}

/** Apply every message in order, awaiting the asynchronous ones. */
export async function replayInto(core: DisplayCore, messages: ReplayMessage[]): Promise<void> {
  for (const m of messages) {
    const p = core.handle(m.type, SpiceReader.of(m.body));
    if (p) await p;
  }
}
