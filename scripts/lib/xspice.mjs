// Start and stop Xspice: Xorg with the spiceqxl driver, i.e. an X server that is itself a SPICE
// server, listening on 127.0.0.1 only. We do not use Debian's /usr/bin/Xspice wrapper (SIGTERM
// deadlocks it, it forces the agent off and has no listen-address option); we write our own
// xorg.conf into a private run directory and pass every setting both as a driver option and as
// the XSPICE_* / QXL_* environment variable the driver reads (the environment wins).
//
// GOTCHA (xserver-xspice 0.1.5+git20200331 on Debian 12): the driver reads every built-in option
// default as 0. Without FrameBufferSize / SurfaceBufferSize / CommandBufferSize Xorg aborts, without
// NumHeads it segfaults, and surfaces / image cache / fallback cache / Opus playback silently end up
// off. So every option is set explicitly here, and surfaces + image cache + fallback cache default ON.
//
// Size: startOnce is the whole Xorg + spiceqxl lifecycle (every driver option both in xorg.conf
// and the environment, start, readiness, stop, lock cleanup), kept beside the GOTCHA it works around.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, isAlive, listeningPorts, onExitCleanup, run, runOk, startProcess, waitFor } from './proc.mjs';

export const XORG_BIN = '/usr/lib/xorg/Xorg';
export const IMAGE_COMPRESSIONS = Object.freeze(['off', 'auto_glz', 'auto_lz', 'quic', 'glz', 'lz']);
export const WAN_COMPRESSIONS = Object.freeze(['auto', 'never', 'always']);
export const STREAMING_MODES = Object.freeze(['off', 'all', 'filter']);

/**
 * @typedef {'off'|'auto_glz'|'auto_lz'|'quic'|'glz'|'lz'} ImageCompression
 * @typedef {'auto'|'never'|'always'} WanCompression
 * @typedef {'off'|'all'|'filter'} StreamingVideo
 */

/**
 * @typedef {object} XspiceOptions
 * @property {number} [display]            X display number (":N"); default: a free one in 20-219
 * @property {number} [port]               SPICE plain-TCP port on 127.0.0.1; default: a free one
 * @property {string} [password]           SPICE ticket; when absent (or ""), ticketing is disabled
 * @property {ImageCompression} [imageCompression='auto_glz']
 * @property {WanCompression} [jpegWanCompression='never']  'never' by default: with 'auto' the
 *   server turns JPEG on when its start-up net test (PING/PONG round trips) finds the link slow,
 *   which on a loaded 2-core machine happens now and then on loopback too, and lossless tests
 *   then see JPEG artefacts (a quic-mode xterm region 9,9,9 for 0,0,0). Tests of JPEG set 'always'.
 * @property {WanCompression} [zlibGlzWanCompression='never']  likewise
 * @property {StreamingVideo} [streamingVideo='filter']   video-stream detection
 * @property {string} [videoCodecs]        e.g. "spice:mjpeg;gstreamer:vp8" (server default when absent)
 * @property {number} [deferredFps=0]      0 = off
 * @property {boolean} [surfaces=true]     off-screen surfaces (surface ids != 0)
 * @property {boolean} [imageCache=true]
 * @property {boolean} [fallbackCache=true]
 * @property {number} [numHeads=1]         virtual monitors
 * @property {number} [frameBufferMiB=32]
 * @property {number} [surfaceBufferMiB=64]
 * @property {number} [commandBufferMiB=128]
 * @property {boolean} [playbackCompression=true]  Opus playback when the client can take it
 * @property {string} [audioFifoDir]       dir watched for FIFOs of S16LE 48 kHz stereo PCM (create
 *                                         each FIFO AFTER start: an existing one is ignored)
 * @property {boolean} [agentMouse=true]
 * @property {boolean} [disableCopyPaste=false]
 * @property {boolean} [agent=false]       run spice-vdagentd + spice-vdagent in the X session (the
 *                                         guest agent: clipboard, monitors config, file transfer);
 *                                         files sent to the guest land in `agentFileDir`
 * @property {number | true} [tlsPort]     also listen with TLS: a port, or true for a free one
 * @property {string} [x509Dir]            dir with ca-cert.pem, server-cert.pem, server-key.pem;
 *                                         default (with tlsPort): a CA + cert made with openssl in runDir
 * @property {string} [geometry]           "WxH" set with xrandr once X is up (default 1024x768)
 * @property {string} [runDir]             where xorg.conf, logs and content files go (default: fresh temp dir)
 * @property {boolean} [keepRunDir]        keep runDir after stop() (default: env SPICE_WEB_KEEP_RUNDIR=1)
 * @property {number} [timeout=20000]      ms to wait for the port and the X display
 * @property {Record<string, string>} [env] extra environment for Xorg (wins over everything)
 */

