// Issue 10: an axe-core scan (injected from node_modules) with the toolbar, a menu, the settings
// dialog, the connect dialog and an error state open — no serious or critical violation — and
// screenshots of each at 390 and 1920 px wide, written to test-results/ as artefacts for people
// to look at (not compared, not committed).
import { test, expect, showPattern, startXspice } from './harness/index';
import { openClient, startClientProxy, waitForExactMatch } from './harness/client';
import { axeViolations, connectDialog, connected, settingsDialog, shoot, toolbarButton } from './harness/ui';

for (const width of [390, 1920]) {
  test(`axe scan and screenshots at ${width} px: toolbar, menus, settings, connect dialog, an error`, async ({ browser, xspice }, testInfo) => {
    test.setTimeout(180_000); // four axe-core scans, two servers, under a loaded CI machine
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
