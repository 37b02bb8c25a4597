// `spice-web replay ...`: its arguments and its run (the replay itself is replay.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_WEB_DIR, hostPort, num, reader, untilSignal, UsageError, type Io } from './cli-common.js';
import { isLogLevel, type LogLevel } from './log.js';
import { startReplay, type ReplayHandle, type ReplayOptions } from './replay.js';
import { ReplayError } from './replay-link.js';
import { chooseSession, describeSession, loadRecordings } from './replay-sessions.js';

export interface ReplayArgs {
  command: 'replay';
  recordings: string[];
  session?: number;
  list: boolean;
  /** Infinity = as fast as possible. */
  speed: number;
  listen: string;
  web: string | null;
  cert?: string;
  key?: string;
  allowOrigins: string[];
  maxPayload?: number;
  logLevel: LogLevel;
}

export function parseReplay(args: readonly string[]): ReplayArgs | { command: 'help' } {
  const o: ReplayArgs = { command: 'replay', recordings: [], list: false, speed: 1, listen: '127.0.0.1:8080', web: DEFAULT_WEB_DIR, allowOrigins: [], logLevel: 'info' };
  const r = reader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    switch (a) {
      case '-h': case '--help': return { command: 'help' };
      case '--session': {
        const v = r.value(a);
        if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--session wants a session number (1, 2, ...; see --list), got "${v}"`);
        o.session = Number(v);
        break;
      }
      case '--list': o.list = true; break;
      case '--speed': {
        const v = r.value(a);
        o.speed = v === 'max' ? Infinity : num(a, v);
        if (o.speed === 0) o.speed = Infinity;
        break;
      }
      case '--listen': {
        const v = r.value(a);
        o.listen = /^\d+$/.test(v) ? `127.0.0.1:${v}` : hostPort(a, v);
        break;
      }
      case '--web': o.web = path.resolve(r.value(a)); break;
      case '--no-web': o.web = null; break;
      case '--cert': o.cert = r.value(a); break;
      case '--key': o.key = r.value(a); break;
      case '--allow-origin': o.allowOrigins.push(r.value(a)); break;
      case '--max-payload': o.maxPayload = num(a, r.value(a), 1); break;
      case '--log-level': {
        const v = r.value(a);
        if (!isLogLevel(v)) throw new UsageError(`--log-level wants debug, info, warn or error, got "${v}"`);
        o.logLevel = v;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option "${a}" (see spice-web help)`);
        o.recordings.push(a);
    }
  }
  if (o.recordings.length === 0) throw new UsageError('replay needs a recording: a directory written by serve --record DIR, or .spicerec files');
  if ((o.cert === undefined) !== (o.key === undefined)) throw new UsageError('--cert and --key go together');
  return o;
}

/** Turns parsed `replay` arguments into startReplay options (without the session, loaded apart). */
export function replayOptions(a: ReplayArgs): Omit<ReplayOptions, 'session'> {
  const o: Omit<ReplayOptions, 'session'> = { listen: a.listen, webDir: a.web, speed: a.speed, logLevel: a.logLevel, logger: 'json' };
  if (a.cert && a.key) o.https = { cert: readFileSync(a.cert), key: readFileSync(a.key) };
  if (a.allowOrigins.length > 0) o.allowOrigins = a.allowOrigins;
  if (a.maxPayload !== undefined) o.maxPayload = a.maxPayload;
  return o;
}

export async function runReplay(args: ReplayArgs, io: Io): Promise<number> {
  let handle: ReplayHandle;
  try {
    const loaded = await loadRecordings(args.recordings);
    for (const s of loaded.skipped) io.err(`spice-web replay: skipping ${s.file}: ${s.reason}\n`);
    if (args.list) {
      io.out(`${loaded.sessions.map(describeSession).join('\n')}\n`);
      return 0;
    }
    const session = chooseSession(loaded, args.session);
    handle = await startReplay({ ...replayOptions(args), session });
    io.err(`spice-web: replaying session ${session.index} (${session.channels.length} recorded connections to ${session.target || 'an unknown target'}) ` +
      `at ${args.speed === Infinity ? 'maximum speed' : `speed ${args.speed}`}; listening on ${handle.url} (WebSocket ${handle.wsUrl}); Ctrl-C stops\n`);
  } catch (e) {
    if (e instanceof ReplayError) {
      io.err(`spice-web replay: ${e.message}\n`);
      return 1;
    }
    io.err(`spice-web replay: ${(e as Error).message}\n`);
    return 1;
  }
  await untilSignal(handle);
  return 0;
}

