// The guest agent end to end (issue 9): Xspice with spice-vdagentd + spice-vdagent in its X
// session (xspice.mjs `agent: true`), our client in Chromium through our proxy. The guest side is
// read and written with xclip (the clipboard) and xdpyinfo (the screen size), never through our
// own code, so each assertion checks what the guest really got.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test, expect, encodePng, decodePng } from './harness/index';
import { openClient, startClientProxy } from './harness/client';

test.use({ xspiceOptions: { imageCompression: 'lz', agent: true } });

type El = HTMLElement & {
  agentConnected: boolean;
  setClipboard(t: string, s?: number): boolean;
  resizeSession: boolean;
};

/** ~1 MB of UTF-8 with 2-, 3- and 4-byte characters and line ends, the same every run */
function bigText(): string {
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 1024 * 1024; i++) {
    const line = `${i} Grüße aus Köln — 世界 ✓ 🎉 ${'αβγδε'.repeat(i % 7)}\n`;
    parts.push(line);
    bytes += Buffer.byteLength(line);
  }
  return parts.join('');
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function waitForAgent(page: import('@playwright/test').Page, connected = true): Promise<void> {
  await page.waitForFunction((c) => (document.querySelector('spice-client') as unknown as El).agentConnected === c, connected, { timeout: 20_000 });
}

/**
 * Run an X client on the server's display, asynchronously: the proxy runs in this Node process,
 * so a synchronous child (spawnSync) would stop it relaying while xclip waits for the agent.
 */
function xclip(env: NodeJS.ProcessEnv, args: string[], input?: string | Buffer): Promise<{ code: number | null; out: Buffer }> {
  return new Promise((resolve, reject) => {
    // xclip -i forks a child that owns the selection: stdout/stderr must not be pipes we wait on
    const p = spawn('xclip', args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', input === undefined ? 'pipe' : 'ignore', 'ignore'] });
    const out: Buffer[] = [];
    p.stdout?.on('data', (b: Buffer) => out.push(b));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: Buffer.concat(out) });
    });
    if (input !== undefined) p.stdin!.end(input);
  });
}

/** the guest's CLIPBOARD selection as bytes (xclip asks its owner: spice-vdagent, i.e. us) */
async function guestClipboard(env: NodeJS.ProcessEnv): Promise<Buffer> {
  const r = await xclip(env, ['-o', '-selection', 'clipboard']);
  return r.code === 0 ? r.out : Buffer.alloc(0);
}

/** xclip -i owns the selection from a background child until someone else takes it */
async function guestCopy(env: NodeJS.ProcessEnv, data: string): Promise<void> {
  const r = await xclip(env, ['-i', '-selection', 'clipboard'], data);
  if (r.code !== 0) throw new Error(`xclip -i failed: ${r.code}`);
}

test('clipboard both ways: 1 MB of UTF-8 text byte for byte, and the agent restarting in the guest', async ({ page, xspice }) => {
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    await waitForAgent(page);
    const text = bigText();
    const want = Buffer.from(text, 'utf8');
    expect(want.length).toBeGreaterThanOrEqual(1024 * 1024);

    // page → guest
    const t0 = Date.now();
    expect(await page.evaluate((t) => (document.querySelector('spice-client') as unknown as El).setClipboard(t), text)).toBe(true);
    let got: Buffer = Buffer.alloc(0);
    await expect.poll(async () => sha((got = await guestClipboard(xspice.env))), { timeout: 20_000 }).toBe(sha(want));
    expect(got.equals(want)).toBe(true);
    console.log(`[agent] page → guest: ${want.length} bytes in ${Date.now() - t0} ms (xclip -o)`);

    // guest → page: the clipboard event carries the exact text
    await page.evaluate(() => {
      const w = window as unknown as { clips: string[] };
      w.clips = [];
      document.querySelector('spice-client')!.addEventListener('clipboard', (e) => {
        const d = (e as CustomEvent<{ text?: string }>).detail;
        if (d.text !== undefined) w.clips.push(d.text);
      });
    });
    const back = text.split('\n').reverse().join('\n') + 'ende ✔';
    const t1 = Date.now();
    await guestCopy(xspice.env, back);
    await page.waitForFunction((n) => (window as unknown as { clips: string[] }).clips.some((c) => c.length === n), back.length, { timeout: 20_000 });
    const pageText = await page.evaluate((n) => (window as unknown as { clips: string[] }).clips.find((c) => c.length === n)!, back.length);
    expect(sha(pageText)).toBe(sha(back));
    console.log(`[agent] guest → page: ${Buffer.byteLength(back)} bytes in ${Date.now() - t1} ms`);

    // the agent goes away in the guest and comes back: the client follows and the clipboard works again
    await xspice.agentStop();
    await waitForAgent(page, false);
    await xspice.agentStart();
    await waitForAgent(page, true);
    // this time through the element's clipboard panel (for pages without the async Clipboard API)
    const small = `nach dem Neustart ✓ ${Date.now()}`;
    await page.locator('spice-client button', { hasText: 'Clipboard' }).click();
    const area = page.locator('spice-client .clip textarea');
    expect(sha(await area.inputValue())).toBe(sha(back)); // the guest's last copy is shown
    await area.fill(small);
    await page.locator('spice-client .clip button', { hasText: 'Send to guest' }).click();
    await expect.poll(async () => (await guestClipboard(xspice.env)).toString('utf8'), { timeout: 15_000 }).toBe(small);
  } finally {
    await proxy.close();
  }
});

