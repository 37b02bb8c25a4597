// Sound for the playback e2e tests: a tone written into Xspice's audio FIFO (S16LE, 48 kHz,
// stereo, as the spiceqxl driver reads it; real-servers.md "Audio from Xspice"), and the
// measurements taken on the samples the page's worklet played.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface Tone {
  fifo: string;
  /** stop writing (the server then stops the stream) */
  stop(): void;
}

/**
 * Create a FIFO in `dir` (the server must already run: it finds FIFOs by inotify and ignores
 * older ones) and write a sine into it: `freq` Hz, `amplitude` of full scale, for `seconds`.
 * The pipe's back-pressure paces the writer at the rate the server reads.
 */
export function startTone(dir: string, o: { freq: number; amplitude: number; seconds: number; rate?: number; name?: string }): Tone {
  const rate = o.rate ?? 48000;
  const fifo = path.join(dir, o.name ?? 'tone.fifo');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0 || !existsSync(fifo)) throw new Error(`mkfifo ${fifo}: ${mk.stderr}`);
  const out: WriteStream = createWriteStream(fifo);
  out.on('error', () => undefined); // the reader went away at the end of a test
  const total = Math.round(o.seconds * rate);
  const chunk = 4800; // 100 ms
  let frame = 0;
  let stopped = false;
  const writeMore = (): void => {
    while (!stopped && frame < total) {
      const n = Math.min(chunk, total - frame);
      const b = Buffer.alloc(n * 4);
      for (let i = 0; i < n; i++, frame++) {
        const v = Math.round(Math.sin((2 * Math.PI * o.freq * frame) / rate) * o.amplitude * 32767);
        b.writeInt16LE(v, i * 4);
        b.writeInt16LE(v, i * 4 + 2);
      }
      if (!out.write(b)) {
        out.once('drain', writeMore);
        return;
      }
    }
    if (!stopped) out.end();
  };
  writeMore();
  return {
    fifo,
    stop() {
      stopped = true;
      out.destroy();
    },
  };
}

/**
 * Frequency of a tone from its samples: the median length of the periods between rising zero
 * crossings (each crossing interpolated between samples). The median ignores a period broken by
 * a dropped block (the jitter buffer's latency trim), which a mean over the whole capture would not.
 */
export function toneFrequency(s: ArrayLike<number>, rate: number): { hz: number; periods: number } {
  const ups: number[] = [];
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!, b = s[i]!;
    if (a < 0 && b >= 0) ups.push(i - 1 + a / (a - b));
  }
  const periods = ups.slice(1).map((u, i) => u - ups[i]!).sort((x, y) => x - y);
  if (periods.length < 10) return { hz: 0, periods: periods.length };
  return { hz: rate / periods[Math.floor(periods.length / 2)]!, periods: periods.length };
}

export function rms(s: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]! * s[i]!;
  return Math.sqrt(sum / Math.max(1, s.length));
}

export function peak(s: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m = Math.max(m, Math.abs(s[i]!));
  return m;
}
