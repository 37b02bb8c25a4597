// Issue 10 (touch): on a touch device a tap clicks, a long press right-clicks, two fingers scroll
// the guest and a pinch zooms the view (not the guest); the on-screen keyboard button types into
// the guest. Touches are real touch input to Chromium (Playwright's touchscreen and CDP
// Input.dispatchTouchEvent); what arrived is read in the guest with xev.
import type { CDPSession, Page } from '@playwright/test';
import { test, expect, startEventLog, startXterm, type XEvent } from './harness/index';
import { clientStatus, openClient, startClientProxy, waitForExactMatch, waitForInputs } from './harness/client';

test.use({ hasTouch: true, isMobile: true, viewport: { width: 800, height: 700 }, xspiceOptions: { geometry: '800x600' } });

type El = HTMLElement & { viewZoom: { scale: number; x: number; y: number }; typeText(t: string): Promise<string[]> };

async function connect(page: Page, url: string, xspice: { display: string }): Promise<void> {
  await openClient(page, url);
  await expect.poll(async () => (await clientStatus(page)).state, { timeout: 20_000 }).toBe('connected');
  await waitForInputs(page, 20_000);
  const m = await waitForExactMatch(page, xspice, 20_000); // the picture is there: canvas sized
  expect(m.ok, m.detail).toBe(true);
}

/** page coordinates of guest pixel (gx, gy) on monitor 0, as laid out now (zoom included) */
async function pagePoint(page: Page, gx: number, gy: number): Promise<{ x: number; y: number }> {
  return page.evaluate(([x, y]) => {
    const c = document.querySelector('spice-client')!.shadowRoot!.querySelector('canvas.monitor') as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    return { x: r.left + ((x! + 0.5) * r.width) / c.width, y: r.top + ((y! + 0.5) * r.height) / c.height };
  }, [gx, gy]);
}

type Touch = { x: number; y: number; id: number };
const touch = (cdp: CDPSession, type: 'touchStart' | 'touchMove' | 'touchEnd', points: Touch[]) =>
  cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ x: p.x, y: p.y, id: p.id })) });

const buttons = (evs: XEvent[], type = 'ButtonPress') => evs.filter((e) => e.type === type);

test('tap clicks, long press right-clicks and two fingers scroll, each at the right guest point', async ({ page, context, xspice }) => {
  const log = await startEventLog(xspice, { x: 100, y: 100, width: 400, height: 300, events: ['button'] });
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url, xspice);
    const cdp = await context.newCDPSession(page);
    // tap at guest (250, 200)
    const a = await pagePoint(page, 250, 200);
    await page.touchscreen.tap(a.x, a.y);
    let evs = await log.waitForEvents((e) => buttons(e, 'ButtonRelease').length >= 1);
    expect(buttons(evs).map((e) => [e.button, e.rootX, e.rootY])).toEqual([[1, 250, 200]]);
    // long press at guest (300, 220): the right button goes down while the finger is still held
    const b = await pagePoint(page, 300, 220);
    await touch(cdp, 'touchStart', [{ ...b, id: 1 }]);
    evs = await log.waitForEvents((e) => buttons(e).length >= 2);
    expect(buttons(evs, 'ButtonRelease').length, 'not released before the finger lifts').toBe(1);
    await touch(cdp, 'touchEnd', []);
    evs = await log.waitForEvents((e) => buttons(e, 'ButtonRelease').length >= 2);
    expect(buttons(evs).map((e) => [e.button, e.rootX, e.rootY])).toEqual([[1, 250, 200], [3, 300, 220]]);
    // two fingers around guest (350, 250) move up together: wheel down (button 5) there
    const c1 = await pagePoint(page, 320, 300), c2 = await pagePoint(page, 380, 300);
    await touch(cdp, 'touchStart', [{ ...c1, id: 1 }, { ...c2, id: 2 }]);
    for (let dy = 10; dy <= 150; dy += 10) await touch(cdp, 'touchMove', [{ x: c1.x, y: c1.y - dy, id: 1 }, { x: c2.x, y: c2.y - dy, id: 2 }]);
    await touch(cdp, 'touchEnd', []);
    evs = await log.waitForEvents((e) => buttons(e).some((x) => x.button === 5));
    const wheel = buttons(evs).slice(2);
    console.log(`[touch] two-finger scroll of 150 px gave ${wheel.length} wheel notches`);
    expect(wheel.length).toBeGreaterThanOrEqual(1);
    expect(wheel.every((e) => e.button === 5 && e.rootX === 350 && e.rootY === 300), JSON.stringify(wheel)).toBe(true);
    // and two fingers moving down scroll up (button 4)
    await touch(cdp, 'touchStart', [{ ...c1, id: 1 }, { ...c2, id: 2 }]);
    for (let dy = 10; dy <= 150; dy += 10) await touch(cdp, 'touchMove', [{ x: c1.x, y: c1.y + dy, id: 1 }, { x: c2.x, y: c2.y + dy, id: 2 }]);
    await touch(cdp, 'touchEnd', []);
    evs = await log.waitForEvents((e) => buttons(e).some((x) => x.button === 4));
    expect(buttons(evs).filter((e) => e.button === 4).length).toBeGreaterThanOrEqual(1);
    expect(buttons(evs).filter((e) => e.button === 1 || e.button === 3).length, 'no stray clicks').toBe(2);
  } finally {
    await proxy.close();
  }
});