/**
 * @typedef {object} XspiceServer
 * @property {string} display              ":N", for DISPLAY / -display
 * @property {number} displayNumber
 * @property {string} host                 always "127.0.0.1"
 * @property {number} port                 SPICE plain port
 * @property {number | null} tlsPort
 * @property {string | null} x509Dir
 * @property {string | null} caCertFile    CA that signed the TLS cert (for a client to verify)
 * @property {string | null} password
 * @property {number} pid                  Xorg's PID
 * @property {string} runDir
 * @property {number} width                screen size after start (and geometry)
 * @property {number} height
 * @property {Readonly<Required<Pick<XspiceOptions, 'imageCompression'|'jpegWanCompression'|'zlibGlzWanCompression'|'streamingVideo'|'surfaces'|'imageCache'|'fallbackCache'|'numHeads'>>>} settings
 * @property {{ portOpenMs: number, xReadyMs: number }} timings
 * @property {NodeJS.ProcessEnv} env       process.env + DISPLAY, for X clients
 * @property {(cmd: string, args: string[], opts?: { name?: string, logFile?: string, env?: NodeJS.ProcessEnv }) => import('./proc.mjs').Proc} spawnClient
 *   start an X client on this display; it is stopped by stop()
 * @property {(proc: import('./proc.mjs').Proc) => void} track   have stop() also stop this process
 * @property {() => Promise<{width: number, height: number}>} screenSize   current root size (xdpyinfo)
 * @property {(geometry: string) => Promise<{width: number, height: number}>} setGeometry  xrandr -s WxH
 * @property {() => string} logs           tail of Xorg.log + Xorg's stderr, for failure reports
 * @property {() => boolean} running
 * @property {string | null} agentFileDir  where the agent saves transferred files (with `agent`)
 * @property {() => Promise<void>} agentStop   stop the agent (the server sends AGENT_DISCONNECTED)
 * @property {() => Promise<void>} agentStart  start it again (AGENT_CONNECTED_TOKENS)
 * @property {() => Promise<void>} stop    stop content clients then Xorg (TERM, KILL after 5 s); idempotent
 */

/** Display numbers handed out by this process and not yet released. */
const reservedDisplays = new Set();

/** @param {number} n @returns {boolean} true when display n is in use by a live server */
export function displayInUse(n) {
  const lock = `/tmp/.X${n}-lock`;
  if (!existsSync(lock)) return existsSync(`/tmp/.X11-unix/X${n}`); // socket without lock: someone's, leave it
  let pid = NaN;
  try {
    pid = parseInt(readFileSync(lock, 'utf8').trim(), 10);
  } catch {
    return true;
  }
  if (isAlive(pid)) return true;
  // stale lock of a dead (or zombie) server: clear it so Xorg can take the number
  try {
    rmSync(lock, { force: true });
    rmSync(`/tmp/.X11-unix/X${n}`, { force: true });
  } catch {
    return true;
  }
  return false;
}

/**
 * A free display number in [from, from + span). The search starts at a random point so that
 * test runs starting servers at the same moment rarely race for the same number (a lost race is
 * retried by startXspice anyway).
 * @param {number} [from] @param {number} [span]
 * @returns {number}
 */
export function findFreeDisplay(from = 20, span = 200) {
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const n = from + ((start + i) % span);
    if (!reservedDisplays.has(n) && !displayInUse(n)) return n;
  }
  throw new Error(`no free X display number in ${from}-${from + span - 1}`);
}

/** @param {boolean} b */
const tf = (b) => (b ? 'True' : 'False');

/**
 * Make a throw-away CA and a server certificate for 127.0.0.1 / localhost in dir.
 * @param {string} dir
 */
