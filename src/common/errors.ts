/**
 * The error taxonomy of the client (modelled on hls.js `errors.ts`): every problem the user or an
 * embedder can see is a SpiceError with a `type` (which subsystem), a `details` code (what
 * exactly), a `fatal` flag (true: the session cannot go on without a new connect) and, when it
 * comes from a channel, that channel's identity. Messages are for people; code branches on
 * `type`/`details`, never on message text.
 */

export const ErrorTypes = {
  /** the socket (WebSocket, proxy, TCP) closed or failed */
  NETWORK_ERROR: 'networkError',
  /** the server refused the link (version, channel not available, bad connection id) */
  LINK_ERROR: 'linkError',
  /** the server refused the password/ticket */
  AUTH_ERROR: 'authError',
  /** bytes that are not valid SPICE, or valid SPICE we do not implement */
  PROTOCOL_ERROR: 'protocolError',
  /** an image or stream payload that does not decode */
  MEDIA_ERROR: 'mediaError',
  /** a display worker crashed or could not start */
  WORKER_ERROR: 'workerError',
  /** the guest agent refused or failed a request (clipboard, monitors config, file transfer) */
  AGENT_ERROR: 'agentError',
  /** anything else (a bug of ours) */
  OTHER_ERROR: 'otherError',
} as const;
export type ErrorType = (typeof ErrorTypes)[keyof typeof ErrorTypes];

export const ErrorDetails = {
  /** the transport closed during the link stage: the proxy or server is unreachable */
  CONNECT_FAILED: 'connectFailed',
  /** the transport closed after the link, not by us */
  TRANSPORT_CLOSED: 'transportClosed',
  /** a message started and then nothing more came for a long time (a dead link or server) */
  STALLED: 'stalled',
  /** the server closed a channel in an orderly way while the session went on */
  CHANNEL_CLOSED: 'channelClosed',
  /**
   * The proxy refused the connection for good: token unknown, forged or expired, a destination
   * the token does not allow, a bad request, unusable TLS settings (close codes 4400, 4401,
   * 4403, 4500, 4525). Retrying cannot help.
   */
  PROXY_REFUSED: 'proxyRefused',
  /** the proxy could not reach the SPICE server (close code 4502); it may come back */
  SERVER_UNREACHABLE: 'serverUnreachable',
  /** SpiceLinkErr other than PERMISSION_DENIED */
  LINK_REFUSED: 'linkRefused',
  /** SPICE_LINK_ERR_PERMISSION_DENIED: wrong password or expired ticket */
  PERMISSION_DENIED: 'permissionDenied',
  /** the server offers only authentication a browser cannot do (SASL) */
  AUTH_UNSUPPORTED: 'authUnsupported',
  /** a read past the end of a message or payload */
  TRUNCATED_MESSAGE: 'truncatedMessage',
  /** a field value the spec does not allow */
  MALFORMED_MESSAGE: 'malformedMessage',
  /** valid SPICE that we do not implement */
  UNSUPPORTED_FEATURE: 'unsupportedFeature',
  /** an image payload that does not decode */
  IMAGE_DECODE_ERROR: 'imageDecodeError',
  /** an audio packet (Opus) that does not decode; playback goes on with the next one */
  AUDIO_DECODE_ERROR: 'audioDecodeError',
  /** the browser could not open audio output (no AudioContext, worklet failed to load) */
  AUDIO_OUTPUT_FAILED: 'audioOutputFailed',
  /** no microphone, or it could not be opened or encoded (a refusal is PERMISSION_DENIED) */
  MICROPHONE_FAILED: 'microphoneFailed',
  /** the worker threw outside our message handling (script error, out of memory) */
  WORKER_CRASHED: 'workerCrashed',
  /** the guest agent is not connected (or lacks the capability) for what was asked */
  AGENT_UNAVAILABLE: 'agentUnavailable',
  /** a VD_AGENT_REPLY with VD_AGENT_ERROR (e.g. a monitors config the guest refused) */
  AGENT_REQUEST_FAILED: 'agentRequestFailed',
  /** clipboard data over the agent's (or our) MAX_CLIPBOARD limit: not sent / not accepted */
  CLIPBOARD_TOO_LARGE: 'clipboardTooLarge',
  /** FILE_XFER_STATUS ERROR / SESSION_LOCKED / DISABLED / VDAGENT_NOT_CONNECTED from the agent */
  FILE_TRANSFER_FAILED: 'fileTransferFailed',
  /** FILE_XFER_STATUS NOT_ENOUGH_SPACE: the guest's disk cannot take the file */
  FILE_TRANSFER_NO_SPACE: 'fileTransferNoSpace',
  /** an exception of ours that is not a typed protocol error */
  INTERNAL_EXCEPTION: 'internalException',
} as const;
export type ErrorDetail = (typeof ErrorDetails)[keyof typeof ErrorDetails];

