import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { memoryLogger } from './log.js';
import { startProxy, type ProxyHandle, type ProxyOptions } from './server.js';
import { closed, closedPort, countingServer, openWs, waitFor, wsOutcome, type CountingServer } from './testing/helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function proxyTo(target: CountingServer | number, extra: Partial<ProxyOptions> = {}): Promise<ProxyHandle> {
  const port = typeof target === 'number' ? target : target.port;
  const p = await startProxy({ listen: 0, target: { host: '127.0.0.1', port }, logger: 'silent', ...extra });
  cleanups.push(() => p.close());
  return p;
}

async function server(onConn?: (s: net.Socket) => void): Promise<CountingServer> {
  const s = await countingServer(onConn);
  cleanups.push(() => s.close());
  return s;
}

describe('relay', () => {
  it('round-trips binary data through a real TCP echo server, one TCP connection per WebSocket', async () => {
    const echo = await server();
    const p = await proxyTo(echo);
    const ws = await openWs(p.wsUrl, ['binary']);
    expect(ws.protocol).toBe('binary');
    const sent = randomBytes(300_000);
    const got: Buffer[] = [];
    let n = 0;
    ws.on('message', (d: Buffer) => {
      got.push(d);
      n += d.length;
    });
    for (let i = 0; i < sent.length; i += 10_000) ws.send(sent.subarray(i, i + 10_000));
    await waitFor(() => n >= sent.length, 'echoed bytes');
    expect(Buffer.concat(got).equals(sent)).toBe(true);
    expect(echo.accepted).toBe(1);
    const ws2 = await openWs(p.wsUrl);
    await waitFor(() => echo.accepted === 2, 'second TCP connection');
    ws.close();
    ws2.close();
    await waitFor(() => p.connections().length === 0, 'relays closed');
    expect(p.metrics.bytesClientToTarget).toBe(sent.length);
    expect(p.metrics.bytesTargetToClient).toBe(sent.length);
    expect(p.metrics.connectionsTotal).toBe(2);
  });

  it('accepts no subprotocol, and picks "binary" among several offered', async () => {
    const echo = await server();
    const p = await proxyTo(echo);
    const none = await openWs(p.wsUrl);
    expect(none.protocol).toBe('');
    const several = await openWs(p.wsUrl, ['base64', 'binary']);
    expect(several.protocol).toBe('binary');
    none.close();
    several.close();
  });

  it('refuses a base64-only client clearly, without connecting to the target', async () => {
    const echo = await server();
    const p = await proxyTo(echo);
    const o = await wsOutcome(p.wsUrl, ['base64']);
    expect(o.opened).toBe(false);
    expect(o.status).toBe(400);
    expect(o.body).toMatch(/base64 subprotocol is not supported/);
    expect(echo.accepted).toBe(0);
  });

  it('refuses text frames (SPICE is binary)', async () => {
    const echo = await server();
    const p = await proxyTo(echo);
    const o = await wsOutcome(p.wsUrl, [], {}, (ws) => ws.send('hello'));
    expect(o.code).toBe(1003);
    expect(o.reason).toMatch(/text frames/);
  });

  it('target closing closes the WebSocket (1000, after delivering what the target sent)', async () => {
    const srv = await server((s) => s.end(Buffer.from('bye')));
    const p = await proxyTo(srv);
    const o = await wsOutcome(p.wsUrl, ['binary']);
    expect(Buffer.concat(o.messages).toString()).toBe('bye');
    expect(o.code).toBe(1000);
    expect(o.reason).toMatch(/target closed/);
  });

  it('a target reset closes the WebSocket with 1011', async () => {
    const srv = await server((s) => setTimeout(() => s.resetAndDestroy(), 20));
    const p = await proxyTo(srv);
    const o = await wsOutcome(p.wsUrl);
    expect(o.code).toBe(1011);
    expect(o.reason).toMatch(/target connection failed: ECONNRESET/);
  });

  it('WebSocket closing ends the TCP connection, after the last bytes reached the target', async () => {
    let received = Buffer.alloc(0);
    let ended = false;
    const srv = await server((s) => {
      s.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
      s.on('end', () => (ended = true));
    });
    const p = await proxyTo(srv);
    const ws = await openWs(p.wsUrl);
    ws.send(Buffer.from('last words'));
    ws.close(1000);
    await waitFor(() => ended, 'TCP end at the target');
    expect(received.toString()).toBe('last words');
    await waitFor(() => p.connections().length === 0, 'relay gone');
    expect(p.metrics.connectionsCurrent).toBe(0);
  });

  it('an unreachable target closes the WebSocket with "target unreachable"', async () => {
    const port = await closedPort();
    const p = await proxyTo(port);
    const o = await wsOutcome(p.wsUrl, ['binary']);
    expect(o.opened).toBe(true);
    expect(o.code).toBe(4502);
    expect(o.reason).toMatch(/^target unreachable: ECONNREFUSED/);
    expect(p.metrics.errors.get('target_unreachable')).toBe(1);
  });

  it('data sent before the target connection is up is kept and delivered in order', async () => {
    const chunks: Buffer[] = [];
    const srv = await server((s) => s.on('data', (d: Buffer) => chunks.push(d)));
    const p = await proxyTo(srv);
    const ws = new WebSocket(p.wsUrl);
    ws.on('open', () => {
      for (let i = 0; i < 50; i++) ws.send(Buffer.from([i]));
    });
    await waitFor(() => Buffer.concat(chunks).length === 50, 'all bytes');
    expect([...Buffer.concat(chunks)]).toEqual([...Array(50).keys()]);
    ws.close();
  });
});

