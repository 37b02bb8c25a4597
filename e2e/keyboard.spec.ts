// Issue 10 (keyboard) and issue 9 ("type text"): keys that browsers keep for themselves reach the
// guest in fullscreen, nothing sticks after a blur, the guest's Caps Lock follows the page's, and
// typeText() types a string exactly. Checked in the guest: xev's KeyPress/KeyRelease log, `xset q`
// and the bytes an xterm received.
import type { Page } from '@playwright/test';
import { test, expect, runOk, startEventLog, startXterm, type XEvent } from './harness/index';
import { clientChannels, clientStatus, openClient, startClientProxy, waitForExactMatch, waitForInputs } from './harness/client';

type El = HTMLElement & {
  toggleFullscreen(): Promise<void>;
  typeText(t: string): Promise<string[]>;
  keyboardLocks: { capsLock: boolean; numLock: boolean; scrollLock: boolean } | null;
};

async function connect(page: Page, url: string): Promise<void> {
  await openClient(page, url);
  await expect.poll(async () => (await clientStatus(page)).state, { timeout: 20_000 }).toBe('connected');
  await waitForInputs(page, 20_000);
}

/** the screen element inside <spice-client> takes keyboard focus */
const focusScreen = (page: Page) => page.locator('spice-client .screen').focus();

/** move focus to a field of the page outside the client: the screen gets a real blur */
async function focusElsewhere(page: Page): Promise<void> {
  await page.evaluate(() => {
    let f = document.getElementById('elsewhere') as HTMLInputElement | null;
    if (!f) {
      f = document.createElement('input');
      f.id = 'elsewhere';
      f.style.cssText = 'position: fixed; right: 0; bottom: 0; width: 40px'; // changes no layout
      document.body.appendChild(f);
    }
    f.focus();
  });
}

/** `xset q`'s Caps Lock LED in the guest */
async function guestCapsLock(env: NodeJS.ProcessEnv): Promise<boolean> {
  const out = await runOk('xset', ['q'], { env });
  const m = /Caps Lock:\s+(on|off)/.exec(out);
  if (!m) throw new Error(`no Caps Lock in xset q: ${out}`);
  return m[1] === 'on';
}

const keyEvents = (evs: XEvent[]) => evs.filter((e) => e.type === 'KeyPress' || e.type === 'KeyRelease').map((e) => `${e.type === 'KeyPress' ? '+' : '-'}${e.keysym}`);

test('in fullscreen with Keyboard Lock, Alt+Tab, Escape, Ctrl+W and Super reach the guest once each', async ({ page, xspice }) => {
  const log = await startEventLog(xspice, { x: 0, y: 0, width: 300, height: 200, events: ['keyboard'] });
  await log.focus();
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url);
    const lock = await page.evaluate(async () => {
      const el = document.querySelector('spice-client') as unknown as El;
      await el.toggleFullscreen(); // requestFullscreen + navigator.keyboard.lock(), as the toolbar button does
      const kb = (navigator as Navigator & { keyboard?: { lock?: () => Promise<void> } }).keyboard;
      let locked = 'no Keyboard Lock API';
      if (kb?.lock) locked = await kb.lock().then(() => 'lock() resolved', (e: Error) => `lock() rejected: ${e.message}`);
      return { fullscreen: document.fullscreenElement?.localName ?? null, locked };
    });
    console.log(`[keyboard lock] fullscreen element: ${lock.fullscreen}; ${lock.locked}`);
    expect(lock.fullscreen).toBe('spice-client');
    await focusScreen(page);
    await page.keyboard.down('Alt');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Alt');
    await page.keyboard.press('Escape');
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyW');
    await page.keyboard.up('Control');
    await page.keyboard.press('MetaLeft');
    const want = ['+Alt_L', '+Tab', '-Tab', '-Alt_L', '+Escape', '-Escape', '+Control_L', '+w', '-w', '-Control_L', '+Super_L', '-Super_L'];
    const evs = await log.waitForEvents((e) => keyEvents(e).length >= want.length, 20_000).catch(() => log.events());
    expect(keyEvents(evs)).toEqual(want);
    // a short Escape does not leave fullscreen under the lock (browsers leave on a held Escape)
    expect(await page.evaluate(() => document.fullscreenElement?.localName ?? null)).toBe('spice-client');
    // a held Escape that ends fullscreen (the browser's way out) is released in the guest, once
    await page.keyboard.down('Escape');
    await log.waitForEvents((e) => keyEvents(e).filter((k) => k === '+Escape').length >= 2);
    await page.evaluate(() => document.exitFullscreen());
    await log.waitForEvents((e) => keyEvents(e).filter((k) => k === '-Escape').length >= 2);
    await page.keyboard.up('Escape');
    await page.keyboard.press('KeyZ'); // a marker: everything before it has arrived
    const all = keyEvents(await log.waitForEvents((e) => keyEvents(e).includes('-z')));
    expect(all.slice(want.length)).toEqual(['+Escape', '-Escape', '+z', '-z']);
  } finally {
    await proxy.close();
  }
});

