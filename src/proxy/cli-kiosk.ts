// `spice-web kiosk URL`: a thin client's whole user interface. Runs Chromium in kiosk mode
// (browser full-screen, no tabs, address bar or menus, no first-run dialogs, no translate or
// crash bubbles, sound without a click) on the client page at URL, with `kiosk=1` added so the
// page hides its own chrome, keeps the screen awake and reconnects forever. The browser's exit
// code is ours; SIGINT/SIGTERM are passed on to it.
//
// The OS still needs locking down (no other session, no way to a shell): Chromium's kiosk mode
// only takes the browser's own controls away.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reader, UsageError, type Io } from './cli-common.js';

export const KIOSK_USAGE = `kiosk URL: Chromium full-screen with no browser chrome, the client in kiosk mode (?kiosk=1 is added)
  --chromium PATH            the browser (default: $CHROMIUM_PATH, else /usr/bin/chromium)
  --window-size W,H          window size when no window manager sizes it (e.g. 1920,1080)
  --user-data-dir DIR        browser profile (default: a fresh temporary one, removed on exit)
  --dry-run                  print the command line and exit
  -- ARGS...                 further Chromium arguments`;

export interface KioskArgs {
  command: 'kiosk';
  url: string;
  chromium: string;
  windowSize?: string;
  userDataDir?: string;
  dryRun: boolean;
  extra: string[];
}

export function parseKiosk(args: readonly string[], env: NodeJS.ProcessEnv = process.env): KioskArgs | { command: 'help' } {
  const o: KioskArgs = { command: 'kiosk', url: '', chromium: env['CHROMIUM_PATH'] || '/usr/bin/chromium', dryRun: false, extra: [] };
  const r = reader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    switch (a) {
      case '-h': case '--help': return { command: 'help' };
      case '--chromium': o.chromium = r.value(a); break;
      case '--window-size': {
        const v = r.value(a);
        if (!/^\d{2,5},\d{2,5}$/.test(v)) throw new UsageError(`--window-size wants W,H (e.g. 1920,1080), got "${v}"`);
        o.windowSize = v;
        break;
      }
      case '--user-data-dir': o.userDataDir = path.resolve(r.value(a)); break;
      case '--dry-run': o.dryRun = true; break;
      case '--':
        for (let x = r.next(); x !== undefined; x = r.next()) o.extra.push(x);
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option "${a}" (see spice-web help)`);
        if (o.url) throw new UsageError('kiosk takes one URL');
        o.url = a;
    }
  }
  if (!o.url) throw new UsageError('kiosk needs the URL of the client page, e.g. spice-web kiosk http://127.0.0.1:8080/?token=vm1');
  o.url = kioskUrl(o.url);
  return o;
}

/** the page URL with kiosk=1 (http(s) only: a kiosk pointed at file: or javascript: is a mistake) */
export function kioskUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`kiosk wants an http(s) URL, got "${u.protocol}"`);
  u.searchParams.set('kiosk', '1');
  return u.href;
}

/** Chromium's arguments for a kiosk (the URL last). */
export function kioskChromiumArgs(a: KioskArgs, userDataDir: string, isRoot: boolean): string[] {
  const args = [
    '--kiosk',
    `--user-data-dir=${userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--noerrdialogs',
    '--disable-infobars',
    '--disable-session-crashed-bubble',
    '--disable-translate',
    '--disable-features=Translate,TranslateUI',
    '--disable-extensions',
    '--disable-component-update',
    '--disable-background-networking',
    '--disable-sync',
    '--password-store=basic',
    // the guest's sound plays without a first click
    '--autoplay-policy=no-user-gesture-required',
    // no back-navigation by a swipe and no page zoom by a pinch on touch screens
    '--overscroll-history-navigation=0',
    '--disable-pinch',
    '--window-position=0,0',
  ];
  if (a.windowSize) args.push(`--window-size=${a.windowSize}`);
  // Chromium refuses to run as root with its sandbox on
  if (isRoot) args.push('--no-sandbox');
  args.push(...a.extra, a.url);
  return args;
}

export async function runKiosk(a: KioskArgs, io: Io): Promise<number> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const own = a.userDataDir === undefined;
  const dir = a.userDataDir ?? (a.dryRun ? path.join(tmpdir(), 'spice-web-kiosk-XXXXXX') : mkdtempSync(path.join(tmpdir(), 'spice-web-kiosk-')));
  const args = kioskChromiumArgs(a, dir, isRoot);
  if (a.dryRun) {
    io.out(`${[a.chromium, ...args].map((s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)).join(' ')}\n`);
    return 0;
  }
  if (isRoot) io.err('spice-web kiosk: running as root, so Chromium runs without its sandbox; use an unprivileged kiosk user\n');
  io.err(`spice-web kiosk: ${a.chromium} on ${a.url}\n`);
  return new Promise<number>((resolve) => {
    const child = spawn(a.chromium, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const pass = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = pass('SIGINT');
    const onTerm = pass('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = (code: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (own) rmSync(dir, { recursive: true, force: true });
      resolve(code);
    };
    child.on('error', (e) => {
      io.err(`spice-web kiosk: cannot start ${a.chromium}: ${e.message}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 0 : 1)));
  });
}
