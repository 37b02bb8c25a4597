// Issue 10, the UI: the connect dialog, errors in words, settings that persist, HiDPI pixels, an
// axe-core scan, and screenshots of the chrome at phone and desktop widths (test artefacts in
// test-results/, looked at by people, not compared). Pixel truth for HiDPI is the monitor's
// exact screenshot() against the page's own rendering at device resolution.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import type { Browser, Page, TestInfo } from '@playwright/test';
import { test, expect, showPattern, startXspice, decodePng } from './harness/index';
import { clientScreenshot, clientStatus, openClient, startClientProxy, waitForExactMatch } from './harness/client';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** errors thrown in the page (an uncaught error is a defect of the page) */
function pageErrors(page: Page): string[] {
  const errs: string[] = [];
  page.on('pageerror', (e) => errs.push(e.message));
  return errs;
}

const connectDialog = (page: Page) => page.locator('spice-client spice-connect dialog');
const settingsDialog = (page: Page) => page.locator('spice-client spice-settings dialog');
const toolbarButton = (page: Page, id: string) => page.locator(`spice-client spice-toolbar button[data-id="${id}"]`);

async function connected(page: Page): Promise<void> {
  await expect.poll(async () => (await clientStatus(page)).state, { timeout: 20_000 }).toBe('connected');
  await expect(page.locator('spice-client .status')).toHaveText('Connected', { timeout: 20_000 });
}

/** axe-core over the page (it walks open shadow roots): the serious and critical violations */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const v = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, targets: x.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3) }));
  });
  for (const x of v) console.log(`[axe] ${x.impact} ${x.id}: ${x.help} ${x.targets.join(' ')}`);
  return v.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => `${x.id} (${x.impact}): ${x.help} at ${x.targets.join(' ')}`);
}

async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  writeFileSync(file, await page.screenshot());
}

test('?autoconnect=0 shows a connect dialog that connects', async ({ page, xspice }) => {
  const errors = pageErrors(page);
  await showPattern(xspice);
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, `${proxy.url}?autoconnect=0`);
    await expect(connectDialog(page)).toBeVisible();
    expect((await clientStatus(page)).state).toBe('idle');
    const url = connectDialog(page).getByLabel('Proxy address');
    await expect(url).toHaveValue(`${proxy.wsUrl}`);
    await expect(url).toBeFocused();
    await connectDialog(page).getByRole('button', { name: 'Connect' }).click();
    await expect(connectDialog(page)).toBeHidden();
    const m = await waitForExactMatch(page, xspice);
    expect(m.ok, m.detail).toBe(true);
    await connected(page);
    expect(errors).toEqual([]);
  } finally {
    await proxy.close();
  }
});

test('a bad host parameter shows a clear error in the connect dialog, and the dialog still connects', async ({ page, xspice }) => {
  const errors = pageErrors(page);
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, `${proxy.url}?host=bad%20host`);
    await expect(connectDialog(page)).toBeVisible();
    await expect(connectDialog(page).getByRole('alert')).toHaveText('The page address has an invalid host parameter: "bad host". Enter the connection details below.');
    expect(errors).toEqual([]);
    // a URL that is not a WebSocket URL is refused in the dialog, in words
    await connectDialog(page).getByLabel('Proxy address').fill('ftp://example.org/ws');
    await connectDialog(page).getByRole('button', { name: 'Connect' }).click();
    await expect(connectDialog(page).getByRole('alert')).toContainText('is not a WebSocket URL');
    await connectDialog(page).getByLabel('Proxy address').fill(proxy.wsUrl);
    await connectDialog(page).getByRole('button', { name: 'Connect' }).click();
    await connected(page);
    expect(errors).toEqual([]);
  } finally {
    await proxy.close();
  }
});

