// The ACK window against a real server (protocol reference 2.3): spice-server stops sending a
// channel once more than two windows (2 × 20 messages) are unacknowledged, counting from its
// SET_ACK. A client that reads the SET_ACK and the messages behind it in one chunk must count them
// all. Here a relay hands the display channel's first 41 messages over in one write while a
// terminal keeps printing, so the server has already stopped at 41 messages when the client reads
// them: the client must acknowledge from that burst, or the display (and Xspice's X server, whose
// drawing waits for the display pipe) stays frozen for good.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, waitFor, waitForWindow, xsync } from './harness/index';
import { clientDisplayStats, clientStatus, openClient, startClientProxy, waitForExactMatch } from './harness/client';
import { startBurstRelay } from './harness/burst-relay';

test('a display burst read in one chunk with the SET_ACK is acknowledged: the picture keeps flowing and ends exact', async ({ page, xspice }) => {
  test.setTimeout(90_000);
  // a terminal printing a line every 20 ms (the server has draws to send all the time) until a
  // file appears; then it stays on screen as it is. Kept off the screen's centre, where the X
  // pointer rests: X draws its software cursor into the framebuffer, which xwd does not see
  const title = `spice-web-printer-${process.pid}`;
  const stopFile = path.join(xspice.runDir, 'printer.stop');
  const printer = xspice.spawnClient('xterm', ['-display', xspice.display, '-geometry', '60x20+0+0', '-fa', 'DejaVu Sans Mono', '-fs', '12', '-T', title, '+sb', '-bw', '0',
    '-xrm', 'XTerm*cursorBlink: false', '-e', 'sh', '-c', 'i=0; while [ ! -e "$1" ]; do i=$((i+1)); echo "line $i"; sleep 0.02; done; echo "$1" > "$1.done"; exec sleep 600', 'sh', stopFile], { name: 'printer' });
  await waitForWindow(xspice, title, 15_000, printer);
  // held until the server stops (41 messages: SET_ACK and 40 unacknowledged), 15 s at most
  const relay = await startBurstRelay(xspice, { channelType: 2, messages: 41, maxHoldMs: 15_000 });
  const proxy = await startClientProxy({ port: relay.port });
  try {
    await openClient(page, proxy.url);
    await expect.poll(() => relay.bursts.length, { timeout: 20_000 }).toBe(1);
    const burst = relay.bursts[0]!;
    console.log(`[flow control] display burst: ${burst.messages} messages, ${burst.bytes} bytes in one write; first types ${burst.types.slice(0, 8).join(' ')}`);
    // the scenario happened: SET_ACK first, and the server stopped at its limit (41) or sent more
    expect(burst.types[0]).toBe(3 /* SPICE_MSG_SET_ACK */);
    expect(burst.messages).toBeGreaterThanOrEqual(41);
    await expect.poll(async () => (await clientStatus(page)).state, { timeout: 20_000 }).toBe('connected');
    // the printing goes on through the client's ACKs; stop it, and the picture must end exact
    await expect.poll(async () => Object.values((await clientDisplayStats(page, 0)).messages).reduce((a, b) => a + b, 0), { timeout: 20_000 }).toBeGreaterThan(burst.messages + 100);
    writeFileSync(stopFile, '');
    await waitFor(() => existsSync(`${stopFile}.done`), { timeout: 20_000, what: 'the terminal to stop printing' });
    await xsync(xspice);
    const m = await waitForExactMatch(page, xspice, 20_000);
    expect(m.detail).toBe('exact');
  } finally {
    await proxy.close();
    await relay.close();
    await printer.stop();
  }
});
