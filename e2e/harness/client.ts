// Drives our built client (dist/client, served by our proxy from dist/node) in Chromium against
// a SPICE server on loopback, and compares what it shows with the server's own framebuffer.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { comparePixels, decodePng, describeComparison, grabFramebuffer } from '../../scripts/lib/truth.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ProxyHandle {
  port: number;
  url: string;
  wsUrl: string;
  /** per relayed connection: bytes each way, paused sides (the proxy's RelayStats) */
  connections(): Array<{ id: number; state: string; bytesClientToTarget: number; bytesTargetToClient: number; wsBufferedAmount: number; targetWritableLength: number; targetPaused: boolean; clientPaused: boolean }>;
  close(): Promise<void>;
}

/** our proxy (built) serving the built client, relaying every channel to `target` */
export async function startClientProxy(target: { host?: string; port: number }, extra: Record<string, unknown> = {}): Promise<ProxyHandle> {
  const mod = await import(pathToFileURL(path.join(root, 'dist/node/proxy/server.js')).href);
  return mod.startProxy({ listen: { host: '127.0.0.1', port: 0 }, target: `${target.host ?? '127.0.0.1'}:${target.port}`, webDir: path.join(root, 'dist/client'), logger: 'silent', ...extra });
}

/** open the client page; returns ms from navigation start to the first frame on monitor 0 (or null) */
export async function openClient(page: Page, url: string): Promise<void> {
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(url);
  await page.waitForFunction(() => !!document.querySelector('spice-client'));
}

export interface ClientError {
  type: string;
  details: string;
  fatal: boolean;
  message: string;
  channel?: { channelType: number; channelId: number };
}

export async function clientStatus(page: Page): Promise<{ state: string; message: string; error?: ClientError }> {
  return page.evaluate(() => {
    const el = document.querySelector('spice-client') as unknown as { status: { state: string; message: string; error?: ClientError } };
    const e = el.status.error;
    return { state: el.status.state, message: el.status.message, error: e && { type: e.type, details: e.details, fatal: e.fatal, message: e.message, channel: e.channel } };
  });
}

/** the channels of the session and their states, through the element's public `channels` */
export async function clientChannels(page: Page): Promise<Array<{ channelType: number; channelId: number; state: string }>> {
  return page.evaluate(() => (document.querySelector('spice-client') as unknown as { channels: Array<{ channelType: number; channelId: number; state: string }> }).channels);
}

/** wait until the inputs channel is linked (keys typed from then on reach the guest) */
export async function waitForInputs(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(() => (document.querySelector('spice-client') as unknown as { channels: Array<{ channelType: number; state: string }> }).channels.some((c) => c.channelType === 3 && c.state === 'ready'), undefined, { timeout });
}

/** the visible status line text */
export async function statusText(page: Page): Promise<string> {
  return (await page.locator('spice-client .status').textContent()) ?? '';
}

/** screenshot(monitor) through the public API, decoded to RGBA */
export async function clientScreenshot(page: Page, monitor = 0, shown = false): Promise<{ width: number; height: number; rgba: Buffer }> {
  const b64 = await page.evaluate(async ([i, shown]) => {
    const el = document.querySelector('spice-client') as unknown as { screenshot(i: number, o: { shown: boolean }): Promise<Blob> };
    const blob = await el.screenshot(i, { shown });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let k = 0; k < bytes.length; k += 0x8000) s += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
    return btoa(s);
  }, [monitor, shown] as const);
  return decodePng(Buffer.from(b64, 'base64'));
}

export interface MatchResult {
  ok: boolean;
  detail: string;
  /** ms from the call until the first exact match */
  ms: number;
  mismatches: number;
}

/**
 * Poll until screenshot(0) equals the server framebuffer pixel for pixel (RGB; the server's
 * framebuffer has no alpha). The server keeps drawing for a moment after content changes, so
 * both sides are re-read until they agree or `timeout` passes.
 */
