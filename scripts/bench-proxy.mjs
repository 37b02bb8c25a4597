#!/usr/bin/env node
// `npm run bench:proxy`: how the built proxy (dist/node/proxy) behaves with many SPICE-like sessions.
//
// Three processes on loopback: a target server (echo / sink / source), the proxy, and this one
// running the clients. Each session opens 4 WebSocket "channel" connections through the proxy,
// like a SPICE client (main, display, inputs, cursor):
//   main     echo   a 16-byte probe every 50 ms measures round-trip time
//   display  source the server streams 64 KiB blocks to the client (bulk phase only)
//   inputs   sink   the client streams 64 KiB blocks to the server (bulk phase only)
//   cursor   echo   idle
// For each N it reports: RTT through the proxy minus RTT of direct TCP at the same N (idle
// phase, p50/p99), RTT while bulk traffic flows, bulk throughput each way, and the proxy's RSS per
// session (idle after GC, and peak during bulk) and CPU time. Numbers only; nothing is asserted.
//
//   npm run bench:proxy                       N = 10, 100, 500; 3 s per phase
//   npm run bench:proxy -- --sessions 10,50 --duration 5
//   npm run bench:proxy -- --hwm 128          proxy high-water mark in KiB (default: the proxy's)
//   npm run bench:proxy -- --json             also print the results as JSON
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_JS = path.join(root, 'dist/node/proxy/server.js');
const BLOCK = 64 * 1024;
const PROBE_EVERY_MS = 50;

// ---------------------------------------------------------------- roles: target server, proxy
const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7);

