#!/usr/bin/env node
// Installs the Debian packages that the e2e tests and the demo need, but only those that are missing.
//
//   node scripts/ensure-packages.mjs            install what is missing, print what was installed
//   node scripts/ensure-packages.mjs --check    only report what is missing (exit 1 if anything is)
//
// Each package is checked by a command on PATH or a file it ships, so a machine that already has
// everything does no apt work at all (the check takes a few milliseconds).
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What we need, as [probe, package]. A probe starting with "/" is a file that must exist;
 * anything else is a command looked up on PATH.
 * @type {ReadonlyArray<readonly [string, string]>}
 */
export const REQUIRED = Object.freeze([
  ['/usr/lib/xorg/Xorg', 'xserver-xspice'],
  ['/usr/lib/xorg/modules/drivers/spiceqxl_drv.so', 'xserver-xspice'],
  ['xwd', 'x11-apps'],
  ['xclock', 'x11-apps'],
  ['xterm', 'xterm'],
  ['xdpyinfo', 'x11-utils'],
  ['xwininfo', 'x11-utils'],
  ['xev', 'x11-utils'],
  ['xrandr', 'x11-xserver-utils'],
  ['xsetroot', 'x11-xserver-utils'],
  ['xset', 'x11-xserver-utils'], // e2e: the guest's Caps Lock LED (`xset q`)
  ['xdotool', 'xdotool'],
  // ImageMagick by absolute path: /usr/local/bin/convert may be a stand-in that only looks like it.
  ['/usr/bin/convert', 'imagemagick'],
  ['/usr/bin/display', 'imagemagick'],
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf', 'fonts-dejavu-core'],
  ['ss', 'iproute2'],
  ['openssl', 'openssl'],
  ['xclip', 'xclip'],
  // e2e (issue 9): the guest agent in the Xspice session — clipboard, resize, monitors, files
  ['spice-vdagent', 'spice-vdagent'],
  ['/usr/sbin/spice-vdagentd', 'spice-vdagent'],
  ['/usr/include/spice-server/spice.h', 'libspice-server-dev'],
  ['pkg-config', 'pkg-config'],
  ['gcc', 'gcc'],
  ['/usr/sbin/nginx', 'nginx'], // e2e: the client through nginx to two proxy instances (issue 4)
  ['xcompmgr', 'xcompmgr'], // e2e: a compositing manager, for translucent (ARGB-composited) windows
  ['qemu-system-x86_64', 'qemu-system-x86'], // e2e: live migration between two QEMU instances (issue 11)
  ['/usr/share/seabios/bios-256k.bin', 'seabios'],
  // e2e video streams (issue 8): spice-server's GStreamer encoders (vp8enc/vp9enc in -good,
  // x264enc in -ugly, videoconvert in -base) and a moving picture in the X session
  // (gst-launch-1.0 videotestsrc ! ximagesink)
  ['/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstvideoconvertscale.so', 'gstreamer1.0-plugins-base'],
  ['/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstvpx.so', 'gstreamer1.0-plugins-good'],
  ['/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstx264.so', 'gstreamer1.0-plugins-ugly'],
  ['/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstximagesink.so', 'gstreamer1.0-x'],
  ['gst-launch-1.0', 'gstreamer1.0-tools'],
  ['Xvfb', 'xvfb'], // e2e kiosk (issue 10): `spice-web kiosk` runs Chromium on an X display of its own
]);

/** @param {string} cmd @returns {boolean} true when an executable named cmd is on PATH */
export function commandExists(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      /* keep looking */
    }
  }
  // sbin directories are often not on a non-root PATH
  for (const dir of ['/usr/sbin', '/sbin']) if (existsSync(path.join(dir, cmd))) return true;
  return false;
}

/** @param {string} probe @returns {boolean} */
function probeOk(probe) {
  return probe.startsWith('/') ? existsSync(probe) : commandExists(probe);
}

/**
 * The packages (deduplicated, in REQUIRED order) whose probe fails on this machine.
 * @param {ReadonlyArray<readonly [string, string]>} [required]
 * @returns {string[]}
 */
export function missingPackages(required = REQUIRED) {
  /** @type {string[]} */
  const out = [];
  for (const [probe, pkg] of required) if (!probeOk(probe) && !out.includes(pkg)) out.push(pkg);
  return out;
}

/**
 * Install the missing packages with apt-get (`apt-get update` once, then one
 * `apt-get install -y --no-install-recommends`). Uses sudo only when not root.
 * Throws when something is missing and cannot be installed (no apt-get, no sudo, apt failure,
 * or a probe still failing afterwards).
 * @param {{ log?: (msg: string) => void, dryRun?: boolean,
 *           required?: ReadonlyArray<readonly [string, string]> }} [opts]
 * @returns {{ installed: string[], missing: string[] }} installed = what this call installed
 */
export function ensurePackages(opts = {}) {
  const log = opts.log ?? ((m) => console.log(`[ensure-packages] ${m}`));
  const required = opts.required ?? REQUIRED;
  const missing = missingPackages(required);
  if (missing.length === 0) {
    log('all required Debian packages are present');
    return { installed: [], missing: [] };
  }
  if (opts.dryRun) {
    log(`missing: ${missing.join(' ')}`);
    return { installed: [], missing };
  }
  if (!commandExists('apt-get')) {
    throw new Error(`missing packages ${missing.join(' ')} and no apt-get to install them (Debian 12 expected)`);
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot && !commandExists('sudo')) {
    throw new Error(`missing packages ${missing.join(' ')}: not root and no sudo to install them`);
  }
  const pre = isRoot ? [] : ['sudo', '-n'];
  /** @param {string[]} argv */
  const run = (argv) => {
    const [cmd, ...args] = [...pre, ...argv];
    log(`$ ${[cmd, ...args].join(' ')}`);
    const r = spawnSync(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) throw new Error(`${argv.slice(0, 2).join(' ')} failed (exit ${r.status ?? r.signal})`);
  };
  log(`installing: ${missing.join(' ')}`);
  run(['apt-get', 'update', '-q']);
  run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing]);
  const still = missingPackages(required);
  if (still.length) throw new Error(`still missing after apt-get install: ${still.join(' ')}`);
  log(`installed: ${missing.join(' ')}`);
  return { installed: missing, missing: [] };
}

/** The version string of the installed Debian package, or null. @param {string} pkg */
export function debianVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const check = process.argv.includes('--check');
    const r = ensurePackages({ dryRun: check });
    process.exitCode = check && r.missing.length ? 1 : 0;
  } catch (e) {
    console.error(`[ensure-packages] ${e instanceof Error ? e.message : e}`);
    process.exitCode = 1;
  }
}
