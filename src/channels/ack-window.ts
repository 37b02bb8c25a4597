/**
 * The client's side of a channel's ACK window (protocol reference 2.3). spice-server zeroes its
 * unacknowledged count when it sends SET_ACK, counts that SET_ACK and every message after it, and
 * stops sending once more than two windows are unacknowledged. So every message is counted here
 * as it is read, never when it is run: a burst read in one go behind the SET_ACK would otherwise
 * go uncounted, our ACKs would trail the server's count for the rest of the connection, and past
 * one window of lag the server would wait for an ACK we never send.
 * One per connection: a linked channel's, or a migration destination's before the switch (the
 * channel then takes that one over, count and all).
 */
import { buildAckSync, parseSetAck } from '../protocol/base';
import { Msg, Msgc } from '../protocol/enums';
import type { RawMessage } from '../protocol/framing';
import { SpiceReader } from '../protocol/reader';

export class AckWindow {
  /** the window the last SET_ACK gave (0: none yet, nothing is acknowledged) */
  window = 0;
  /** messages counted since the last ACK */
  count = 0;

  /** count message `m` as it is read; answers SET_ACK with ACK_SYNC and sends ACK at each full window */
  read(m: RawMessage, send: (type: number, body?: Uint8Array) => void): void {
    if (m.type === Msg.SET_ACK) {
      const a = parseSetAck(SpiceReader.of(m.body));
      this.window = a.window;
      this.count = 0;
      send(Msgc.ACK_SYNC, buildAckSync(a.generation)); // before any ACK: the server ignores ACKs of an unsynced generation
    }
    if (this.window && ++this.count >= this.window) {
      this.count = 0;
      send(Msgc.ACK);
    }
  }
}
