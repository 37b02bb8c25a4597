// Shared by the CLI's commands (cli.ts, cli-replay.ts): argument reading, usage errors, output
// and the wait for Ctrl-C.
import { fileURLToPath } from 'node:url';
import { formatEndpoint, parseHostPort } from './endpoint.js';

/** The built client next to this file: dist/node/proxy/cli.js -> dist/client. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../client/', import.meta.url));

export class UsageError extends Error {}

export function num(opt: string, v: string, min = 0): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < min) throw new UsageError(`${opt} wants a number >= ${min}, got "${v}"`);
  return Number(v);
}

export function hostPort(opt: string, v: string): string {
  try {
    return formatEndpoint(parseHostPort(v));
  } catch (e) {
    throw new UsageError(`${opt}: ${(e as Error).message}`);
  }
}

export function reader(args: readonly string[]) {
  let i = 0;
  return {
    next(): string | undefined {
      return args[i++];
    },
    value(opt: string): string {
      const v = args[i++];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${opt} needs a value`);
      return v;
    },
  };
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

/** Resolves once SIGINT or SIGTERM stopped `h`. */
export function untilSignal(h: { close(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void h.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