export interface ChannelRef {
  /** SpiceChannelType (1 main, 2 display, 3 inputs, 4 cursor, …) */
  channelType: number;
  channelId: number;
}

export interface SpiceError {
  type: ErrorType;
  details: ErrorDetail;
  /** true when the session ended because of it */
  fatal: boolean;
  /** for people: says which channel and what happened */
  message: string;
  /** the channel it came from, when it came from one */
  channel?: ChannelRef;
  /** the SpiceLinkErr code for LINK_ERROR / AUTH_ERROR */
  linkError?: number;
}

/** the kinds the protocol layer throws (protocol/errors.ts SpiceErrorKind), mapped once here */
const KIND: Record<string, [ErrorType, ErrorDetail]> = {
  truncated: [ErrorTypes.PROTOCOL_ERROR, ErrorDetails.TRUNCATED_MESSAGE],
  malformed: [ErrorTypes.PROTOCOL_ERROR, ErrorDetails.MALFORMED_MESSAGE],
  unsupported: [ErrorTypes.PROTOCOL_ERROR, ErrorDetails.UNSUPPORTED_FEATURE],
  link: [ErrorTypes.LINK_ERROR, ErrorDetails.LINK_REFUSED],
  auth: [ErrorTypes.AUTH_ERROR, ErrorDetails.PERMISSION_DENIED],
  transport: [ErrorTypes.NETWORK_ERROR, ErrorDetails.TRANSPORT_CLOSED],
  codec: [ErrorTypes.MEDIA_ERROR, ErrorDetails.IMAGE_DECODE_ERROR],
};

/** type and details for a protocol-layer error kind (unknown kinds are internal errors) */
export function classifyKind(kind: string): { type: ErrorType; details: ErrorDetail } {
  const k = KIND[kind];
  return k ? { type: k[0], details: k[1] } : { type: ErrorTypes.OTHER_ERROR, details: ErrorDetails.INTERNAL_EXCEPTION };
}

/** the SpiceChannelType name used in messages ("display:1") */
const TYPE_NAMES: Record<number, string> = { 1: 'main', 2: 'display', 3: 'inputs', 4: 'cursor', 5: 'playback', 6: 'record', 7: 'tunnel', 8: 'smartcard', 9: 'usbredir', 10: 'port', 11: 'webdav' };
export function channelLabel(c: ChannelRef): string {
  return `${TYPE_NAMES[c.channelType] ?? `channel${c.channelType}`}:${c.channelId}`;
}

/** the proxy's close codes (src/proxy/relay.ts CloseCode) that mean "never retry" */
const PROXY_REFUSALS = new Set([4400, 4401, 4403, 4500, 4525]);

/** type and details for a transport that closed with a WebSocket close `code` */
export function classifyClose(code: number | undefined, linking: boolean): { type: ErrorType; details: ErrorDetail } {
  if (code !== undefined && PROXY_REFUSALS.has(code)) return { type: ErrorTypes.NETWORK_ERROR, details: ErrorDetails.PROXY_REFUSED };
  if (code === 4502) return { type: ErrorTypes.NETWORK_ERROR, details: ErrorDetails.SERVER_UNREACHABLE };
  return { type: ErrorTypes.NETWORK_ERROR, details: linking ? ErrorDetails.CONNECT_FAILED : ErrorDetails.TRANSPORT_CLOSED };
}

/**
 * Whether connecting again may help after a session ended with `e`: not when the server or the
 * proxy refused us (password, token, destination, protocol), yes when the network or the server
 * went away.
 */
export function isRetryable(e: SpiceError | undefined): boolean {
  if (!e) return true; // the server closed the session in order (restart, shutdown)
  if (e.type === ErrorTypes.NETWORK_ERROR) return e.details !== ErrorDetails.PROXY_REFUSED;
  return false;
}

export function isSpiceError(e: unknown): e is SpiceError {
  const o = e as Partial<SpiceError> | null;
  return !!o && typeof o === 'object' && typeof o.type === 'string' && typeof o.details === 'string' && typeof o.fatal === 'boolean' && typeof o.message === 'string';
}
