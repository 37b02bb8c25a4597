// Issue 10, the UI: the connect dialog, errors in words, settings that persist (HiDPI pixels:
// ui-hidpi.spec.ts; axe-core scan and screenshots: ui-a11y.spec.ts).
import { test, expect, showPattern, startXspice } from './harness/index';
import { clientStatus, openClient, startClientProxy, waitForExactMatch } from './harness/client';
import { connectDialog, connected, pageErrors, settingsDialog, toolbarButton } from './harness/ui';

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
    await page.mouse.move(300, 300);
    await expect.poll(async () => (await bar.boundingBox())!.y + (await bar.boundingBox())!.height).toBeLessThanOrEqual(1);
    // from the keyboard: the handle (a button with a name) brings it back with the focus on its first control
    const handle = page.locator('spice-client spice-toolbar button.handle');
    await expect(handle).toHaveAccessibleName('Werkzeugleiste zeigen');
    await handle.focus();
    await expect.poll(async () => (await bar.boundingBox())!.y).toBe(0);
    await expect(toolbarButton(page, 'cad')).toBeFocused();
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
    // between two attempts the state is 'connecting' (no error): wait for a failed attempt's error
    await expect.poll(async () => (await clientStatus(page)).error?.details ?? 'none', { timeout: 20_000 }).toMatch(/^(serverUnreachable|connectFailed)$/);
    await page.locator('spice-client button', { hasText: 'Cancel' }).click();
    await expect(page.locator('spice-client .status')).toHaveText('reconnect cancelled');
  } finally {
    await proxy2.close();
  }
});

