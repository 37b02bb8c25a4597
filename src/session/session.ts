/**
 * A SPICE session (architecture.md "Threads"): the main channel and the lifetimes of the
 * features that plug into it. It owns no pixels and opens nothing itself but the main channel:
 * features (display, inputs, cursor, …) open their channels through the SessionContext when the
 * main channel lists them. All I/O comes from injected factories, so the same session runs in the
 * browser (src/embed) and in Node tests with pipes and an in-thread worker.
 *
 * Errors: every problem arrives as a typed SpiceError (common/errors.ts). Fatal ones (the main
 * channel failed, the password was refused) end the session; others leave it running and show in
 * the status line with the channel they came from.
 */
import { MmTime, realClock, type Clock } from '../common/clock';
import { Emitter } from '../common/emitter';
import { ErrorDetails, ErrorTypes, channelLabel, type SpiceError } from '../common/errors';
import type { AnyChannel } from '../channels/channel';
import { MainChannel } from '../channels/main-channel';
import { ChannelType, LinkErr } from '../protocol/enums';
import type { RsaOaepEncrypt } from '../protocol/link';
import type { ChannelInfo, ChannelState, SessionContext, SessionFeature, TransportFactory } from './types';

/** 'reconnecting': set by a Reconnector's owner while a retry is pending (the session itself is disconnected) */
export type SessionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'reconnecting';

export interface SessionStatus {
  state: SessionState;
  message: string;
  /** the typed error that ended (or damaged) the session, with the channel it came from */
  error?: SpiceError;
}

export type SessionEvents = {
  status: SessionStatus;
  /** the main channel is initialised (session id known) */
  connected: { sessionId: number };
  /** the session ended; `clean` when nobody failed; `local` when the user ended it (disconnect()) */
  disconnected: { clean: boolean; reason: string; error?: SpiceError; local?: boolean };
  /** every problem, fatal or not */
  error: SpiceError;
  /** the server refused the password: ask the user and connect() again */
  credentialsrequired: { message: string; error: SpiceError };
  mousemode: { supported: number; current: number };
  /** a channel changed state */
  channel: ChannelInfo;
};

/**
 * How long the main channel may stay silent once the server has shown that it pings while idle
 * (spice-server: every 15 s) before the server counts as gone: a hung server or a half-open TCP
 * connection closes nothing, so only this notices it.
 */
export const SILENCE_MS = 40_000;

export interface SessionDeps {
  transport: TransportFactory;
  encrypt: RsaOaepEncrypt;
  password?: string;
  clock?: Clock;
  /** see SILENCE_MS; 0 turns the watch off */
  silenceMs?: number;
}

export class Session {
  readonly ev = new Emitter<SessionEvents>();
  readonly mm: MmTime;
  status: SessionStatus = { state: 'idle', message: 'not connected' };
  private mainCh: MainChannel | null = null;
  private readonly features: SessionFeature[] = [];
  private readonly channelStates = new Map<string, ChannelInfo>();
  private password: string;
  /** bumps on every connect/disconnect so late events of an old main channel are ignored */
  private epoch = 0;

  constructor(private readonly deps: SessionDeps) {
    this.mm = new MmTime(deps.clock ?? realClock);
    this.password = deps.password ?? '';
  }

  /** add a feature; it starts with the next (or the running) session */
  use<F extends SessionFeature>(f: F): F {
    this.features.push(f);
    return f;
  }

  get main(): MainChannel | null {
    return this.mainCh;
  }

  get mouseMode(): number {
    return this.mainCh?.mouseMode ?? 0;
  }

  /** every channel this session has opened, with its state */
  get channels(): ChannelInfo[] {
    return [...this.channelStates.values()].sort((a, b) => a.channelType - b.channelType || a.channelId - b.channelId);
  }

  /** connect, or connect again: what features show (the last frame) stays until the new session replaces it */
  connect(password = this.password): void {
    this.shutdown(false);
    const epoch = ++this.epoch;
    this.password = password;
    this.setStatus({ state: 'connecting', message: 'connecting…' });
    const main = new MainChannel({ transport: this.transport(ChannelType.MAIN, 0), password, encrypt: this.deps.encrypt, silenceMs: this.deps.silenceMs === undefined ? SILENCE_MS : this.deps.silenceMs || undefined });
    this.mainCh = main;
    const live = () => this.epoch === epoch;
    this.track(main);
    main.ev.on('closed', (c) => {
      if (!live()) return;
      if (c.error) this.ev.emit('error', c.error); // every problem goes out as 'error', fatal ones too
      this.end(c.error, c.clean, c.reason);
    });
    main.ev.on('init', (init) => {
      if (!live()) return;
      this.switchedFrom = undefined;
      this.mm.sync(init.multiMediaTime);
      const ctx = this.context(main, init.sessionId, password, live);
      this.setStatus({ state: 'connected', message: 'connected' });
      this.ev.emit('connected', { sessionId: init.sessionId });
      for (const f of this.features) {
        f.start(ctx);
        f.mmTime?.(this.mm.lastSync!);
      }
    });
    main.ev.on('channels', (list) => {
      if (live()) for (const f of this.features) f.channels(list);
    });
    main.ev.on('mmTime', (t) => live() && this.syncMm(t));
    main.ev.on('mouseMode', (m) => live() && this.ev.emit('mousemode', m));
    main.start();
  }

  /** end the session for good (the user's disconnect): channels, workers and monitors go */
  disconnect(reason = 'disconnected by the user'): void {
    const had = this.mainCh !== null;
    this.shutdown(true);
    if (!had) return;
    this.setStatus({ state: 'disconnected', message: reason });
    this.ev.emit('disconnected', { clean: true, reason, local: true });
  }

