/**
 * Typed errors of the protocol layer. Every malformed input ends in one of these, never in a
 * RangeError or a read past the buffer: channels catch them, close only that channel and show
 * the `kind` to the user (DEVELOPERS.md, "Bad input gets a clear error").
 */
export type SpiceErrorKind =
  | 'truncated' // a read past the end of a message or payload
  | 'malformed' // a field value the spec does not allow
  | 'unsupported' // valid SPICE we do not implement
  | 'link' // the server refused the link (SpiceLinkErr)
  | 'auth' // ticket refused (PERMISSION_DENIED)
  | 'transport' // the socket closed or failed
  | 'codec'; // an image payload that does not decode

export class SpiceProtocolError extends Error {
  override readonly name = 'SpiceProtocolError';
  constructor(
    readonly kind: SpiceErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function protocolError(kind: SpiceErrorKind, message: string): never {
  throw new SpiceProtocolError(kind, message);
}
