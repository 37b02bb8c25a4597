// The page side of the record e2e (e2e/record.spec.ts): the client's microphone status, the fake
// capture device measured in the page without the client, and a session on the harness test
// server through a proxy that records the traffic (for the wire checks in ./record-wire.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect } from './fixtures';
import { Scenario, startTestServer, type Recording, type TestServer } from './test-server.mjs';
import { openClient, startClientProxy, type ProxyHandle } from './client';
import { recordChannelMessages, type WireMessage } from './record-wire';

export interface Mic { state: string; mode: string | null; rate: number; channels: number; packets: number; frames: number; error?: { type: string; details: string; message: string } }
export const mic = (page: Page): Promise<Mic | null> => page.evaluate(() => (document.querySelector('spice-client') as unknown as { microphone: Mic | null }).microphone);

/** the fake device's own signal, captured in the page without the client: rate and channel 0 */
export async function fakeDeviceInPage(page: Page, seconds: number): Promise<{ rate: number; samples: number[] }> {
  return page.evaluate(async (sec) => {
    const s = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const ctx = new AudioContext();
    await ctx.resume();
    const src = ctx.createMediaStreamSource(s);
    const sp = ctx.createScriptProcessor(4096, 1, 1);
    const out: number[] = [];
    src.connect(sp);
    sp.connect(ctx.destination);
    await new Promise<void>((done) => {
      sp.onaudioprocess = (e) => {
        out.push(...e.inputBuffer.getChannelData(0));
        if (out.length >= sec * ctx.sampleRate) done();
      };
    });
    s.getTracks().forEach((t) => t.stop());
    const rate = ctx.sampleRate;
    await ctx.close();
    return { rate, samples: out };
  }, seconds);
}

export type Started = { server: TestServer; proxy: ProxyHandle; recDir: string };

/** the test's server (start() or keepLog()): its log goes with a failed test */
let lastServer: TestServer | null = null;

/** the log of `server` goes with the test if it fails (start() does this for its own server) */
export function keepLog(server: TestServer): void {
  lastServer = server;
}

/**
 * A test that did not pass keeps the test server's log (commands and output, timed, and how the
 * server ended if it did): attached whole, and its last lines printed, because the list reporter
 * shows only the first 300 characters of an attachment and CI keeps only the console.
 */
export async function attachServerLog(info: TestInfo): Promise<void> {
  if (lastServer && info.status !== info.expectedStatus) {
    const log = lastServer.logs();
    await info.attach('test-server.log', { body: log, contentType: 'text/plain' });
    console.log(`[test-server log, last 80 lines, for "${info.title}"]\n${log.trimEnd().split('\n').slice(-80).join('\n')}`);
  }
  lastServer = null;
}

export async function start(page: Page, recordRate: number, query: string): Promise<Started> {
  const server = await startTestServer(new Scenario(64, 48), { recordRate });
  keepLog(server);
  const recDir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-rec-'));
  const proxy = await startClientProxy(server, { recordDir: recDir });
  await openClient(page, `${proxy.url}${query}`);
  await server.waitForRecordClient();
  // the record channel is linked on the client's side too
  await expect.poll(async () => (await page.evaluate(() => (document.querySelector('spice-client') as unknown as { channels: Array<{ channelType: number; state: string }> }).channels)).some((c) => c.channelType === 6 && c.state === 'ready'), { timeout: 20_000 }).toBe(true);
  return { server, proxy, recDir };
}

/** RECORD_START and the user's Allow in our prompt (a real click); resolves once the client records */
export async function startAllowed(page: Page, server: TestServer): Promise<void> {
  await server.recordStart();
  await page.locator('.spice-mic [data-action=allow]').click({ timeout: 20_000 });
  await expect.poll(async () => (await mic(page))?.state, { timeout: 20_000 }).toBe('recording');
}

/** RECORD_STOP; resolves with what the server stored once the client is idle again */
export async function stopRecording(page: Page, server: TestServer): Promise<Recording> {
  const got = await server.recordStop();
  await expect.poll(async () => (await mic(page))?.state, { timeout: 20_000 }).toBe('idle');
  return got;
}

/** end the page's session and the proxy (its recordings are complete then) and read the record channel's wire */
export async function finish(page: Page, s: Started): Promise<WireMessage[]> {
  await page.evaluate(() => (document.querySelector('spice-client') as unknown as { disconnect(): void }).disconnect());
  await s.proxy.close();
  const wire = recordChannelMessages(s.recDir);
  await s.server.stop();
  rmSync(s.recDir, { recursive: true, force: true });
  return wire;
}

