/**
 * The seams a Session is built from (architecture.md "Seams"): how to open a transport, how to
 * start a display worker, where monitors' canvases come from. The browser passes WebSockets,
 * module Workers and the UI's canvases (src/embed); Node tests pass in-memory pipes, an in-thread
 * worker and no canvases (scripts/lib/fake-display-worker.ts). Features (display, inputs, cursor;
 * later audio, agent, migration) plug in through SessionFeature instead of branches in one file.
 */
import type { MmSync, MmTime } from '../common/clock';
import type { SpiceError } from '../common/errors';
import type { AnyChannel } from '../channels/channel';
import type { MainChannel } from '../channels/main-channel';
import type { Transport } from '../channels/transport';
import type { FromDisplayWorker, ToDisplayWorker } from '../display/worker-messages';
import type { ChannelId } from '../protocol/main';
import type { RsaOaepEncrypt } from '../protocol/link';

/**
 * One transport per channel connection (SPICE uses one TCP connection per channel). `target`
 * names a migration destination ("host:port") the connection must reach instead of the
 * session's own server; through our proxy it becomes `?migrate=host:port` (docs/proxy.md).
 */
export type TransportFactory = (channelType: number, channelId: number, target?: string) => Transport;

/** a channel that can follow the session to a migration destination (§3.5) */
export interface Migratable {
  readonly label: string;
  /** link a second connection to `target` while the channel runs on; resolves once linked */
  prepare(target: string, connectionId: number): Promise<void>;
  /** drop that connection (MIGRATE_CANCEL, or another channel failed) */
  cancel(): void;
}

/** what the session needs of a Worker (a real one, or the core in-thread) */
export interface WorkerLike {
  postMessage(m: ToDisplayWorker, transfer?: Transferable[]): void;
  onmessage: ((e: { data: FromDisplayWorker }) => void) | null;
  onerror: ((e: { message: string }) => void) | null;
  terminate(): void;
}

export type DisplayWorkerFactory = (channelId: number) => WorkerLike;

/** the common options of every channel this session opens */
export interface ChannelBase {
  transport: Transport;
  connectionId: number;
  password: string;
  encrypt: RsaOaepEncrypt;
}

/** what a feature gets from the session once the main channel is initialised */
export interface SessionContext {
  readonly main: MainChannel;
  /** the session id (MAIN_INIT) every other channel links with */
  readonly connectionId: number;
  readonly password: string;
  readonly mm: MmTime;
  /** the server this session is on, when it is not the proxy's default ("host:port" after a switch-host) */
  readonly target: string | null;
  /** options for a new channel (type, id) on a fresh transport */
  channelBase(channelType: number, channelId: number): ChannelBase;
  /** a transport to (type, id) on `target` (a migration destination) */
  transportTo(channelType: number, channelId: number, target: string): Transport;
  /** every channel of every feature that can follow a migration */
  migratables(): Migratable[];
  /** connect again from scratch to another server ("host:port"), keeping what is on screen */
  switchHost(target: string): void;
  /** follow a main-thread channel: its state goes to `channel` events, its errors to `report` */
  track(ch: AnyChannel): void;
  /** a channel that lives elsewhere (a display worker) changed state */
  channelState(ref: { channelType: number; channelId: number }, state: ChannelState): void;
  /** a problem; fatal ones end the session */
  report(e: SpiceError): void;
  /**
   * a multimedia time sync point from elsewhere than the main channel (the audio being heard,
   * spice-protocol.md §9.3: the server stops MULTI_MEDIA_TIME while audio plays); every
   * feature's mmTime() gets it, as with the main channel's
   */
  syncMm(sync: MmSync): void;
}

export type ChannelState = 'linking' | 'ready' | 'closed';

export interface ChannelInfo {
  channelType: number;
  channelId: number;
  state: ChannelState;
}

export interface SessionFeature {
  /** the main channel is initialised: the feature may open channels from now on */
  start(ctx: SessionContext): void;
  /** the server's channel list (CHANNELS_LIST); open the ones this feature owns */
  channels(list: readonly ChannelId[]): void;
  /** a new multimedia time sync point */
  mmTime?(sync: MmSync): void;
  /** the channels this feature owns that can follow a migration */
  migratables?(): Migratable[];
  /** the session ends for good: close channels, stop workers, remove what it shows (idempotent) */
  stop(): void;
  /**
   * The session ended but may come back (reconnect) or be replaced (connect again): close
   * channels but keep what the user sees (the last frame). The next start() resumes; stop()
   * still ends it. Features without it are stopped instead.
   */
  suspend?(): void;
}
