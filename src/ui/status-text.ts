/**
 * The status area's words: a SessionStatus (and its typed SpiceError) → a sentence a user
 * understands, in the current language, plus the technical text (kept for the details toggle and
 * the tooltip). Branches on the error's `type`/`details`, never on its message; the session's
 * own status messages are known English phrases, looked up in a table with the raw text as the
 * fallback.
 */
import { ErrorDetails as D, ErrorTypes as T, channelLabel, type SpiceError } from '../common/errors';
import type { SessionStatus } from '../session/index';
import { t, type MessageKey } from './i18n/index';

export interface StatusView {
  /** the sentence shown */
  text: string;
  /** the client's own message and error codes (for a details toggle / title) */
  technical: string;
  /** an error is shown (not while a reconnect is pending: that says its cause itself) */
  error: boolean;
}

/** what else the element knows about the connection's progress */
export interface StatusContext {
  /** seconds until the pending reconnect */
  secondsLeft?: number | null;
  /** a channel being linked while connecting ("display:0") */
  linking?: string | null;
  /** the first picture arrived */
  firstFrame?: boolean;
}

const TYPE_NAMES: Record<number, string> = { 1: 'main', 2: 'display', 3: 'inputs', 4: 'cursor', 5: 'playback', 6: 'record' };

function channelName(e: SpiceError): string {
  return e.channel ? TYPE_NAMES[e.channel.channelType] ?? channelLabel(e.channel) : t('channel.unknown');
}

/** the proxy's own close reason in a channel's message ("main:0: REASON during link-header"), if it gave one */
export function proxyReason(message: string): string | null {
  const why = message.replace(/^[a-z]+:\d+: /, '').replace(/ during [\w-]+$/, '').trim();
  return why && !/^closed \(\d+\)$/.test(why) ? why : null;
}

/** a sentence for a typed error */
export function errorSentence(e: SpiceError): string {
  const channel = channelName(e);
  const message = e.message;
  switch (e.details) {
    case D.PERMISSION_DENIED:
      // the same details code says "the server refused the password" and "the browser refused the microphone"
      return e.type === T.MEDIA_ERROR ? t('err.micDenied') : t('err.password');
    case D.AUTH_UNSUPPORTED:
      return t('err.authUnsupported');
    case D.PROXY_REFUSED: {
      // the proxy says why in its close reason (a .vv naming an unlisted server, a bad token…)
      const why = proxyReason(message);
      return why ? t('err.proxyRefusedWhy', { reason: why }) : t('err.proxyRefused');
    }
    case D.SERVER_UNREACHABLE:
    case D.CONNECT_FAILED:
      return t('err.unreachable');
    case D.STALLED:
      return t('err.stalled');
    case D.TRANSPORT_CLOSED:
      return t('err.lost');
    case D.CHANNEL_CLOSED:
      return t('err.channelClosed', { channel });
    case D.LINK_REFUSED:
      return t('err.linkRefused', { channel });
    case D.UNSUPPORTED_FEATURE:
      return t('err.unsupported', { channel });
    case D.AUDIO_OUTPUT_FAILED:
      return t('err.audioOutput');
    case D.AGENT_UNAVAILABLE:
      return t('err.agentUnavailable');
    case D.FILE_TRANSFER_FAILED:
      return t('err.file', { message });
    case D.FILE_TRANSFER_NO_SPACE:
      return t('err.fileNoSpace', { message });
  }
  switch (e.type) {
    case T.PROTOCOL_ERROR:
      return t('err.protocol', { channel });
    case T.MEDIA_ERROR:
      return t('err.media', { channel });
    case T.WORKER_ERROR:
      return t('err.worker');
    case T.AGENT_ERROR:
      return t('err.agent', { message });
    case T.NETWORK_ERROR:
      return t('err.lost');
    default:
      return t('err.other', { message });
  }
}

/** why the session was lost, as said while reconnecting (mirrors embed/client-status.ts lostBecause) */
export function lostCause(e: SpiceError | undefined): string {
  switch (e?.details) {
    case undefined:
      return t('cause.closed');
    case D.CONNECT_FAILED:
    case D.SERVER_UNREACHABLE:
      return t('cause.unreachable');
    case D.STALLED:
      return t('cause.stalled');
    default:
      return t('cause.lost');
  }
}

/** the session's and SpiceClient's status phrases → catalogue keys */
const PHRASES: Record<string, MessageKey> = {
  'not connected': 'status.idle',
  'connecting…': 'status.connecting',
  'reconnecting…': 'status.reconnectingNow',
  connected: 'status.connected',
  'disconnected by the user': 'status.userDisconnect',
  'reconnect cancelled': 'status.cancelled',
  'gave up reconnecting': 'status.gaveUp',
  'the server closed the session': 'cause.closed',
};

function technicalOf(st: SessionStatus): string {
  const e = st.error;
  return e ? `${e.message} [${e.type}/${e.details}${e.channel ? ` ${channelLabel(e.channel)}` : ''}${e.fatal ? ', fatal' : ''}]` : st.message;
}

export function describeStatus(st: SessionStatus, ctx: StatusContext = {}): StatusView {
  const technical = technicalOf(st);
  if (st.state === 'reconnecting') {
    const text = /^offline/.test(st.message)
      ? t('status.offline')
      : t('status.reconnecting', { cause: lostCause(st.error), s: Math.max(0, ctx.secondsLeft ?? 0) });
    return { text, technical, error: false };
  }
  if (st.error) return { text: t('status.error', { text: errorSentence(st.error) }), technical, error: true };
  if (st.state === 'connecting' && ctx.linking && st.message !== 'reconnecting…') return { text: t('status.linking', { channel: ctx.linking }), technical, error: false };
  if (st.state === 'connected' && !ctx.firstFrame) return { text: t('status.waiting'), technical, error: false };
  const key = PHRASES[st.message];
  return { text: key ? t(key) : st.message, technical, error: false };
}
