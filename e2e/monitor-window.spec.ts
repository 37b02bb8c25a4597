// A monitor in its own window (issue 9), against Xspice with two heads side by side. Chromium
// here has two fake screens (headless Chromium's --screen-info switch: 1280x720 at 0,0 and
// 1280x800 at 1280,0). (a) Without the Window Management permission (the default: not granted) monitor
// 2 opens in a plain popup: the popup's canvas shows exactly head 2's part of the X framebuffer,
// a click in the popup lands at the right guest point on head 2 and a key typed there reaches
// the guest, closing the popup puts the
// monitor back into the page. (b) With the permission granted (Playwright's grantPermissions does
// not know 'window-management'; CDP Browser.grantPermissions 'windowManagement' does), getScreenDetails is used and
// the popup is asked for the second screen's available area (opened by a click on
// <spice-monitor-menu>'s button).
import { execFileSync } from 'node:child_process';
import type { BrowserContext, Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { test, expect, showPattern, startClickTarget, startXterm, comparePixels, describeComparison, grabFramebuffer } from './harness/index';
import { openClient, startClientProxy, typeAsUser } from './harness/client';

test.use({
  xspiceOptions: { imageCompression: 'lz', numHeads: 2 },
  viewport: { width: 1200, height: 860 },
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--screen-info={0,0 1280x720}{1280,0 1280x800}'],
  },
});

type Img = { width: number; height: number; rgba: Buffer };
function crop(img: Img, x0: number, y0: number, w: number, h: number): Img {
  const out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) img.rgba.copy(out, y * w * 4, ((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4);
  return { width: w, height: h, rgba: out };
}

/**
 * Playwright's grantPermissions does not know 'window-management'; CDP's name for it is
 * windowManagement. The grant lasts as long as the CDP session: detach it at the end.
 */
async function grantWindowManagement(context: BrowserContext, page: Page): Promise<{ detach(): Promise<void> }> {
  const s = await context.newCDPSession(page);
  const { targetInfo } = await s.send('Target.getTargetInfo');
  await s.detach();
  const b = await context.browser()!.newBrowserCDPSession();
  await b.send('Browser.grantPermissions', { permissions: ['windowManagement'], browserContextId: targetInfo.browserContextId });
  return b;
}

const permissionState = (page: Page) => page.evaluate(() => navigator.permissions.query({ name: 'window-management' as PermissionName }).then((p) => p.state));

async function twoHeads(page: Page, xspice: { env: NodeJS.ProcessEnv }): Promise<void> {
  await expect.poll(() => page.evaluate(() => (document.querySelector('spice-client') as unknown as { monitors: unknown[] }).monitors), { timeout: 15_000 }).toEqual([
    { channelId: 0, head: 0, x: 0, y: 0, width: 1024, height: 768 },
    { channelId: 0, head: 1, x: 1024, y: 0, width: 1024, height: 768 },
  ]);
  void xspice;
}

type Info = { channelId: number; head: number; mode: string; placement: { left: number; top: number; width: number; height: number } | null };
const openWindow = (page: Page, index: number) => page.evaluate(async (i) => {
  const r = await (document.querySelector('spice-client') as unknown as { openMonitorWindow(i: number): Promise<Info & { window: Window }> }).openMonitorWindow(i);
  return { channelId: r.channelId, head: r.head, mode: r.mode, placement: r.placement };
}, index);

test('(a) no Window Management permission: monitor 2 in a plain popup, exact pixels, clicks land on head 2, closing docks it back', async ({ page, context, xspice }) => {
  execFileSync('xrandr', ['--addmode', 'qxl-1', '1024x768'], { env: xspice.env });
  execFileSync('xrandr', ['--output', 'qxl-1', '--mode', '1024x768', '--right-of', 'qxl-0'], { env: xspice.env });
  await showPattern(xspice);
  const target = await startClickTarget(xspice, { x: 1024 + 200, y: 100, width: 400, height: 300 });
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    expect(await permissionState(page)).not.toBe('granted'); // not granted: no prompt, a plain popup
    await twoHeads(page, xspice);
    const [popup, info] = await Promise.all([context.waitForEvent('page'), openWindow(page, 1)]);
    expect(info).toEqual({ channelId: 0, head: 1, mode: 'popup', placement: null });
    // the main page keeps monitor 1 only; the popup has monitor 2's canvas
    await expect(page.locator('spice-client canvas.monitor')).toHaveCount(1);
    const canvas = popup.locator('canvas.monitor');
    await expect(canvas).toHaveCount(1);
    expect(await canvas.evaluate((c) => `${(c as HTMLCanvasElement).dataset.channel}:${(c as HTMLCanvasElement).dataset.head}`)).toBe('0:1');

    // what the popup shows is head 2's rectangle of the X framebuffer, pixel for pixel
    let detail = '';
    await expect.poll(async () => {
      const box = await canvas.boundingBox();
      if (!box || box.width !== 1024 || box.height !== 768) return (detail = `canvas box ${JSON.stringify(box)}`);
      const shot = PNG.sync.read(await canvas.screenshot());
      const truth = await grabFramebuffer(xspice);
      const r = comparePixels({ width: shot.width, height: shot.height, rgba: shot.data }, crop(truth, 1024, 0, 1024, 768));
      detail = describeComparison(r);
      return r.sameSize && r.mismatches === 0 ? 'exact' : detail;
    }, { timeout: 20_000, message: detail }).toBe('exact');

    // the CSS cursor is applied to the popup's canvas as to the main page's
    const cursors = { main: await page.locator('spice-client canvas.monitor').evaluate((c) => (c as HTMLCanvasElement).style.cursor), popup: await canvas.evaluate((c) => (c as HTMLCanvasElement).style.cursor) };
    expect(cursors.popup).toBe(cursors.main);

    // a click in the popup at guest point (1024 + 300, 250)
    const box = (await canvas.boundingBox())!;
    const gx = 300, gy = 250;
    await popup.mouse.move(box.x + ((gx + 0.5) * box.width) / 1024, box.y + ((gy + 0.5) * box.height) / 768);
    await popup.mouse.down();
    await popup.mouse.up();
    const evs = await target.waitForEvents((e) => e.some((x) => x.type === 'ButtonPress'));
    const press = evs.find((x) => x.type === 'ButtonPress')!;
    expect({ x: press.rootX, y: press.rootY }).toEqual({ x: 1024 + gx, y: gy });
    // keys typed in the popup reach the guest (an xterm on head 2 with the X focus writes them down)
    const term = await startXterm(xspice, { x: 1024 + 40, y: 420, cols: 40, rows: 5 });
    await term.focus();
    await typeAsUser(popup, 'spice 2!'); // Shift held for '!' as a user would
    expect(await term.waitForTyped((t) => t.length >= 8, 15_000)).toBe('spice 2!');

    // closing the popup puts monitor 2 back into the page, still exact
    await popup.close();
    await expect(page.locator('spice-client canvas.monitor')).toHaveCount(2);
    expect(await page.locator('spice-client canvas.monitor').evaluateAll((cs) => cs.map((c) => `${(c as HTMLCanvasElement).dataset.channel}:${(c as HTMLCanvasElement).dataset.head}`))).toEqual(['0:0', '0:1']);
    await expect.poll(async () => {
      const shot = PNG.sync.read(Buffer.from(await page.evaluate(async () => {
        const b = await (document.querySelector('spice-client') as unknown as { screenshot(i: number): Promise<Blob> }).screenshot(1);
        return [...new Uint8Array(await b.arrayBuffer())];
      })));
      const r = comparePixels({ width: shot.width, height: shot.height, rgba: shot.data }, crop(await grabFramebuffer(xspice), 1024, 0, 1024, 768));
      return r.sameSize && r.mismatches === 0;
    }, { timeout: 15_000 }).toBe(true);
  } finally {
    await proxy.close();
  }
});

