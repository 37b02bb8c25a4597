// Issue 4 acceptance: a session recorded by `spice-web serve --record DIR` replays through
// `spice-web replay DIR` into the client and shows the same final frame. The recording is made
// against a real Xspice (pattern, an xterm, text typed in the page); the replay runs after that
// server is stopped, so nothing real can answer.
import { readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test, expect, showPattern, startXterm, startProcess, grabFramebuffer, comparePixels, describeComparison, writeComparisonArtifacts, type Proc } from './harness/index';
import { clientScreenshot, clientStatus, openClient, waitForInputs, startClientProxy, typeAsUser, waitForExactMatch } from './harness/client';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

/** `bin/spice-web.mjs replay ...` as a process; resolves with its URL once it listens. */
async function startReplayCli(args: string[]): Promise<{ proc: Proc; url: string; log: () => string }> {
  const proc = startProcess(process.execPath, [path.join(root, 'bin/spice-web.mjs'), 'replay', ...args], { stdio: ['ignore', 'ignore', 'pipe'], name: 'spice-web replay' });
  let log = '';
  proc.child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`spice-web replay did not start:\n${log}`)), 10_000);
    proc.child.stderr!.on('data', (s: string) => {
      log += s;
      const m = /listening on (http:\/\/\S+\/) /.exec(log);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    void proc.exited.then(() => reject(new Error(`spice-web replay exited:\n${log}`)));
  });
  return { proc, url, log: () => log };
}

test.use({ xspiceOptions: { geometry: '800x600' } });

test('a recorded session replays through spice-web replay and shows the same final frame', async ({ page, context, xspice }, testInfo) => {
  const recDir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-rec-'));
  let replay: Awaited<ReturnType<typeof startReplayCli>> | null = null;
  try {
    // --- record a live session ---
    const t0 = Date.now();
    const proxy = await startClientProxy(xspice, { recordDir: recDir });
    let final: { width: number; height: number; rgba: Buffer };
    let truth: { width: number; height: number; rgba: Buffer };
    try {
      await showPattern(xspice);
      const term = await startXterm(xspice, { x: 30, y: 30, cols: 60, rows: 12 });
      await term.focus();
      // keep the X pointer over the bare root: over the xterm X would draw its I-beam sprite
      // into the framebuffer, which xwd leaves out
      execFileSync('xdotool', ['mousemove', '795', '595'], { env: xspice.env });
      await openClient(page, proxy.url);
      await expect.poll(async () => (await clientStatus(page)).state).toBe('connected');
      await waitForInputs(page);
      await page.locator('spice-client .screen').focus();
      const text = 'replayed: Hello 0123456789\n';
      await typeAsUser(page, text);
      expect(await term.waitForTyped(text, 15_000)).toBe(text);
      const m = await waitForExactMatch(page, xspice);
      expect(m.ok, m.detail).toBe(true);
      final = await clientScreenshot(page);
      truth = await grabFramebuffer(xspice);
      // the recorded end state is a real frame: the screenshot is the server's framebuffer
      const r = comparePixels(final, truth);
      expect(r.sameSize && r.mismatches === 0, describeComparison(r)).toBe(true);
      await page.close();
    } finally {
      await proxy.close();
    }
    const files = readdirSync(recDir).filter((f) => f.endsWith('.spicerec'));
    const bytes = files.reduce((n, f) => n + statSync(path.join(recDir, f)).size, 0);
    const recordMs = Date.now() - t0;

    // --- nothing real is reachable any more ---
    const port = xspice.port;
    await xspice.stop();
    expect(await connectRefused(port)).toBe(true);

    // --- replay into a fresh page: as fast as possible, then at the recorded pace ---
    const report: string[] = [];
    for (const speed of ['max', '1']) {
      const t1 = Date.now();
      replay = await startReplayCli([recDir, '--listen', '0', '--speed', speed, '--web', path.join(root, 'dist/client')]);
      const page2 = await context.newPage();
      await openClient(page2, replay.url);
      let last = 'no screenshot yet';
      let shown: { width: number; height: number; rgba: Buffer } | null = null;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        try {
          shown = await clientScreenshot(page2);
          const r = comparePixels(shown, final);
          if (r.sameSize && r.mismatches === 0) break;
          last = describeComparison(r);
        } catch (e) {
          last = String(e);
        }
        await page2.waitForTimeout(200);
      }
      const replayMs = Date.now() - t1;
      expect(shown, `speed ${speed}: ${last}`).not.toBeNull();
      const vsFinal = comparePixels(shown!, final);
      if (!(vsFinal.sameSize && vsFinal.mismatches === 0)) writeComparisonArtifacts(testInfo.outputPath(`replay-speed-${speed}`), 'final-frame', final, shown!);
      expect(vsFinal.sameSize && vsFinal.mismatches === 0, `speed ${speed}: replayed vs recorded final frame: ${last} (client: ${(await clientStatus(page2)).message})`).toBe(true);
      const vsTruth = comparePixels(shown!, truth);
      expect(vsTruth.sameSize && vsTruth.mismatches === 0, `speed ${speed}: replayed vs xwd at the end of the recording: ${describeComparison(vsTruth)}`).toBe(true);
      // every channel the client opened was answered from a recording
      const played = replay.log().split('\n').filter((l) => l.includes('"replay_connection"')).map((l) => JSON.parse(l).channel as string);
      expect(played).toEqual(expect.arrayContaining(['main:0', 'display:0', 'inputs:0']));
      expect(replay.log()).not.toContain('replay_no_recording');
      report.push(`speed ${speed}: exact final frame after ${replayMs} ms (${played.join(' ')})`);
      await page2.close();
      await replay.proc.stop(3000);
      replay = null;
    }
    console.log(`[replay] recorded ${files.length} connections, ${bytes} bytes, in ${recordMs} ms; ${report.join('; ')}`);
  } finally {
    await replay?.proc.stop(3000);
    rmSync(recDir, { recursive: true, force: true });
  }
});
