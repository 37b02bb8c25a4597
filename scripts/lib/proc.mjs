// Process and network helpers shared by the harness modules (xspice, content, faulty-relay).
// Everything here only ever signals processes that this Node process started itself.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * True when `pid` is a live (non-zombie) process. A zombie counts as dead: PID 1 in some
 * sandboxes does not reap orphans, so killed daemons can linger as <defunct>.
 * @param {number} pid
 */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: exists but belongs to someone else -> alive
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false; // vanished between the two checks
  }
}

/**
 * Poll `fn` until it returns a truthy value (or a promise of one); returns that value. Errors
 * thrown by fn are retried until the timeout, except those with a truthy `fatal` property.
 * @template T
 * @param {() => T | Promise<T>} fn
 * @param {{ timeout?: number, interval?: number, what?: string }} [opts]
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(fn, opts = {}) {
  const { timeout = 10_000, interval = 50, what = 'condition' } = opts;
  const end = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return /** @type {NonNullable<T>} */ (v);
    } catch (e) {
      // an error flagged { fatal: true } ends the wait at once (e.g. the process died)
      if (e && typeof e === 'object' && /** @type {{fatal?: boolean}} */ (e).fatal) throw e;
      lastErr = e;
    }
    if (Date.now() > end) {
      const why = lastErr instanceof Error ? `: ${lastErr.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${why}`);
    }
    await sleep(interval);
  }
}

/** PIDs this Node process started and has not yet seen exit; SIGKILLed if Node exits first. */
const live = new Set();
/** @type {Set<() => void>} synchronous clean-ups to run after those kills */
const exitCleanups = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) {
      try {
        // negative pid = the process group (children are started detached, as group leaders)
        process.kill(-pid, 'SIGKILL');
      } catch {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    for (const fn of exitCleanups) {
      try { fn(); } catch { /* best effort */ }
    }
  });
}

/**
 * Run a synchronous clean-up if Node exits while it is still registered (after the processes
 * started with startProcess have been SIGKILLed). Returns a function that unregisters it.
 * @param {() => void} fn
 * @returns {() => void}
 */
export function onExitCleanup(fn) {
  installExitHook();
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}

/**
 * @typedef {object} Proc
 * @property {number} pid
 * @property {string} name       a label for logs and errors
 * @property {import('node:child_process').ChildProcess} child
 * @property {Promise<{code: number|null, signal: string|null}>} exited  resolves when it has exited
 * @property {() => boolean} running
 * @property {(graceMs?: number) => Promise<void>} stop  SIGTERM its process group, SIGKILL after graceMs
 */

/**
 * Spawn a process as the leader of a new process group (so stop() also ends what it forked,
 * e.g. the shell inside an xterm) and track it so it is killed if Node exits without stop().
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions & { name?: string }} [opts]
 * @returns {Proc}
 */
export function startProcess(cmd, args, opts = {}) {
  installExitHook();
  const { name = cmd, ...spawnOpts } = opts;
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], ...spawnOpts, detached: true });
  if (child.pid === undefined) {
    // spawn failed synchronously-ish (ENOENT arrives as an 'error' event)
    const err = new Promise((_, rej) => child.once('error', rej));
    err.catch(() => {});
  }
  const pid = /** @type {number} */ (child.pid);
  if (pid) live.add(pid);
  /** @type {{code: number|null, signal: string|null} | null} */
  let result = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(pid);
      result = { code, signal };
      resolve(result);
    });
    child.once('error', (e) => {
      live.delete(pid);
      result = { code: -1, signal: null };
      resolve(result);
      void e;
    });
  });
  /** @type {Proc} */
  const proc = {
    pid,
    name,
    child,
    exited,
    running: () => result === null && isAlive(pid),
    async stop(graceMs = 3000) {
      if (result || !pid) return;
      signalGroup(pid, 'SIGTERM');
      const t = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
      // the leader is gone; make sure nothing of its group stays behind
      signalGroup(pid, 'SIGKILL');
    },
  };
  return proc;
}

/** @param {number} pid @param {NodeJS.Signals} sig */
function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try { process.kill(pid, sig); } catch { /* already gone */ }
  }
}

/**
 * Run a command to completion and collect its output (never throws on a non-zero exit).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, input?: string | Buffer, timeout?: number, cwd?: string }} [opts]
 * @returns {Promise<{ code: number | null, stdout: Buffer, stderr: string }>}
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Like run() but throws with stderr when the exit code is not 0 (or not in okCodes).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, input?: string | Buffer, timeout?: number, okCodes?: number[] }} [opts]
 * @returns {Promise<string>} stdout as UTF-8
 */
export async function runOk(cmd, args, opts = {}) {
  const r = await run(cmd, args, opts);
  const ok = opts.okCodes ?? [0];
  if (r.code === null || !ok.includes(r.code)) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().slice(0, 2000)}`);
  }
  return r.stdout.toString('utf8');
}

/**
 * TCP ports in LISTEN state on this host (IPv4 and IPv6), read from /proc/net/tcp{,6}; no
 * connection is made, so a SPICE server does not see a stray client.
 * @returns {Set<number>}
 */
export function listeningPorts() {
  const ports = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = TCP_LISTEN
      ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** @param {number} port @param {string} [host] @returns {Promise<boolean>} true if we could bind it */
export function canListen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port that is free on 127.0.0.1 right now, picked at random from [from, to) (default
 * 15000–29999: below the kernel's ephemeral range, so outgoing connections never hold it).
 * There is a window between this check and the caller's bind: callers retry on EADDRINUSE.
 * @param {{ from?: number, to?: number, avoid?: Iterable<number> }} [opts]
 * @returns {Promise<number>}
 */
export async function findFreePort(opts = {}) {
  const { from = 15000, to = 30000 } = opts;
  const avoid = new Set(opts.avoid ?? []);
  for (let i = 0; i < 200; i++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (avoid.has(port) || listeningPorts().has(port)) continue;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free TCP port found in ${from}-${to}`);
}
