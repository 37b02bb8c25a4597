/**
 * The three ways a connection can die without closing, watched for one channel:
 *  - the link stage gets no answer (a hung server or proxy): lost after `linkMs`;
 *  - a message starts and then stops arriving (a half-open TCP connection, a hung proxy): idle
 *    silence between messages is normal in SPICE, silence in the middle of one is not: lost after
 *    `stallMs` without bytes while a message is incomplete;
 *  - a server that pings while idle (spice-server pings main and display every 15 s) goes silent:
 *    lost after `silenceMs` without bytes, armed by the first PING.
 * The receive path only stores a timestamp and a flag; at most one timer per watch is armed and it
 * re-arms itself for what is left when it fires early, so a busy channel pays no timer work per
 * message.
 */
import { ErrorDetails, type ErrorDetail } from '../common/errors';
import { clearLiveTimeout, liveTimeout } from '../common/live-counts';

/** how long the link stage may take before the connection counts as failed */
export const LINK_TIMEOUT_MS = 10_000;
/** silence in the middle of a message after which the connection counts as dead */
export const STALL_MS = 8_000;

type Timer = ReturnType<typeof setTimeout> | null;

export interface WatchOptions {
  stallMs?: number;
  silenceMs?: number;
}

export class ConnectionWatch {
  private linkTimer: Timer = null;
  private stallTimer: Timer = null;
  private silenceTimer: Timer = null;
  private lastRx = 0;
  private partial = false;

  constructor(
    private readonly name: string,
    private readonly o: WatchOptions,
    /** the connection is dead: the channel closes it with this error */
    private readonly lost: (details: ErrorDetail, message: string) => void,
  ) {}

  /** the link stage starts on a new connection */
  linking(): void {
    this.reset();
    this.linkTimer = liveTimeout(() => {
      this.linkTimer = null;
      this.lost(ErrorDetails.CONNECT_FAILED, `${this.name}: no answer to the link in ${LINK_TIMEOUT_MS / 1000} s`);
    }, LINK_TIMEOUT_MS);
  }

  linked(): void {
    clearLiveTimeout(this.linkTimer);
    this.linkTimer = null;
  }

  /** data-phase bytes arrived; `partial`: an incomplete message is waiting for more */
  received(partial: boolean): void {
    this.lastRx = Date.now();
    if (partial === this.partial) return;
    this.partial = partial;
    if (!partial) {
      clearLiveTimeout(this.stallTimer);
      this.stallTimer = null;
    } else if (!this.stallTimer) {
      this.armStall(this.o.stallMs ?? STALL_MS);
    }
  }

  /** a PING came: the server pings while idle, so from now on silence means it is gone */
  pinged(): void {
    const ms = this.o.silenceMs;
    if (ms && !this.silenceTimer) this.armSilence(ms);
  }

  /** a new connection (relink, migration) or the end: nothing armed */
  reset(): void {
    for (const t of [this.linkTimer, this.stallTimer, this.silenceTimer]) clearLiveTimeout(t);
    this.linkTimer = this.stallTimer = this.silenceTimer = null;
    this.partial = false;
  }

  private armStall(ms: number): void {
    this.stallTimer = liveTimeout(() => {
      this.stallTimer = null;
      if (!this.partial) return;
      const idle = Date.now() - this.lastRx;
      if (idle < ms) return this.armStall(ms - idle);
      this.lost(ErrorDetails.STALLED, `${this.name}: the connection stalled (no data for ${ms / 1000} s in the middle of a message)`);
    }, ms);
  }

  private armSilence(ms: number, wait = ms): void {
    this.silenceTimer = liveTimeout(() => {
      this.silenceTimer = null;
      const idle = Date.now() - this.lastRx;
      if (idle < ms) return this.armSilence(ms, ms - idle);
      this.lost(ErrorDetails.STALLED, `${this.name}: the server stopped answering (nothing for ${Math.round(ms / 1000)} s; it pings every 15 s)`);
    }, wait);
  }
}
