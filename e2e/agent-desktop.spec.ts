// The desktop around the guest agent (issue 9), against Xspice with spice-vdagent: a second head
// enabled and disabled by our monitors config (checked with xrandr in the X session and with the
// client's monitors, pixel-exact against the X framebuffer), and file transfer (a multi-MB file
// by sendFile and one dropped on the screen land in the agent's folder with the same SHA-256; a
// cancelled transfer leaves no file).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, run, showPattern, comparePixels, describeComparison, grabFramebuffer } from './harness/index';
import { clientScreenshot, openClient, startClientProxy } from './harness/client';

type El = HTMLElement & {
  agentConnected: boolean;
  monitors: Array<{ channelId: number; head: number; x: number; y: number; width: number; height: number }>;
  setGuestMonitors(m: Array<{ width: number; height: number; x: number; y: number }>): void;
  sendFile(f: File): Promise<void>;
  cancelFileTransfer(id?: number): void;
};

async function waitForAgent(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.querySelector('spice-client') as unknown as El).agentConnected, undefined, { timeout: 20_000 });
}

/** the outputs xrandr reports as enabled, "name WxH+X+Y" */
async function xrandrOutputs(env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await run('xrandr', ['-q'], { env, timeout: 10_000 });
  return [...String(r.stdout).matchAll(/^(\S+) connected (?:primary )?(\d+x\d+\+\d+\+\d+)/gm)].map((m) => `${m[1]} ${m[2]}`);
}

