import { describe, expect, it } from 'vitest';
import { JitterRing } from './jitter-ring';

const ramp = (from: number, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => from + i);
const quantum = (ch = 1, n = 128): Float32Array[] => Array.from({ length: ch }, () => new Float32Array(n));

describe('JitterRing', () => {
  it('stays silent until the cushion is queued, then plays samples in order', () => {
    const r = new JitterRing(1, 4800, 480);
    r.push([ramp(1, 256)]);
    const out = quantum();
    expect(r.pull(out)).toBe(0);
    expect(out[0]!.every((v) => v === 0)).toBe(true);
    r.push([ramp(257, 256)]);
    expect(r.pull(out)).toBe(128);
    expect(Array.from(out[0]!.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(r.pull(out)).toBe(128);
    expect(out[0]![0]).toBe(129);
    expect(r.stats()).toMatchObject({ state: 'playing', buffered: 256, played: 256, underruns: 0 });
  });

  it('an underrun plays what is left, pads with silence, counts once and fills the cushion again', () => {
    const r = new JitterRing(2, 4800, 200);
    r.push([ramp(1, 200), ramp(-200, 200)]);
    const out = quantum(2);
    r.pull(out);
    expect(r.pull(out)).toBe(72);
    expect(out[0]![71]).toBe(200);
    expect(out[1]![71]).toBe(-1);
    expect(out[0]![72]).toBe(0);
    expect(r.stats()).toMatchObject({ state: 'filling', underruns: 1 });
    r.push([ramp(1000, 100), ramp(1000, 100)]);
    expect(r.pull(out)).toBe(0); // 100 < cushion 200: still filling
    r.push([ramp(1100, 100), ramp(1100, 100)]);
    expect(r.pull(out)).toBe(128);
    expect(out[0]![0]).toBe(1000);
    expect(r.stats().underruns).toBe(1);
  });

  it('does not grow: a producer faster than the consumer is trimmed back to the cushion', () => {
    const target = 4800; // the default 100 ms cushion at 48 kHz
    const r = new JitterRing(1, 48000, target);
    const out = quantum();
    let maxBuffered = 0;
    // the server sends 480 frames per 10 ms; our output clock runs 2% slow (47.04 frames/ms)
    let consumed = 0;
    for (let ms = 0; ms < 60_000; ms++) {
      if (ms % 10 === 0) r.push([ramp(ms, 480)]);
      while (consumed + 128 <= ms * 47.04) {
        r.pull(out);
        consumed += 128;
      }
      maxBuffered = Math.max(maxBuffered, r.stats().buffered);
    }
    const s = r.stats();
    // 2% of 60 s is 57600 surplus frames: all dropped, never queued
    expect(s.dropped).toBeGreaterThan(50_000);
    expect(s.underruns).toBe(0);
    expect(maxBuffered).toBeLessThanOrEqual(2 * target);
  });

  it('does not starve at a steady rate: after the cushion no underruns for 10 s of 10 ms packets', () => {
    const r = new JitterRing(2, 96000, 4800);
    const out = quantum(2);
    let produced = 0, consumed = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      if (ms % 10 === 0) {
        r.push([new Float32Array(480).fill(0.5), new Float32Array(480).fill(0.5)]);
        produced += 480;
      }
      // the audio thread pulls 48 frames per ms on average, in 128-frame quanta
      while (consumed + 128 <= ms * 48) {
        r.pull(out);
        consumed += 128;
      }
    }
    expect(produced).toBe(480_000);
    expect(r.stats()).toMatchObject({ underruns: 0, dropped: 0, state: 'playing' });
  });

  it('applies the gain and repeats channel 0 to missing output channels', () => {
    const r = new JitterRing(1, 1000, 0);
    r.push([Float32Array.from([0.5, -0.5])]);
    const out = [new Float32Array(2), new Float32Array(2)];
    r.pull(out, 0.5);
    expect(Array.from(out[0]!)).toEqual([0.25, -0.25]);
    expect(Array.from(out[1]!)).toEqual([0.25, -0.25]);
  });

  it('keeps the newest frames when a push is larger than the ring, and wraps around', () => {
    const r = new JitterRing(1, 300, 0);
    r.push([ramp(0, 500)]);
    expect(r.stats()).toMatchObject({ buffered: 300, dropped: 200 });
    const out = [new Float32Array(250)];
    r.pull(out);
    expect(out[0]![0]).toBe(200);
    r.push([ramp(1000, 200)]); // wraps the write position
    const out2 = [new Float32Array(250)];
    expect(r.pull(out2)).toBe(250);
    expect(Array.from(out2[0]!.subarray(48, 52))).toEqual([498, 499, 1000, 1001]);
  });

  it('clear() drops everything and fills again', () => {
    const r = new JitterRing(1, 1000, 10);
    r.push([ramp(1, 100)]);
    r.clear();
    const out = quantum();
    expect(r.pull(out)).toBe(0);
    expect(r.stats().buffered).toBe(0);
  });
});
