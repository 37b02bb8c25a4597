import { describe, expect, it } from 'vitest';
import { ErrorDetails as D, ErrorTypes as T, type SpiceError } from '../common/errors';
import { setLanguage } from './i18n/index';
import { describeStatus, errorSentence } from './status-text';

const err = (type: SpiceError['type'], details: SpiceError['details'], extra: Partial<SpiceError> = {}): SpiceError => ({ type, details, fatal: true, message: 'main:0: target unreachable: ECONNREFUSED during link-header', ...extra });

describe('error → sentence', () => {
  it('says what happened in words, without the technical text', () => {
    expect(errorSentence(err(T.AUTH_ERROR, D.PERMISSION_DENIED))).toBe('Wrong password: the server refused it.');
    // the browser refusing the microphone is not a wrong password
    expect(errorSentence(err(T.MEDIA_ERROR, D.PERMISSION_DENIED, { channel: { channelType: 6, channelId: 0 }, fatal: false }))).toMatch(/^The browser blocked the microphone/);
    expect(errorSentence(err(T.NETWORK_ERROR, D.SERVER_UNREACHABLE))).toMatch(/^The server cannot be reached/);
    expect(errorSentence(err(T.NETWORK_ERROR, D.CONNECT_FAILED))).toMatch(/^The server cannot be reached/);
    expect(errorSentence(err(T.NETWORK_ERROR, D.PROXY_REFUSED, { message: 'main:0: closed (4401) during link-header' }))).toMatch(/^The proxy refused the connection: the access token/);
    // the proxy's own reason, when it gave one, is more precise than the generic sentence
    expect(errorSentence(err(T.NETWORK_ERROR, D.PROXY_REFUSED, { message: "main:0: the server 10.1.1.1:5900 is not on this proxy's list during link-header" }))).toBe(
      "The proxy refused the connection: the server 10.1.1.1:5900 is not on this proxy's list.",
    );
    expect(errorSentence(err(T.NETWORK_ERROR, D.SERVER_UNREACHABLE))).not.toMatch(/ECONNREFUSED/);
  });
  it('names the channel of a protocol error', () => {
    const e = err(T.PROTOCOL_ERROR, D.MALFORMED_MESSAGE, { channel: { channelType: 2, channelId: 0 }, fatal: false });
    expect(errorSentence(e)).toBe('Protocol error on the display channel: the server sent data this client cannot read.');
    expect(errorSentence(err(T.PROTOCOL_ERROR, D.TRUNCATED_MESSAGE, { channel: { channelType: 3, channelId: 0 } }))).toContain('inputs channel');
    expect(errorSentence(err(T.PROTOCOL_ERROR, D.UNSUPPORTED_FEATURE, { channel: { channelType: 1, channelId: 0 } }))).toContain('main channel');
  });
  it('keeps the file name of a failed transfer', () => {
    expect(errorSentence(err(T.AGENT_ERROR, D.FILE_TRANSFER_FAILED, { message: 'unwritable.bin: the guest could not write it' }))).toContain('unwritable.bin');
  });
  it('has a sentence for every details code', () => {
    for (const d of Object.values(D)) {
      for (const ty of Object.values(T)) {
        const s = errorSentence(err(ty, d));
        expect(s.length, `${ty}/${d}`).toBeGreaterThan(10);
        expect(s, `${ty}/${d}`).not.toMatch(/\{\w+\}/);
      }
    }
  });
  it('follows the language', () => {
    setLanguage('de');
    expect(errorSentence(err(T.AUTH_ERROR, D.PERMISSION_DENIED))).toBe('Falsches Passwort: der Server hat es abgelehnt.');
    setLanguage('en');
  });
});

describe('describeStatus', () => {
  it('errors: a sentence, the technical text kept aside', () => {
    const v = describeStatus({ state: 'disconnected', message: 'x', error: err(T.NETWORK_ERROR, D.SERVER_UNREACHABLE) });
    expect(v.error).toBe(true);
    expect(v.text).toMatch(/^Error: The server cannot be reached/);
    expect(v.technical).toContain('ECONNREFUSED');
    expect(v.technical).toContain('networkError/serverUnreachable');
  });
  it('reconnecting: the cause and the countdown', () => {
    expect(describeStatus({ state: 'reconnecting', message: 'm' }, { secondsLeft: 3 }).text).toBe('the server closed the session; reconnecting in 3 s');
    expect(describeStatus({ state: 'reconnecting', message: 'm', error: err(T.NETWORK_ERROR, D.TRANSPORT_CLOSED) }, { secondsLeft: 2 }).text).toBe('the connection to the server was lost; reconnecting in 2 s');
    expect(describeStatus({ state: 'reconnecting', message: 'offline: reconnecting when the network is back' }).text).toMatch(/^Offline/);
  });
  it('progress while connecting', () => {
    expect(describeStatus({ state: 'connecting', message: 'connecting…' }).text).toBe('Connecting to the server…');
    expect(describeStatus({ state: 'connecting', message: 'connecting…' }, { linking: 'main' }).text).toBe('Connecting: opening the main channel…');
    expect(describeStatus({ state: 'connected', message: 'connected' }).text).toBe('Connected; waiting for the first picture…');
    expect(describeStatus({ state: 'connected', message: 'connected' }, { firstFrame: true }).text).toBe('Connected');
    expect(describeStatus({ state: 'disconnected', message: 'reconnect cancelled' }).text).toBe('reconnect cancelled');
    expect(describeStatus({ state: 'disconnected', message: 'something new' }).text).toBe('something new');
  });
});
