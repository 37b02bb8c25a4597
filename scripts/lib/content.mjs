// Known content on an Xspice display, for tests that compare what the client shows with the
// server's framebuffer or read back what the client sent (typed text, clicks).
//
// Every starter takes the server returned by startXspice() (or attachDisplay() for a display we
// did not start) and returns a handle with stop(). X clients are started through
// server.spawnClient(), so server.stop() ends them too.
//
// No window manager runs: windows appear exactly at the geometry asked for, have no decorations,
// and keyboard focus follows the pointer (PointerRoot) until someone sets it (focus()).
//
// Size: one catalogue of known content (generated images, root window, xterm, xev log, xclock)
// sharing the X queries and image cache at the top; split it by content kind if it grows.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, runOk, sleep, startProcess, waitFor } from './proc.mjs';

export const CONVERT = '/usr/bin/convert'; // never a PATH "convert": it may be a stand-in
export const DISPLAY_BIN = '/usr/bin/display';
export const MONO_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
/** Generated images are cached here (keyed by size and a hash of the recipe). */
export const CACHE_DIR = path.join(os.tmpdir(), 'spice-web-content');

/**
 * What the content starters need from a server: XspiceServer satisfies it.
 * @typedef {object} DisplayTarget
 * @property {string} display
 * @property {NodeJS.ProcessEnv} env
 * @property {string} runDir
 * @property {number} [pid]  the X server's PID when this process started it (for diagnostics)
 * @property {(cmd: string, args: string[], opts?: { name?: string, logFile?: string, env?: NodeJS.ProcessEnv }) => import('./proc.mjs').Proc} spawnClient
 */
/** @typedef {import('./truth.mjs').Rect} Rect_ */
/** @typedef {[number, number, number]} RGB */

/**
 * A DisplayTarget for an X display this process did not start (e.g. one from the shared test bed).
 * Its stop() ends the clients started through it.
 * @param {string} display ":N"
 * @returns {DisplayTarget & { stop: () => Promise<void> }}
 */