describe('backpressure', () => {
  it('a browser that stops reading pauses the target socket; bufferedAmount stays bounded; nothing is lost', async () => {
    const total = 64 * 1024 * 1024;
    const hash = createHash('sha256');
    let written = 0;
    let targetBlocked = false;
    const srv = await server((s) => {
      const block = randomBytes(64 * 1024);
      const pump = () => {
        while (written < total) {
          hash.update(block);
          written += block.length;
          if (!s.write(block)) {
            targetBlocked = true;
            s.once('drain', pump);
            return;
          }
        }
        s.end();
      };
      pump();
    });
    const hwm = 256 * 1024;
    const p = await proxyTo(srv, { highWaterMark: hwm, lowWaterMark: 64 * 1024, heartbeatMs: 0 });
    const ws = await openWs(p.wsUrl, ['binary']);
    // stop reading: the client's TCP receive window fills, then the proxy's send queue
    ws.pause();
    await waitFor(() => p.connections()[0]?.targetPaused === true, 'target socket paused');
    await waitFor(() => targetBlocked, 'target writes blocked');
    const s1 = p.connections()[0]!;
    // bounded: at most the high-water mark plus one TCP read (<= 64 KiB)
    expect(s1.wsBufferedAmount).toBeLessThanOrEqual(hwm + 64 * 1024);
    expect(written).toBeLessThan(total);
    // the proxy does not keep reading while paused
    const relayedWhilePaused = s1.bytesTargetToClient;
    await new Promise((r) => setTimeout(r, 100));
    expect(p.connections()[0]!.bytesTargetToClient).toBe(relayedWhilePaused);
    expect(p.metrics.pausesTarget).toBeGreaterThanOrEqual(1);

    // resume reading: everything arrives, intact
    const got = createHash('sha256');
    let n = 0;
    ws.on('message', (d: Buffer) => {
      got.update(d);
      n += d.length;
    });
    ws.resume();
    await closed(ws);
    expect(n).toBe(total);
    expect(got.digest('hex')).toBe(hash.digest('hex'));
  }, 60_000);

  it('a target that stops reading pauses the WebSocket; the proxy queue toward the target stays bounded', async () => {
    let target: net.Socket | null = null;
    let received = 0;
    const recvHash = createHash('sha256');
    const srv = await server((s) => {
      target = s;
      s.pause();
      s.on('data', (d: Buffer) => {
        received += d.length;
        recvHash.update(d);
      });
    });
    const p = await proxyTo(srv, { heartbeatMs: 0 });
    const ws = await openWs(p.wsUrl);
    const block = randomBytes(256 * 1024);
    const sentHash = createHash('sha256');
    const count = 200; // 50 MiB
    for (let i = 0; i < count; i++) {
      ws.send(block);
      sentHash.update(block);
    }
    await waitFor(() => p.connections()[0]?.clientPaused === true, 'WebSocket paused');
    const st = p.connections()[0]!;
    expect(st.clientPaused).toBe(true);
    // the proxy stopped reading the browser: far less than what was sent is in flight to the target
    expect(st.bytesClientToTarget).toBeLessThan(count * block.length);
    // Node's socket buffer holds at most what was accepted before write() said "full", plus one message
    expect(st.targetWritableLength).toBeLessThanOrEqual(16 * 1024 + 2 * block.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(p.connections()[0]!.bytesClientToTarget).toBe(st.bytesClientToTarget);
    expect(p.metrics.pausesClient).toBeGreaterThanOrEqual(1);

    target!.resume();
    await waitFor(() => received === count * block.length, 'all bytes at the target', 30_000);
    expect(recvHash.digest('hex')).toBe(sentHash.digest('hex'));
    await waitFor(() => p.connections()[0]?.clientPaused === false, 'WebSocket resumed');
    ws.close();
  }, 60_000);
});