test('a pinch zooms the view, not the guest, and a tap on the zoomed view still lands on the right guest pixel', async ({ page, context, xspice }) => {
  const log = await startEventLog(xspice, { x: 100, y: 100, width: 400, height: 300, events: ['button'] });
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url, xspice);
    const cdp = await context.newCDPSession(page);
    const c = await pagePoint(page, 300, 250);
    await touch(cdp, 'touchStart', [{ x: c.x - 40, y: c.y, id: 1 }, { x: c.x + 40, y: c.y, id: 2 }]);
    for (let d = 50; d <= 120; d += 10) await touch(cdp, 'touchMove', [{ x: c.x - d, y: c.y, id: 1 }, { x: c.x + d, y: c.y, id: 2 }]);
    await touch(cdp, 'touchEnd', []);
    const zoom = await page.evaluate(() => (document.querySelector('spice-client') as unknown as El).viewZoom);
    console.log(`[touch] pinch 80 → 240 px: view scale ${zoom.scale.toFixed(2)}`);
    expect(zoom.scale).toBeGreaterThan(2);
    // the guest's screen is unchanged and got no click
    expect(await page.evaluate(() => (document.querySelector('spice-client') as unknown as { monitors: Array<{ width: number }> }).monitors[0]!.width)).toBe(800);
    // a tap at guest (260, 230) on the zoomed view
    const t = await pagePoint(page, 260, 230);
    await page.touchscreen.tap(t.x, t.y);
    const evs = await log.waitForEvents((e) => buttons(e).length >= 1);
    expect(buttons(evs).map((e) => [e.button, e.rootX, e.rootY])).toEqual([[1, 260, 230]]);
  } finally {
    await proxy.close();
  }
});

test('the on-screen keyboard button focuses a field whose text is typed into the guest', async ({ page, xspice }) => {
  const term = await startXterm(xspice, { x: 0, y: 0 });
  await term.focus();
  const proxy = await startClientProxy(xspice);
  try {
    await connect(page, proxy.url, xspice);
    // <spice-client> shows its own on-screen keyboard button on a touch screen (pointer: coarse)
    await page.locator('spice-client spice-touch-keyboard button').tap();
    await expect
      .poll(() => page.evaluate(() => {
        let a: Element | null | undefined = document.activeElement;
        while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
        return a?.localName ?? null;
      }))
      .toBe('textarea');
    await page.keyboard.insertText('Hi there, 1+1=2');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('ç?');
    await term.waitForTyped('Hi there, 1+1=2\n?', 20_000);
    await expect(page.locator('spice-touch-keyboard .note')).toContainText('ç');
  } finally {
    await proxy.close();
  }
});
