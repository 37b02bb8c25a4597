// The page side of the record e2e (e2e/record.spec.ts): the client's microphone status, the fake
// capture device measured in the page without the client, and a session on the harness test
// server through a proxy that records the traffic (for the wire checks in ./record-wire.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect } from './fixtures';
import { Scenario, startTestServer, type TestServer } from './test-server.mjs';
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

/** the last test server start() made: its log goes with a failed test (an intermittent server exit is being chased) */
let lastServer: TestServer | null = null;

/** attach the test server's log to a test that did not pass */
export async function attachServerLog(info: TestInfo): Promise<void> {
  if (lastServer && info.status !== info.expectedStatus) await info.attach('test-server.log', { body: lastServer.logs(), contentType: 'text/plain' });
  lastServer = null;
}

export async function start(page: Page, recordRate: number, query: string): Promise<Started> {
  const server = await startTestServer(new Scenario(64, 48), { recordRate });
  lastServer = server;
  const recDir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-rec-'));
  const proxy = await startClientProxy(server, { recordDir: recDir });
  await openClient(page, `${proxy.url}${query}`);
  await server.waitForRecordClient();
  // the record channel is linked on the client's side too
  await expect.poll(async () => (await page.evaluate(() => (document.querySelector('spice-client') as unknown as { channels: Array<{ channelType: number; state: string }> }).channels)).some((c) => c.channelType === 6 && c.state === 'ready'), { timeout: 20_000 }).toBe(true);
  return { server, proxy, recDir };
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

