import { describe, expect, it } from 'vitest';
import { Packetizer, Resampler, mapChannels, recordGains } from './record-pipeline';

const sine = (hz: number, rate: number, n: number, start = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * (start + i)) / rate));

/** frequency from the mean spacing of rising zero crossings (interpolated) */
function zeroCrossingHz(s: Float32Array, rate: number): number {
  const xs: number[] = [];
  for (let i = 1; i < s.length; i++) if (s[i - 1]! < 0 && s[i]! >= 0) xs.push(i - 1 + -s[i - 1]! / (s[i]! - s[i - 1]!));
  return ((xs.length - 1) * rate) / (xs[xs.length - 1]! - xs[0]!);
}

describe('Resampler', () => {
  it('48000 → 44100 keeps a 1 kHz tone at 1 kHz and yields the right number of frames', () => {
    const r = new Resampler(48000, 44100, 1);
    const out = r.push([sine(1000, 48000, 48000)])[0]!;
    expect(Math.abs(out.length - 44100)).toBeLessThanOrEqual(1);
    expect(zeroCrossingHz(out, 44100)).toBeCloseTo(1000, 1);
    // and each output sample is the tone at that time (linear interpolation error only)
    const ref = sine(1000, 44100, out.length);
    const err = Math.max(...out.map((v, i) => Math.abs(v - ref[i]!)));
    expect(err).toBeLessThan(0.01);
  });

  it('gives the same output for one chunk as for many odd-sized chunks', () => {
    const input = sine(440, 48000, 10_000);
    const whole = new Resampler(48000, 16000, 1).push([input])[0]!;
    const r = new Resampler(48000, 16000, 1);
    const parts: number[] = [];
    for (let off = 0, k = 0; off < input.length; k++) {
      const len = [1, 127, 128, 333, 7][k % 5]!;
      parts.push(...r.push([input.subarray(off, off + len)])[0]!);
      off += len;
    }
    expect(parts.length).toBe(whole.length);
    parts.forEach((v, i) => expect(v).toBeCloseTo(whole[i]!, 6));
  });

  it('upsamples too (44100 → 48000) and passes the same rate through untouched', () => {
    const up = new Resampler(44100, 48000, 2).push([sine(500, 44100, 44100), sine(500, 44100, 44100)]);
    expect(up).toHaveLength(2);
    expect(Math.abs(up[0]!.length - 48000)).toBeLessThanOrEqual(1);
    expect(zeroCrossingHz(up[1]!, 48000)).toBeCloseTo(500, 1);
    const same = new Resampler(48000, 48000, 1).push([Float32Array.from([0.1, 0.2])]);
    expect(Array.from(same[0]!)).toEqual([Float32Array.from([0.1])[0], Float32Array.from([0.2])[0]]);
    expect(() => new Resampler(0, 48000, 1)).toThrow(RangeError);
  });
});

describe('channel map, gains, packets', () => {
  it('a mono mic feeds both channels of a stereo stream; extra device channels are dropped', () => {
    const m = Float32Array.from([1]), l = Float32Array.from([2]), r = Float32Array.from([3]);
    expect(mapChannels([m], 2)).toEqual([m, m]);
    expect(mapChannels([l, r, m], 2)).toEqual([l, r]);
    expect(mapChannels([], 2)).toEqual([]);
  });

  it('RECORD_VOLUME u16 → linear gain per channel; MUTE → 0; nothing said → 1', () => {
    expect(recordGains([65535, 32768], false, 2)).toEqual([1, 32768 / 65535]);
    expect(recordGains([65535, 65535], true, 2)).toEqual([0, 0]);
    expect(recordGains([], false, 2)).toEqual([1, 1]);
    expect(recordGains([13107], false, 2)).toEqual([0.2, 0.2]);
  });

  it('cuts any input into whole packets with the gains applied, keeping the remainder', () => {
    const p = new Packetizer(2, 4);
    const got: number[][][] = [];
    const on = (pk: Float32Array[]) => got.push(pk.map((c) => Array.from(c)));
    p.push([Float32Array.from([1, 2, 3]), Float32Array.from([1, 2, 3])], [1, 0.5], on);
    expect(got).toEqual([]);
    p.push([Float32Array.from([4, 5, 6, 7, 8, 9]), Float32Array.from([4, 5, 6, 7, 8, 9])], [1, 0.5], on);
    expect(got).toEqual([
      [[1, 2, 3, 4], [0.5, 1, 1.5, 2]],
      [[5, 6, 7, 8], [2.5, 3, 3.5, 4]],
    ]);
  });
});
