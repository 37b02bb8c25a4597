// The portal contract: who may post a ticket (origin and window both checked), which shapes
// mean what, and where events go (an explicit origin, never '*').
import { describe, expect, it } from 'vitest';
import { EmbedBridge, initialTargets, originAllowed, parseInbound, type BridgeHost } from './post-message';

describe('originAllowed', () => {
  const list = ['https://portal.example', 'http://127.0.0.1:8081'];
  it.each([
    ['https://portal.example', true],
    ['https://portal.example:443', true],
    ['HTTPS://PORTAL.EXAMPLE', true],
    ['http://127.0.0.1:8081', true],
    ['http://portal.example', false], // scheme differs
    ['https://portal.example:8443', false], // port differs
    ['https://evil.portal.example', false],
    ['https://portal.example.evil', false],
    ['http://127.0.0.1:8082', false],
    ['null', false],
    ['', false],
    ['file://', false],
  ])('%j → %s', (o, ok) => {
    expect(originAllowed(o, list)).toBe(ok);
  });
  it('an empty list allows nobody', () => {
    expect(originAllowed('https://portal.example', [])).toBe(false);
  });
});

describe('parseInbound', () => {
  it("accepts oVirt's {connectionTicket, password}", () => {
    expect(parseInbound({ connectionTicket: 'T', password: 'p' })).toEqual({ kind: 'connect', token: 'T', password: 'p', vv: null, title: null });
  });
  it('accepts our namespaced messages', () => {
    expect(parseInbound({ type: 'spice-web:connect', token: 'T', title: 'VM' })).toEqual({ kind: 'connect', token: 'T', password: null, vv: null, title: 'VM' });
    expect(parseInbound({ type: 'spice-web:connect', vv: '[virt-viewer]' })).toMatchObject({ kind: 'connect', vv: '[virt-viewer]' });
    expect(parseInbound({ type: 'spice-web:disconnect' })).toEqual({ kind: 'disconnect' });
    expect(parseInbound({ type: 'spice-web:ctrl-alt-del' })).toEqual({ kind: 'ctrl-alt-del' });
  });
  it('ignores what is not for us', () => {
    for (const d of [null, 'text', 42, [], {}, { type: 'other-lib:hello' }, { password: 'p' }]) expect(parseInbound(d)).toBeNull();
  });
  it.each([
    [{ type: 'spice-web:connect' }, /needs a token or a vv file/],
    [{ type: 'spice-web:connect', token: 5 }, /must be a string/],
    [{ type: 'spice-web:connect', token: 'x'.repeat(20_000) }, /too long/],
    [{ type: 'spice-web:launch' }, /unknown message type/],
    [{ connectionTicket: '' }, /empty/],
  ])('refuses malformed messages of ours %#', (d, msg) => {
    expect(() => parseInbound(d)).toThrow(msg);
  });
});

describe('initialTargets', () => {
  it('uses the parent origin the browser reports, only when allowed', () => {
    expect(initialTargets('https://portal.example', ['https://portal.example', 'https://b.example'])).toEqual(['https://portal.example']);
    expect(initialTargets('https://evil.example', ['https://portal.example'])).toEqual([]);
    expect(initialTargets(undefined, ['https://portal.example:443', 'https://b.example'])).toEqual(['https://portal.example', 'https://b.example']);
  });
});

describe('EmbedBridge', () => {
  function setup(ancestor?: string) {
    const win = Object.assign(new EventTarget(), { location: { ancestorOrigins: ancestor ? [ancestor] : undefined } }) as unknown as Window;
    const posted: Array<{ m: unknown; target: string }> = [];
    const portal = { postMessage: (m: unknown, target: string) => posted.push({ m, target }) } as unknown as Window;
    const other = { postMessage: () => undefined } as unknown as Window;
    const calls: unknown[] = [];
    const host: BridgeHost = {
      connect: (m) => void calls.push(m),
      disconnect: () => void calls.push('disconnect'),
      sendCtrlAltDel: () => void calls.push('cad'),
    };
    const bridge = new EmbedBridge(win, portal, ['https://portal.example', 'https://b.example'], host);
    const send = (data: unknown, origin: string, source: Window = portal) => win.dispatchEvent(Object.assign(new Event('message'), { data, origin, source }));
    return { bridge, posted, calls, send, other };
  }

  it('says ready to every allowed origin (never "*"), then only to the one that spoke', () => {
    const { bridge, posted, send } = setup();
    expect(posted).toEqual([
      { m: { type: 'spice-web:ready', version: 1 }, target: 'https://portal.example' },
      { m: { type: 'spice-web:ready', version: 1 }, target: 'https://b.example' },
    ]);
    send({ connectionTicket: 'T' }, 'https://b.example');
    posted.length = 0;
    bridge.post({ type: 'spice-web:connected', sessionId: 7 });
    expect(posted).toEqual([{ m: { type: 'spice-web:connected', sessionId: 7 }, target: 'https://b.example' }]);
  });

  it('takes a ticket from the portal at an allowed origin', () => {
    const { calls, send } = setup('https://portal.example');
    send({ connectionTicket: 'T', password: 'pw' }, 'https://portal.example');
    send({ type: 'spice-web:ctrl-alt-del' }, 'https://portal.example');
    expect(calls).toEqual([{ kind: 'connect', token: 'T', password: 'pw', vv: null, title: null }, 'cad']);
  });

  it('ignores, without an answer, a disallowed origin and a window that is not the portal', () => {
    const { calls, posted, send, other } = setup('https://portal.example');
    posted.length = 0;
    send({ connectionTicket: 'T' }, 'https://evil.example');
    send({ type: 'spice-web:connect', token: 'T' }, 'null');
    send({ connectionTicket: 'T' }, 'https://portal.example', other); // right origin string, wrong window
    send({ type: 'spice-web:launch' }, 'https://evil.example');
    expect(calls).toEqual([]);
    expect(posted).toEqual([]);
  });

  it('answers a malformed message of ours from the portal with rejected', () => {
    const { posted, send, calls } = setup('https://portal.example');
    posted.length = 0;
    send({ type: 'spice-web:connect' }, 'https://portal.example');
    expect(calls).toEqual([]);
    expect(posted).toEqual([{ m: { type: 'spice-web:rejected', reason: 'connect needs a token or a vv file' }, target: 'https://portal.example' }]);
  });

  it('stops listening on dispose', () => {
    const { bridge, calls, send } = setup('https://portal.example');
    bridge.dispose();
    send({ connectionTicket: 'T' }, 'https://portal.example');
    expect(calls).toEqual([]);
  });
});