/** a w×h RGBA test image: gradients and an XOR pattern, opaque (PNG round trips keep it exact) */
function testImage(w: number, h: number): { width: number; height: number; rgba: Buffer } {
  const rgba = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      rgba[o] = Math.round((x * 255) / (w - 1));
      rgba[o + 1] = Math.round((y * 255) / (h - 1));
      rgba[o + 2] = (x ^ y) & 255;
      rgba[o + 3] = 255;
    }
  }
  return { width: w, height: h, rgba };
}

test('clipboard images both ways: PNG pixel-exact', async ({ page, xspice }) => {
  const proxy = await startClientProxy(xspice);
  try {
    await openClient(page, proxy.url);
    await waitForAgent(page);
    // page → guest
    const img = testImage(97, 61);
    const png = encodePng(img.width, img.height, img.rgba);
    expect(await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return (document.querySelector('spice-client') as unknown as { setClipboardImage(p: Uint8Array): Promise<boolean> }).setClipboardImage(bytes);
    }, png.toString('base64'))).toBe(true);
    let got: Buffer = Buffer.alloc(0);
    await expect.poll(async () => (got = (await xclip(xspice.env, ['-o', '-selection', 'clipboard', '-t', 'image/png'])).out).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const inGuest = decodePng(got);
    expect({ width: inGuest.width, height: inGuest.height }).toEqual({ width: 97, height: 61 });
    expect(Buffer.compare(Buffer.from(inGuest.rgba), img.rgba)).toBe(0);

    // guest → page
    await page.evaluate(() => {
      const w = window as unknown as { pngs: number[][] };
      w.pngs = [];
      document.querySelector('spice-client')!.addEventListener('clipboard', (e) => {
        const d = (e as CustomEvent<{ type: string; data?: Uint8Array }>).detail;
        if (d.type === 'image/png' && d.data) w.pngs.push([...d.data]);
      });
    });
    const img2 = testImage(130, 40);
    await xclip(xspice.env, ['-i', '-selection', 'clipboard', '-t', 'image/png'], encodePng(img2.width, img2.height, img2.rgba));
    await page.waitForFunction(() => (window as unknown as { pngs: number[][] }).pngs.length > 0, undefined, { timeout: 15_000 });
    const back = decodePng(Buffer.from(await page.evaluate(() => (window as unknown as { pngs: number[][] }).pngs[0]!)));
    expect({ width: back.width, height: back.height }).toEqual({ width: 130, height: 40 });
    expect(Buffer.compare(Buffer.from(back.rgba), img2.rgba)).toBe(0);
  } finally {
    await proxy.close();
  }
});

/** the size the guest should get for the screen element: its CSS size, width down to a multiple of 8 */
async function screenBox(page: import('@playwright/test').Page): Promise<{ width: number; height: number }> {
  return page.evaluate(() => {
    const s = (document.querySelector('spice-client') as HTMLElement).shadowRoot!.querySelector('.screen') as HTMLElement;
    return { width: Math.floor(s.clientWidth / 8) * 8, height: s.clientHeight };
  });
}