type Img = { width: number; height: number; rgba: Buffer };
function crop(img: Img, x0: number, y0: number, w: number, h: number): Img {
  const out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) img.rgba.copy(out, y * w * 4, ((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4);
  return { width: w, height: h, rgba: out };
}

test.describe('monitors through the agent', () => {
  test.use({ xspiceOptions: { imageCompression: 'lz', numHeads: 2, agent: true } });

  test('our monitors config enables head 2 (exact pixels on both) and disabling it removes it in the guest', async ({ page, xspice }) => {
    await showPattern(xspice);
    const proxy = await startClientProxy(xspice);
    try {
      await openClient(page, proxy.url);
      await waitForAgent(page);
      expect(await xrandrOutputs(xspice.env)).toEqual(['qxl-0 1024x768+0+0']);
      const t0 = Date.now();
      await page.evaluate(() => (document.querySelector('spice-client') as unknown as El).setGuestMonitors([
        { width: 1024, height: 768, x: 0, y: 0 }, { width: 800, height: 600, x: 1024, y: 0 },
      ]));
      await expect.poll(() => xrandrOutputs(xspice.env), { timeout: 10_000 }).toEqual(['qxl-0 1024x768+0+0', 'qxl-1 800x600+1024+0']);
      const monitors = () => page.evaluate(() => (document.querySelector('spice-client') as unknown as El).monitors);
      await expect.poll(monitors, { timeout: 10_000 }).toEqual([
        { channelId: 0, head: 0, x: 0, y: 0, width: 1024, height: 768 },
        { channelId: 0, head: 1, x: 1024, y: 0, width: 800, height: 600 },
      ]);
      console.log(`[agent] second head on in ${Date.now() - t0} ms`);
      await expect(page.locator('spice-client canvas.monitor')).toHaveCount(2);
      let detail = '';
      await expect.poll(async () => {
        const truth = await grabFramebuffer(xspice);
        for (const [i, x0, w, h] of [[0, 0, 1024, 768], [1, 1024, 800, 600]] as const) {
          const r = comparePixels(await clientScreenshot(page, i), crop(truth, x0, 0, w, h));
          detail = `monitor ${i}: ${describeComparison(r)}`;
          if (!r.sameSize || r.mismatches !== 0) return detail;
        }
        return 'exact';
      }, { timeout: 15_000, message: detail }).toBe('exact');

      // resizeSession with two monitors: monitor 0 follows the element and monitor 2 moves to its
      // right edge (the config never overlaps: x offsets follow widths)
      await page.setViewportSize({ width: 1100, height: 700 });
      await page.evaluate(() => { (document.querySelector('spice-client') as unknown as { resizeSession: boolean }).resizeSession = true; });
      const size = await page.evaluate(() => {
        const screen = (document.querySelector('spice-client') as HTMLElement).shadowRoot!.querySelector('.screen') as HTMLElement;
        return { w: Math.floor(screen.clientWidth / 8) * 8, h: screen.clientHeight };
      });
      await expect.poll(() => xrandrOutputs(xspice.env), { timeout: 10_000 }).toEqual([`qxl-0 ${size.w}x${size.h}+0+0`, `qxl-1 800x600+${size.w}+0`]);
      await page.evaluate(() => { (document.querySelector('spice-client') as unknown as { resizeSession: boolean }).resizeSession = false; });

      // disable monitor 2 from the client
      await page.evaluate(() => (document.querySelector('spice-client') as unknown as El).setGuestMonitors([
        { width: 1024, height: 768, x: 0, y: 0 }, { width: 0, height: 0, x: 0, y: 0 },
      ]));
      await expect.poll(() => xrandrOutputs(xspice.env), { timeout: 10_000 }).toEqual(['qxl-0 1024x768+0+0']);
      await expect.poll(monitors, { timeout: 10_000 }).toEqual([{ channelId: 0, head: 0, x: 0, y: 0, width: 1024, height: 768 }]);
      await expect(page.locator('spice-client canvas.monitor')).toHaveCount(1);
    } finally {
      await proxy.close();
    }
  });
});

test.describe('file transfer', () => {
  test.use({ xspiceOptions: { imageCompression: 'lz', agent: true } });

  test('a 6 MB file by sendFile and one dropped on the screen arrive with the same SHA-256; a cancelled one leaves nothing', async ({ page, xspice }) => {
    const proxy = await startClientProxy(xspice);
    const dir = xspice.agentFileDir!;
    const MB = 1024 * 1024;
    try {
      await openClient(page, proxy.url);
      await waitForAgent(page);
      // the page makes the bytes (xorshift32 from a seed) and reports their hash; Node checks the guest's file
      const make = (name: string, size: number, seed: number) => page.evaluate(async ({ name, size, seed }) => {
        const b = new Uint8Array(size);
        let x = seed;
        for (let i = 0; i < size; i++) {
          x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
          b[i] = x & 255;
        }
        const w = window as unknown as { files: Record<string, File>; events: Array<{ id: number; name: string; state: string; sent: number }> };
        w.files ??= {};
        w.files[name] = new File([b], name);
        const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b));
        return [...h].map((v) => v.toString(16).padStart(2, '0')).join('');
      }, { name, size, seed });
      const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
      await page.evaluate(() => {
        const w = window as unknown as { events: Array<{ id: number; name: string; state: string; sent: number }> };
        w.events = [];
        document.querySelector('spice-client')!.addEventListener('filetransfer', (e) => {
          const d = (e as CustomEvent<{ id: number; name: string; state: string; sent: number }>).detail;
          w.events.push({ id: d.id, name: d.name, state: d.state, sent: d.sent });
        });
      });
      const events = () => page.evaluate(() => (window as unknown as { events: Array<{ id: number; name: string; state: string; sent: number }> }).events);

      // sendFile
      const h1 = await make('payload-ä.bin', 6 * MB, 12345);
      const t0 = Date.now();
      await page.evaluate(() => (document.querySelector('spice-client') as unknown as El).sendFile((window as unknown as { files: Record<string, File> }).files['payload-ä.bin']!));
      const ms = Date.now() - t0;
      const f1 = path.join(dir, 'payload-ä.bin');
      await expect.poll(() => existsSync(f1) && sha(f1), { timeout: 10_000 }).toBe(h1);
      console.log(`[agent] 6 MiB sent in ${ms} ms (${((6 * 1000) / ms).toFixed(1)} MiB/s)`);
      const ev1 = (await events()).filter((e) => e.name === 'payload-ä.bin');
      expect(ev1.at(-1)!.state).toBe('done');
      expect(ev1.filter((e) => e.state === 'progress').map((e) => e.sent)).toEqual(Array.from({ length: 96 }, (_, i) => (i + 1) * 65536));

      // drag and drop onto the screen
      const h2 = await make('dropped.txt', 3 * MB + 17, 777);
      await page.evaluate(() => {
        const screen = (document.querySelector('spice-client') as HTMLElement).shadowRoot!.querySelector('.screen')!;
        const dt = new DataTransfer();
        dt.items.add((window as unknown as { files: Record<string, File> }).files['dropped.txt']!);
        screen.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        screen.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      const f2 = path.join(dir, 'dropped.txt');
      await expect.poll(async () => (await events()).some((e) => e.name === 'dropped.txt' && e.state === 'done'), { timeout: 20_000 }).toBe(true);
      await expect.poll(() => existsSync(f2) && sha(f2), { timeout: 10_000 }).toBe(h2);

      // cancel after the first progress: the agent removes the partial file
      await make('cancelled.bin', 40 * MB, 4242);
      await page.evaluate(() => {
        const el = document.querySelector('spice-client') as unknown as El;
        el.sendFile((window as unknown as { files: Record<string, File> }).files['cancelled.bin']!).catch(() => undefined);
      });
      await expect.poll(async () => (await events()).some((e) => e.name === 'cancelled.bin' && e.state === 'progress' && e.sent >= 4 * MB), { timeout: 20_000 }).toBe(true);
      await page.evaluate(() => (document.querySelector('spice-client') as unknown as El).cancelFileTransfer());
      await expect.poll(async () => (await events()).filter((e) => e.name === 'cancelled.bin').at(-1)?.state, { timeout: 5_000 }).toBe('cancelled');
      await expect.poll(() => readdirSync(dir).sort(), { timeout: 10_000 }).toEqual(['dropped.txt', 'payload-ä.bin']);

      // the guest cannot write (its folder is now a plain file): the agent's error is a typed
      // spiceerror, the transfer fails, and the status line shows it
      rmSync(dir, { recursive: true, force: true });
      writeFileSync(dir, 'not a folder');
      await make('unwritable.bin', 100_000, 99);
      const err = await page.evaluate(async () => {
        const el = document.querySelector('spice-client') as unknown as El;
        const seen: Array<{ type: string; details: string; fatal: boolean }> = [];
        el.addEventListener('spiceerror', (e) => seen.push((e as CustomEvent<{ type: string; details: string; fatal: boolean }>).detail));
        const r = await el.sendFile((window as unknown as { files: Record<string, File> }).files['unwritable.bin']!).then(() => null, (e: { type: string; details: string; fatal: boolean }) => ({ type: e.type, details: e.details, fatal: e.fatal }));
        return { rejected: r, events: seen.map((e) => ({ type: e.type, details: e.details, fatal: e.fatal })) };
      });
      expect(err.rejected).toEqual({ type: 'agentError', details: 'fileTransferFailed', fatal: false });
      expect(err.events).toContainEqual({ type: 'agentError', details: 'fileTransferFailed', fatal: false });
      expect((await events()).filter((e) => e.name === 'unwritable.bin').at(-1)?.state).toBe('failed');
      await expect(page.locator('spice-client .status')).toContainText('unwritable.bin');
    } finally {
      await proxy.close();
    }
  });
});
