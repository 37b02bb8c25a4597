// QEMU with a second QXL device (`-vga qxl` plus `-device qxl`): spice-server offers two display
// channels (ids 0 and 1) and the client links and handles both. There is no guest OS, so no QXL
// driver ever creates a surface on the second card: channel 1 is linked, its canvas waits empty
// and it adds no monitor, and the first card shows SeaBIOS's screen exactly as QMP screendump has it.
// A real guest with two QXL cards is checked after landing.
import { test, expect } from './harness/index';
import { clientChannels, clientStatus, clientDisplayStats, clientScreenshot, openClient, startClientProxy } from './harness/client';
import { startQemu } from '../scripts/lib/qemu.mjs';
import { comparePixels, describeComparison } from './harness/index';
import { encodePng } from '../scripts/lib/truth.mjs';

type Img = { width: number; height: number; rgba: Buffer };

test('two QXL devices: display channels 0 and 1 both linked, no error, monitor 0 exact against the VM', async ({ page }) => {
  test.setTimeout(90_000);
  const vm = await startQemu({ extra: ['-device', 'qxl'] });
  const proxy = await startClientProxy({ port: vm.port });
  try {
    await openClient(page, proxy.url);
    await page.evaluate(() => {
      const w = window as unknown as { spiceErrors: unknown[] };
      w.spiceErrors = [];
      document.querySelector('spice-client')!.addEventListener('spiceerror', (e) => w.spiceErrors.push((e as CustomEvent).detail));
    });
    // both display channels (type 2) linked
    const displays = async () => (await clientChannels(page)).filter((c) => c.channelType === 2).map((c) => `display:${c.channelId} ${c.state}`).sort();
    await expect.poll(displays, { timeout: 30_000 }).toEqual(['display:0 ready', 'display:1 ready']);
    // QEMU's view: one SPICE client with two display channels (ids 0 and 1)
    const r = await vm.qmp('query-spice');
    const theirs = ((r.channels ?? []) as Array<{ 'channel-type': number; 'channel-id': number }>).filter((c) => c['channel-type'] === 2).map((c) => c['channel-id']).sort();
    expect(theirs).toEqual([0, 1]);

    // monitor 0 is the first card's SeaBIOS screen, pixel-exact; the second card has no surface
    let detail = '';
    let last: { mine: Img; truth: Img } | null = null;
    await expect.poll(async () => {
      const truth = await vm.screendump();
      const mine = await clientScreenshot(page, 0).catch((e: Error) => e);
      if (mine instanceof Error) return (detail = mine.message);
      last = { mine, truth };
      const c = comparePixels(mine, truth);
      detail = describeComparison(c);
      return c.sameSize && c.mismatches === 0 ? 'exact' : detail;
    }, { timeout: 30_000, message: detail }).toBe('exact').catch(async (e: Error) => {
      // keep both pictures of a failed run: what is missing, and where, says which update was lost
      const l = last as { mine: Img; truth: Img } | null;
      if (l) {
        await test.info().attach('client-monitor0.png', { body: encodePng(l.mine.width, l.mine.height, l.mine.rgba), contentType: 'image/png' });
        await test.info().attach('vm-screendump.png', { body: encodePng(l.truth.width, l.truth.height, l.truth.rgba), contentType: 'image/png' });
      }
      await test.info().attach('client-display-stats.json', { body: JSON.stringify(await clientDisplayStats(page, 0).catch((err: Error) => err.message), null, 1), contentType: 'application/json' });
      throw e;
    });
    const monitors = await page.evaluate(() => (document.querySelector('spice-client') as unknown as { monitors: Array<{ channelId: number; head: number; width: number; height: number }> }).monitors);
    console.log(`[qemu two qxl] monitors: ${JSON.stringify(monitors)}`);
    expect(monitors.map((m) => `${m.channelId}:${m.head}`)).toEqual(['0:0']);
    expect(monitors[0]!.width).toBeGreaterThan(0);
    // both channels still linked after the picture arrived, and nothing went wrong
    expect(await displays()).toEqual(['display:0 ready', 'display:1 ready']);
    expect(await page.evaluate(() => (window as unknown as { spiceErrors: unknown[] }).spiceErrors)).toEqual([]);
    const st = await clientStatus(page);
    expect({ state: st.state, error: st.error }).toEqual({ state: 'connected', error: undefined });
    // channel 1 has its (empty) canvas ready for when a driver makes a surface on it
    expect(await page.locator('spice-client canvas.monitor').evaluateAll((cs) => cs.map((c) => `${(c as HTMLCanvasElement).dataset.channel}:${(c as HTMLCanvasElement).dataset.head}`))).toEqual(['0:0', '1:0']);
  } finally {
    await proxy.close();
    await vm.stop();
  }
});
