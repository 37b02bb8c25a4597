// QEMU with a QXL card and SPICE on loopback, for e2e tests that need a real hypervisor's SPICE
// server: live migration A -> B above all (shared/docs/real-servers.md "QEMU"). No disk, no NIC:
// SeaBIOS shows its "No bootable device" screen through the QXL device in VGA mode, which is
// enough picture to compare. Controlled over QMP (a unix socket, JSON lines); the truth for
// pixels is QMP `screendump` (PPM) of the VM's display.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startProcess, waitFor, canListen } from './proc.mjs';

/**
 * @typedef {object} QemuOptions
 * @property {number} [port]         SPICE port (default: a free one)
 * @property {number} [incoming]     wait for an incoming migration on tcp:127.0.0.1:PORT
 * @property {string} [spice]        extra -spice options, e.g. "seamless-migration=on"
 * @property {string[]} [extra]      extra QEMU arguments
 */

/**
 * @typedef {object} QemuVm
 * @property {number} port
 * @property {string} qmpPath
 * @property {(cmd: string, args?: object) => Promise<any>} qmp   the command's "return", or throws its error
 * @property {() => Promise<{ width: number, height: number, rgba: Buffer }>} screendump
 * @property {() => Promise<void>} stop
 * @property {() => string} logs
 */

/** @param {QemuOptions} [opts] @returns {Promise<QemuVm>} */
export async function startQemu(opts = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spice-web-qemu-'));
  const port = opts.port ?? (await findFreePort());
  const qmpPath = path.join(dir, 'qmp.sock');
  const logFile = path.join(dir, 'qemu.log');
  const spice = `port=${port},addr=127.0.0.1,disable-ticketing=on${opts.spice ? `,${opts.spice}` : ''}`;
  const args = [
    '-machine', 'pc,accel=tcg', '-m', '128', '-nic', 'none', '-vga', 'qxl', '-display', 'none',
    '-spice', spice, '-qmp', `unix:${qmpPath},server=on,wait=off`,
    ...(opts.incoming ? ['-incoming', `tcp:127.0.0.1:${opts.incoming}`] : []),
    ...(opts.extra ?? []),
  ];
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'w');
  const proc = startProcess('qemu-system-x86_64', args, { name: 'qemu', stdio: ['ignore', out, out] });
  const logs = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  try {
    await waitFor(async () => {
      if (!proc.running()) throw Object.assign(new Error(`qemu exited: ${logs()}`), { fatal: true });
      return !(await canListen(port));
    }, { timeout: 30_000, what: `QEMU's SPICE port ${port}` });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  /** @param {string} cmd @param {object} [cmdArgs] */
  const qmp = (cmd, cmdArgs) => qmpCommand(qmpPath, cmd, cmdArgs);
  await waitFor(() => qmp('query-status').then(() => true), { timeout: 10_000, what: 'QMP' });
  return {
    port,
    qmpPath,
    qmp,
    logs,
    async screendump() {
      const file = path.join(dir, `shot-${Date.now()}.ppm`);
      await qmp('screendump', { filename: file });
      const img = parsePpm(readFileSync(file));
      rmSync(file, { force: true });
      return img;
    },
    async stop() {
      await proc.stop(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Live-migrate `a` to `b` (started with `incoming`), telling A's SPICE server where its clients
 * should go (client_migrate_info), as a management layer does. Resolves with the migration's
 * duration once QMP reports it completed. `clientReady` runs between the two steps:
 * spice-server goes seamless only for clients that have linked to the destination by the time
 * the migration ends (a ~0.5 s TCG migration can beat a client on a loaded machine, and the
 * server then falls back to switch-host).
 * @param {QemuVm} a @param {QemuVm} b @param {number} migPort
 * @param {{ host?: string, clientReady?: () => Promise<unknown> }} [o]
 */
export async function migrate(a, b, migPort, o = {}) {
  const t0 = Date.now();
  await a.qmp('client_migrate_info', { protocol: 'spice', hostname: o.host ?? '127.0.0.1', port: b.port });
  await o.clientReady?.();
  await a.qmp('migrate', { uri: `tcp:127.0.0.1:${migPort}` });
  const st = await waitFor(async () => {
    const r = await a.qmp('query-migrate');
    if (r.status === 'failed' || r.status === 'cancelled') throw Object.assign(new Error(`migration ${r.status}: ${r['error-desc'] ?? ''}`), { fatal: true });
    return r.status === 'completed' ? r : null;
  }, { timeout: 60_000, interval: 100, what: 'the migration to complete' });
  return { ms: Date.now() - t0, status: st.status };
}

/** @param {string} sock @param {string} cmd @param {object} [args] @returns {Promise<any>} */
function qmpCommand(sock, cmd, args) {
  return new Promise((resolve, reject) => {
    const s = net.connect(sock);
    let buf = '';
    let stage = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`QMP ${cmd}: no answer`));
    }, 15_000);
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('data', (d) => {
      buf += d.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line);
        if (stage === 0 && msg.QMP) {
          stage = 1;
          s.write(JSON.stringify({ execute: 'qmp_capabilities' }) + '\n');
        } else if (stage === 1 && 'return' in msg) {
          stage = 2;
          s.write(JSON.stringify(args ? { execute: cmd, arguments: args } : { execute: cmd }) + '\n');
        } else if (stage === 2 && ('return' in msg || 'error' in msg)) {
          clearTimeout(timer);
          s.end();
          if (msg.error) reject(new Error(`QMP ${cmd}: ${msg.error.desc}`));
          else resolve(msg.return);
        }
      }
    });
  });
}

/** binary PPM (P6, maxval 255) → RGBA with opaque alpha @param {Buffer} b */
export function parsePpm(b) {
  let i = 0;
  const token = () => {
    for (;;) {
      while (i < b.length && /\s/.test(String.fromCharCode(b[i]))) i++;
      if (b[i] === 0x23) while (i < b.length && b[i] !== 0x0a) i++;
      else break;
    }
    let s = '';
    while (i < b.length && !/\s/.test(String.fromCharCode(b[i]))) s += String.fromCharCode(b[i++]);
    return s;
  };
  if (token() !== 'P6') throw new Error('not a binary PPM');
  const width = Number(token()), height = Number(token()), max = Number(token());
  if (max !== 255) throw new Error(`PPM maxval ${max}`);
  i++; // one whitespace byte after maxval
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = b[i + p * 3];
    rgba[p * 4 + 1] = b[i + p * 3 + 1];
    rgba[p * 4 + 2] = b[i + p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
