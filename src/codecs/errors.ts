/**
 * The one error every decoder throws on bad input: truncated data, a header that does not match
 * the image descriptor, a back-reference before the start of the output, an unknown format.
 * Codecs import nothing of ours, so this is not SpiceProtocolError; the display layer turns it
 * into SpiceProtocolError('codec', …), which closes the channel with a typed error.
 */
export class CodecError extends Error {
  constructor(
    readonly codec: string,
    message: string,
  ) {
    super(`${codec}: ${message}`);
    this.name = 'CodecError';
  }
}
