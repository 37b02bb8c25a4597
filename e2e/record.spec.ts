// Issue 8, scope 5 acceptance: the microphone to the guest. Against the harness test server on
// the real libspice-server with a record interface that stores what the library hands it (S16
// stereo; the library decodes Opus itself), Chromium's fake capture device
// (--use-fake-device-for-media-stream, the permission granted to the page) arrives on the server as the same tone, in Opus and in raw
// mode; nothing is sent before RECORD_START or after RECORD_STOP (the proxy's traffic recording
// of the record channel and the client's own counters); the user is asked first (our prompt,
// clicked), a recording indicator shows meanwhile, and the browser's refusal is shown.
// The fake device plays short beeps; their frequency is measured in the page first (getUserMedia
// without the client), not assumed, and the server's samples must give the same ±2 Hz.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { Scenario, startTestServer } from './harness/test-server.mjs';
import { openClient, startClientProxy, statusText } from './harness/client';
import { baseLaunch } from './harness/audio-page';
import { burstTone, type WireMessage } from './harness/record-wire';
import { attachServerLog, fakeDeviceInPage, finish, keepLog, mic, start, startAllowed, stopRecording } from './harness/record-page';

const FAKE_DEVICE = '--use-fake-device-for-media-stream';
const S2C_START = 101, S2C_STOP = 102;
const C2S_DATA = 101, C2S_MODE = 102, C2S_START_MARK = 103;
const AUDIO_OUT = [C2S_DATA, C2S_MODE, C2S_START_MARK];
const TOLERANCE_HZ = 2;

const audioOut = (w: WireMessage[]) => w.filter((m) => m.dir === 'c2s' && AUDIO_OUT.includes(m.type));
const idx = (w: WireMessage[], type: number, nth = 0) => w.map((m, i) => (m.dir === 's2c' && m.type === type ? i : -1)).filter((i) => i >= 0)[nth] ?? -1;

// one browser for the file (launch options force a worker): the fake device, no fake UI, so
// the microphone permission is Chromium's own: granted to the page below, denied further down
test.use({ launchOptions: { ...baseLaunch, args: [...(baseLaunch.args ?? []), FAKE_DEVICE] } });

test.afterEach(async ({}, info) => attachServerLog(info));

