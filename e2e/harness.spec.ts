// Proves the e2e harness itself works: Xspice starts and stops cleanly, known content is where
// the pattern layout says, the framebuffer grab is exact and stable, typed text and clicks can be
// read back, TLS and passwords work, and the faulty relay injects what it documents without
// breaking the SPICE framing. No browser is involved.
import { existsSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import {
  test, expect,
  startXspice,
  patternLayout, showPattern, startClickTarget, startXterm, showPalette8, clearContent,
  comparePixels, describeComparison, grabFramebuffer, pixelAt, decodePng, encodePng,
  startFaultyRelay, malformedMessage, MSG_DISPLAY_DRAW_COPY,
  isAlive, listeningPorts, runOk, sleep,
  miniLink, miniMain,
} from './harness/index';

type Rect = { x: number; y: number; width: number; height: number };
const inside = (r: Rect, x: number, y: number) => x >= r.x && y >= r.y && x < r.x + r.width && y < r.y + r.height;

test('Xspice (quic) with pattern + xterm: exact stable grab, typed text read back, clean stop', async () => {
  const server = await startXspice({ imageCompression: 'quic' });
  let stopped = false;
  try {
    expect(server.host).toBe('127.0.0.1');
    expect(listeningPorts().has(server.port)).toBe(true);
    expect(existsSync(`/tmp/.X${server.displayNumber}-lock`)).toBe(true);
    expect(server.settings).toMatchObject({ imageCompression: 'quic', surfaces: true, imageCache: true });
    expect(readFileSync(`${server.runDir}/xorg.conf`, 'utf8')).toMatch(/Option "SpiceImageCompression" "quic"/);

    const pattern = await showPattern(server);
    expect(pattern.width).toBe(server.width);
    const xterm = await startXterm(server, { x: 40, y: 40, cols: 60, rows: 10 });
    const win = xterm.window;
    expect(win).toMatchObject({ x: 40, y: 40, viewable: true });

    const a = await grabFramebuffer(server);
    await sleep(300);
    const b = await grabFramebuffer(server);
    expect([a.width, a.height]).toEqual([server.width, server.height]);
    const stable = comparePixels(a, b);
    expect(stable.mismatches, describeComparison(stable)).toBe(0);

    // every known pattern pixel that the xterm does not cover has exactly its colour
    const visible = pattern.probes.filter((p) => !inside(win, p.x, p.y));
    expect(visible.length).toBeGreaterThan(30);
    for (const p of visible) expect(pixelAt(a, p.x, p.y).slice(0, 3), `${p.what} at ${p.x},${p.y}`).toEqual(p.rgb);
    // the xterm's empty lower-right corner is its black background
    expect(pixelAt(a, win.x + win.width - 5, win.y + win.height - 5).slice(0, 3)).toEqual([0, 0, 0]);
    // the 1-px checkerboard really alternates pixel by pixel along a whole row
    const ck = pattern.layout.checker;
    const y = ck.y + 7;
    for (let x = win.x + win.width + 1; x < ck.x + ck.width; x++) {
      const white = (x - ck.x + (y - ck.y)) % 2 === 0;
      expect(pixelAt(a, x, y)[0], `checker ${x},${y}`).toBe(white ? 255 : 0);
    }

    // PNG round trip of the grab is lossless
    const png = decodePng(encodePng(a.width, a.height, a.rgba));
    expect(comparePixels(a, png).mismatches).toBe(0);

    // typed text arrives byte for byte in the file
    await xterm.typeWithXdotool('Hello, SPICE 123 ~!@#\n');
    await xterm.keyWithXdotool('ctrl+c');
    expect(await xterm.waitForTyped('Hello, SPICE 123 ~!@#\n\x03')).toBe('Hello, SPICE 123 ~!@#\n\x03');
    // ... and shows up on screen: the xterm area changed
    const c = await grabFramebuffer(server);
    const typed = comparePixels(a, c, { region: { x: win.x, y: win.y, width: win.width, height: win.height } });
    expect(typed.mismatches).toBeGreaterThan(0);
    expect(comparePixels(a, c, { mask: [win] }).mismatches).toBe(0);

    const pids = [server.pid, xterm.proc.pid];
    await server.stop();
    stopped = true;
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
    expect(listeningPorts().has(server.port)).toBe(false);
    expect(existsSync(`/tmp/.X${server.displayNumber}-lock`)).toBe(false);
    expect(existsSync(server.runDir)).toBe(false);
  } finally {
    if (!stopped) await server.stop();
  }
});

test.describe('fixture, geometry and clicks', () => {
  test.use({ xspiceOptions: { imageCompression: 'off', geometry: '1280x800' } });

  test('xspice fixture honours options; clicks land where sent; palette window placed', async ({ xspice }) => {
    expect([xspice.width, xspice.height]).toEqual([1280, 800]);
    const grab = await grabFramebuffer(xspice);
    expect([grab.width, grab.height]).toEqual([1280, 800]);
    const pattern = await showPattern(xspice);
    expect(pattern.layout).toEqual(patternLayout(1280, 800));

    const target = await startClickTarget(xspice, { x: 300, y: 200, width: 160, height: 120 });
    expect(target.window).toMatchObject({ x: 300, y: 200, width: 160, height: 120 });
    await runOk('xdotool', ['mousemove', '333', '244', 'click', '1', 'mousemove', '450', '310', 'click', '3'], { env: xspice.env });
    const evs = await target.waitForEvents((e) => e.filter((x) => x.type === 'ButtonPress').length >= 2);
    const clicks = evs.filter((e) => e.type === 'ButtonPress');
    expect(clicks.map((e) => [e.button, e.x, e.y, e.rootX, e.rootY])).toEqual([[1, 33, 44, 333, 244], [3, 150, 110, 450, 310]]);

    const pal = await showPalette8(xspice, { x: 700, y: 50 });
    expect(pal.window).toMatchObject({ x: 700, y: 50, width: 256, height: 160 });
    const g = await grabFramebuffer(xspice);
    const colours = new Set<number>();
    for (let yy = 50; yy < 210; yy++) for (let xx = 700; xx < 956; xx++) {
      const [r, gg, bb] = pixelAt(g, xx, yy);
      colours.add((r << 16) | (gg << 8) | bb);
    }
    expect(colours.size).toBeGreaterThan(50);
    expect(colours.size).toBeLessThanOrEqual(200);

    await clearContent(xspice, [target, pal]);
    const black = await grabFramebuffer(xspice);
    expect(pixelAt(black, 10, 10).slice(0, 3)).toEqual([0, 0, 0]);
    expect(target.proc.running()).toBe(false);
  });
});

test('password and TLS: wrong ticket refused, right one accepted, TLS port verifies with the CA', async () => {
  const server = await startXspice({ password: 's3cret', tlsPort: true });
  try {
    const bad = await miniLink({ port: server.port, channelType: 1, password: 'wrong' });
    expect(bad.authResult).not.toBe(0);
    bad.close();
    const good = await miniLink({ port: server.port, channelType: 1, password: 's3cret' });
    expect([good.linkError, good.authResult]).toEqual([0, 0]);
    good.close();

    expect(server.tlsPort).toBeGreaterThan(0);
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: server.tlsPort!, ca: readFileSync(server.caCertFile!), servername: 'localhost' }, () => {
        resolve(s.authorized);
        s.destroy();
      });
      s.once('error', reject);
    });
    expect(authorized).toBe(true);
  } finally {
    await server.stop();
  }
});