  /** the server, when not the proxy's default: set by a switch-host migration */
  target: string | null = null;

  private transport(type: number, id: number) {
    return this.target ? this.deps.transport(type, id, this.target) : this.deps.transport(type, id);
  }

  /**
   * MIGRATE_SWITCH_HOST (spice-protocol.md §3.5): the VM now runs on `target`; connect there
   * from scratch. Features are suspended, not stopped, so the picture stays until the new
   * session draws, and the status goes connecting → connected without a disconnect.
   */
  switchHost(target: string): void {
    this.switchedFrom = this.target;
    this.target = target;
    this.connect();
  }

  /** the target before a switch-host, until the destination's session is up */
  private switchedFrom: string | null | undefined = undefined;

  /** stop what an ended session still shows (the last frame kept by suspend) */
  release(): void {
    if (!this.mainCh) for (const f of this.features) f.stop();
  }

  /** a new multimedia time sync point (main channel, or the audio being heard) for every feature */
  private syncMm(mmTime: number, at?: number, audioDelayMs?: number): void {
    this.mm.sync(mmTime, at);
    const sync = audioDelayMs === undefined ? this.mm.lastSync! : { ...this.mm.lastSync!, audioDelayMs };
    for (const f of this.features) f.mmTime?.(sync);
  }

  private context(main: MainChannel, connectionId: number, password: string, live: () => boolean): SessionContext {
    return {
      main,
      connectionId,
      password,
      mm: this.mm,
      target: this.target,
      channelBase: (type, id) => ({ transport: this.transport(type, id), connectionId, password, encrypt: this.deps.encrypt }),
      transportTo: (type, id, target) => this.deps.transport(type, id, target),
      migratables: () => this.features.flatMap((f) => f.migratables?.() ?? []),
      switchHost: (target) => live() && this.switchHost(target),
      track: (ch) => live() && this.track(ch),
      channelState: (ref, state) => live() && this.setChannel(ref.channelType, ref.channelId, state),
      report: (e) => live() && this.report(e),
      syncMm: (sync) => live() && this.syncMm(sync.mmTime, sync.at, sync.audioDelayMs),
    };
  }

  private track(ch: AnyChannel): void {
    const epoch = this.epoch;
    this.setChannel(ch.channelType, ch.channelId, 'linking');
    ch.lifecycle.on('ready', () => epoch === this.epoch && this.setChannel(ch.channelType, ch.channelId, 'ready'));
    ch.lifecycle.on('closed', (c) => {
      if (epoch !== this.epoch) return;
      this.setChannel(ch.channelType, ch.channelId, 'closed');
      if (ch.channelType === ChannelType.MAIN) return; // end() handles it
      if (c.error) this.report(c.error);
      else if (!c.local) this.report(closedByServer(ch.ref, c.reason));
    });
  }

  private setChannel(channelType: number, channelId: number, state: ChannelState): void {
    const info = { channelType, channelId, state };
    this.channelStates.set(`${channelType}:${channelId}`, info);
    this.ev.emit('channel', info);
  }

  private report(e: SpiceError): void {
    this.ev.emit('error', e);
    if (e.fatal) {
      this.end(e, false, e.message);
      return;
    }
    if (e.type === ErrorTypes.NETWORK_ERROR && e.details !== ErrorDetails.PROXY_REFUSED) {
      // a channel's connection was lost (dropped, stalled, closed under us): the session is
      // damaged in a way only a new connection repairs, so it ends (a Reconnector then
      // brings everything back), instead of running on without a display or input
      this.end({ ...e, fatal: true }, false, e.message);
      return;
    }
    // one channel failing does not take the others down; the status line says which and why
    this.setStatus({ state: this.status.state, message: e.message, error: e });
  }

  /** the session is over because the main channel closed or a fatal error came */
  private end(error: SpiceError | undefined, clean: boolean, reason: string): void {
    if (!this.mainCh) return;
    this.shutdown(false);
    if (this.switchedFrom !== undefined && error?.details === ErrorDetails.PROXY_REFUSED) {
      // the proxy does not let us follow the VM (not in the ticket's migration targets): go
      // back to the server we came from rather than end the session
      this.report({ ...error, fatal: false, message: `${error.message}; staying on the source server` });
      this.target = this.switchedFrom;
      this.switchedFrom = undefined;
      this.connect();
      return;
    }
    if (error && error.type === ErrorTypes.AUTH_ERROR && error.details === ErrorDetails.PERMISSION_DENIED) {
      this.setStatus({ state: 'disconnected', message: 'the server refused the password', error });
      this.ev.emit('disconnected', { clean: false, reason: error.message, error });
      this.ev.emit('credentialsrequired', { message: error.message, error });
      return;
    }
    const message = error ? error.message : clean ? 'the server closed the session' : `disconnected: ${reason}`;
    this.setStatus({ state: 'disconnected', message, error });
    this.ev.emit('disconnected', { clean: clean && !error, reason: message, error });
  }

  /** close the main channel; features stop (`final`) or suspend, keeping what they show */
  private shutdown(final: boolean): void {
    this.epoch++;
    const main = this.mainCh;
    this.mainCh = null;
    for (const f of this.features) {
      if (!final && f.suspend) f.suspend();
      else f.stop();
    }
    main?.close();
    this.channelStates.clear();
  }

  private setStatus(s: SessionStatus): void {
    this.status = s;
    this.ev.emit('status', s);
  }
}

function closedByServer(ref: { channelType: number; channelId: number }, reason: string): SpiceError {
  return {
    type: ErrorTypes.NETWORK_ERROR,
    details: ErrorDetails.CHANNEL_CLOSED,
    fatal: false,
    message: `${channelLabel(ref)}: the server closed the channel (${reason})`,
    channel: ref,
  };
}

export { LinkErr };