test.describe('microphone with the fake capture device', () => {
  test.use({ permissions: ['microphone'] });

  const modes = [
    { name: 'opus', recordRate: 48000, query: '', mode: 'opus' },
    { name: 'raw (Opus disabled in the client)', recordRate: 48000, query: '&mic-codec=raw', mode: 'raw' },
    { name: 'raw at 22050 Hz (a server without Opus; the client resamples)', recordRate: 22050, query: '', mode: 'raw' },
  ];
  for (const m of modes) {
    test(`the fake device's tone reaches the server: ${m.name}`, async ({ page }) => {
      test.setTimeout(120_000);
      const s = await start(page, m.recordRate, `?mic-processing=0${m.query}`);
      try {
        // what the fake device plays, measured here (not assumed)
        const dev = await fakeDeviceInPage(page, 3);
        const devTone = burstTone(dev.samples, dev.rate);
        console.log(`[record ${m.name}] the fake device in the page: ${devTone.hz.toFixed(2)} Hz (${devTone.periods} periods at ${dev.rate} Hz)`);
        expect(devTone.periods, 'the fake device plays a tone').toBeGreaterThan(10);

        // connected and linked, the server not asking: nothing opened, nothing sent
        expect(await mic(page)).toMatchObject({ state: 'idle', packets: 0 });
        await expect(page.locator('.spice-mic')).toBeHidden();

        await s.server.recordStart();
        // the user is asked first; the click is a real click on our prompt
        const prompt = page.locator('.spice-mic');
        await expect(prompt).toHaveAttribute('data-state', 'asking', { timeout: 20_000 });
        await expect(prompt).toContainText('wants to use your microphone');
        await prompt.locator('[data-action=allow]').click();
        await expect.poll(async () => (await mic(page))?.state, { timeout: 20_000 }).toBe('recording');
        expect(await mic(page)).toMatchObject({ mode: m.mode, rate: m.recordRate, channels: 2 });
        // the indicator shows while recording
        await expect(prompt).toHaveAttribute('data-state', 'recording');
        await expect(prompt).toContainText('Microphone on');
        // ~4 s of sound: about 8 beeps
        await expect.poll(async () => (await mic(page))?.frames ?? 0, { timeout: 30_000 }).toBeGreaterThan(4 * m.recordRate);

        const got = await stopRecording(page, s.server);
        await expect(prompt).toBeHidden();
        const atStop = (await mic(page))!;

        const tone = burstTone(got.left, got.rate);
        const right = burstTone(got.right, got.rate);
        console.log(`[record ${m.name}] server stored ${got.frames} frames at ${got.rate} Hz (client sent ${atStop.packets} packets, ${atStop.frames} frames): ${tone.hz.toFixed(2)} Hz left (${tone.periods} periods, peak ${tone.peak}), ${right.hz.toFixed(2)} Hz right`);
        expect(got.frames, 'the server received sound').toBeGreaterThan(m.recordRate);
        expect(got.frames).toBeLessThanOrEqual(atStop.frames);
        expect(tone.periods).toBeGreaterThan(20);
        expect(Math.abs(tone.hz - devTone.hz), `server ${tone.hz.toFixed(2)} Hz vs device ${devTone.hz.toFixed(2)} Hz`).toBeLessThanOrEqual(TOLERANCE_HZ);
        expect(Math.abs(right.hz - devTone.hz)).toBeLessThanOrEqual(TOLERANCE_HZ);

        // after STOP the client sends nothing: its counter stands still while the server goes on
        await s.server.recordVolume(65535, 65535); // a later message the client must have handled
        await expect.poll(async () => (await page.evaluate(() => (document.querySelector('spice-client') as unknown as { microphone: { volume: number[] } }).microphone.volume)), { timeout: 10_000 }).toEqual([1, 1]);
        expect((await mic(page))!.packets).toBe(atStop.packets);

        const wire = await finish(page, s);
        const out = audioOut(wire);
        const startAt = idx(wire, S2C_START), stopAt = idx(wire, S2C_STOP);
        expect(startAt).toBeGreaterThanOrEqual(0);
        // on the wire: nothing before RECORD_START; MODE and START_MARK first; every DATA the client counted
        expect(out.filter((x) => wire.indexOf(x) < startAt), 'record messages before RECORD_START').toEqual([]);
        expect(out.slice(0, 2).map((x) => x.type)).toEqual([C2S_MODE, C2S_START_MARK]);
        const data = out.filter((x) => x.type === C2S_DATA);
        expect(data.length, 'DATA on the wire = DATA the client counted').toBe(atStop.packets);
        console.log(`[record ${m.name}] wire: ${data.length} DATA (${data.filter((x) => wire.indexOf(x) > stopAt).length} relayed after STOP was relayed, sent before the client had it), bytes/packet ${Math.round(data.reduce((a, x) => a + x.size, 0) / data.length)}`);
      } finally {
        await s.proxy.close().catch(() => undefined);
        await s.server.stop().catch(() => undefined);
      }
    });
  }

  test('a second recording starts without asking again (the decision holds) and marks the stream again', async ({ page }) => {
    test.setTimeout(120_000);
    const s = await start(page, 48000, '?mic-processing=0');
    try {
      await startAllowed(page, s.server);
      await expect.poll(async () => (await mic(page))?.packets ?? 0, { timeout: 20_000 }).toBeGreaterThan(50);
      await stopRecording(page, s.server);
      const first = (await mic(page))!.packets;
      await s.server.recordStart();
      await expect.poll(async () => (await mic(page))?.state, { timeout: 20_000 }).toBe('recording');
      await expect.poll(async () => (await mic(page))?.packets ?? 0, { timeout: 20_000 }).toBeGreaterThan(first + 50);
      await stopRecording(page, s.server);
      const total = (await mic(page))!.packets;
      const wire = await finish(page, s);
      const start2 = idx(wire, S2C_START, 1);
      const after2 = audioOut(wire).filter((x) => wire.indexOf(x) > start2);
      expect(after2.slice(0, 2).map((x) => x.type)).toEqual([C2S_MODE, C2S_START_MARK]);
      expect(audioOut(wire).filter((x) => x.type === C2S_DATA).length).toBe(total);
      console.log(`[record twice] ${first} + ${total - first} packets`);
    } finally {
      await s.proxy.close().catch(() => undefined);
      await s.server.stop().catch(() => undefined);
    }
  });

  test('Deny in the prompt: nothing is sent and the guest can be allowed later', async ({ page }) => {
    test.setTimeout(120_000);
    const s = await start(page, 48000, '?mic-processing=0');
    try {
      await s.server.recordStart();
      const prompt = page.locator('.spice-mic');
      await prompt.locator('[data-action=deny]').click({ timeout: 20_000 });
      await expect.poll(async () => (await mic(page))?.state, { timeout: 20_000 }).toBe('declined');
      await expect(prompt).toContainText('you said no');
      // the server keeps asking: still nothing (a later message proves the client is processing)
      await s.server.recordVolume(30000, 30000);
      await expect.poll(async () => (await page.evaluate(() => (document.querySelector('spice-client') as unknown as { microphone: { volume: number[] } }).microphone.volume.length)), { timeout: 10_000 }).toBe(2);
      expect((await mic(page))!.packets).toBe(0);
      await prompt.locator('[data-action=allow]').click();
      await expect.poll(async () => (await mic(page))?.packets ?? 0, { timeout: 20_000 }).toBeGreaterThan(20);
      await stopRecording(page, s.server);
      const total = (await mic(page))!.packets;
      const wire = await finish(page, s);
      expect(audioOut(wire).filter((x) => x.type === C2S_DATA).length).toBe(total);
    } finally {
      await s.proxy.close().catch(() => undefined);
      await s.server.stop().catch(() => undefined);
    }
  });
});

