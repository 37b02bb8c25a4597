/**
 * One SPICE channel connection: link stage, ticket auth, data framing, ACK window, ping/pong,
 * notify, disconnecting, sub-message lists and wait-for-channels (spice-protocol.md §1–§2).
 * Subclasses handle their channel's messages in `handle()`; messages are processed strictly in
 * order, and a handler may return a promise (async image decode) during which later messages
 * wait, so draw order is kept.
 *
 * A channel is not tied to one connection: relink() carries its state (everything a subclass
 * keeps: surfaces, caches, the GLZ window, cursor cache) over to a new transport, for live
 * migration and reconnect. Messages already received from the old connection are still
 * processed, in order, before anything from the new one.
 *
 * Size: about 20 KB; framing, ACK, ping, relink and the migration switch-over all replace or
 * advance the same connection state (transport, framer, serials, ACK window, generation, the
 * in-order queue), and splitting them would spread that state across files. What stands apart is
 * already out: the link stage (link-stage.ts), the destination connection (pending-link.ts) and
 * the link/stall/silence timeouts (watchdog.ts).
 */
import { ChannelType, Msg, Msgc, channelTypeName } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import { MessageFramer, frameMessage, type RawMessage } from '../protocol/framing';
import type { RsaOaepEncrypt } from '../protocol/link';
import { AckWindow } from './ack-window';
import { LinkStage, linkErrorOf, type LinkResult } from './link-stage';
import { PendingLink } from './pending-link';
import { MigrateFlags, parseMigrate, buildPong, parseNotify, parsePing, parseSubMessageList, parseWaitForChannels, parseDisconnecting, type WaitForChannel, type Notify } from '../protocol/base';
import { SpiceReader } from '../protocol/reader';
import { Emitter } from '../common/emitter';
import { ConnectionWatch } from './watchdog';
import { ErrorDetails, ErrorTypes, classifyClose, classifyKind, type SpiceError } from '../common/errors';
import type { Transport } from './transport';

export interface ChannelOptions {
  transport: Transport;
  channelType: number;
  channelId: number;
  connectionId: number;
  password: string;
  encrypt: RsaOaepEncrypt;
  /** resolves when channel (type,id) has processed message `serial` (shared-state waits, §2.5) */
  waitFor?: (w: WaitForChannel) => Promise<void> | void;
  /** silence in the middle of a message after which the connection is lost (default STALL_MS) */
  stallMs?: number;
  /**
   * A server that pings this channel while idle (spice-server pings main and display every 15 s)
   * and then sends nothing for this long has stopped answering (a hung server or a half-open
   * connection): the channel is lost. Armed after the first PING; off when unset.
   */
  silenceMs?: number;
  /** sees every data-phase byte the server sends (session recording, fixture capture) */
  tap?: (bytes: Uint8Array) => void;
}

export type ChannelEvents = {
  /** linked (again, after relink()): messages flow */
  ready: void;
  /** switched to the migration destination's connection (MIGRATE, §3.5); the state went along */
  migrated: void;
  notify: Notify;
  /**
   * The channel is gone; `error` set when it ended because of a problem. Its `fatal` flag is
   * true for the main channel (the session cannot go on without it); the session decides.
   */
  closed: { error?: SpiceError; clean: boolean; reason: string; /** we closed it (close()) */ local?: boolean };
};

export interface RelinkOptions {
  /** the new session id (reconnect); a migration keeps the connection id the destination gave */
  connectionId?: number;
  password?: string;
}

type Phase = 'linking' | 'data' | 'closed';

export { LINK_TIMEOUT_MS, STALL_MS } from './watchdog';

/** messages held while linking; a user cannot produce more input events in a link's few RTTs */
const EARLY_SEND_LIMIT = 512;


/** what code that follows any channel's lifecycle needs of it */
export type AnyChannel = Pick<SpiceChannel, 'channelType' | 'channelId' | 'ref' | 'lifecycle'>;