test('keys held when the screen loses focus or the window is left are released in the guest; nothing sticks', async ({ page, context, xspice }) => {
  const log = await startEventLog(xspice, { x: 0, y: 0, width: 300, height: 200, events: ['keyboard'] });
  await log.focus();
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url);
    await focusScreen(page);
    // 1. focus moves to another field of the page while Shift and A are held
    await page.keyboard.down('ShiftLeft');
    await page.keyboard.down('KeyA');
    await log.waitForEvents((e) => keyEvents(e).includes('+A'));
    await focusElsewhere(page);
    await log.waitForEvents((e) => keyEvents(e).includes('-Shift_L') && keyEvents(e).includes('-A')); // latest first
    await page.keyboard.up('KeyA'); // the physical releases come later: they must not be sent again
    await page.keyboard.up('ShiftLeft');
    // 2. the window loses focus to another tab while Control is held. Headless Chromium keeps
    // every page "focused" (focus emulation) unless told otherwise; then bringing another page to
    // the front gives this one a real window blur
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    await focusScreen(page);
    await page.keyboard.down('ControlLeft');
    await log.waitForEvents((e) => keyEvents(e).includes('+Control_L'));
    await page.evaluate(() => window.addEventListener('blur', () => ((window as unknown as { blurred: boolean }).blurred = true), { once: true }));
    const other = await context.newPage();
    await other.bringToFront();
    await expect.poll(() => page.evaluate(() => (window as unknown as { blurred?: boolean }).blurred ?? false), { message: 'a real window blur' }).toBe(true);
    await log.waitForEvents((e) => keyEvents(e).includes('-Control_L'), 15_000);
    await other.close();
    await page.bringToFront();
    await page.keyboard.up('ControlLeft');
    // 3. back in the screen a plain key types with no modifier held in the guest
    await focusScreen(page);
    await page.keyboard.press('KeyB');
    const evs = await log.waitForEvents((e) => keyEvents(e).includes('-b'));
    expect(keyEvents(evs)).toEqual(['+Shift_L', '+A', '-A', '-Shift_L', '+Control_L', '-Control_L', '+b', '-b']);
    const b = evs.find((e) => e.type === 'KeyPress' && e.keysym === 'b')!;
    expect(b.state & 0x5, 'no Shift or Control held in the guest').toBe(0);
  } finally {
    await proxy.close();
  }
});

test('a mouse button held when focus leaves the screen is released in the guest, once', async ({ page, xspice }) => {
  const log = await startEventLog(xspice, { x: 100, y: 100, width: 300, height: 200, events: ['button'] });
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url);
    const first = await waitForExactMatch(page, xspice, 20_000); // the picture is there: the canvas has its size
    expect(first.ok, first.detail).toBe(true);
    const box = (await page.locator('spice-client canvas.monitor').first().boundingBox())!;
    const size = await page.evaluate(() => {
      const c = document.querySelector('spice-client')!.shadowRoot!.querySelector('canvas.monitor') as HTMLCanvasElement;
      return { w: c.width, h: c.height };
    });
    await page.mouse.move(box.x + (200.5 * box.width) / size.w, box.y + (150.5 * box.height) / size.h);
    await page.mouse.down();
    await log.waitForEvents((e) => e.some((x) => x.type === 'ButtonPress'));
    await focusElsewhere(page);
    await log.waitForEvents((e) => e.some((x) => x.type === 'ButtonRelease'));
    await page.mouse.up(); // the real release comes later: not sent again
    await page.mouse.click(box.x + (210.5 * box.width) / size.w, box.y + (150.5 * box.height) / size.h); // a marker click
    const evs = await log.waitForEvents((e) => e.filter((x) => x.type === 'ButtonRelease').length >= 2);
    expect(evs.filter((x) => x.type.startsWith('Button')).map((x) => `${x.type} ${x.button} ${x.rootX},${x.rootY}`))
      .toEqual(['ButtonPress 1 200,150', 'ButtonRelease 1 200,150', 'ButtonPress 1 210,150', 'ButtonRelease 1 210,150']);
  } finally {
    await proxy.close();
  }
});

