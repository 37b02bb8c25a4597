// The desktop around the guest agent (issue 9), against Xspice with spice-vdagent: a second head
// enabled and disabled by our monitors config (checked with xrandr in the X session and with the
// client's monitors, pixel-exact against the X framebuffer), and file transfer (a multi-MB file
// by sendFile and one dropped on the screen land in the agent's folder with the same SHA-256; a
// cancelled transfer leaves no file).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, run, runOk, showPattern, comparePixels, describeComparison, grabFramebuffer } from './harness/index';
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

test.describe('large file transfer and a full guest disk', () => {
  test.use({ xspiceOptions: { imageCompression: 'lz', agent: true } });

  /** the page makes `size` bytes (xorshift32 from `seed`) as window.files[name]; returns their SHA-256 */
  const makeFile = (page: Page, name: string, size: number, seed: number) => page.evaluate(async ({ name, size, seed }) => {
    const b = new Uint8Array(size);
    const v = new Uint32Array(b.buffer, 0, size >> 2);
    let x = seed;
    for (let i = 0; i < v.length; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      v[i] = x;
    }
    const w = window as unknown as { files: Record<string, File> };
    w.files ??= {};
    w.files[name] = new File([b], name);
    const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b));
    return [...h].map((c) => c.toString(16).padStart(2, '0')).join('');
  }, { name, size, seed });

  const recordTransfers = (page: Page) => page.evaluate(() => {
    const w = window as unknown as { xfer: Array<{ name: string; state: string; sent: number; error?: { type: string; details: string; fatal: boolean; message: string } }> };
    w.xfer = [];
    document.querySelector('spice-client')!.addEventListener('filetransfer', (e) => {
      const d = (e as CustomEvent<{ name: string; state: string; sent: number; error?: { type: string; details: string; fatal: boolean; message: string } }>).detail;
      if (d.state !== 'progress') w.xfer.push({ name: d.name, state: d.state, sent: d.sent, error: d.error && { type: d.error.type, details: d.error.details, fatal: d.error.fatal, message: d.error.message } });
    });
  });
  const transfers = (page: Page) => page.evaluate(() => (window as unknown as { xfer: Array<{ name: string; state: string; error?: { type: string; details: string; fatal: boolean; message: string } }> }).xfer);

  const drop = (page: Page, name: string) => page.evaluate((name) => {
    const screen = (document.querySelector('spice-client') as HTMLElement).shadowRoot!.querySelector('.screen')!;
    const dt = new DataTransfer();
    dt.items.add((window as unknown as { files: Record<string, File> }).files[name]!);
    screen.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    screen.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, name);

  test('a 50 MB file dropped on the screen arrives with the same SHA-256 (throughput and heap printed)', async ({ page, xspice }) => {
    test.setTimeout(240_000);
    const proxy = await startClientProxy(xspice);
    const dir = xspice.agentFileDir!;
    try {
      await openClient(page, proxy.url);
      await waitForAgent(page);
      await recordTransfers(page);
      const hash = await makeFile(page, 'big-50MB.bin', 50 * 1024 * 1024, 20261206);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const heap = async () => {
        const m = (await cdp.send('Performance.getMetrics')).metrics;
        return m.find((x) => x.name === 'JSHeapUsedSize')!.value;
      };
      await cdp.send('HeapProfiler.collectGarbage');
      const before = await heap();
      let peak = before;
      const t0 = Date.now();
      await drop(page, 'big-50MB.bin');
      await expect.poll(async () => {
        peak = Math.max(peak, await heap());
        return (await transfers(page)).find((e) => e.name === 'big-50MB.bin')?.state;
      }, { timeout: 200_000, intervals: [250] }).toBe('done');
      const ms = Date.now() - t0;
      const f = path.join(dir, 'big-50MB.bin');
      const sha = createHash('sha256').update(readFileSync(f)).digest('hex');
      expect(sha).toBe(hash);
      console.log(`[agent] 50 MiB dropped → in the guest in ${ms} ms (${((50 * 1000) / ms).toFixed(1)} MiB/s); page JS heap ${(before / 1048576).toFixed(1)} MiB before, peak ${(peak / 1048576).toFixed(1)} MiB during the transfer`);
    } finally {
      await proxy.close();
    }
  });

  test("a full guest disk: the agent's no-space answer is a filetransfer failure with a typed error, shown in the status line", async ({ page, xspice }) => {
    test.skip(process.getuid?.() !== 0, 'mounting a 1 MB tmpfs over the agent folder needs root');
    const proxy = await startClientProxy(xspice);
    const dir = xspice.agentFileDir!;
    // the agent's folder becomes a 1 MB file system: spice-vdagent checks the free space (statvfs)
    // before it accepts a file and answers NOT_ENOUGH_SPACE with the bytes free
    await runOk('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { timeout: 10_000 });
    try {
      await openClient(page, proxy.url);
      await waitForAgent(page);
      await recordTransfers(page);
      await makeFile(page, 'too-big.bin', 3 * 1024 * 1024, 5);
      await drop(page, 'too-big.bin');
      await expect.poll(async () => (await transfers(page)).find((e) => e.name === 'too-big.bin')?.state, { timeout: 20_000 }).toBe('failed');
      const ev = (await transfers(page)).find((e) => e.name === 'too-big.bin')!;
      expect(ev.error).toMatchObject({ type: 'agentError', details: 'fileTransferNoSpace', fatal: false });
      expect(ev.error!.message).toMatch(/too-big\.bin: not enough space in the guest \(\d+ bytes free\)/);
      const free = Number(/\((\d+) bytes free\)/.exec(ev.error!.message)![1]);
      expect(free).toBeGreaterThan(0);
      expect(free).toBeLessThanOrEqual(1024 * 1024);
      await expect(page.locator('spice-client .status')).toContainText('not enough space in the guest');
      await expect(page.locator('spice-client .status')).toContainText('too-big.bin');
      expect(readdirSync(dir)).toEqual([]);
      // a file that fits still goes through afterwards
      const hash = await makeFile(page, 'fits.bin', 200_000, 6);
      await drop(page, 'fits.bin');
      await expect.poll(async () => (await transfers(page)).find((e) => e.name === 'fits.bin')?.state, { timeout: 20_000 }).toBe('done');
      expect(createHash('sha256').update(readFileSync(path.join(dir, 'fits.bin'))).digest('hex')).toBe(hash);
    } finally {
      await proxy.close();
      await run('umount', ['-l', dir], { timeout: 10_000 }).catch((e: unknown) => console.error(`umount ${dir}: ${String(e)}`));
    }
  });
});