/** a received message and the connection (generation) it came from */
interface Queued {
  m: RawMessage;
  gen: number;
}

/**
 * One emitter per channel: lifecycle events (ChannelEvents) and the subclass's own events share
 * `ev`, typed as the union.
 */
export abstract class SpiceChannel<E extends Record<string, unknown> = Record<never, never>> {
  readonly ev = new Emitter<ChannelEvents & E>();
  readonly channelType: number;
  readonly channelId: number;
  protected readonly opts: ChannelOptions;
  protected transport: Transport;
  private phase: Phase = 'linking';
  private link: LinkStage | null = null;
  /** the round trip to the server measured at the last link (ticket → auth result), ms */
  roundTripMs: number | null = null;
  private framer = new MessageFramer();
  /** counts connections: relink() starts a new one */
  private gen = 0;
  private outSerial = 1n;
  /** serial of the last message fully processed (implicit with the mini header) */
  lastProcessedSerial = 0n;
  private inSerial = 0n;
  private ack = new AckWindow();
  private readonly sendAck = (type: number, body?: Uint8Array): void => this.send(type, body);
  /** server caps from the link reply */
  serverCommonCaps: number[] = [];
  serverChannelCaps: number[] = [];
  private queue: Queued[] = [];
  private busy = false;
  private serialWaiters: Array<{ serial: bigint; resolve: () => void }> = [];
  /** messages sent before the link completed (see send()) */
  private early: Array<{ type: number; body: Uint8Array }> = [];

  constructor(opts: ChannelOptions) {
    this.opts = opts;
    this.transport = opts.transport;
    this.channelType = opts.channelType;
    this.channelId = opts.channelId;
    this.watch = new ConnectionWatch(this.name, opts, (details, message) => {
      if (this.phase === 'closed') return;
      const error: SpiceError = { type: ErrorTypes.NETWORK_ERROR, details, fatal: this.isFatalChannel, message, channel: this.ref };
      this.finish(error, false, message);
      this.transport.close();
    });
  }

  get name(): string {
    return `${channelTypeName(this.channelType)}:${this.channelId}`;
  }

  get isOpen(): boolean {
    return this.phase !== 'closed';
  }

  /** `ev` seen as the lifecycle events only: what code that handles any channel listens to */
  get lifecycle(): Emitter<ChannelEvents> {
    return this.ev as unknown as Emitter<ChannelEvents>;
  }

  /** the channel's identity, as errors carry it */
  get ref(): { channelType: number; channelId: number } {
    return { channelType: this.channelType, channelId: this.channelId };
  }

  /** channel-specific capabilities we advertise */
  protected abstract channelCaps(): number[];
  /** called once linked (again after relink, with relinked true); e.g. display sends DISPLAY_INIT */
  protected onLinked(_relinked: boolean): void {}
  /** a channel-specific message (type ≥ 101) */
  protected abstract handle(type: number, r: SpiceReader): void | Promise<void>;
  /** the channel is closing; release resources */
  protected onClosed(): void {}

  start(): void {
    const t = this.transport;
    this.phase = 'linking';
    this.link = new LinkStage((b) => t.send(b), this.linkParams(), (r) => this.linked(r), (e) => this.fail(e));
    this.attach(t);
    this.link.begin();
    this.watch.linking();
  }

  /** link, stall and silence timeouts (watchdog.ts) */
  private readonly watch: ConnectionWatch;

  /** route a transport's bytes and close to this channel, for the current connection only */
  private attach(t: Transport): void {
    const gen = this.gen;
    t.onmessage = (b) => {
      if (gen === this.gen) this.receive(b);
    };
    t.onclose = (info) => {
      if (this.phase === 'closed' || gen !== this.gen) return;
      const linking = this.phase !== 'data';
      const error: SpiceError | undefined =
        !linking && info.clean
          ? undefined
          : {
              ...classifyClose(info.code, linking),
              fatal: this.isFatalChannel,
              message: `${this.name}: ${info.reason}${linking ? ` during ${this.link?.phase ?? 'link'}` : ''}`,
              channel: this.ref,
            };
      this.finish(error, info.clean, info.reason);
    };
  }

