// File transfer at scale and the agent's errors (issue 9), against Xspice with spice-vdagent: a
// 50 MB file dropped on the screen lands in the agent's folder with the same SHA-256 (throughput
// and the page's JS heap printed; the bounded read-ahead itself is a unit test in
// src/agent/file-xfer.test.ts), and a full guest disk (a 1 MB tmpfs over the agent's folder)
// comes back as a typed no-space failure the user sees in the status line.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, run, runOk } from './harness/index';
import { openClient, startClientProxy } from './harness/client';

async function waitForAgent(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.querySelector('spice-client') as unknown as { agentConnected: boolean }).agentConnected, undefined, { timeout: 20_000 });
}

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

