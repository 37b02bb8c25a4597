// remote-viewer connection files (issue 10): a .vv picked in the page connects through the proxy
// to the server it names (password, title, fullscreen, hotkeys applied; ignored keys listed), and
// a .vv naming a server that is not on the proxy's list is refused by the proxy (close 4403),
// with the reason in the status line. Truth: the Xspice framebuffer and xev in the guest.
import { test, expect, showPattern, startEventLog, findFreePort } from './harness/index';
import { clientStatus, startClientProxy, statusText, waitForExactMatch, waitForInputs } from './harness/client';

test.use({ xspiceOptions: { imageCompression: 'lz', geometry: '800x600', password: 'vv-secret' } });

const vvFile = (port: number, extra = '') => `[virt-viewer]
type=spice
host=127.0.0.1
port=${port}
password=vv-secret
title=Accounting VM
fullscreen=1
delete-this-file=1
toggle-fullscreen=shift+f11
release-cursor=shift+f12
secure-attention=ctrl+alt+end
frobnicate=1
enable-usbredir=1
${extra}`;

test('a .vv file connects through the proxy with its password, title, fullscreen and hotkeys', async ({ page, xspice }) => {
  await showPattern(xspice);
  const keys = await startEventLog(xspice, { x: 520, y: 380, width: 240, height: 160, events: ['keyboard'] });
  await keys.focus();
  const proxy = await startClientProxy(xspice);
  try {
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(`${proxy.url}?autoconnect=0`);
    const picker = page.locator('spice-vv-open');
    await expect(picker.getByRole('button', { name: /Open \.vv file/ })).toBeVisible({ timeout: 20_000 });
    await picker.locator('input[type=file]').setInputFiles({ name: 'accounting.vv', mimeType: 'application/x-virt-viewer', buffer: Buffer.from(vvFile(xspice.port)) });

    // the password from the file worked: the picture is the server's, exactly
    const match = await waitForExactMatch(page, xspice, 30_000);
    expect(match.ok, match.detail).toBe(true);
    expect(await page.title()).toBe('Accounting VM');
    expect(await picker.locator('.note').textContent()).toMatch(/frobnicate.*enable-usbredir.*delete-this-file/);
    await expect(picker).toBeHidden();

    // fullscreen=1: at once when the open came with a user gesture (the file picker does),
    // else on the first click
    const atOnce = await page.evaluate(() => document.fullscreenElement !== null);
    if (!atOnce) await page.locator('spice-client .status').click();
    console.log(`[vv] fullscreen ${atOnce ? 'at once' : 'on the first click'}`);
    await page.waitForFunction(() => document.fullscreenElement?.tagName === 'SPICE-CLIENT', undefined, { timeout: 10_000 });

    // secure-attention=ctrl+alt+end → Ctrl+Alt+Del in the guest; End itself never arrives
    await waitForInputs(page);
    await page.keyboard.press('Control+Alt+End');
    const evs = await keys.waitForEvents((e: Array<{ type: string; keysym?: string }>) => e.some((x) => x.type === 'KeyPress' && x.keysym === 'Delete'), 15_000);
    const del = evs.find((x: { type: string; keysym?: string }) => x.type === 'KeyPress' && x.keysym === 'Delete')!;
    expect(del.state & 0x0c, `modifier state 0x${del.state.toString(16)}`).toBe(0x0c); // Control (0x4) and Mod1/Alt (0x8) held
    expect(evs.filter((x: { type: string; keysym?: string }) => x.keysym === 'End')).toEqual([]);

    // toggle-fullscreen=shift+f11 leaves fullscreen
    await page.keyboard.press('Shift+F11');
    await page.waitForFunction(() => document.fullscreenElement === null, undefined, { timeout: 10_000 });
  } finally {
    await proxy.close();
  }
});

test('a .vv naming a server that is not on the proxy list is refused by the proxy, with the reason shown', async ({ page, xspice }) => {
  const proxy = await startClientProxy(xspice);
  const elsewhere = await findFreePort();
  try {
    await page.goto(`${proxy.url}?autoconnect=0`);
    await page.waitForFunction(() => !!customElements.get('spice-vv-open') && !!document.querySelector('spice-vv-open'), undefined, { timeout: 20_000 });
    // dropped on the screen, as a user would
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'other.vv', { type: 'application/x-virt-viewer' }));
      const target = document.querySelector('spice-client')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, composed: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, composed: true, cancelable: true }));
    }, vvFile(elsewhere));
    await expect.poll(async () => (await clientStatus(page)).error?.details, { timeout: 20_000 }).toBe('proxyRefused');
    const st = await clientStatus(page);
    expect(st.state).toBe('disconnected');
    expect(st.error?.message).toContain(`the server 127.0.0.1:${elsewhere} is not on this proxy's list`);
    expect(await statusText(page)).toContain("is not on this proxy's list");
    console.log(`[vv] refused: ${await statusText(page)}`);
  } finally {
    await proxy.close();
  }
});

test('a .vv posted by a portal connects in its iframe; fullscreen waits for the first click', async ({ page, xspice }) => {
  await showPattern(xspice);
  const { startPortal } = await import('../scripts/portal.mjs');
  const portal = await startPortal({ port: 0 });
  const proxy = await startClientProxy(xspice, { frameAncestors: [portal.origin] });
  try {
    type Ev = { what: string; detail: Record<string, unknown> };
    const events = (): Promise<Ev[]> => page.evaluate(() => (window as unknown as { portal: { events: Ev[] } }).portal.events);
    await page.goto(`${portal.url}?client=${encodeURIComponent(proxy.url)}`);
    await page.locator('#vv').setInputFiles({ name: 'accounting.vv', mimeType: 'application/x-virt-viewer', buffer: Buffer.from(vvFile(xspice.port)) });
    await expect.poll(async () => (await events()).map((e) => e.what), { timeout: 30_000 }).toEqual(expect.arrayContaining(['spice-web:title', 'spice-web:connected']));
    expect((await events()).find((e) => e.what === 'spice-web:title')?.detail['title']).toBe('Accounting VM');
    const frame = page.frames().find((f) => f.url().startsWith(proxy.url))!;
    // no user gesture came with a posted file: not full-screen until the first click in the frame
    expect(await frame.evaluate(() => document.fullscreenElement === null)).toBe(true);
    await frame.locator('spice-client .status').click();
    await frame.waitForFunction(() => document.fullscreenElement?.tagName === 'SPICE-CLIENT', undefined, { timeout: 10_000 });
  } finally {
    await proxy.close();
    await portal.close();
  }
});
