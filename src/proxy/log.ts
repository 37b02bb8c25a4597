// Structured logging: one JSON object per line on stderr.
//
// The proxy handles secrets (tokens in URLs, JWTs, and SPICE tickets inside the relayed bytes).
// None of them may reach a log. Callers never pass them, and as a second line of defence any
// field whose name looks like a secret is replaced before writing.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names that must never carry a value into a log line. */
const SECRET_FIELD = /token|ticket|passw|secret|jwt|authorization|cookie/i;

/** Returns a copy of `fields` with secret-looking fields redacted and undefined ones dropped. */
export function sanitizeFields(fields: LogFields | undefined): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (!fields) return out;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    // `tokenRef` is a keyed digest made for logs (see tokenRef in server.ts), not the token.
    out[k] = SECRET_FIELD.test(k) && k !== 'tokenRef' ? '[redacted]' : v;
  }
  return out;
}

export interface JsonLoggerOptions {
  /** Where lines go (default process.stderr). */
  write?: (line: string) => void;
  /** Lowest level written (default 'info'). */
  level?: LogLevel;
  /** Clock, for tests. */
  now?: () => Date;
}

/** A logger writing `{"time":..,"level":..,"event":..,...fields}` lines. */
export function jsonLogger(opts: JsonLoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => void process.stderr.write(line));
  const min = LEVELS[opts.level ?? 'info'];
  const now = opts.now ?? (() => new Date());
  return {
    log(level, event, fields) {
      if (LEVELS[level] < min) return;
      const rec = { time: now().toISOString(), level, event, ...sanitizeFields(fields) };
      write(`${JSON.stringify(rec)}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };

/** A logger that keeps records in memory (tests, embedding). */
export function memoryLogger(): Logger & { records: Array<{ level: LogLevel; event: string } & Record<string, unknown>> } {
  const records: Array<{ level: LogLevel; event: string } & Record<string, unknown>> = [];
  return {
    records,
    log(level, event, fields) {
      records.push({ level, event, ...sanitizeFields(fields) });
    },
  };
}

export function isLogLevel(s: string): s is LogLevel {
  return Object.prototype.hasOwnProperty.call(LEVELS, s);
}