test("the guest's Caps Lock follows the page: the key toggles it, focus syncs it, letters come out in the right case", async ({ page, xspice }) => {
  const term = await startXterm(xspice, { x: 0, y: 0 });
  await term.focus();
  const proxy = await startClientProxy(xspice);
  try {
    expect(await guestCapsLock(xspice.env)).toBe(false);
    await connect(page, proxy.url);
    await focusScreen(page);
    await page.keyboard.press('KeyA');
    await term.waitForTyped('a');
    // the Caps Lock key goes to the guest like any key: its LED turns on and the client hears of it
    await page.keyboard.press('CapsLock');
    await expect.poll(() => guestCapsLock(xspice.env), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.evaluate(() => (document.querySelector('spice-client') as unknown as El).keyboardLocks?.capsLock), { timeout: 15_000 }).toBe(true);
    await page.keyboard.press('KeyB');
    await term.waitForTyped('aB');
    // focus comes back with Caps Lock off on the local keyboard (what the browser's events report):
    // the first key syncs the guest before it is typed
    await focusElsewhere(page);
    await focusScreen(page);
    await page.evaluate(() => {
      const s = document.querySelector('spice-client')!.shadowRoot!.querySelector('.screen')!;
      s.addEventListener('keydown', (e) => ((window as unknown as { localCaps: boolean }).localCaps = (e as KeyboardEvent).getModifierState('CapsLock')), { once: true, capture: true });
    });
    await page.keyboard.press('KeyC');
    await term.waitForTyped('aBc');
    expect(await page.evaluate(() => (window as unknown as { localCaps: boolean }).localCaps), 'the browser reported Caps Lock off').toBe(false);
    await expect.poll(() => guestCapsLock(xspice.env), { timeout: 15_000 }).toBe(false);
    // and with Caps Lock on locally (a key event that says so), the guest turns it on
    await focusElsewhere(page);
    await focusScreen(page);
    await page.evaluate(() => {
      const s = document.querySelector('spice-client')!.shadowRoot!.querySelector('.screen')!;
      for (const type of ['keydown', 'keyup']) s.dispatchEvent(new KeyboardEvent(type, { code: 'KeyD', key: 'D', modifierCapsLock: true, bubbles: true, composed: true }));
    });
    await term.waitForTyped('aBcD');
    await expect.poll(() => guestCapsLock(xspice.env), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.evaluate(() => (document.querySelector('spice-client') as unknown as El).keyboardLocks?.capsLock), { timeout: 15_000 }).toBe(true);
  } finally {
    await proxy.close();
  }
});

test('typeText() types punctuation, capitals, tab and newline exactly and reports the characters it has no key for', async ({ page, xspice }) => {
  const term = await startXterm(xspice, { x: 0, y: 0 });
  await term.focus();
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url);
    const text = 'Hello, World! 0123456789 ~!@#$%^&*()_+ {}|:"<>? `-=[]\\;\',./\tThe quick brown fox.\nnaïve café €5\n';
    const t0 = Date.now();
    const skipped = await page.evaluate((t) => (document.querySelector('spice-client') as unknown as El).typeText(t), text);
    const sentMs = Date.now() - t0;
    expect(skipped).toEqual(['ï', 'é', '€']);
    const want = text.replace(/[ïé€]/g, '');
    const typed = await term.waitForTyped((s) => s.length >= want.length, 20_000).catch(async (e: Error) => {
      const a = JSON.stringify(proxy.connections());
      await new Promise((r) => setTimeout(r, 1000));
      throw new Error(`${e.message}; proxy connections ${a}, 1 s later ${JSON.stringify(proxy.connections())}; client channels ${JSON.stringify(await clientChannels(page))}`);
    });
    expect(typed).toBe(want);
    console.log(`[typeText] ${want.length} characters: sent in ${sentMs} ms, all in the guest after ${Date.now() - t0} ms`);
    // with the guest's Caps Lock on, letters still come out as written
    await focusScreen(page);
    await page.keyboard.press('CapsLock');
    await expect.poll(() => page.evaluate(() => (document.querySelector('spice-client') as unknown as El).keyboardLocks?.capsLock), { timeout: 15_000 }).toBe(true);
    const more = 'Mixed Case, 42!\n';
    expect(await page.evaluate((t) => (document.querySelector('spice-client') as unknown as El).typeText(t), more)).toEqual([]);
    expect(await term.waitForTyped((s) => s.length >= want.length + more.length, 20_000)).toBe(want + more);
  } finally {
    await proxy.close();
  }
});

test('the type-text panel types its field into the guest and names the characters it could not type', async ({ page, xspice }) => {
  const term = await startXterm(xspice, { x: 0, y: 0 });
  await term.focus();
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url);
    // mounted as a panel would: <spice-type-text .target=${client}>
    await page.evaluate(() => {
      const p = document.createElement('spice-type-text') as HTMLElement & { target: unknown };
      p.target = document.querySelector('spice-client');
      p.addEventListener('typed', (e) => ((window as unknown as { typed: unknown }).typed = (e as CustomEvent).detail));
      document.body.prepend(p);
    });
    await page.locator('spice-type-text textarea').fill('Grüße, "SPICE" <3\n');
    await page.locator('spice-type-text button').click();
    await term.waitForTyped('Gre, "SPICE" <3\n', 20_000);
    await expect(page.locator('spice-type-text .result')).toContainText('ü ß');
    expect(await page.evaluate(() => (window as unknown as { typed: unknown }).typed)).toEqual({ skipped: ['ü', 'ß'] });
  } finally {
    await proxy.close();
  }
});