async function runTarget() {
  // First byte of a connection: 'E' echo, 'K' sink, 'X' controlled source ('S' starts, 'P' stops).
  const block = Buffer.alloc(BLOCK, 0x5a);
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    let mode = '';
    let streaming = false;
    const pump = () => {
      while (streaming && !s.destroyed) {
        if (!s.write(block)) return void s.once('drain', pump);
      }
    };
    s.on('data', (d) => {
      let rest = d;
      if (mode === '') {
        mode = String.fromCharCode(d[0]);
        rest = d.subarray(1);
      }
      if (mode === 'E') {
        if (rest.length) s.write(rest);
      } else if (mode === 'X' && rest.length) {
        const last = String.fromCharCode(rest[rest.length - 1]);
        if (last === 'S' && !streaming) {
          streaming = true;
          pump();
        } else if (last === 'P') streaming = false;
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

async function runProxy() {
  const target = process.argv.find((a) => a.startsWith('--target='))?.slice(9);
  const hwmKiB = Number(process.argv.find((a) => a.startsWith('--hwm='))?.slice(6) || 0);
  const { startProxy } = await import(pathToFileURL(SERVER_JS).href);
  const proxy = await startProxy({
    listen: 0,
    target,
    logger: 'silent',
    maxConnectionsPerClient: 0, // every bench client comes from 127.0.0.1
    maxConnectionsPerToken: 0,
    ...(hwmKiB > 0 ? { highWaterMark: hwmKiB * 1024, lowWaterMark: (hwmKiB * 1024) / 4 } : {}),
  });
  process.on('message', (m) => {
    if (m.op === 'stats') globalThis.gc?.();
    process.send({ id: m.id, rss: process.memoryUsage().rss, cpu: process.cpuUsage(), conns: proxy.connections().length });
  });
  process.send({ port: proxy.port });
  process.on('disconnect', () => void proxy.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------- orchestration
function startChild(r, extra = [], execArgv = []) {
  const child = fork(fileURLToPath(import.meta.url), [`--role=${r}`, ...extra], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const first = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${r} exited with ${code}`)));
  });
  return { child, first };
}

let nextAsk = 1;
/** Asks the proxy child for 'stats' (after a GC) or 'rss' (no GC); replies are matched by id. */
function ask(child, op) {
  const id = nextAsk++;
  return new Promise((resolve) => {
    const onMsg = (m) => {
      if (m.id !== id) return;
      child.off('message', onMsg);
      resolve(m);
    };
    child.on('message', onMsg);
    child.send({ id, op });
  });
}

function parseArgs() {
  const a = process.argv.slice(2);
  const o = { sessions: [10, 100, 500], duration: 3, json: false, hwm: 0 };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--sessions') o.sessions = a[++i].split(',').map(Number);
    else if (a[i] === '--duration') o.duration = Number(a[++i]);
    else if (a[i] === '--json') o.json = true;
    else if (a[i] === '--hwm') o.hwm = Number(a[++i]);
    else if (a[i] === '-h' || a[i] === '--help') {
      console.log('usage: node scripts/bench-proxy.mjs [--sessions 10,100,500] [--duration SECONDS] [--hwm KiB] [--json]');
      process.exit(0);
    } else {
      console.error(`unknown option ${a[i]}`);
      process.exit(2);
    }
  }
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Collects RTT samples (ms) from 16-byte probes [seq u64][sent hrtime ns u64], echoed back. */
class Prober {
  constructor(send) {
    this.send = send;
    this.buf = Buffer.alloc(0);
    this.samples = null; // null: not recording
    this.seq = 0n;
    this.timer = null;
  }
  start() {
    this.timer = setTimeout(() => {
      this.timer = setInterval(() => this.probe(), PROBE_EVERY_MS);
      this.probe();
    }, Math.random() * PROBE_EVERY_MS);
  }
  stop() {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }
  probe() {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(this.seq++, 0);
    b.writeBigUInt64LE(process.hrtime.bigint(), 8);
    this.send(b);
  }
  onData(d) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const now = process.hrtime.bigint();
    while (this.buf.length >= 16) {
      const sent = this.buf.readBigUInt64LE(8);
      if (this.samples) this.samples.push(Number(now - sent) / 1e6);
      this.buf = this.buf.subarray(16);
    }
  }
}

async function runBench() {
  const opts = parseArgs();
  if (!existsSync(SERVER_JS)) {
    console.error(`${path.relative(root, SERVER_JS)} is missing: build the proxy first (\`npm run build\` or \`npx tsc -p src/proxy\`).`);
    process.exit(1);
  }
  const { default: WebSocket } = await import('ws');

  const target = startChild('target');
  const targetPort = (await target.first).port;
  const proxy = startChild('proxy', [`--target=127.0.0.1:${targetPort}`, `--hwm=${opts.hwm}`], ['--expose-gc']);
  const proxyPort = (await proxy.first).port;
  const wsUrl = `ws://127.0.0.1:${proxyPort}/ws`;
  console.log(`bench:proxy  node ${process.version}, target 127.0.0.1:${targetPort}, proxy ${wsUrl}, ${opts.duration} s per phase`);
  console.log('each session = 4 WebSocket channels (main: RTT probes, display: server->client bulk, inputs: client->server bulk, cursor: idle)\n');

  const results = [];
  for (const n of opts.sessions) results.push(await benchN(n, opts.duration, WebSocket, wsUrl, targetPort, proxy.child));

  const row = (cells) => cells.map((c, i) => String(c).padStart(i === 0 ? 5 : 12)).join(' ');
  console.log(row(['N', 'direct p50', 'direct p99', '+proxy p50', '+proxy p99', 'load p50', 'load p99', 's->c MB/s', 'c->s MB/s', 'idle KiB/ses', 'peak KiB/ses', 'proxy CPU']));
  for (const r of results) {
    const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    console.log(row([r.sessions, f(r.directP50), f(r.directP99), f(r.addedP50), f(r.addedP99), f(r.loadP50), f(r.loadP99),
      f(r.s2cMBps, 1), f(r.c2sMBps, 1), f(r.rssIdlePerSessionKiB, 0), f(r.rssPeakPerSessionKiB, 0), `${f(r.proxyCpuPct, 0)}%`]));
  }
  console.log('\nRTT in ms. "+proxy" = RTT through the proxy minus direct TCP RTT at the same N, no bulk traffic;');
  console.log('"load" = RTT through the proxy while every display channel streams (on a small machine this is mostly');
  console.log('CPU contention between the three processes). MB/s = bulk throughput, all sessions together, one');
  console.log('direction at a time. idle KiB/ses = proxy RSS growth per session with the 4 channels open (idle, after GC);');
  console.log('peak KiB/ses = the same at the RSS peak during bulk (includes garbage not yet collected).');
  console.log('proxy CPU = proxy process CPU time / wall time during bulk (100% = one core).');
  if (opts.json) console.log(JSON.stringify(results, null, 2));

  target.child.disconnect();
  proxy.child.disconnect();
}

async function openInBatches(count, open) {
  const out = [];
  for (let i = 0; i < count; i += 50) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)))));
  }
  return out;
}