  private pending: PendingLink | null = null;
  private awaitingMigrateData = false;

  /**
   * Link a second connection, to the migration destination, while this channel keeps running
   * on the source (spice-protocol.md §3.5). It resolves once linked; the switch happens when the
   * source sends MIGRATE on this channel (and MIGRATE_DATA when it says so).
   */
  prepareMigration(transport: Transport, connectionId: number): Promise<void> {
    this.cancelMigration();
    return new Promise((resolve, reject) => {
      const p: PendingLink = new PendingLink(transport, this.linkParams(connectionId), resolve, (e) => {
        if (this.pending === p) this.pending = null;
        transport.close();
        reject(e instanceof Error ? e : new Error(String(e)));
      });
      this.pending = p;
    });
  }

  /** MIGRATE_CANCEL or a failed migration: drop the destination connection, stay on the source */
  cancelMigration(): void {
    this.pending?.close();
    this.pending = null;
    this.awaitingMigrateData = false;
  }

  /** the destination connection, linked and not switched to yet (the main channel's handshake uses it) */
  protected get pendingLink(): PendingLink | null {
    return this.pending?.result ? this.pending : null;
  }

  /** MIGRATE: flush mark, then switch now or after MIGRATE_DATA */
  private onMigrate(flags: number): void {
    if (flags & MigrateFlags.NEED_FLUSH) this.send(Msgc.MIGRATE_FLUSH_MARK);
    if (flags & MigrateFlags.NEED_DATA_TRANSFER) this.awaitingMigrateData = true;
    else this.switchOver(null);
  }

  /**
   * Continue on the destination connection with everything this channel holds; the source's
   * migration data goes to the destination as MSGC MIGRATE_DATA (§3.5).
   */
  private switchOver(data: Uint8Array | null): void {
    const p = this.pending;
    this.awaitingMigrateData = false;
    if (!p?.result || p.lost) throw new SpiceProtocolError('malformed', `MIGRATE without a destination connection${p?.lost ? ` (${p.lost})` : ''}`);
    this.pending = null;
    const old = this.transport;
    old.onmessage = null;
    old.onclose = null;
    old.close();
    this.gen++;
    this.watch.reset();
    this.transport = p.transport;
    this.framer = p.framer;
    this.outSerial = p.outSerial;
    this.inSerial = p.received;
    this.lastProcessedSerial = p.handled;
    this.ack = p.ack;
    this.serverCommonCaps = p.result.serverCommonCaps;
    this.serverChannelCaps = p.result.serverChannelCaps;
    this.attach(p.transport);
    if (data) this.send(Msgc.MIGRATE_DATA, data);
    for (const m of p.held) this.queue.push({ m, gen: this.gen });
    this.onMigrated();
    this.lifecycle.emit('migrated', undefined as never);
    this.pump();
  }

  /** switched to the destination (subclasses: e.g. the main channel's bookkeeping) */
  protected onMigrated(): void {}

  protected linkParams(connectionId = this.opts.connectionId) {
    return { connectionId, channelType: this.channelType, channelId: this.channelId, channelCaps: this.channelCaps(), password: this.opts.password, encrypt: this.opts.encrypt };
  }

  /**
   * Send a channel message with the negotiated header. Before the link completes the header
   * kind (mini or full) is not known yet, so messages wait, in order, and go out right after
   * the channel's own first messages (onLinked): a key pressed while the inputs channel is
   * still linking reaches the guest instead of vanishing. The wait is bounded; after close,
   * sends are dropped.
   */
  send(type: number, body: Uint8Array = new Uint8Array(0)): void {
    if (this.phase === 'data') {
      this.transport.send(frameMessage(type, body, this.framer.miniHeader, this.outSerial++));
    } else if (this.phase !== 'closed' && this.early.length < EARLY_SEND_LIMIT) {
      this.early.push({ type, body });
    }
  }