export async function makeX509Dir(dir) {
  mkdirSync(dir, { recursive: true });
  if (existsSync(path.join(dir, 'server-cert.pem'))) return dir;
  const o = (/** @type {string[]} */ a) => runOk('openssl', a, { timeout: 60_000 });
  const p = (/** @type {string} */ f) => path.join(dir, f);
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=spice-web test CA',
    '-keyout', p('ca-key.pem'), '-out', p('ca-cert.pem')]);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server-key.pem'),
    '-out', p('server.csr')]);
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await o(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca-cert.pem'), '-CAkey', p('ca-key.pem'),
    '-CAcreateserial', '-days', '3650', '-extfile', p('san.ext'), '-out', p('server-cert.pem')]);
  return dir;
}

/**
 * Start an Xspice server on 127.0.0.1. Resolves once the SPICE port listens and the X display
 * answers (xdpyinfo). Retries with another display number / port when it loses a race for them
 * (other test runs may be starting servers on the same machine).
 * @param {XspiceOptions} [opts]
 * @returns {Promise<XspiceServer>}
 */
export async function startXspice(opts = {}) {
  const attempts = opts.display !== undefined ? 1 : 6;
  let lastErr;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      lastErr = e;
      const msg = e instanceof Error ? e.message : String(e);
      // only a lost race is worth another try
      if (!/already active|in use|binding socket|Failed to open SPICE sockets|EADDRINUSE/i.test(msg)) break;
    }
  }
  throw lastErr;
}