test('resizeSession: the guest screen follows the element, 20 rapid resizes end in one size', async ({ page, xspice }) => {
  const proxy = await startClientProxy(xspice);
  try {
    await page.setViewportSize({ width: 1100, height: 800 });
    // the page's URL parameter (noVNC's name) turns resizeSession on
    await openClient(page, `${proxy.url}${proxy.url.includes('?') ? '&' : '?'}resize=remote`);
    await waitForAgent(page);
    await page.evaluate(() => {
      const w = window as unknown as { sizes: string[] };
      w.sizes = [];
      const el = document.querySelector('spice-client') as unknown as El;
      el.addEventListener('resize', (e) => {
        const d = (e as unknown as CustomEvent<{ width: number; height: number }>).detail;
        w.sizes.push(`${d.width}x${d.height}`);
      });
      if (!el.resizeSession) throw new Error('resize=remote did not turn resizeSession on');
    });
    const guest = async () => {
      const s = await xspice.screenSize();
      return `${s.width}x${s.height}`;
    };
    const first = await screenBox(page);
    await expect.poll(guest, { timeout: 5_000 }).toBe(`${first.width}x${first.height}`);

    // one resize of the viewport: the guest follows within a second
    await page.setViewportSize({ width: 900, height: 700 });
    const b = await screenBox(page);
    const t0 = Date.now();
    await expect.poll(guest, { timeout: 1_000, intervals: [50] }).toBe(`${b.width}x${b.height}`);
    console.log(`[agent] guest resized to ${b.width}x${b.height} in ${Date.now() - t0} ms`);

    // 20 rapid resizes: one final size, reached once, and it stays
    await page.evaluate(() => ((window as unknown as { sizes: string[] }).sizes = []));
    const tb = Date.now();
    for (let i = 0; i < 20; i++) await page.setViewportSize({ width: 700 + 17 * i, height: 500 + 11 * i });
    console.log(`[agent] 20 viewport sizes set in ${Date.now() - tb} ms`);
    const fin = await screenBox(page);
    const want = `${fin.width}x${fin.height}`;
    await expect.poll(guest, { timeout: 3_000, intervals: [50] }).toBe(want);
    // watch a while longer: nothing may move after the final size (a loop would keep resizing)
    await page.waitForTimeout(1_500);
    expect(await guest()).toBe(want);
    const sizes = await page.evaluate(() => (window as unknown as { sizes: string[] }).sizes);
    console.log(`[agent] sizes the client saw during the burst: ${sizes.join(' ')}`);
    expect(sizes[sizes.length - 1]).toBe(want);
    expect(sizes.filter((s) => s === want).length).toBe(1);
    // the viewport only grew: a guest size that went back (or repeated) would be a loop
    const widths = sizes.map((s) => Number(s.split('x')[0]));
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThan(widths[i - 1]!);
    // debounced: fewer guest sizes than viewport sizes (setViewportSize takes ~100 ms here, so a
    // pause between two calls may exceed the 150 ms debounce; in-page bursts give exactly one)
    expect(sizes.length).toBeLessThan(20);

    // 20 resizes of the element within a few frames: exactly one new guest size
    await page.evaluate(() => ((window as unknown as { sizes: string[] }).sizes = []));
    await page.evaluate(async () => {
      const el = document.querySelector('spice-client') as HTMLElement;
      for (let i = 0; i < 20; i++) {
        el.style.width = `${640 + 8 * i}px`;
        el.style.height = `${480 + 5 * i}px`;
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
    const fin2 = await screenBox(page);
    const want2 = `${fin2.width}x${fin2.height}`;
    await expect.poll(guest, { timeout: 3_000, intervals: [50] }).toBe(want2);
    await page.waitForTimeout(1_000);
    expect(await guest()).toBe(want2);
    expect(await page.evaluate(() => (window as unknown as { sizes: string[] }).sizes)).toEqual([want2]);
  } finally {
    await proxy.close();
  }
});

test('async Clipboard API: a guest copy reaches the system clipboard, the page clipboard goes to the guest on focus', async ({ page, context, xspice }) => {
  const proxy = await startClientProxy(xspice);
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(proxy.url).origin });
    await openClient(page, proxy.url);
    await waitForAgent(page);
    await page.bringToFront();
    // guest → system clipboard (navigator.clipboard.writeText while the page has focus)
    await guestCopy(xspice.env, 'vom Gast ✓ 1');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 15_000 }).toBe('vom Gast ✓ 1');
    // system clipboard → guest when the screen gets focus
    await page.evaluate(() => navigator.clipboard.writeText('von der Seite ✓ 2'));
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.locator('spice-client canvas.monitor').first().click({ position: { x: 5, y: 5 } });
    await expect.poll(async () => (await guestClipboard(xspice.env)).toString('utf8'), { timeout: 15_000 }).toBe('von der Seite ✓ 2');
  } finally {
    await proxy.close();
  }
});
