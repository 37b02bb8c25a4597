import { describe, expect, it } from 'vitest';
import { hotkeyMatches, parseHotkey, parseVv, vvSocketUrl, VvError } from './vv-file';
import { kioskRetryDelay } from './kiosk';

// what oVirt's ConsoleDescriptorGenerator and Proxmox's remote_viewer_config write (keys and
// spellings as documented; values made up)
const OVIRT = `[virt-viewer]
type=spice
host=10.0.0.5
port=5900
password=s3cret
# Password is valid for 120 seconds.
delete-this-file=1
fullscreen=1
title=vm-42:%d - Press SHIFT+F12 to Release Cursor
toggle-fullscreen=shift+f11
release-cursor=shift+f12
secure-attention=ctrl+alt+end
tls-port=5901
enable-smartcard=0
host-subject=O=example,CN=10.0.0.5
ca=-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n
secure-channels=main;inputs;cursor;playback;record;display;smartcard;usbredir
versions=rhev-win64:2.0-160;rhev-win32:2.0-160
newer-version-url=http://example/console
frobnicate=yes

[ovirt]
host=engine.example:443
vm-guid=1234
`;

describe('parseVv', () => {
  it('reads what oVirt writes, and lists what it ignores', () => {
    const v = parseVv(OVIRT);
    expect(v).toMatchObject({ type: 'spice', host: '10.0.0.5', port: 5900, tlsPort: 5901, password: 's3cret', fullscreen: true, deleteThisFile: true });
    expect(v.title).toBe('vm-42:%d - Press SHIFT+F12 to Release Cursor');
    expect(v.hotkeys.map((h) => [h.action, h.ctrl, h.alt, h.shift, h.key])).toEqual([
      ['toggle-fullscreen', false, false, true, 'f11'],
      ['release-cursor', false, false, true, 'f12'],
      ['secure-attention', true, true, false, 'end'],
    ]);
    expect(v.unknownKeys).toEqual(['frobnicate']);
    expect(v.notApplied.map((n) => n.key)).toEqual(['enable-smartcard', 'host-subject', 'ca', 'secure-channels', 'versions', 'newer-version-url', '[ovirt]']);
    expect(v.badHotkeys).toEqual([]);
  });

  it("reads Proxmox's spellings (Ctrl+Alt+Ins, CRLF lines)", () => {
    const v = parseVv('[virt-viewer]\r\ntype=spice\r\nhost=pvespiceproxy:abc\r\ntls-port=61000\r\nsecure-attention=Ctrl+Alt+Ins\r\nrelease-cursor=Ctrl+Alt+R\r\n');
    expect(v.port).toBeNull();
    expect(v.hotkeys.map((h) => h.key)).toEqual(['insert', 'r']);
  });

  it.each([
    ['', /no \[virt-viewer\] group/],
    ['[virt-viewer]\nhost=h\nport=1', /has no type/],
    ['[virt-viewer]\ntype=vnc\nhost=h\nport=1', /"vnc" connection file/],
    ['[virt-viewer]\ntype=spice\nport=1', /names no host/],
    ['[virt-viewer]\ntype=spice\nhost=h', /neither port nor tls-port/],
    ['[virt-viewer]\ntype=spice\nhost=h\nport=99999', /not a port number/],
    ['type=spice', /before any \[group\]/],
    ['[virt-viewer]\njunk', /neither \[group\] nor key=value/],
    ['x'.repeat(300 * 1024), /too large/],
  ])('refuses %j with a sentence', (text, msg) => {
    expect(() => parseVv(text)).toThrow(VvError);
    expect(() => parseVv(text)).toThrow(msg);
  });

  it('lists a hotkey it cannot read instead of failing the file', () => {
    const v = parseVv('[virt-viewer]\ntype=spice\nhost=h\nport=1\ntoggle-fullscreen=ctrl+hyper+q\nrelease-cursor=ctrl+alt\n');
    expect(v.badHotkeys.map((b) => b.key)).toEqual(['toggle-fullscreen']);
    expect(v.hotkeys).toEqual([expect.objectContaining({ action: 'release-cursor', ctrl: true, alt: true, key: '' })]);
  });

  it('hotkeys match exact modifiers', () => {
    const h = parseHotkey('secure-attention', '<ctrl><alt>end');
    const ev = { key: 'End', ctrlKey: true, altKey: true, shiftKey: false, metaKey: false };
    expect(hotkeyMatches(h, ev)).toBe(true);
    expect(hotkeyMatches(h, { ...ev, shiftKey: true })).toBe(false);
    expect(hotkeyMatches(h, { ...ev, key: 'Home' })).toBe(false);
    expect(() => parseHotkey('toggle-fullscreen', 'shift')).toThrow(/names no key/);
    expect(() => parseHotkey('toggle-fullscreen', 'a+b')).toThrow(/more than one key/);
  });

  it('the socket URL asks the proxy for port then tls-port, keeping its token', () => {
    const v = parseVv('[virt-viewer]\ntype=spice\nhost=fd00::5\nport=5900\ntls-port=5901\n');
    const u = new URL(vvSocketUrl(v, 'wss://proxy.example/ws?token=t1&target=evil:1'));
    expect(u.searchParams.get('token')).toBe('t1');
    expect(u.searchParams.getAll('target')).toEqual(['[fd00::5]:5900', '[fd00::5]:5901']);
  });
});

describe('kiosk', () => {
  it('retries a session that will not come back by itself slowly, forever', () => {
    expect([1, 2, 3, 4, 5, 100].map(kioskRetryDelay)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });
});