/** @param {XspiceOptions} opts @returns {Promise<XspiceServer>} */
async function startOnce(opts) {
  const settings = {
    imageCompression: opts.imageCompression ?? 'auto_glz',
    jpegWanCompression: opts.jpegWanCompression ?? 'never',
    zlibGlzWanCompression: opts.zlibGlzWanCompression ?? 'never',
    streamingVideo: opts.streamingVideo ?? 'filter',
    surfaces: opts.surfaces ?? true,
    imageCache: opts.imageCache ?? true,
    fallbackCache: opts.fallbackCache ?? true,
    numHeads: opts.numHeads ?? 1,
  };
  if (!IMAGE_COMPRESSIONS.includes(settings.imageCompression)) throw new Error(`bad imageCompression ${settings.imageCompression}`);
  if (!WAN_COMPRESSIONS.includes(settings.jpegWanCompression)) throw new Error(`bad jpegWanCompression ${settings.jpegWanCompression}`);
  if (!WAN_COMPRESSIONS.includes(settings.zlibGlzWanCompression)) throw new Error(`bad zlibGlzWanCompression ${settings.zlibGlzWanCompression}`);
  if (!STREAMING_MODES.includes(settings.streamingVideo)) throw new Error(`bad streamingVideo ${settings.streamingVideo}`);
  if (!existsSync(XORG_BIN)) throw new Error(`${XORG_BIN} missing: run node scripts/ensure-packages.mjs`);

  const displayNumber = opts.display ?? findFreeDisplay();
  if (opts.display !== undefined && displayInUse(opts.display)) throw new Error(`display :${opts.display} already in use`);
  reservedDisplays.add(displayNumber);
  const timeout = opts.timeout ?? 20_000;
  /** @type {import('./proc.mjs').Proc | null} */
  let xorg = null;
  let runDir = '';
  const keepRunDir = opts.keepRunDir ?? process.env.SPICE_WEB_KEEP_RUNDIR === '1';
  try {
    const port = opts.port ?? (await findFreePort());
    if (opts.port !== undefined && listeningPorts().has(opts.port)) throw new Error(`port ${opts.port} already in use`);
    const tlsPort = opts.tlsPort === true ? await findFreePort({ avoid: [port] }) : (opts.tlsPort ?? null);
    runDir = opts.runDir ?? mkdtempSync(path.join(os.tmpdir(), `spice-web-x${displayNumber}-`));
    mkdirSync(runDir, { recursive: true });
    const x509Dir = tlsPort ? (opts.x509Dir ?? (await makeX509Dir(path.join(runDir, 'x509')))) : null;
    const password = opts.password ? opts.password : null;

    const fb = opts.frameBufferMiB ?? 32;
    const sb = opts.surfaceBufferMiB ?? 64;
    const cb = opts.commandBufferMiB ?? 128;
    const playback = opts.playbackCompression ?? true;
    const agentMouse = opts.agentMouse ?? true;
    const noCopyPaste = opts.disableCopyPaste ?? false;
    const deferredFps = opts.deferredFps ?? 0;

    /** Driver options, each also exported as its environment variable. [option, env, value] */
    /** @type {Array<[string, string, string]>} */
    const options = [
      ['FrameBufferSize', 'QXL_FRAME_BUFFER_SIZE', String(fb)],
      ['SurfaceBufferSize', 'QXL_SURFACE_BUFFER_SIZE', String(sb)],
      ['CommandBufferSize', 'QXL_COMMAND_BUFFER_SIZE', String(cb)],
      ['NumHeads', 'QXL_NUM_HEADS', String(settings.numHeads)],
      ['EnableSurfaces', 'QXL_ENABLE_SURFACES', settings.surfaces ? '1' : '0'],
      ['EnableImageCache', 'QXL_ENABLE_IMAGE_CACHE', settings.imageCache ? '1' : '0'],
      ['EnableFallbackCache', 'QXL_ENABLE_FALLBACK_CACHE', settings.fallbackCache ? '1' : '0'],
      ['SpiceAddr', 'XSPICE_ADDR', '127.0.0.1'],
      ['SpicePort', 'XSPICE_PORT', String(port)],
      ['SpiceDisableTicketing', 'XSPICE_DISABLE_TICKETING', password ? '0' : '1'],
      ['SpiceImageCompression', 'XSPICE_IMAGE_COMPRESSION', settings.imageCompression],
      ['SpiceJpegWanCompression', 'XSPICE_JPEG_WAN_COMPRESSION', settings.jpegWanCompression],
      ['SpiceZlibGlzWanCompression', 'XSPICE_ZLIB_GLZ_WAN_COMPRESSION', settings.zlibGlzWanCompression],
      ['SpiceStreamingVideo', 'XSPICE_STREAMING_VIDEO', settings.streamingVideo],
      ['SpiceDeferredFPS', 'XSPICE_DEFERRED_FPS', String(deferredFps)],
      ['SpicePlaybackCompression', 'XSPICE_PLAYBACK_COMPRESSION', playback ? '1' : '0'],
      ['SpiceAgentMouse', 'XSPICE_AGENT_MOUSE', agentMouse ? '1' : '0'],
      ['SpiceDisableCopyPaste', 'XSPICE_DISABLE_COPY_PASTE', noCopyPaste ? '1' : '0'],
      ['SpiceExitOnDisconnect', 'XSPICE_EXIT_ON_DISCONNECT', '0'],
      ['SpiceVdagentEnabled', 'XSPICE_VDAGENT_ENABLED', opts.agent ? '1' : '0'],
      ['SpiceSasl', 'XSPICE_SASL', '0'],
      ['SpiceIPV4Only', 'XSPICE_IPV4_ONLY', '0'],
      ['SpiceIPV6Only', 'XSPICE_IPV6_ONLY', '0'],
    ];
    if (password) options.push(['SpicePassword', 'XSPICE_PASSWORD', password]);
    if (opts.agent) {
      // the driver makes a unix socket at the virtio path; spice-vdagentd connects to it as if it
      // were the guest's virtio-serial port (real-servers.md "Agent")
      options.push(
        ['SpiceVdagentVirtioPath', 'XSPICE_VDAGENT_VIRTIO_PATH', path.join(runDir, 'vdagent.virtio')],
        ['SpiceVdagentUinputPath', 'XSPICE_VDAGENT_UINPUT_PATH', path.join(runDir, 'vdagent.uinput')],
        ['SpiceVdagentUid', 'XSPICE_VDAGENT_UID', String(process.getuid?.() ?? 0)],
        ['SpiceVdagentGid', 'XSPICE_VDAGENT_GID', String(process.getgid?.() ?? 0)],
      );
    }
    if (tlsPort && x509Dir) {
      options.push(['SpiceTlsPort', 'XSPICE_TLS_PORT', String(tlsPort)], ['SpiceX509Dir', 'XSPICE_X509_DIR', x509Dir]);
    } else {
      options.push(['SpiceTlsPort', 'XSPICE_TLS_PORT', '0']);
    }
    if (opts.videoCodecs) options.push(['SpiceVideoCodecs', 'XSPICE_VIDEO_CODECS', opts.videoCodecs]);
    if (opts.audioFifoDir) {
      mkdirSync(opts.audioFifoDir, { recursive: true });
      options.push(['SpicePlaybackFIFODir', 'XSPICE_PLAYBACK_FIFO_DIR', opts.audioFifoDir]);
    }

    const q = (/** @type {string} */ s) => `"${s.replace(/["\\]/g, '\\$&')}"`;
    // the password stays out of the config file (it is only in Xorg's environment)
    const optLines = options
      .filter(([name]) => name !== 'SpicePassword')
      .map(([name, , v]) => {
        const boolish = /^(Enable|SpiceDisable|SpicePlaybackCompression|SpiceAgent|SpiceExit|SpiceVdagentEnabled|SpiceSasl|SpiceIPV)/.test(name);
        return `    Option ${q(name)} ${q(boolish && (v === '0' || v === '1') ? tf(v === '1') : v)}`;
      })
      .join('\n');
    const conf = `# written by spice-web scripts/lib/xspice.mjs
Section "Device"
    Identifier "XSPICE"
    Driver "spiceqxl"
${optLines}
EndSection
Section "InputDevice"
    Identifier "XSPICE POINTER"
    Driver "xspice pointer"
    # linear relative motion (server mouse mode), so a test can predict where the pointer lands
    Option "AccelerationScheme" "none"
EndSection
Section "InputDevice"
    Identifier "XSPICE KEYBOARD"
    Driver "xspice keyboard"
EndSection
Section "Monitor"
    Identifier "Configured Monitor"
EndSection
Section "Screen"
    Identifier "XSPICE Screen"
    Monitor "Configured Monitor"
    Device "XSPICE"
    DefaultDepth 24
EndSection
Section "ServerLayout"
    Identifier "XSPICE Layout"
    Screen "XSPICE Screen"
    InputDevice "XSPICE KEYBOARD" "CoreKeyboard"
    InputDevice "XSPICE POINTER" "CorePointer"
EndSection
Section "ServerFlags"
    Option "AutoAddDevices" "False"
    Option "AutoAddGPU" "False"
EndSection
`;
    const confPath = path.join(runDir, 'xorg.conf');
    writeFileSync(confPath, conf);

    /** @type {NodeJS.ProcessEnv} */
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('XSPICE_') || k.startsWith('QXL_')) delete env[k];
    for (const [, k, v] of options) env[k] = v;
    Object.assign(env, opts.env ?? {});

    const logFile = path.join(runDir, 'Xorg.log');
    const outFile = path.join(runDir, 'xorg.out');
    const outFd = openSync(outFile, 'a');
    const t0 = Date.now();
    xorg = startProcess(
      XORG_BIN,
      ['-config', confPath, '-noreset', '-nolisten', 'tcp', '-logfile', logFile, `:${displayNumber}`],
      { name: `Xorg :${displayNumber}`, env, stdio: ['ignore', outFd, outFd], cwd: runDir },
    );
    closeSync(outFd);
    const proc = xorg;
    // if Node exits without stop(), Xorg is SIGKILLed (see proc.mjs): drop the lock it leaves
    const ownRunDir = runDir;
    const unregisterCleanup = onExitCleanup(() => {
      removeOwnLock(displayNumber, proc.pid);
      if (!keepRunDir && !opts.runDir) rmSync(ownRunDir, { recursive: true, force: true });
    });
    void proc.exited.then(() => unregisterCleanup());
    const died = () => {
      if (proc.running()) return '';
      let key = '';
      try {
        key = readFileSync(outFile, 'utf8').split('\n')
          .filter((l) => (/Spice-(WARNING|CRITICAL|ERROR)/.test(l) || /failed|Fatal|already active|no screens/i.test(l)) && !/^\(EE\) \d+:/.test(l)).slice(0, 12).join('\n');
      } catch { /* no output */ }
      return `Xorg :${displayNumber} exited during start-up:\n${key}\n--- tail of ${outFile}:\n${tail(outFile, 12)}`;
    };
    await waitFor(() => {
      const d = died();
      if (d) throw Object.assign(new Error(d), { fatal: true });
      return listeningPorts().has(port) && (!tlsPort || listeningPorts().has(tlsPort));
    }, { timeout, interval: 20, what: `Xspice to listen on 127.0.0.1:${port}` });
    const portOpenMs = Date.now() - t0;
    /** @type {NodeJS.ProcessEnv} */
    const xenv = { ...process.env, DISPLAY: `:${displayNumber}` };
    for (const k of Object.keys(xenv)) if (k.startsWith('XSPICE_') || k.startsWith('QXL_')) delete xenv[k];
    await waitFor(async () => {
      const d = died();
      if (d) throw Object.assign(new Error(d), { fatal: true });
      return (await run('xdpyinfo', ['-display', `:${displayNumber}`], { timeout: 5000 })).code === 0;
    }, { timeout, interval: 50, what: `X display :${displayNumber}` });
    const xReadyMs = Date.now() - t0;

    /** @type {Set<import('./proc.mjs').Proc>} */
    const clients = new Set();
    let stopped = false;
    /** @type {Promise<void> | null} */
    let stopping = null;

    const screenSize = async () => {
      const out = await runOk('xdpyinfo', ['-display', `:${displayNumber}`], { timeout: 5000 });
      const m = /dimensions:\s+(\d+)x(\d+) pixels/.exec(out);
      if (!m) throw new Error('xdpyinfo printed no dimensions');
      return { width: Number(m[1]), height: Number(m[2]) };
    };

    /** @type {XspiceServer} */
    const server = {
      display: `:${displayNumber}`,
      displayNumber,
      host: '127.0.0.1',
      port,
      tlsPort,
      x509Dir,
      caCertFile: x509Dir ? path.join(x509Dir, 'ca-cert.pem') : null,
      password,
      pid: proc.pid,
      runDir,
      width: 0,
      height: 0,
      settings: Object.freeze({ ...settings }),
      timings: { portOpenMs, xReadyMs },
      env: xenv,
      spawnClient(cmd, args, o = {}) {
        if (stopped) throw new Error('Xspice already stopped');
        const log = o.logFile ?? path.join(runDir, 'clients.log');
        const fd = openSync(log, 'a');
        try {
          const p = startProcess(cmd, args, { name: o.name ?? cmd, env: { ...xenv, ...(o.env ?? {}) }, stdio: ['ignore', fd, fd], cwd: runDir });
          clients.add(p);
          void p.exited.then(() => clients.delete(p));
          return p;
        } finally {
          closeSync(fd);
        }
      },
      track(p) {
        clients.add(p);
        void p.exited.then(() => clients.delete(p));
      },
      screenSize,
      async setGeometry(geometry) {
        await setXrandrGeometry(displayNumber, geometry, xenv);
        const s = await screenSize();
        server.width = s.width;
        server.height = s.height;
        return s;
      },
      agentFileDir: opts.agent ? path.join(runDir, 'agent-files') : null,
      async agentStop() {
        const a = agentProcs;
        agentProcs = [];
        await Promise.all(a.reverse().map((p) => p.stop(3000)));
      },
      async agentStart() {
        if (!opts.agent) throw new Error('Xspice started without agent: true');
        if (agentProcs.length) return;
        agentProcs = await startAgent(server, runDir, timeout);
      },
      // Debian's driver prints a line per QXL command it hands over: left out, so the warnings
      // (spice-server's "flush timeout", an assert) are what the tail shows
      logs: () => `--- ${outFile}\n${tail(outFile, 40, /^interface_get_command: native$/)}\n--- ${logFile}\n${tail(logFile, 60)}`,
      running: () => !stopped && proc.running(),
      stop() {
        if (stopping) return stopping;
        stopping = (async () => {
          stopped = true;
          await Promise.all([...clients].map((c) => c.stop(2000)));
          await proc.stop(5000);
          removeOwnLock(displayNumber, proc.pid);
          reservedDisplays.delete(displayNumber);
          if (!keepRunDir && !opts.runDir) rmSync(runDir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
    /** @type {import('./proc.mjs').Proc[]} */
    let agentProcs = [];
    if (opts.geometry) await server.setGeometry(opts.geometry);
    else Object.assign(server, await screenSize());
    if (opts.agent) await server.agentStart();
    return server;
  } catch (e) {
    if (xorg) await xorg.stop(2000);
    reservedDisplays.delete(displayNumber);
    if (runDir && !keepRunDir && !opts.runDir) rmSync(runDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * spice-vdagentd (the system daemon, on the driver's virtio socket, fake uinput, no logind) and
 * spice-vdagent (the X session agent, files into runDir/agent-files, no file manager opened), as
 * ../testbed/xspice-up.sh does. Resolves once the session agent has registered with the daemon.
 * @param {XspiceServer} server @param {string} runDir @param {number} timeout
 * @returns {Promise<import('./proc.mjs').Proc[]>}
 */
async function startAgent(server, runDir, timeout) {
  const virtio = path.join(runDir, 'vdagent.virtio');
  const udcs = path.join(runDir, 'vdagent.udcs');
  const files = path.join(runDir, 'agent-files');
  mkdirSync(files, { recursive: true });
  rmSync(udcs, { force: true });
  await waitFor(() => existsSync(virtio), { timeout, interval: 20, what: `the driver's vdagent socket ${virtio}` });
  const daemonLog = path.join(runDir, 'vdagentd.log');
  const daemon = server.spawnClient('/usr/sbin/spice-vdagentd', ['-x', '-f', '-X', '-d', '-S', udcs, '-s', virtio, '-u', path.join(runDir, 'vdagent.uinput')], { name: 'spice-vdagentd', logFile: daemonLog });
  await waitFor(() => existsSync(udcs), { timeout, interval: 20, what: 'spice-vdagentd socket' });
  const agent = server.spawnClient('spice-vdagent', ['-x', '-d', '-s', virtio, '-S', udcs, '-f', files, '-o', '0'], { name: 'spice-vdagent', logFile: path.join(runDir, 'vdagent.log') });
  return [daemon, agent];
}

/**
 * A KILLed Xorg leaves its lock file and socket behind; remove them, but only if the lock names
 * the Xorg we started.
 * @param {number} displayNumber @param {number} pid
 */
function removeOwnLock(displayNumber, pid) {
  const lock = `/tmp/.X${displayNumber}-lock`;
  try {
    if (parseInt(readFileSync(lock, 'utf8').trim(), 10) === pid) {
      rmSync(lock, { force: true });
      rmSync(`/tmp/.X11-unix/X${displayNumber}`, { force: true });
    }
  } catch { /* no lock: clean exit */ }
}

/**
 * Change the screen size with xrandr. The spiceqxl driver lists a set of modes; when WxH is not
 * one of them a new mode is added to the first connected output.
 * @param {number} displayNumber
 * @param {string} geometry "WxH"
 * @param {NodeJS.ProcessEnv} env
 */
async function setXrandrGeometry(displayNumber, geometry, env) {
  const m = /^(\d+)x(\d+)$/.exec(geometry);
  if (!m) throw new Error(`geometry must be WxH, got ${geometry}`);
  const d = ['-display', `:${displayNumber}`];
  const first = await run('xrandr', [...d, '-s', geometry], { env, timeout: 10_000 });
  if (first.code === 0) return;
  // not a listed mode: add one (the driver accepts any size that fits its framebuffer)
  const q = await runOk('xrandr', [...d, '-q'], { env, timeout: 10_000 });
  const out = /^(\S+) connected/m.exec(q)?.[1];
  if (!out) throw new Error(`xrandr -s ${geometry} failed and no connected output to add a mode to: ${first.stderr}`);
  const name = `${geometry}_spiceweb`;
  const w = Number(m[1]);
  const h = Number(m[2]);
  await run('xrandr', [...d, '--newmode', name, '60', String(w), String(w + 8), String(w + 16), String(w + 24),
    String(h), String(h + 1), String(h + 2), String(h + 3)], { env });
  await run('xrandr', [...d, '--addmode', out, name], { env });
  await runOk('xrandr', [...d, '--output', out, '--mode', name], { env, timeout: 10_000 });
}

/** @param {string} file @param {number} lines @param {RegExp} [drop] lines left out of the tail */
function tail(file, lines, drop) {
  try {
    const all = readFileSync(file, 'utf8').split('\n');
    const kept = drop ? all.filter((l) => !drop.test(l)) : all;
    const left = all.length - kept.length;
    return `${left ? `(${left} lines matching ${drop} left out)\n` : ''}${kept.slice(-lines).join('\n')}`;
  } catch {
    return '(no file)';
  }
}
