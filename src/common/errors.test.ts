import { describe, expect, it } from 'vitest';
import { ErrorDetails, ErrorTypes, channelLabel, classifyClose, classifyKind, isRetryable, isSpiceError, type SpiceError } from './errors';

describe('error taxonomy', () => {
  it('maps every protocol-layer kind to a type and a detail', () => {
    expect(classifyKind('truncated')).toEqual({ type: ErrorTypes.PROTOCOL_ERROR, details: ErrorDetails.TRUNCATED_MESSAGE });
    expect(classifyKind('malformed')).toEqual({ type: ErrorTypes.PROTOCOL_ERROR, details: ErrorDetails.MALFORMED_MESSAGE });
    expect(classifyKind('unsupported').details).toBe(ErrorDetails.UNSUPPORTED_FEATURE);
    expect(classifyKind('link')).toEqual({ type: ErrorTypes.LINK_ERROR, details: ErrorDetails.LINK_REFUSED });
    expect(classifyKind('auth')).toEqual({ type: ErrorTypes.AUTH_ERROR, details: ErrorDetails.PERMISSION_DENIED });
    expect(classifyKind('transport').type).toBe(ErrorTypes.NETWORK_ERROR);
    expect(classifyKind('codec')).toEqual({ type: ErrorTypes.MEDIA_ERROR, details: ErrorDetails.IMAGE_DECODE_ERROR });
    expect(classifyKind('no such kind')).toEqual({ type: ErrorTypes.OTHER_ERROR, details: ErrorDetails.INTERNAL_EXCEPTION });
  });

  it('names channels as the status line shows them', () => {
    expect(channelLabel({ channelType: 2, channelId: 1 })).toBe('display:1');
    expect(channelLabel({ channelType: 99, channelId: 0 })).toBe('channel99:0');
  });

  it('recognises a SpiceError by shape (it crosses threads as plain data)', () => {
    expect(isSpiceError({ type: 'networkError', details: 'connectFailed', fatal: true, message: 'x' })).toBe(true);
    expect(isSpiceError({ kind: 'malformed', message: 'x' })).toBe(false);
    expect(isSpiceError(null)).toBe(false);
  });
});

describe('proxy close codes and retry', () => {
  it('maps the proxy refusals to PROXY_REFUSED, 4502 to SERVER_UNREACHABLE, the rest by phase', () => {
    for (const code of [4400, 4401, 4403, 4500, 4525]) expect(classifyClose(code, true).details).toBe(ErrorDetails.PROXY_REFUSED);
    expect(classifyClose(4502, true)).toEqual({ type: ErrorTypes.NETWORK_ERROR, details: ErrorDetails.SERVER_UNREACHABLE });
    expect(classifyClose(1006, true).details).toBe(ErrorDetails.CONNECT_FAILED);
    expect(classifyClose(undefined, false).details).toBe(ErrorDetails.TRANSPORT_CLOSED);
  });

  it('retries network trouble and orderly server closes, never refusals', () => {
    const e = (type: string, details: string) => ({ type, details, fatal: true, message: '' }) as SpiceError;
    expect(isRetryable(undefined)).toBe(true);
    expect(isRetryable(e('networkError', 'connectFailed'))).toBe(true);
    expect(isRetryable(e('networkError', 'serverUnreachable'))).toBe(true);
    expect(isRetryable(e('networkError', 'transportClosed'))).toBe(true);
    expect(isRetryable(e('networkError', 'proxyRefused'))).toBe(false);
    expect(isRetryable(e('authError', 'permissionDenied'))).toBe(false);
    expect(isRetryable(e('linkError', 'linkRefused'))).toBe(false);
    expect(isRetryable(e('protocolError', 'malformedMessage'))).toBe(false);
  });
});