test('settings persist across a reload, and the language follows them', async ({ page, xspice }) => {
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    await connected(page);
    await toolbarButton(page, 'settings').click();
    const d = settingsDialog(page);
    await expect(d).toBeVisible();
    // a modal: focus is inside, Esc closes it
    await expect.poll(() => d.evaluate((el) => el.contains((el.getRootNode() as ShadowRoot).activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await expect(d).toBeHidden();
    await toolbarButton(page, 'settings').click();
    await d.getByLabel('Scaling').selectOption('none');
    await d.getByLabel('Hide the toolbar').check();
    await d.getByLabel('Preferred image compression').selectOption('lz4');
    await d.getByLabel('Key combinations').fill('Ctrl+Alt+F2\nCtrl+Alt+Banana');
    await d.getByRole('button', { name: 'Save' }).click();
    await expect(d.getByRole('alert')).toHaveText('Unknown key in: Ctrl+Alt+Banana');
    await d.getByLabel('Key combinations').fill('Ctrl+Alt+F2\nCtrl+Alt+Backspace');
    await d.getByLabel('Language').selectOption('de');
    await d.getByRole('button', { name: 'Save' }).click();
    await expect(d).toBeHidden();
    await expect(toolbarButton(page, 'settings')).toHaveAccessibleName('Einstellungen');
    expect(await page.evaluate(() => (document.querySelector('spice-client') as unknown as { scaleViewport: boolean }).scaleViewport)).toBe(false);

    await page.reload();
    await page.waitForFunction(() => (document.querySelector('spice-client') as unknown as { status: { state: string } }).status.state === 'connected', undefined, { timeout: 20_000 });
    const prefs = await page.evaluate(() => (document.querySelector('spice-client') as unknown as { prefs: unknown }).prefs);
    expect(prefs).toEqual({ scale: 'none', devicePixels: false, compression: 'lz4', sound: true, autoHide: true, language: 'de', keys: ['Ctrl+Alt+F2', 'Ctrl+Alt+Backspace'] });
    await expect(page.locator('spice-client .status')).toHaveText('Verbunden', { timeout: 20_000 });
    // auto-hide: the toolbar is off screen until the pointer reaches the top edge
    const bar = page.locator('spice-client spice-toolbar');
    await expect(bar).toHaveAttribute('autohide', '');
    await page.mouse.move(300, 300);
    await expect.poll(async () => (await bar.boundingBox())!.y + (await bar.boundingBox())!.height).toBeLessThanOrEqual(1);
    await page.mouse.move(300, 2);
    await expect.poll(async () => (await bar.boundingBox())!.y).toBe(0);
    // the Keys menu has the saved combinations and works from the keyboard
    await toolbarButton(page, 'keys').focus();
    await page.keyboard.press('Enter');
    const items = page.locator('spice-client spice-toolbar [role="menu"] [role="menuitem"]');
    await expect(items).toHaveText(['Ctrl+Alt+F2', 'Ctrl+Alt+Backspace']);
    await expect(items.first()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(items.nth(1)).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(items).toHaveCount(0);
    await expect(toolbarButton(page, 'keys')).toBeFocused();
    // the settings dialog shows the saved choices
    await toolbarButton(page, 'settings').click();
    await expect(settingsDialog(page).getByLabel('Werkzeugleiste ausblenden')).toBeChecked();
    await expect(settingsDialog(page).getByLabel('Skalierung')).toHaveValue('none');
  } finally {
    await proxy.close();
  }
});

test('a wrong password and an unreachable server are said in words; the technical text is one click away', async ({ page }) => {
  const xs = await startXspice({ password: 'right-one' });
  const proxy = await startClientProxy(xs);
  try {
    await openClient(page, `${proxy.url}?password=wrong`);
    await expect(page.locator('spice-client .status')).toHaveText('Error: Wrong password: the server refused it.');
    const details = page.locator('spice-client button.details');
    await expect(details).toHaveAttribute('aria-expanded', 'false');
    await details.click();
    await expect(page.locator('spice-client .tech')).toContainText('authError/permissionDenied');
  } finally {
    await proxy.close();
    await xs.stop();
  }
  // a proxy whose server is gone: the proxy cannot reach it
  const gone = await startXspice({});
  const port = gone.port;
  await gone.stop();
  const proxy2 = await startClientProxy({ port });
  try {
    await openClient(page, proxy2.url);
    await expect(page.locator('spice-client .status')).toHaveText(/^the server cannot be reached; reconnecting in \d+ s$/, { timeout: 20_000 });
    expect((await clientStatus(page)).error?.details).toMatch(/^(serverUnreachable|connectFailed)$/);
    await page.locator('spice-client button', { hasText: 'Cancel' }).click();
    await expect(page.locator('spice-client .status')).toHaveText('reconnect cancelled');
  } finally {
    await proxy2.close();
  }
});

/** page screenshot of the first monitor's canvas at device resolution, decoded */
async function canvasAtDevicePixels(page: Page): Promise<{ width: number; height: number; rgba: Buffer; box: { x: number; y: number; width: number; height: number } }> {
  const box = (await page.locator('spice-client canvas.monitor').first().boundingBox())!;
  const img = decodePng(await page.screenshot({ clip: box, scale: 'device' }));
  return { ...img, box };
}

async function hidpiPage(browser: Browser, viewport: { width: number; height: number }, settings: object): Promise<Page> {
  const ctx = await browser.newContext({ deviceScaleFactor: 2, viewport });
  await ctx.addInitScript((s) => localStorage.setItem('spice-web.settings', s), JSON.stringify(settings));
  return ctx.newPage();
}

test.describe('HiDPI (deviceScaleFactor 2)', () => {
  test.use({ xspiceOptions: { geometry: '640x480', imageCompression: 'off' } });

  test('device pixels: one guest pixel is one device pixel', async ({ browser, xspice }) => {
    await showPattern(xspice);
    const proxy = await startClientProxy(xspice);
    const page = await hidpiPage(browser, { width: 1000, height: 700 }, { devicePixels: true });
    try {
      await openClient(page, proxy.url);
      expect((await waitForExactMatch(page, xspice)).ok).toBe(true);
      const truth = await clientScreenshot(page);
      const shot = await canvasAtDevicePixels(page);
      console.log(`[hidpi] canvas CSS box ${JSON.stringify(shot.box)}, device image ${shot.width}x${shot.height}`);
      expect(shot.box.width).toBe(320);
      expect(shot.box.height).toBe(240);
      expect([shot.width, shot.height]).toEqual([truth.width, truth.height]);
      let bad = 0;
      for (let i = 0; i < truth.rgba.length; i += 4) if (truth.rgba.readUIntBE(i, 3) !== shot.rgba.readUIntBE(i, 3)) bad++;
      expect(bad, `${bad} of ${truth.width * truth.height} device pixels differ from the guest's`).toBe(0);
    } finally {
      await page.context().close();
      await proxy.close();
    }
  });

  test('without device pixels a 2x scale renders without smoothing', async ({ browser, xspice }) => {
    await showPattern(xspice);
    const proxy = await startClientProxy(xspice);
    const page = await hidpiPage(browser, { width: 900, height: 700 }, { scale: 'none' });
    try {
      await openClient(page, proxy.url);
      expect((await waitForExactMatch(page, xspice)).ok).toBe(true);
      const truth = await clientScreenshot(page);
      const shot = await canvasAtDevicePixels(page);
      expect(shot.box.width).toBe(640);
      expect(await page.locator('spice-client canvas.monitor').first().evaluate((c) => (c as HTMLElement).style.imageRendering)).toBe('pixelated');
      expect([shot.width, shot.height]).toEqual([truth.width * 2, truth.height * 2]);
      let bad = 0;
      for (let y = 0; y < shot.height; y++) {
        for (let x = 0; x < shot.width; x++) {
          const t = truth.rgba.readUIntBE(((y >> 1) * truth.width + (x >> 1)) * 4, 3);
          if (shot.rgba.readUIntBE((y * shot.width + x) * 4, 3) !== t) bad++;
        }
      }
      expect(bad, `${bad} of ${shot.width * shot.height} device pixels are not their guest pixel (smoothed?)`).toBe(0);
      // fit (a scale that is not a whole number of device pixels) is smoothed and fills the window both ways
      await page.evaluate(() => ((document.querySelector('spice-client') as unknown as { scaleViewport: boolean }).scaleViewport = true));
      await expect.poll(() => page.locator('spice-client canvas.monitor').first().evaluate((c) => (c as HTMLElement).style.imageRendering)).toBe('auto');
      const box = (await page.locator('spice-client canvas.monitor').first().boundingBox())!;
      const stage = (await page.locator('spice-client .screen').boundingBox())!;
      console.log(`[hidpi] fit: canvas ${box.width.toFixed(1)}x${box.height.toFixed(1)} in ${stage.width}x${stage.height}`);
      expect(box.width).toBeGreaterThan(640); // it enlarges
      expect(Math.abs(box.width - stage.width) < 1 || Math.abs(box.height - stage.height) < 1).toBe(true);
    } finally {
      await page.context().close();
      await proxy.close();
    }
  });
});

for (const width of [390, 1920]) {
  test(`axe scan and screenshots at ${width} px: toolbar, menus, settings, connect dialog, an error`, async ({ browser, xspice }, testInfo) => {
    await showPattern(xspice);
    const proxy = await startClientProxy(xspice);
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 1080 } });
    const page = await ctx.newPage();
    const problems: string[] = [];
    try {
      await openClient(page, proxy.url);
      await connected(page);
      expect((await waitForExactMatch(page, xspice)).ok).toBe(true);
      // every control of the toolbar is inside the viewport (wrapping, not overflowing)
      for (const b of await page.locator('spice-client spice-toolbar button:visible').all()) {
        const r = (await b.boundingBox())!;
        expect(r.x >= 0 && r.x + r.width <= width, `${await b.getAttribute('data-id')} at ${r.x}+${r.width}`).toBe(true);
        expect(r.height).toBeGreaterThanOrEqual(24);
      }
      await shoot(page, testInfo, `toolbar-${width}`);
      problems.push(...(await axeViolations(page)).map((p) => `toolbar: ${p}`));

      await toolbarButton(page, 'scale').click();
      await expect(page.locator('spice-client [role="menu"]')).toBeVisible();
      await shoot(page, testInfo, `scale-menu-${width}`);
      problems.push(...(await axeViolations(page)).map((p) => `scale menu: ${p}`));
      await page.keyboard.press('Escape');

      await toolbarButton(page, 'settings').click();
      await expect(settingsDialog(page)).toBeVisible();
      await shoot(page, testInfo, `settings-${width}`);
      problems.push(...(await axeViolations(page)).map((p) => `settings: ${p}`));
      await page.keyboard.press('Escape');
      await expect(settingsDialog(page)).toBeHidden();

      await page.goto(`${proxy.url}?autoconnect=0`);
      await expect(connectDialog(page)).toBeVisible();
      await shoot(page, testInfo, `connect-${width}`);
      problems.push(...(await axeViolations(page)).map((p) => `connect: ${p}`));

      await page.goto(`${proxy.url}?host=bad%20host`);
      await expect(connectDialog(page).getByRole('alert')).toBeVisible();
      await shoot(page, testInfo, `connect-error-${width}`);

      const xs2 = await startXspice({ password: 'right-one' });
      const proxy2 = await startClientProxy(xs2);
      try {
        await page.goto(`${proxy2.url}?password=wrong`);
        await expect(page.locator('spice-client .status')).toHaveText(/Wrong password/);
        await page.locator('spice-client button.details').click();
        await shoot(page, testInfo, `error-${width}`);
        problems.push(...(await axeViolations(page)).map((p) => `error: ${p}`));
      } finally {
        await proxy2.close();
        await xs2.stop();
      }
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
      await proxy.close();
    }
  });
}
