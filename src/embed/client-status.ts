/**
 * What SpiceClient tells the page about losing and moving its session: the status line while
 * it reconnects (a short cause, the countdown), and the migration feature's events as the
 * public 'migration' event.
 */
import { ErrorDetails, type SpiceError } from '../common/errors';
import type { MigrationFeature, Reconnector, SessionStatus } from '../session/index';
import type { SpiceClientEventDetails } from './events';

/** a short cause for the status line; the full typed error goes out with 'spiceerror' */
export function lostBecause(e: SpiceError | undefined): string {
  switch (e?.details) {
    case undefined:
      return 'the server closed the session';
    case ErrorDetails.CONNECT_FAILED:
    case ErrorDetails.SERVER_UNREACHABLE:
      return 'the server cannot be reached';
    case ErrorDetails.STALLED:
      return 'the connection stalled';
    default:
      return 'the connection to the server was lost';
  }
}

/** the migration feature's events as the public 'migration' event */
export function wireMigration(m: MigrationFeature, emit: (d: SpiceClientEventDetails['migration']) => void): void {
  m.ev.on('begin', (e) => emit({ phase: 'begin', target: e.target }));
  m.ev.on('connected', (e) => emit({ phase: 'connected', target: e.target }));
  m.ev.on('completed', (e) => emit({ phase: 'completed', target: e.target }));
  m.ev.on('failed', (e) => emit({ phase: 'failed', target: e.target, reason: e.reason }));
  m.ev.on('cancelled', () => emit({ phase: 'cancelled', target: '' }));
  m.ev.on('switchHost', (e) => emit({ phase: 'switch-host', target: e.target }));
}

/**
 * A Reconnector's events as status and public events: 'reconnecting' with the countdown while a
 * retry is pending; 'disconnect' when it stops for good (cancelled, gave up). A refusal keeps the
 * session's own disconnect.
 */
export function wireReconnect(
  rc: Reconnector,
  live: () => boolean,
  setStatus: (s: SessionStatus) => void,
  emit: <K extends 'reconnecting' | 'disconnect'>(t: K, d: SpiceClientEventDetails[K]) => void,
  unstale: () => void,
): void {
  rc.ev.on('scheduled', (e) => {
    if (!live()) return;
    setStatus({ state: 'reconnecting', message: `${lostBecause(e.error)}; reconnecting in ${Math.max(1, Math.round(e.delayMs / 1000))} s`, error: e.error });
    emit('reconnecting', { attempt: e.attempt, delayMs: e.delayMs, at: e.at, error: e.error });
  });
  rc.ev.on('offline', () => live() && setStatus({ state: 'reconnecting', message: 'offline: reconnecting when the network is back' }));
  rc.ev.on('stopped', (e) => {
    if (!live() || e.reason === 'refused' || e.reason === 'disabled') return;
    const message = e.reason === 'cancelled' ? 'reconnect cancelled' : 'gave up reconnecting';
    setStatus({ state: 'disconnected', message, error: e.error });
    unstale();
    emit('disconnect', { clean: e.reason === 'cancelled', reason: message, error: e.error });
  });
}