for (const miniHeader of [true, false]) {
  test(`faulty relay injects a malformed DRAW_COPY into the display channel (${miniHeader ? 'mini' : 'full'} header)`, async () => {
    const server = await startXspice({});
    const relay = await startFaultyRelay({ target: { port: server.port }, inject: { afterMessages: 2, kind: 'bad-pointer' } });
    try {
      const { main, sessionId } = await miniMain({ port: relay.port, miniHeader });
      const disp = await miniLink({ port: relay.port, channelType: 2, connectionId: sessionId, miniHeader });
      expect([disp.linkError, disp.authResult, disp.mini]).toEqual([0, 0, miniHeader]);
      // SPICE_MSGC_DISPLAY_INIT (101): the server sends drawing only after it. Body: pixmap cache
      // id u8, size i64, glz dictionary id u8, window size i32 (all zero: no caches)
      disp.sendMessage(101, Buffer.alloc(14));
      const msgs = [];
      for (let i = 0; i < 4; i++) msgs.push(await disp.readMessage());
      const inj = await relay.waitForInjection(5000);
      // it went into the display connection, after exactly 2 server messages, and the stream
      // still parses: the third message is ours, byte for byte
      expect(inj).toMatchObject({ channelType: 2, kind: 'bad-pointer', type: MSG_DISPLAY_DRAW_COPY, afterMessages: 2 });
      const expected = malformedMessage('bad-pointer');
      expect(msgs[2].type).toBe(MSG_DISPLAY_DRAW_COPY);
      expect(msgs[2].body.equals(expected.body)).toBe(true);
      expect(msgs[2].body.readUInt32LE(21)).toBe(0xffffff00);
      if (!miniHeader) expect(msgs.map((m) => m.serial)).toEqual([1n, 2n, 3n, 4n]);
      expect(relay.connections.filter((c) => c.injected).map((c) => c.channelType)).toEqual([2]);
      expect(relay.connections[0]).toMatchObject({ channelType: 1, injected: false, header: miniHeader ? 'mini' : 'full' });
      main.close();
      disp.close();
    } finally {
      await relay.stop();
      await server.stop();
    }
  });
}

test('Debian Chromium launches with the configured flags and draws to a canvas', async ({ page, browser }) => {
  expect(browser.version()).toMatch(/^\d+\./);
  await page.setContent('<canvas width="4" height="4"></canvas>');
  const px = await page.evaluate(() => {
    const c = document.querySelector('canvas')!.getContext('2d')!;
    c.fillStyle = 'rgb(18, 52, 86)';
    c.fillRect(0, 0, 4, 4);
    return Array.from(c.getImageData(1, 1, 1, 1).data);
  });
  expect(px).toEqual([18, 52, 86, 255]);
});
