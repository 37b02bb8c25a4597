/**
 * Reconnect by itself (issue 11): when a session ends for a reason that a new connection can
 * fix — the server restarted, the proxy went away, the WebSocket dropped, the network changed —
 * connect again after a jittered, capped exponential backoff, with a countdown the UI can show
 * and a cancel. Refusals (password, token, destination, protocol errors) never loop, and neither
 * does the user's own disconnect. While it waits, the features keep the last frame (suspend).
 *
 * Timers and randomness are injected, so the policy runs in Node tests with a fake clock.
 */
import { Emitter } from '../common/emitter';
import { clearLiveTimeout, liveTimeout } from '../common/live-counts';
import { isRetryable, type SpiceError } from '../common/errors';
import type { Session } from './session';

export interface ReconnectPolicy {
  /** first delay (ms) */
  baseMs: number;
  /** growth per attempt */
  factor: number;
  /**
   * Longest delay (ms). Short on purpose: a server that comes back is found within this (the
   * acceptance wants the desktop back within 3 s of the server's return), and the jitter spreads
   * many clients of one restarted host over time.
   */
  maxMs: number;
  /** ± share of each delay drawn at random (0.2: 80%–120%) */
  jitter: number;
  /** attempts before giving up (Infinity: until cancelled) */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { baseMs: 250, factor: 2, maxMs: 2_000, jitter: 0.2, maxAttempts: Infinity };

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  /** epoch ms, for the countdown's deadline */
  now(): number;
}

export const realTimers: Timers = {
  set: (fn, ms) => liveTimeout(fn, ms),
  clear: (h) => clearLiveTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** the delay before attempt `attempt` (1-based), jittered by `random` in [0, 1) */
export function backoffDelay(attempt: number, p: ReconnectPolicy, random: () => number): number {
  const raw = Math.min(p.maxMs, p.baseMs * p.factor ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(raw * (1 - p.jitter + 2 * p.jitter * random())));
}

export type ReconnectEvents = {
  /** attempt `attempt` will start at `at` (epoch ms), `delayMs` from now */
  scheduled: { attempt: number; delayMs: number; at: number; error?: SpiceError };
  /** attempt `attempt` starts now */
  attempting: { attempt: number };
  /** connected again after `attempts` attempts */
  reconnected: { attempts: number };
  /** no more attempts: refused for good, too many attempts, or cancelled */
  stopped: { reason: 'refused' | 'exhausted' | 'cancelled' | 'disabled'; error?: SpiceError };
  /** waiting for the network to come back (offline) */
  offline: void;
};

export class Reconnector {
  readonly ev = new Emitter<ReconnectEvents>();
  private attempt = 0;
  private timer: unknown = null;
  private deadline = 0;
  private isOffline = false;
  private readonly offs: Array<() => void> = [];
  enabled = true;

  constructor(
    private readonly session: Session,
    private readonly policy: ReconnectPolicy = DEFAULT_RECONNECT,
    private readonly timers: Timers = realTimers,
    private readonly random: () => number = Math.random,
  ) {
    this.offs.push(
      session.ev.on('disconnected', (d) => this.ended(d)),
      // someone else connects (the user, connect() with new settings): our pending retry is void
      session.ev.on('status', (st) => {
        if (st.state === 'connecting' && !this.firing) {
          this.clearTimer();
          this.isOffline = false;
          this.attempt = 0;
        }
      }),
      session.ev.on('connected', () => {
        if (this.attempt > 0) this.ev.emit('reconnected', { attempts: this.attempt });
        this.attempt = 0;
      }),
    );
  }

  /** a retry is pending (the countdown runs) */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** when the pending attempt starts (epoch ms), or null */
  get nextAt(): number | null {
    return this.timer !== null ? this.deadline : null;
  }

  /** stop retrying; what the ended session still shows goes */
  cancel(): void {
    const was = this.pending || this.isOffline;
    this.clearTimer();
    this.isOffline = false;
    this.attempt = 0;
    if (was) {
      this.session.release();
      this.ev.emit('stopped', { reason: 'cancelled' });
    }
  }

  /** try now instead of waiting (the user's "reconnect now", or the network came back) */
  retryNow(): void {
    if (!this.pending && !this.isOffline) return;
    this.clearTimer();
    this.isOffline = false;
    this.fire();
  }

  /** the browser lost the network: wait for online() instead of spending attempts */
  offline(): void {
    if (!this.pending) return;
    this.clearTimer();
    this.isOffline = true;
    this.ev.emit('offline', undefined);
  }

  /** the network is back */
  online(): void {
    if (this.isOffline) this.retryNow();
  }

  dispose(): void {
    this.clearTimer();
    for (const off of this.offs) off();
  }

  private ended(d: { clean: boolean; error?: SpiceError; local?: boolean }): void {
    if (d.local) {
      // the user's disconnect, or connect() replacing the session: not ours to undo
      this.clearTimer();
      this.attempt = 0;
      return;
    }
    if (!this.enabled) {
      this.ev.emit('stopped', { reason: 'disabled', error: d.error });
      return;
    }
    if (!isRetryable(d.error)) {
      this.attempt = 0;
      this.ev.emit('stopped', { reason: 'refused', error: d.error });
      return;
    }
    if (this.attempt >= this.policy.maxAttempts) {
      this.attempt = 0;
      this.session.release();
      this.ev.emit('stopped', { reason: 'exhausted', error: d.error });
      return;
    }
    const attempt = this.attempt + 1;
    const delayMs = backoffDelay(attempt, this.policy, this.random);
    this.deadline = this.timers.now() + delayMs;
    this.clearTimer();
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.fire();
    }, delayMs);
    this.ev.emit('scheduled', { attempt, delayMs, at: this.deadline, error: d.error });
  }

  private firing = false;

  private fire(): void {
    this.attempt++;
    this.ev.emit('attempting', { attempt: this.attempt });
    this.firing = true;
    try {
      this.session.connect();
    } finally {
      this.firing = false;
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