export function attachDisplay(display) {
  const runDir = path.join(os.tmpdir(), `spice-web-attach-${display.replace(/\W/g, '')}-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const env = { ...process.env, DISPLAY: display };
  /** @type {Set<import('./proc.mjs').Proc>} */
  const procs = new Set();
  return {
    display,
    env,
    runDir,
    spawnClient(cmd, args, o = {}) {
      const p = startProcess(cmd, args, { name: o.name ?? cmd, env: { ...env, ...(o.env ?? {}) }, cwd: runDir });
      procs.add(p);
      return p;
    },
    async stop() {
      await Promise.all([...procs].map((p) => p.stop(2000)));
    },
  };
}

/**
 * @param {DisplayTarget} t @param {string} cmd @param {string[]} args @param {{ timeout?: number }} [opts]
 */
const xrun = (t, cmd, args, opts = {}) => run(cmd, args, { env: t.env, ...opts });

/**
 * Screen size of a display.
 * @param {DisplayTarget} t
 * @returns {Promise<{width: number, height: number}>}
 */
export async function screenSize(t) {
  const out = await runOk('xdpyinfo', ['-display', t.display], { env: t.env });
  const m = /dimensions:\s+(\d+)x(\d+) pixels/.exec(out);
  if (!m) throw new Error('xdpyinfo printed no dimensions');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * @typedef {object} WindowInfo
 * @property {string} id      "0x..." X window id
 * @property {number} x       absolute position of the window's inside (border excluded)
 * @property {number} y
 * @property {number} width
 * @property {number} height
 * @property {number} border
 * @property {boolean} viewable
 */

/**
 * Geometry of a window, by id (0x...) or exact WM_NAME.
 * @param {DisplayTarget} t
 * @param {{ id?: string, name?: string }} which
 * @returns {Promise<WindowInfo | null>} null when no such window
 */
export async function windowInfo(t, which) {
  const sel = which.id ? ['-id', which.id] : ['-name', /** @type {string} */ (which.name)];
  const r = await xrun(t, 'xwininfo', ['-display', t.display, ...sel]);
  if (r.code !== 0) return null;
  const s = r.stdout.toString();
  const num = (/** @type {RegExp} */ re) => Number(re.exec(s)?.[1] ?? NaN);
  return {
    id: /Window id: (0x[0-9a-f]+)/i.exec(s)?.[1] ?? '',
    x: num(/Absolute upper-left X:\s+(-?\d+)/),
    y: num(/Absolute upper-left Y:\s+(-?\d+)/),
    width: num(/Width:\s+(\d+)/),
    height: num(/Height:\s+(\d+)/),
    border: num(/Border width:\s+(\d+)/),
    viewable: /Map State:\s+IsViewable/.test(s),
  };
}

/**
 * Wait until a window with this exact WM_NAME is mapped and viewable.
 * @param {DisplayTarget} t @param {string} name @param {number} [timeout]
 * @param {import('./proc.mjs').Proc} [proc] fail early if this process exits
 * @returns {Promise<WindowInfo>}
 */
export async function waitForWindow(t, name, timeout = 15_000, proc) {
  return waitFor(async () => {
    if (proc && !proc.running()) throw Object.assign(new Error(`${proc.name} exited before its window "${name}" appeared`), { fatal: true });
    const w = await windowInfo(t, { name });
    return w && w.viewable ? w : null;
  }, { timeout, interval: 50, what: `window "${name}"` });
}

/** Round trip to the X server: every request sent before this by any client has been processed. */
/** @param {DisplayTarget} t */
export async function xsync(t) {
  await runOk('xdpyinfo', ['-display', t.display, '-queryExtensions'], { env: t.env });
}

// ---------------------------------------------------------------------------------------------
// Generated images

/**
 * Make a PNG with /usr/bin/convert, cached by recipe: same args -> same file.
 * @param {string} stem file name prefix
 * @param {string[]} args convert arguments before the output file
 * @param {string} outFormat e.g. "PNG24" or "PNG8"
 * @returns {Promise<string>} path
 */
async function cachedConvert(stem, args, outFormat) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify([args, outFormat])).digest('hex').slice(0, 12);
  const file = path.join(CACHE_DIR, `${stem}-${hash}.png`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await runOk(CONVERT, [...args, '-strip', `${outFormat}:${tmp}`], { timeout: 120_000 });
  renameSync(tmp, file); // atomic: concurrent runs never see half a file
  return file;
}

/**
 * Where each part of the test pattern is, for a given screen size. All coordinates are
 * absolute screen pixels. Bands, top to bottom, each `band` pixels high (the last takes the rest):
 *   0  eight colour bars: white yellow cyan green magenta red blue black
 *   1  a 32-step grey ramp (step i = round(i*255/31)), left to right
 *   2  left half: a 1-px checkerboard (white where (x + y - checker.x - checker.y) is even, else black);
 *      right half: a smooth horizontal black-to-white gradient (values not exact)
 *   3  left half: eight swatches of "odd" colours (catch channel order / rounding bugs);
 *      right half: black with white DejaVu Sans Mono text (anti-aliased: mask or skip it)
 * @param {number} W screen width
 * @param {number} H screen height
 */
export function patternLayout(W, H) {
  const band = Math.floor(H / 4);
  const half = Math.floor(W / 2);
  /** @param {number} n @param {number} x0 @param {number} total @param {number} y @param {number} h */
  const split = (n, x0, total, y, h) => {
    const w = Math.floor(total / n);
    return Array.from({ length: n }, (_, i) => ({ x: x0 + i * w, y, width: i === n - 1 ? total - i * w : w, height: h }));
  };
  /** @type {RGB[]} */
  const barColors = [[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0], [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0]];
  /** @type {RGB[]} */
  const swatchColors = [[0x12, 0x34, 0x56], [0xfe, 0xdc, 0xba], [0x01, 0xff, 0x80], [0x80, 0x00, 0x7f],
    [0xff, 0x00, 0x01], [0x01, 0x00, 0xff], [0x7f, 0x7f, 0x7f], [0x00, 0x00, 0x01]];
  const bars = split(8, 0, W, 0, band).map((r, i) => ({ ...r, rgb: barColors[i] }));
  const steps = split(32, 0, W, band, band).map((r, i) => {
    const v = Math.round((i * 255) / 31);
    return { ...r, rgb: /** @type {RGB} */ ([v, v, v]) };
  });
  const checker = { x: 0, y: 2 * band, width: half, height: band };
  const gradient = { x: half, y: 2 * band, width: W - half, height: band };
  const swatches = split(8, 0, half, 3 * band, H - 3 * band).map((r, i) => ({ ...r, rgb: swatchColors[i] }));
  const textArea = { x: half, y: 3 * band, width: W - half, height: H - 3 * band };
  const text = `spice-web ${W}x${H}`;
  return { width: W, height: H, band, bars, steps, checker, gradient, swatches, textArea, text };
}

/**
 * Pixels of the pattern whose exact colour is known: centres of bars, ramp steps and swatches,
 * and a few checkerboard pixels. Use them to check a grab or a client canvas.
 * @param {number} W @param {number} H
 * @returns {{ x: number, y: number, rgb: RGB, what: string }[]}
 */
export function patternProbes(W, H) {
  const L = patternLayout(W, H);
  /** @param {Rect_ & {rgb: RGB}} r @param {string} what */
  const centre = (r, what) => ({ x: r.x + (r.width >> 1), y: r.y + (r.height >> 1), rgb: r.rgb, what });
  const out = [
    ...L.bars.map((r, i) => centre(r, `bar ${i}`)),
    ...L.steps.map((r, i) => centre(r, `grey step ${i}`)),
    ...L.swatches.map((r, i) => centre(r, `swatch ${i}`)),
  ];
  const c = L.checker;
  for (const [dx, dy] of [[10, 10], [11, 10], [10, 11], [11, 11], [c.width - 3, c.height - 2], [c.width - 2, c.height - 2]]) {
    const white = (dx + dy) % 2 === 0;
    out.push({ x: c.x + dx, y: c.y + dy, rgb: white ? [255, 255, 255] : [0, 0, 0], what: `checker +${dx}+${dy}` });
  }
  return out;
}

/**
 * The pattern as a PNG file (made once per size, then cached).
 * @param {number} W @param {number} H
 * @returns {Promise<string>}
 */
export async function makePatternPng(W, H) {
  const L = patternLayout(W, H);
  const hex = (/** @type {RGB} */ c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  /** @param {Array<Rect_ & {rgb: RGB}>} cells a row of cells, same y and height */
  const row = (cells) => {
    const a = ['('];
    for (const c of cells) a.push('-size', `${c.width}x${c.height}`, `xc:${hex(c.rgb)}`);
    a.push('+append', ')', '-geometry', `+${cells[0].x}+${cells[0].y}`, '-composite');
    return a;
  };
  const { checker: ck, gradient: g, textArea: ta } = L;
  const args = [
    '-size', `${W}x${H}`, 'xc:black',
    ...row(L.bars),
    ...row(L.steps),
    // a 2x2 tile (white at 0,0 and 1,1) repeated = 1-px checkerboard starting white at the band's corner
    '(', '-size', '2x2', 'xc:black', '-fill', 'white', '-draw', 'point 0,0', '-draw', 'point 1,1', '-write', 'mpr:ck', '+delete', ')',
    '(', '-size', `${ck.width}x${ck.height}`, 'tile:mpr:ck', ')', '-geometry', `+${ck.x}+${ck.y}`, '-composite',
    '(', '-size', `${g.height}x${g.width}`, 'gradient:black-white', '-rotate', '-90', ')', '-geometry', `+${g.x}+${g.y}`, '-composite',
    ...row(L.swatches),
    '-font', MONO_FONT_FILE, '-pointsize', '20', '-fill', 'white',
    '-annotate', `+${ta.x + 16}+${ta.y + Math.min(ta.height - 8, 32)}`, L.text,
    '-type', 'TrueColor', '-depth', '8',
  ];
  return cachedConvert(`pattern-${W}x${H}`, args, 'PNG24');
}

/**
 * A "photographic" image (seeded plasma fractal, slightly blurred): for lossy codecs.
 * @param {number} W @param {number} H @param {number} [seed]
 */
export function makePhotoPng(W, H, seed = 42) {
  return cachedConvert(`photo-${W}x${H}`, ['-size', `${W}x${H}`, '-seed', String(seed), 'plasma:fractal', '-blur', '0x1',
    '-type', 'TrueColor', '-depth', '8'], 'PNG24');
}

/**
 * An 8-bit palette PNG (at most `colors` colours; a palette image on the wire for servers that keep it).
 * @param {number} W @param {number} H @param {number} [colors] @param {number} [seed]
 */
export function makePalette8Png(W = 256, H = 160, colors = 200, seed = 7) {
  return cachedConvert(`palette8-${W}x${H}-${colors}`, ['-size', `${W}x${H}`, '-seed', String(seed), 'plasma:fractal',
    '+dither', '-colors', String(colors)], 'PNG8');
}

// ---------------------------------------------------------------------------------------------
// Root backgrounds

/**
 * @typedef {object} RootHandle
 * @property {string} file       the PNG shown
 * @property {number} width
 * @property {number} height
 * @property {() => Promise<void>} stop   set the root back to solid black
 */

/**
 * Set an image as the root window background (`display -window root`, which exits 1 on success).
 * @param {DisplayTarget} t @param {string} file
 */
export async function setRootImage(t, file) {
  const r = await xrun(t, DISPLAY_BIN, ['-display', t.display, '-window', 'root', file], { timeout: 60_000 });
  if (r.code !== 0 && r.code !== 1) throw new Error(`display -window root failed (${r.code}): ${r.stderr}`);
  if (/error|unable/i.test(r.stderr)) throw new Error(`display -window root: ${r.stderr.trim()}`);
  await xsync(t);
}

/** @param {DisplayTarget} t @param {string} [color] */
export async function setRootSolid(t, color = 'black') {
  await runOk('xsetroot', ['-display', t.display, '-solid', color], { env: t.env });
  await xsync(t);
}

/**
 * Full-screen test pattern as the root background (see patternLayout / patternProbes).
 * @param {DisplayTarget} t
 * @returns {Promise<RootHandle & { layout: ReturnType<typeof patternLayout>, probes: ReturnType<typeof patternProbes> }>}
 */
export async function showPattern(t) {
  const { width, height } = await screenSize(t);
  const file = await makePatternPng(width, height);
  await setRootImage(t, file);
  return { file, width, height, layout: patternLayout(width, height), probes: patternProbes(width, height), stop: () => setRootSolid(t) };
}

/**
 * Full-screen plasma "photo" as the root background.
 * @param {DisplayTarget} t @param {{ seed?: number }} [opts]
 * @returns {Promise<RootHandle>}
 */
export async function showPhoto(t, opts = {}) {
  const { width, height } = await screenSize(t);
  const file = await makePhotoPng(width, height, opts.seed);
  await setRootImage(t, file);
  return { file, width, height, stop: () => setRootSolid(t) };
}

// ---------------------------------------------------------------------------------------------
// Windows

let seq = 0;
/** @param {string} kind */
const uniqueTitle = (kind) => `spice-web-${kind}-${process.pid}-${++seq}`;

/**
 * @typedef {object} WindowHandle
 * @property {string} title      exact WM_NAME
 * @property {import('./proc.mjs').Proc} proc
 * @property {WindowInfo} window  where it is on the screen (inside of the window)
 * @property {() => Promise<void>} focus  give it the keyboard focus (XSetInputFocus via xdotool)
 * @property {() => Promise<void>} stop
 */

/**
 * @param {DisplayTarget} t @param {import('./proc.mjs').Proc} proc @param {string} title
 * @returns {Promise<WindowHandle>}
 */
async function windowHandle(t, proc, title) {
  let window;
  try {
    window = await waitForWindow(t, title, 15_000, proc);
  } catch (e) {
    await proc.stop(1000);
    throw e;
  }
  await xsync(t);
  return {
    title,
    proc,
    window,
    focus: async () => {
      await runOk('xdotool', ['windowfocus', '--sync', window.id], { env: t.env, timeout: 10_000 });
    },
    stop: () => proc.stop(2000),
  };
}

/**
 * An 8-bit palette image (see makePalette8Png) in an ImageMagick `display` window with no border,
 * its top-left pixel at (x, y). Do not click it: `display` opens its command menu on a click.
 * @param {DisplayTarget} t
 * @param {{ x?: number, y?: number, width?: number, height?: number, colors?: number }} [opts]
 * @returns {Promise<WindowHandle & { file: string }>}
 */
export async function showPalette8(t, opts = {}) {
  const { x = 600, y = 60, width = 256, height = 160, colors = 200 } = opts;
  const file = await makePalette8Png(width, height, colors);
  const title = uniqueTitle('palette8');
  const proc = t.spawnClient(DISPLAY_BIN, ['-display', t.display, '-title', title, '-borderwidth', '0',
    '-geometry', `+${x}+${y}`, '-immutable', file], { name: 'display palette8' });
  const h = await windowHandle(t, proc, title);
  // give display a moment to paint after mapping, then sync
  await sleep(100);
  await xsync(t);
  return { ...h, file };
}

/**
 * @typedef {WindowHandle & {
 *   file: string,
 *   readTyped: () => string,
 *   waitForTyped: (expected: string | RegExp | ((s: string) => boolean), timeout?: number) => Promise<string>,
 *   typeWithXdotool: (text: string, delayMs?: number) => Promise<void>,
 *   keyWithXdotool: (...keys: string[]) => Promise<void>,
 * }} XtermHandle
 * typeWithXdotool: focus, then type through XTEST ("\n" becomes the Return key).
 * keyWithXdotool: focus, then press xdotool key names ("Return", "ctrl+c", "BackSpace", "Up").
 */

/**
 * An xterm (DejaVu Sans Mono via -fa, white on black, no cursor blink) whose shell prints a fixed
 * banner and then runs `cat > FILE` with the terminal in non-canonical mode, so every byte the
 * terminal receives is in FILE immediately, exactly as xterm produced it:
 *   printable keys -> their characters; Enter -> "\n" (the tty maps CR to NL); Backspace -> 0x7f;
 *   Ctrl+C -> 0x03 (signals are off); arrows -> escape sequences such as "\x1b[A" or "\x1bOA".
 * Echo stays on, so typed text also appears on screen (control bytes echo as ^X).
 * @param {DisplayTarget} t
 * @param {{ x?: number, y?: number, cols?: number, rows?: number, fontSize?: number, file?: string,
 *           banner?: string, fg?: string, bg?: string }} [opts]
 * @returns {Promise<XtermHandle>}
 */
export async function startXterm(t, opts = {}) {
  const { x = 40, y = 40, cols = 80, rows = 24, fontSize = 12, fg = 'white', bg = 'black' } = opts;
  const banner = opts.banner ?? 'spice-web xterm\n0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\nabcdefghijklmnopqrstuvwxyz\n';
  const title = uniqueTitle('xterm');
  const file = opts.file ?? path.join(t.runDir, `${title}.typed`);
  const ready = `${file}.ready`;
  rmSync(file, { force: true });
  rmSync(ready, { force: true });
  const script = 'stty -icanon -isig -ixon -iexten min 1 time 0; printf "%s" "$1"; : > "$3"; exec cat > "$2"';
  const proc = t.spawnClient('xterm', [
    '-display', t.display, '-geometry', `${cols}x${rows}+${x}+${y}`, '-fa', 'DejaVu Sans Mono', '-fs', String(fontSize),
    '-fg', fg, '-bg', bg, '-T', title, '-n', title, '-bw', '0', '+sb', '-xrm', 'XTerm*cursorBlink: false',
    '-xrm', 'XTerm*allowTitleOps: false', '-xrm', 'XTerm*metaSendsEscape: true',
    '-e', 'sh', '-c', script, 'sh', banner, file, ready,
  ], { name: 'xterm' });
  const h = await windowHandle(t, proc, title);
  await waitFor(() => existsSync(ready), { timeout: 10_000, what: 'xterm shell to start cat' });
  await sleep(50); // the banner reaches the screen
  await xsync(t);
  const readTyped = () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    ...h,
    file,
    readTyped,
    waitForTyped: (expected, timeout = 10_000) =>
      waitFor(() => {
        const s = readTyped();
        const ok = typeof expected === 'string' ? s === expected : expected instanceof RegExp ? expected.test(s) : expected(s);
        return ok ? s : '';
      }, { timeout, what: `typed text ${String(expected)} (have ${JSON.stringify(readTyped())})` }).catch(async (e) => {
        if (typeof expected === 'string' && expected === '' && readTyped() === '') return '';
        // where did the rest go: a stuck X server (it answers no request), the focus elsewhere,
        // or a terminal that got the keys but whose `cat` did not read them
        const x = await run('xdotool', ['getwindowfocus'], { env: t.env, timeout: 3000 }).catch((err) => ({ code: -1, stdout: '', stderr: String(err) }));
        let xs = x.code === 0 ? `X answers, focus ${x.stdout.toString().trim()} (xterm ${h.window.id})` : `X does not answer in 3 s (${x.code} ${x.stderr.trim()})`;
        if (x.code !== 0 && t.pid) xs += `; Xorg threads:\n${await stacks(t.pid)}\n`;
        throw new Error(`${e.message}; ${xs}; ${catState(h.proc.pid)}; after the checks: ${JSON.stringify(readTyped())}`);
      }),
    async typeWithXdotool(text, delayMs = 12) {
      await h.focus();
      // xdotool types "\n" as the Linefeed keysym, which this keymap lacks (nothing arrives):
      // send the Return key for each newline instead
      const parts = text.split('\n');
      for (let i = 0; i < parts.length; i++) {
        if (parts[i]) await runOk('xdotool', ['type', '--delay', String(delayMs), '--', parts[i]], { env: t.env, timeout: 60_000 });
        if (i < parts.length - 1) await runOk('xdotool', ['key', 'Return'], { env: t.env, timeout: 10_000 });
      }
    },
    async keyWithXdotool(...keys) {
      await h.focus();
      await runOk('xdotool', ['key', '--delay', '12', '--', ...keys], { env: t.env, timeout: 30_000 });
    },
  };
}

/**
 * Where the xterm's `cat` is (for a failed wait): its state, kernel wait channel and read/write
 * counters, so a failure tells a terminal whose reader is stuck from keys that never came.
 * @param {number} xtermPid
 */
function catState(xtermPid) {
  try {
    const kids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(xtermPid);
      } catch {
        return false;
      }
    });
    if (!kids.length) return `the xterm (pid ${xtermPid}) has no child process`;
    return kids.map((pid) => {
      const read = (/** @type {string} */ f) => { try { return readFileSync(`/proc/${pid}/${f}`, 'utf8').trim(); } catch { return '?'; } };
      const stat = read('stat').replace(/^.*\) /, '').split(' ');
      const io = read('io').split('\n').filter((l) => /^(rchar|wchar|syscr|syscw)/.test(l)).join(' ');
      return `child ${pid} (${read('comm')}) state ${stat[0]} wchan ${read('wchan')} ${io} syscall ${read('syscall').split(' ').slice(0, 4).join(' ')}`;
    }).join('; ');
  } catch (err) {
    return `no process state (${String(err)})`;
  }
}

/**
 * Every thread's stack of process `pid` through gdb (when installed; function names only, no
 * debug symbols needed), for a server that stopped answering.
 * @param {number} pid
 */
async function stacks(pid) {
  const r = await run('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 25'], { timeout: 60_000 }).catch((err) => ({ code: -1, stdout: Buffer.from(''), stderr: String(err) }));
  const lines = r.stdout.toString().split('\n').filter((l) => /^(Thread|#)/.test(l));
  return lines.length ? lines.join('\n') : `(no stacks: ${r.stderr.trim().split('\n').slice(-2).join(' ')})`;
}

/**
 * One event xev reported.
 * @typedef {object} XEvent
 * @property {string} type     "ButtonPress", "ButtonRelease", "KeyPress", "KeyRelease", "MotionNotify", ...
 * @property {number} x        relative to the event window
 * @property {number} y
 * @property {number} rootX    absolute screen position
 * @property {number} rootY
 * @property {number} state    modifier/button mask
 * @property {number} [button]
 * @property {number} [keycode]
 * @property {string} [keysym]  e.g. "a", "Return", "F1"
 * @property {string} window   "0x..."
 */

/**
 * @typedef {WindowHandle & {
 *   logFile: string,
 *   events: () => XEvent[],
 *   clicks: () => XEvent[],
 *   waitForEvents: (pred: (evs: XEvent[]) => boolean, timeout?: number) => Promise<XEvent[]>,
 * }} EventLogHandle
 */

/**
 * A window that logs input events (xev): a white rectangle at a known place. Its clicks() give the
 * ButtonPress events with both window-relative and absolute positions, so a test can check that a
 * click the client sent landed where it was meant to. Keyboard events carry keycode + keysym.
 * @param {DisplayTarget} t
 * @param {{ x?: number, y?: number, width?: number, height?: number,
 *           events?: Array<'button'|'keyboard'|'mouse'|'focus'> }} [opts]
 *   events: xev masks; 'mouse' adds motion and enter/leave. Default ['button'].
 * @returns {Promise<EventLogHandle>}
 */
export async function startEventLog(t, opts = {}) {
  const { x = 100, y = 100, width = 200, height = 150, events = ['button'] } = opts;
  const title = uniqueTitle('events');
  const logFile = path.join(t.runDir, `${title}.log`);
  writeFileSync(logFile, '');
  // stdbuf: xev writes with stdio; into a file it would otherwise buffer 4 KiB before anything shows
  const proc = t.spawnClient('stdbuf', ['-oL', 'xev', '-display', t.display, '-geometry', `${width}x${height}+${x}+${y}`,
    '-bw', '0', '-name', title, ...events.flatMap((e) => ['-event', e])], { name: 'xev', logFile });
  const h = await windowHandle(t, proc, title);
  const evs = () => parseXevLog(readFileSync(logFile, 'utf8'));
  return {
    ...h,
    logFile,
    events: evs,
    clicks: () => evs().filter((e) => e.type === 'ButtonPress'),
    waitForEvents: (pred, timeout = 10_000) =>
      waitFor(() => {
        const e = evs();
        return pred(e) ? e : null;
      }, { timeout, what: 'xev events' }),
  };
}

/**
 * A click target: startEventLog with button events only. clicks() -> ButtonPress events.
 * @param {DisplayTarget} t
 * @param {{ x?: number, y?: number, width?: number, height?: number }} [opts]
 */
export function startClickTarget(t, opts = {}) {
  return startEventLog(t, { ...opts, events: ['button'] });
}

/**
 * Parse xev's text output into events (only those with coordinates: button, key, motion, crossing).
 * @param {string} text
 * @returns {XEvent[]}
 */
export function parseXevLog(text) {
  /** @type {XEvent[]} */
  const out = [];
  for (const block of text.split(/\n(?=\S)/)) {
    const head = /^(\w+) event, serial \d+, synthetic \w+, window (0x[0-9a-f]+)/i.exec(block);
    if (!head) continue;
    const pos = /\((-?\d+),(-?\d+)\), root:\((-?\d+),(-?\d+)\)/.exec(block);
    if (!pos) continue;
    /** @type {XEvent} */
    const ev = {
      type: head[1], window: head[2], x: +pos[1], y: +pos[2], rootX: +pos[3], rootY: +pos[4],
      state: parseInt(/state (0x[0-9a-f]+)/i.exec(block)?.[1] ?? '0', 16),
    };
    const b = /button (\d+)/.exec(block);
    if (b) ev.button = +b[1];
    const k = /keycode (\d+) \(keysym 0x[0-9a-f]+, ([^)]+)\)/i.exec(block);
    if (k) { ev.keycode = +k[1]; ev.keysym = k[2]; }
    out.push(ev);
  }
  return out;
}

/**
 * An xclock (analog, updates every second): changing content, not for exact comparisons.
 * @param {DisplayTarget} t @param {{ x?: number, y?: number, size?: number }} [opts]
 * @returns {Promise<WindowHandle>}
 */
export async function startXclock(t, opts = {}) {
  const { x = 700, y = 40, size = 200 } = opts;
  const title = uniqueTitle('xclock');
  const proc = t.spawnClient('xclock', ['-display', t.display, '-geometry', `${size}x${size}+${x}+${y}`, '-update', '1',
    '-title', title, '-bw', '0'], { name: 'xclock' });
  return windowHandle(t, proc, title);
}

/**
 * A translucent (ARGB) window. Not feasible here: without a compositing manager an ARGB window
 * is drawn opaque into the framebuffer, so there is nothing translucent for SPICE to carry.
 * Always resolves to { skipped: true, reason } so specs can call test.skip(reason).
 * @param {DisplayTarget} _t
 * @returns {Promise<{ skipped: true, reason: string }>}
 */
export async function startTranslucent(_t) {
  return { skipped: true, reason: 'no compositing manager on Xspice: ARGB windows are drawn opaque' };
}

/**
 * Stop the given content handles (in parallel) and set the root to solid black.
 * @param {DisplayTarget} t @param {Array<{ stop: () => Promise<void> } | null | undefined>} [handles]
 */
export async function clearContent(t, handles = []) {
  await Promise.all(handles.map((h) => h?.stop()));
  await setRootSolid(t);
}
