// Issue 3 acceptance: in Chromium against Xspice (surfaces and image cache on), screenshot(0)
// equals xwd -root pixel for pixel in every lossless image-compression mode, on content with text,
// a photo, an 8-bit palette image, a translucent window (composited by xcompmgr), scrolling in an
// xterm and window moves. Each run reports which image types the server actually sent.
import { execFileSync } from 'node:child_process';
import { test, expect, showPhoto, showPalette8, startXterm } from './harness/index';
import { openClient, startClientProxy, waitForExactMatch } from './harness/client';

const MODES = ['off', 'quic', 'lz', 'glz', 'auto_lz', 'auto_glz'] as const;

for (const imageCompression of MODES) {
  test.describe(`codec ${imageCompression}`, () => {
    test.use({ xspiceOptions: { imageCompression, geometry: '800x600' } });
    test(`exact frames through a live session (${imageCompression})`, async ({ page, xspice }) => {
      const proxy = await startClientProxy(xspice);
      const step = async (what: string) => {
        // keep the X pointer over the bare root: over an xterm X draws its I-beam as a software
        // sprite into the framebuffer (and so into the SPICE stream), which xwd leaves out
        execFileSync('xdotool', ['mousemove', '795', '595'], { env: xspice.env });
        const m = await waitForExactMatch(page, xspice);
        expect(m.ok, `${what}: ${m.detail}`).toBe(true);
      };
      try {
        await openClient(page, proxy.url);
        await step('initial screen');
        // content arrives while connected, so it is sent as draw commands (GLZ needs those)
        await showPhoto(xspice, { seed: 11 });
        await step('photo');
        await showPalette8(xspice, { x: 480, y: 40 });
        await step('8-bit palette image');
        const term = await startXterm(xspice, { x: 30, y: 200, cols: 60, rows: 10 });
        await term.typeWithXdotool('for i in 1 2 3; do echo line; done # text\n', 2);
        await step('xterm text');
        await term.typeWithXdotool(Array.from({ length: 14 }, (_, i) => `scroll ${i}`).join('\n') + '\n', 1);
        await step('xterm scrolled');
        execFileSync('xdotool', ['windowmove', term.window.id, '200', '260'], { env: xspice.env });
        await step('window moved');
        // translucent window: a compositing manager draws it blended over the photo
        const comp = xspice.spawnClient('xcompmgr', [], { name: 'xcompmgr' });
        const glass = await startXterm(xspice, { x: 380, y: 300, cols: 30, rows: 6, bg: 'navy' });
        execFileSync('transset', ['--id', glass.window.id, '0.6'], { env: xspice.env });
        await step('translucent window');
        const stats = await page.evaluate(() => (document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ imageTypes: Record<string, number>; messages: Record<string, number> }> }).displayStats(0));
        console.log(`[${imageCompression}] image types sent: ${JSON.stringify(stats.imageTypes)}; messages: ${JSON.stringify(stats.messages)}`);
        if (imageCompression === 'glz' || imageCompression === 'auto_glz') expect(stats.imageTypes.GLZ_RGB ?? 0).toBeGreaterThan(0);
        if (imageCompression === 'lz') expect(stats.imageTypes.LZ_RGB ?? 0).toBeGreaterThan(0);
        if (imageCompression === 'quic') expect(stats.imageTypes.QUIC ?? 0).toBeGreaterThan(0);
        await comp.stop(2000);
      } finally {
        await proxy.close();
      }
    });
  });
}