  /** the link stage is over: messages sent now go straight to the wire */
  get isLinked(): boolean {
    return this.phase === 'data';
  }

  close(reason = 'closed by the client'): void {
    if (this.phase === 'closed') return;
    this.finish(undefined, true, reason, true);
    this.transport.close();
  }

  /** true for the channel the session cannot live without (main) */
  protected get isFatalChannel(): boolean {
    return this.channelType === ChannelType.MAIN;
  }

  /** fail the channel with a typed error (malformed input etc.) and close only it */
  fail(err: unknown): void {
    if (this.phase === 'closed') return;
    let e: SpiceError;
    if (err instanceof SpiceProtocolError) {
      const c = classifyKind(err.kind);
      const sasl = err.kind === 'unsupported' && /SASL/.test(err.message);
      e = {
        type: sasl ? ErrorTypes.AUTH_ERROR : c.type,
        details: sasl ? ErrorDetails.AUTH_UNSUPPORTED : c.details,
        fatal: this.isFatalChannel,
        message: `${this.name}: ${err.message}`,
        channel: this.ref,
        linkError: linkErrorOf(err),
      };
    } else {
      e = {
        type: ErrorTypes.OTHER_ERROR,
        details: ErrorDetails.INTERNAL_EXCEPTION,
        fatal: this.isFatalChannel,
        message: `${this.name}: internal error: ${err instanceof Error ? err.message : String(err)}`,
        channel: this.ref,
      };
    }
    this.finish(e, false, e.message);
    this.transport.close();
  }

  /**
   * Continue this channel over a new connection (live migration, reconnect): the link stage runs
   * again on `transport`, and the subclass's state stays. The old transport is closed without a
   * 'closed' event. Messages fully received from the old connection are still processed first;
   * a partial one is dropped. Messages sent while relinking wait and go out after the link, as
   * at the first start. A closed channel can be relinked too (its state is what it was).
   */
  relink(transport: Transport, o: RelinkOptions = {}): void {
    const old = this.transport;
    old.onmessage = null;
    old.onclose = null;
    if (old !== transport) old.close();
    this.gen++;
    this.watch.reset();
    this.transport = transport;
    if (o.connectionId !== undefined) this.opts.connectionId = o.connectionId;
    if (o.password !== undefined) this.opts.password = o.password;
    this.framer = new MessageFramer();
    this.outSerial = 1n;
    this.inSerial = 0n;
    this.lastProcessedSerial = 0n;
    // waits on the old connection's serials can never be met now
    for (const w of this.serialWaiters) w.resolve();
    this.serialWaiters = [];
    this.ack = new AckWindow();
    this.relinked = true;
    this.start();
  }

  /** how many times this channel was relinked (0: still on its first connection) */
  get generation(): number {
    return this.gen;
  }

  private relinked = false;

  private finish(error: SpiceError | undefined, clean: boolean, reason: string, local = false): void {
    this.phase = 'closed';
    this.queue = [];
    this.early = [];
    this.cancelMigration();
    this.watch.reset();
    for (const w of this.serialWaiters) w.resolve();
    this.serialWaiters = [];
    try {
      this.onClosed();
    } finally {
      this.lifecycle.emit('closed', { error, clean: clean && !error, reason, ...(local ? { local } : {}) });
    }
  }

  /** resolves once this channel has processed message `serial` (for WAIT_FOR_CHANNELS) */
  whenProcessed(serial: bigint): Promise<void> {
    if (this.lastProcessedSerial >= serial || this.phase === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.serialWaiters.push({ serial, resolve }));
  }

  private receive(b: Uint8Array): void {
    try {
      if (this.phase === 'data') {
        this.opts.tap?.(b);
        this.framer.push(b);
        this.pump();
        this.watch.received(this.phase === 'data' && this.framer.queue.length > 0);
        return;
      }
      this.link?.push(b);
    } catch (e) {
      this.fail(e);
    }
  }