test.describe('microphone volume and mute from the server', () => {
  test.use({ permissions: ['microphone'] });

  test('RECORD_VOLUME ½ halves what the server gets; RECORD_MUTE silences it (raw, so levels are exact)', async ({ page }) => {
    test.setTimeout(120_000);
    const s = await start(page, 48000, '?mic-processing=0&mic-codec=raw');
    const volume = () => page.evaluate(() => (document.querySelector('spice-client') as unknown as { microphone: { volume: number[]; muted: boolean } }).microphone);
    // one recording per setting, so no sample has to be matched to the moment a message came
    const record = async (): Promise<number> => {
      const before = (await mic(page))!.frames;
      await s.server.recordStart();
      await expect.poll(async () => (await mic(page))?.frames ?? 0, { timeout: 20_000 }).toBeGreaterThan(before + 48000);
      const got = await stopRecording(page, s.server);
      expect(got.frames).toBeGreaterThan(24000);
      return got.left.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    };
    try {
      await startAllowed(page, s.server);
      await stopRecording(page, s.server);
      const full = await record();
      await s.server.recordVolume(32768, 32768);
      await expect.poll(async () => (await volume()).volume, { timeout: 10_000 }).toEqual([32768 / 65535, 32768 / 65535]);
      const half = await record();
      await s.server.recordMute(true);
      await expect.poll(async () => (await volume()).muted, { timeout: 10_000 }).toBe(true);
      const muted = await record();
      console.log(`[record volume] peak S16 on the server: full ${full}, volume ½ ${half}, muted ${muted}`);
      expect(full).toBe(32767);
      expect(Math.abs(half - Math.round(32767 * (32768 / 65535)))).toBeLessThanOrEqual(1);
      expect(muted).toBe(0);
    } finally {
      await s.proxy.close().catch(() => undefined);
      await s.server.stop().catch(() => undefined);
    }
  });
});

test.describe('microphone blocked by the browser', () => {
  // no permission granted, and Chromium's setting for the page's origin set to denied over CDP

  test('the refusal is shown to the user and reported as permissionDenied; nothing is sent', async ({ page, browser }) => {
    test.setTimeout(120_000);
    const server = await startTestServer(new Scenario(64, 48), { recordRate: 48000 });
    keepLog(server);
    const recDir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-rec-'));
    const proxy = await startClientProxy(server, { recordDir: recDir });
    const s = { server, proxy, recDir };
    try {
      // Chromium's own permission setting for this page's context and origin: denied
      const pageCdp = await page.context().newCDPSession(page);
      const { targetInfo } = await pageCdp.send('Target.getTargetInfo');
      const cdp = await browser.newBrowserCDPSession();
      await cdp.send('Browser.setPermission', { permission: { name: 'microphone' }, setting: 'denied', origin: new URL(proxy.url).origin, browserContextId: targetInfo.browserContextId });
      await openClient(page, proxy.url);
      await page.evaluate(() => {
        const w = window as unknown as { micErrors: unknown[] };
        w.micErrors = [];
        document.querySelector('spice-client')!.addEventListener('spiceerror', (e) => w.micErrors.push((e as CustomEvent).detail));
      });
      await server.waitForRecordClient();
      await server.recordStart();
      const prompt = page.locator('.spice-mic');
      await prompt.locator('[data-action=allow]').click({ timeout: 20_000 });
      await expect.poll(async () => (await mic(page))?.state, { timeout: 20_000 }).toBe('denied');
      expect((await mic(page))!.error).toMatchObject({ type: 'mediaError', details: 'permissionDenied' });
      await expect(prompt).toContainText('The browser blocked the microphone');
      const errors = await page.evaluate(() => (window as unknown as { micErrors: Array<{ type: string; details: string; channel?: { channelType: number } }> }).micErrors);
      expect(errors).toContainEqual(expect.objectContaining({ type: 'mediaError', details: 'permissionDenied', channel: { channelType: 6, channelId: 0 } }));
      await expect.poll(() => statusText(page)).toContain('microphone');
      console.log(`[record denied] prompt: "${await prompt.textContent()}"; status: "${await statusText(page)}"`);
      await stopRecording(page, server);
      const wire = await finish(page, s);
      expect(audioOut(wire)).toEqual([]);
    } finally {
      await proxy.close().catch(() => undefined);
      await server.stop().catch(() => undefined);
    }
  });
});
