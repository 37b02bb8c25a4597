/**
 * A channel's second connection, to the migration destination (spice-protocol.md §3.5), linked
 * while the channel still runs on the source. Until the channel switches over, it keeps the
 * connection alive on its own (PING → PONG, SET_ACK → ACK_SYNC, each on this connection with its
 * own serials), lets the channel exchange a message or two (the main channel's
 * MIGRATE_DST_DO_SEAMLESS and its ACK/NACK) and holds everything else for the channel to process
 * after the switch, in order.
 */
import { buildPong, parsePing } from '../protocol/base';
import { Msg, Msgc } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import { MessageFramer, frameMessage, type RawMessage } from '../protocol/framing';
import { SpiceReader } from '../protocol/reader';
import { AckWindow } from './ack-window';
import { LinkStage, type LinkParams, type LinkResult } from './link-stage';
import type { Transport } from './transport';

export class PendingLink {
  result: LinkResult | null = null;
  readonly framer = new MessageFramer();
  /** messages held for the channel, in arrival order */
  readonly held: RawMessage[] = [];
  /** messages received on this connection (its serials) and how many were handled here */
  received = 0n;
  handled = 0n;
  outSerial = 1n;
  /** the destination's ACK window (held messages count too), for the channel to take over at the switch */
  readonly ack = new AckWindow();
  private readonly sendAck = (type: number, body?: Uint8Array): void => this.send(type, body);
  lost: string | null = null;
  private waiters: Array<{ types: number[]; resolve: (m: RawMessage) => void; reject: (e: Error) => void }> = [];

  constructor(
    readonly transport: Transport,
    params: LinkParams,
    onLinked: () => void,
    onFailed: (e: unknown) => void,
  ) {
    const stage = new LinkStage(
      (b) => transport.send(b),
      params,
      (r) => {
        this.result = r;
        this.framer.miniHeader = r.miniHeader;
        onLinked();
        if (r.rest.length) this.bytes(r.rest);
      },
      onFailed,
    );
    transport.onmessage = (b) => {
      try {
        if (this.result) this.bytes(b);
        else stage.push(b);
      } catch (e) {
        this.drop(e instanceof Error ? e.message : String(e));
        onFailed(e);
      }
    };
    transport.onclose = (info) => {
      const why = `the migration destination closed: ${info.reason}`;
      this.drop(why);
      if (!this.result) onFailed(new SpiceProtocolError('transport', why));
    };
    stage.begin();
  }

  /** send on the destination before the switch */
  send(type: number, body: Uint8Array = new Uint8Array(0)): void {
    this.transport.send(frameMessage(type, body, this.framer.miniHeader, this.outSerial++));
  }

  /** the next message of one of `types` from the destination (taken out of the held ones) */
  next(types: number[]): Promise<RawMessage> {
    const i = this.held.findIndex((m) => types.includes(m.type));
    if (i >= 0) {
      this.handled++;
      return Promise.resolve(this.held.splice(i, 1)[0]!);
    }
    if (this.lost) return Promise.reject(new Error(this.lost));
    return new Promise((resolve, reject) => this.waiters.push({ types, resolve, reject }));
  }

  /** stop: close the connection; nothing more is delivered */
  close(): void {
    this.transport.onmessage = null;
    this.transport.onclose = null;
    this.transport.close();
    this.drop('migration cancelled');
  }

  private drop(why: string): void {
    this.lost ??= why;
    for (const w of this.waiters) w.reject(new Error(why));
    this.waiters = [];
  }

  private bytes(b: Uint8Array): void {
    this.framer.push(b);
    let m: RawMessage | null;
    while ((m = this.framer.next())) {
      this.received++;
      if (m.type === Msg.PING) {
        this.handled++;
        this.send(Msgc.PONG, buildPong(parsePing(SpiceReader.of(m.body))));
      } else if (m.type === Msg.SET_ACK) {
        this.handled++;
      } else {
        const w = this.waiters.findIndex((x) => x.types.includes(m!.type));
        if (w >= 0) {
          this.handled++;
          this.waiters.splice(w, 1)[0]!.resolve(m);
        } else this.held.push(m);
      }
      // every message counts toward the window as it is read, held ones too (ack-window.ts)
      this.ack.read(m, this.sendAck);
    }
  }
}