test('(b) Window Management permission granted with two screens: the window is asked for the second screen', async ({ page, context, xspice }) => {
  execFileSync('xrandr', ['--addmode', 'qxl-1', '1024x768'], { env: xspice.env });
  execFileSync('xrandr', ['--output', 'qxl-1', '--mode', '1024x768', '--right-of', 'qxl-0'], { env: xspice.env });
  let grant: { detach(): Promise<void> } | null = null;
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    grant = await grantWindowManagement(context, page); // every origin of this context
    expect(await permissionState(page)).toBe('granted');
    const screens = await page.evaluate(async () => {
      const d = await (window as unknown as { getScreenDetails(): Promise<{ screens: Array<{ availLeft: number; availTop: number; availWidth: number; availHeight: number }> }> }).getScreenDetails();
      return d.screens.map((s) => ({ left: s.availLeft, top: s.availTop, width: s.availWidth, height: s.availHeight }));
    });
    expect(screens.length).toBe(2);
    await twoHeads(page, xspice);
    // the user clicks "Monitor 2" in a <spice-monitor-menu> mounted next to the element (its click
    // is the user activation for the popup); the result is recorded for the test
    await page.evaluate(() => {
      const el = document.querySelector('spice-client') as unknown as { openMonitorWindow(i: number): Promise<unknown> };
      const open = el.openMonitorWindow.bind(el);
      el.openMonitorWindow = (i: number) => open(i).then((r) => ((window as unknown as { opened: unknown }).opened = r));
      const menu = document.createElement('spice-monitor-menu') as HTMLElement & { client: unknown };
      menu.client = el;
      document.body.prepend(menu);
    });
    const button = page.locator('spice-monitor-menu button[data-monitor="1"]');
    await expect(page.locator('spice-monitor-menu button')).toHaveText(['Monitor 1 ↗', 'Monitor 2 ↗']);
    const [popup] = await Promise.all([context.waitForEvent('page'), button.click()]);
    const info = await page.waitForFunction(() => {
      const r = (window as unknown as { opened?: { channelId: number; head: number; mode: string; placement: unknown } }).opened;
      return r && { channelId: r.channelId, head: r.head, mode: r.mode, placement: r.placement };
    }).then((h) => h.jsonValue() as Promise<Info>);
    expect({ channelId: info.channelId, head: info.head }).toEqual({ channelId: 0, head: 1 });
    expect(info.mode).toBe('other-screen');
    expect(info.placement).toEqual(screens[1]);
    expect(info.placement!.left).toBe(1280);
    const where = await popup.evaluate(() => ({ x: window.screenX, y: window.screenY, w: window.outerWidth, h: window.outerHeight }));
    console.log(`[monitor window] asked for ${JSON.stringify(info.placement)}; the popup reports screenX/Y ${where.x},${where.y} size ${where.w}x${where.h}`);
    // headless Chromium places the window where it was asked: on the second screen
    expect({ x: where.x, y: where.y }).toEqual({ x: info.placement!.left, y: info.placement!.top });
    await expect(popup.locator('canvas.monitor')).toHaveCount(1);
    await expect(popup.locator('button')).toHaveText('Full screen');
    // the session ending closes the window
    await page.evaluate(() => (document.querySelector('spice-client') as unknown as { disconnect(): void }).disconnect());
    await expect.poll(() => popup.isClosed(), { timeout: 10_000 }).toBe(true);
  } finally {
    await grant?.detach();
    await proxy.close();
  }
});
