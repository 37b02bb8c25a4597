/**
 * Replay speed of the display core: every fixtures/xspice recording through DisplayCore into a
 * BufferSink (parse + decode + draw), best of N runs.   npx tsx scripts/bench-display.ts [runs]
 */
import { DisplayCore } from '../src/display/core';
import { displayMessages, replayInto } from '../src/display/replay';
import { BufferSink } from '../src/display/sink';
import { RECORDING_ORDER, loadStream } from './lib/fixture-images';
import { jpegJs } from './lib/display-replay';

const runs = Number(process.argv[2] ?? 5);
for (const mode of RECORDING_ORDER) {
  const bin = loadStream(mode);
  const msgs = displayMessages(bin);
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await replayInto(new DisplayCore({ sink: new BufferSink(), jpeg: jpegJs }), msgs);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`${mode.padEnd(9)} ${String(msgs.length).padStart(4)} msgs ${(bin.length / 1024).toFixed(0).padStart(5)} KiB  ${best.toFixed(1).padStart(6)} ms  ${(bin.length / 1048576 / (best / 1000)).toFixed(1)} MiB/s in`);
}