export async function waitForExactMatch(page: Page, display: { display: string }, timeout = 15_000): Promise<MatchResult> {
  const t0 = Date.now();
  let last = 'no screenshot yet';
  let mismatches = -1;
  while (Date.now() - t0 < timeout) {
    try {
      const [shot, truth] = [await clientScreenshot(page), await grabFramebuffer(display)];
      const r = comparePixels(shot, truth);
      if (r.sameSize && r.mismatches === 0) return { ok: true, detail: 'exact', ms: Date.now() - t0, mismatches: 0 };
      last = describeComparison(r);
      mismatches = r.mismatches;
    } catch (e) {
      last = String(e);
    }
    await page.waitForTimeout(200);
  }
  return { ok: false, detail: last, ms: Date.now() - t0, mismatches };
}

/** US-layout characters → KeyboardEvent.code (+ shift), as a user's hands would press them */
const US: Record<string, [string, boolean]> = (() => {
  const m: Record<string, [string, boolean]> = {};
  for (let i = 0; i < 26; i++) {
    const c = String.fromCharCode(97 + i);
    m[c] = [`Key${c.toUpperCase()}`, false];
    m[c.toUpperCase()] = [`Key${c.toUpperCase()}`, true];
  }
  const digits = ')!@#$%^&*(';
  for (let i = 0; i < 10; i++) {
    m[String(i)] = [`Digit${i}`, false];
    m[digits[i]!] = [`Digit${i}`, true];
  }
  const pairs: Array<[string, string, string]> = [
    ['-', '_', 'Minus'], ['=', '+', 'Equal'], ['[', '{', 'BracketLeft'], [']', '}', 'BracketRight'], ['\\', '|', 'Backslash'],
    [';', ':', 'Semicolon'], ["'", '"', 'Quote'], [',', '<', 'Comma'], ['.', '>', 'Period'], ['/', '?', 'Slash'], ['`', '~', 'Backquote'],
  ];
  for (const [a, b, code] of pairs) {
    m[a] = [code, false];
    m[b] = [code, true];
  }
  m[' '] = ['Space', false];
  m['\n'] = ['Enter', false];
  return m;
})();

/** type `text` key by key with physical codes and Shift held where a US keyboard needs it */
export async function typeAsUser(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    const k = US[ch];
    if (!k) throw new Error(`no US key for ${JSON.stringify(ch)}`);
    const [code, shift] = k;
    if (shift) await page.keyboard.down('ShiftLeft');
    await page.keyboard.press(code);
    if (shift) await page.keyboard.up('ShiftLeft');
  }
}

/** displayStats(monitor): what the display channel received (messages and image types by name) */
export async function clientDisplayStats(page: Page, monitor = 0): Promise<{ imageTypes: Record<string, number>; messages: Record<string, number> }> {
  return page.evaluate((i) => (document.querySelector('spice-client') as unknown as { displayStats(i: number): Promise<{ imageTypes: Record<string, number>; messages: Record<string, number> }> }).displayStats(i), monitor);
}

/**
 * Poll screenshot(monitor) until `check(shot)` returns null (= accepted) or `timeout` passes; the
 * last rejection reason is returned. For truths that are not an X display (the harness test
 * server's rendered surface, a source image with an error bound).
 */
export async function waitForScreenshot(page: Page, check: (shot: { width: number; height: number; rgba: Buffer }) => string | null, timeout = 15_000, monitor = 0): Promise<MatchResult & { shot?: { width: number; height: number; rgba: Buffer } }> {
  const t0 = Date.now();
  let last = 'no screenshot yet';
  let shot: { width: number; height: number; rgba: Buffer } | undefined;
  while (Date.now() - t0 < timeout) {
    try {
      shot = await clientScreenshot(page, monitor);
      const why = check(shot);
      if (why === null) return { ok: true, detail: 'accepted', ms: Date.now() - t0, mismatches: 0, shot };
      last = why;
    } catch (e) {
      last = String(e);
    }
    await page.waitForTimeout(200);
  }
  return { ok: false, detail: last, ms: Date.now() - t0, mismatches: -1, shot };
}
