import { describe, expect, it } from 'vitest';
import { SettingsError, settingsFromUrl } from './settings';

describe('settingsFromUrl', () => {
  it('defaults to the /ws endpoint next to the page', () => {
    expect(settingsFromUrl({ href: 'http://127.0.0.1:8080/' }).url).toBe('ws://127.0.0.1:8080/ws');
    expect(settingsFromUrl({ href: 'https://portal.example/vm/index.html' }).url).toBe('wss://portal.example/vm/ws');
  });
  it('keeps spice-html5 parameter names', () => {
    const s = settingsFromUrl({ href: 'http://localhost/spice.html?host=10.0.0.5&port=5959&path=websockify&password=pw&encrypt=1' });
    expect(s.url).toBe('wss://10.0.0.5:5959/websockify');
    expect(s.password).toBe('pw');
  });
  it('passes the token to the proxy, never a target', () => {
    const s = settingsFromUrl({ href: 'http://localhost:8080/?token=vm%201' });
    expect(s.url).toBe('ws://localhost:8080/ws?token=vm+1');
  });
  it('brackets IPv6 hosts', () => {
    expect(settingsFromUrl({ href: 'http://localhost/?host=::1&port=81' }).url).toBe('ws://[::1]:81/ws');
  });
  it('resize=remote (noVNC) or resize=1 makes the guest follow the page', () => {
    expect(settingsFromUrl({ href: 'http://localhost/?resize=remote' }).resizeSession).toBe(true);
    expect(settingsFromUrl({ href: 'http://localhost/?resize=1' }).resizeSession).toBe(true);
    expect(settingsFromUrl({ href: 'http://localhost/?resize=scale' }).resizeSession).toBe(false);
    expect(settingsFromUrl({ href: 'http://localhost/' }).resizeSession).toBe(false);
  });
  it('mic=off, mic-codec=raw and mic-processing=0 set the microphone options; the default asks', () => {
    expect(settingsFromUrl({ href: 'http://localhost/' })).toMatchObject({ microphone: 'ask', microphoneOpus: true, microphoneProcessing: true });
    expect(settingsFromUrl({ href: 'http://localhost/?mic=off&mic-codec=raw&mic-processing=0' })).toMatchObject({ microphone: 'off', microphoneOpus: false, microphoneProcessing: false });
  });

  it('a host, port or path that cannot make a URL is a typed SettingsError naming the parameter', () => {
    for (const [q, param] of [['host=bad%20host', 'host'], ['host=evil.example/x', 'host'], ['host=a%3Cb%3E', 'host'], ['port=99999', 'port'], ['port=80a', 'port'], ['path=a%20b', 'path']] as const) {
      let err: unknown;
      try {
        settingsFromUrl({ href: `http://localhost/?${q}` });
      } catch (e) {
        err = e;
      }
      expect(err, q).toBeInstanceOf(SettingsError);
      expect((err as SettingsError).param, q).toBe(param);
    }
    expect(settingsFromUrl({ href: 'http://localhost/?host=vm-1.example.org&port=5959' }).url).toBe('ws://vm-1.example.org:5959/ws');
    expect(settingsFromUrl({ href: 'http://localhost/?host=10.0.0.5' }).url).toBe('ws://10.0.0.5/ws');
  });
});