async function benchN(n, duration, WebSocket, wsUrl, targetPort, proxyChild) {
  const ms = duration * 1000;
  // --- direct TCP baseline: N probe connections straight to the target
  const direct = await openInBatches(n, () => new Promise((resolve, reject) => {
    const s = net.connect(targetPort, '127.0.0.1', () => {
      s.setNoDelay(true);
      s.write('E');
      const p = new Prober((b) => s.write(b));
      s.on('data', (d) => p.onData(d));
      resolve({ s, p });
    });
    s.on('error', reject);
  }));
  for (const d of direct) d.p.start();
  await sleep(300);
  for (const d of direct) d.p.samples = [];
  await sleep(ms);
  const directRtt = direct.flatMap((d) => d.p.samples).sort((a, b) => a - b);
  for (const d of direct) {
    d.p.stop();
    d.s.destroy();
  }

  // --- through the proxy
  const before = await ask(proxyChild, 'stats');
  const openWs = (first) => new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, ['binary'], { perMessageDeflate: false });
    ws.once('open', () => {
      ws.send(Buffer.from(first));
      resolve(ws);
    });
    ws.once('error', reject);
  });
  const sessions = await openInBatches(n, async () => {
    const [main, display, inputs, cursor] = await Promise.all([openWs('E'), openWs('X'), openWs('K'), openWs('E')]);
    const probe = new Prober((b) => main.send(b));
    main.on('message', (d) => probe.onData(d));
    const s = { main, display, inputs, cursor, probe, down: 0, up: 0, pushing: false };
    display.on('message', (d) => (s.down += d.length));
    return s;
  });
  for (const s of sessions) s.probe.start();
  await sleep(300);
  const idle = await ask(proxyChild, 'stats');
  for (const s of sessions) s.probe.samples = [];
  await sleep(ms);
  const idleRtt = sessions.flatMap((s) => s.probe.samples).sort((a, b) => a - b);

  // --- bulk phases, one direction at a time (each saturates this machine on its own):
  //     display streams server -> client (RTT probes keep running), then inputs client -> server
  const block = Buffer.alloc(BLOCK, 0xa5);
  const push = (s) => {
    if (!s.pushing) return;
    while (s.inputs.bufferedAmount < 1024 * 1024) {
      s.inputs.send(block);
      s.up += block.length;
    }
    setTimeout(() => push(s), 5);
  };
  let peak = idle.rss;
  const sampler = setInterval(async () => {
    const r = await ask(proxyChild, 'rss');
    if (r.rss > peak) peak = r.rss;
  }, 250);
  const phase = async (startFn, stopFn) => {
    const c0 = await ask(proxyChild, 'rss');
    const t0 = process.hrtime.bigint();
    for (const s of sessions) startFn(s);
    await sleep(ms);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const c1 = await ask(proxyChild, 'rss');
    for (const s of sessions) stopFn(s);
    return { elapsed, cpuS: (c1.cpu.user + c1.cpu.system - c0.cpu.user - c0.cpu.system) / 1e6 };
  };
  for (const s of sessions) {
    s.probe.samples = [];
    s.down = 0;
  }
  const down = await phase((s) => s.display.send(Buffer.from('S')), (s) => s.display.send(Buffer.from('P')));
  const downBytes = sessions.reduce((a, s) => a + s.down, 0);
  const loadRtt = sessions.flatMap((s) => s.probe.samples).sort((a, b) => a - b);
  for (const s of sessions) s.probe.stop();
  await sleep(300); // let the tail of the download drain
  const up = await phase((s) => {
    s.up = 0;
    s.pushing = true;
    push(s);
  }, (s) => (s.pushing = false));
  const upBytes = sessions.reduce((a, s) => a + s.up, 0);
  clearInterval(sampler);

  // --- tear down and wait until the proxy has let go of every connection
  for (const s of sessions) for (const ws of [s.main, s.display, s.inputs, s.cursor]) ws.terminate();
  for (let i = 0; i < 200; i++) {
    const st = await ask(proxyChild, 'stats');
    if (st.conns === 0) break;
    await sleep(50);
  }

  const r = {
    sessions: n,
    channels: n * 4,
    directP50: pct(directRtt, 50),
    directP99: pct(directRtt, 99),
    proxiedP50: pct(idleRtt, 50),
    proxiedP99: pct(idleRtt, 99),
    addedP50: pct(idleRtt, 50) - pct(directRtt, 50),
    addedP99: pct(idleRtt, 99) - pct(directRtt, 99),
    loadP50: pct(loadRtt, 50),
    loadP99: pct(loadRtt, 99),
    s2cMBps: downBytes / down.elapsed / 1e6,
    c2sMBps: upBytes / up.elapsed / 1e6,
    rssIdlePerSessionKiB: (idle.rss - before.rss) / n / 1024,
    rssPeakPerSessionKiB: (peak - before.rss) / n / 1024,
    proxyRssIdleMiB: idle.rss / 1048576,
    proxyRssPeakMiB: peak / 1048576,
    proxyCpuPct: ((down.cpuS + up.cpuS) / (down.elapsed + up.elapsed)) * 100,
    samples: { direct: directRtt.length, idle: idleRtt.length, load: loadRtt.length },
  };
  console.log(`N=${n}: ${n * 4} WebSockets, proxy RSS ${r.proxyRssIdleMiB.toFixed(0)} MiB idle / ${r.proxyRssPeakMiB.toFixed(0)} MiB peak, ` +
    `RTT probes ${r.samples.direct} direct / ${r.samples.idle} idle / ${r.samples.load} loaded`);
  return r;
}

if (role === 'target') await runTarget();
else if (role === 'proxy') await runProxy();
else await runBench();