  /** the link stage is done: the data phase starts */
  private linked(r: LinkResult): void {
    if (this.phase !== 'linking') return;
    this.watch.linked();
    this.serverCommonCaps = r.serverCommonCaps;
    this.serverChannelCaps = r.serverChannelCaps;
    this.roundTripMs = r.roundTripMs;
    this.framer.miniHeader = r.miniHeader;
    this.phase = 'data';
    this.link = null;
    this.onLinked(this.relinked);
    const early = this.early;
    this.early = [];
    for (const e of early) this.send(e.type, e.body);
    this.lifecycle.emit('ready', undefined as never);
    if (r.rest.length) {
      this.opts.tap?.(r.rest);
      this.framer.push(r.rest);
      this.pump();
    }
  }

  /** cut messages out of the byte stream and run them in order */
  private pump(): void {
    let m: RawMessage | null;
    while (this.phase === 'data' && (m = this.framer.next())) {
      // flow control and liveness are handled as soon as a message is read, even while an
      // earlier message is still being decoded (the server's net test measures PONG latency)
      this.inSerial++;
      if (m.type === Msg.PING) {
        this.send(Msgc.PONG, buildPong(parsePing(SpiceReader.of(m.body))));
        this.watch.pinged();
      }
      this.ack.read(m, this.sendAck);
      this.queue.push({ m, gen: this.gen });
    }
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      // messages of an earlier connection still run while a relink is linking
      while (this.queue.length && this.phase !== 'closed') {
        const { m, gen } = this.queue.shift()!;
        if (m.subList) {
          const r = new SpiceReader(m.body, 0, m.body.length, m.subList);
          for (const s of parseSubMessageList(r)) {
            const p = this.dispatch(s.type, s.body);
            if (p) await p;
          }
        }
        const p = this.dispatch(m.type, m.body);
        if (p) await p;
        if (gen !== this.gen) continue; // serials of an old connection mean nothing now
        this.lastProcessedSerial++;
        if (this.serialWaiters.length) {
          const done = this.serialWaiters.filter((w) => w.serial <= this.lastProcessedSerial);
          this.serialWaiters = this.serialWaiters.filter((w) => w.serial > this.lastProcessedSerial);
          for (const w of done) w.resolve();
        }
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
    }
  }

  private dispatch(type: number, body: Uint8Array): void | Promise<void> {
    const r = SpiceReader.of(body);
    switch (type) {
      case Msg.SET_ACK:
      case Msg.PING:
        return; // answered in pump(), as they are read
      case Msg.NOTIFY:
        this.lifecycle.emit('notify', parseNotify(r));
        return;
      case Msg.DISCONNECTING:
        parseDisconnecting(r);
        return;
      case Msg.WAIT_FOR_CHANNELS:
        return this.waitForChannels(parseWaitForChannels(r));
      case Msg.LIST: {
        const subs = parseSubMessageList(r);
        return (async () => {
          for (const s of subs) {
            const p = this.dispatch(s.type, s.body);
            if (p) await p;
          }
        })();
      }
      case Msg.MIGRATE:
        return this.onMigrate(parseMigrate(r));
      case Msg.MIGRATE_DATA:
        if (this.awaitingMigrateData) this.switchOver(r.rest());
        return;
      default:
        if (type <= Msg.BASE_LAST) return; // unknown base message: skip
        return this.handle(type, r);
    }
  }

  protected waitForChannels(list: WaitForChannel[]): void | Promise<void> {
    const wf = this.opts.waitFor;
    if (!wf) return;
    const ps: Promise<void>[] = [];
    for (const w of list) {
      const p = wf(w);
      if (p) ps.push(p);
    }
    if (ps.length) return Promise.all(ps).then(() => undefined);
  }

  /** number of received messages so far (implicit serial) */
  get receivedSerial(): bigint {
    return this.inSerial;
  }
}

export { linkErrorOf };
export { ChannelType };
