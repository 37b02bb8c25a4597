// Helpers for the UI specs (issue 10): the element's dialogs and toolbar, an axe-core scan, and
// screenshots written as test artefacts.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { clientStatus } from './client';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** errors thrown in the page (an uncaught error is a defect of the page) */
export function pageErrors(page: Page): string[] {
  const errs: string[] = [];
  page.on('pageerror', (e) => errs.push(e.message));
  return errs;
}

export const connectDialog = (page: Page) => page.locator('spice-client spice-connect dialog');
export const settingsDialog = (page: Page) => page.locator('spice-client spice-settings dialog');
export const toolbarButton = (page: Page, id: string) => page.locator(`spice-client spice-toolbar button[data-id="${id}"]`);

export async function connected(page: Page): Promise<void> {
  await expect.poll(async () => (await clientStatus(page)).state, { timeout: 20_000 }).toBe('connected');
  await expect(page.locator('spice-client .status')).toHaveText('Connected', { timeout: 20_000 });
}

/** axe-core over the page (it walks open shadow roots): the serious and critical violations */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const v = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, targets: x.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3) }));
  });
  for (const x of v) console.log(`[axe] ${x.impact} ${x.id}: ${x.help} ${x.targets.join(' ')}`);
  return v.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => `${x.id} (${x.impact}): ${x.help} at ${x.targets.join(' ')}`);
}

export async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  writeFileSync(file, await page.screenshot());
}

