// The audio clock from what is played (play-clock.ts through the JitterRing, as the worklet
// processor drives it): played-sample counts map to the stamps the packets came with.
import { describe, expect, it } from 'vitest';
import { JitterRing } from './jitter-ring';
import { StampTrack } from './play-clock';

const RATE = 48000;
/** one 10 ms packet (480 frames at 48 kHz), mono */
const packet = (frames = 480) => [new Float32Array(frames).fill(0.5)];
const quantum = () => [new Float32Array(128)];

/** pull `n` render quanta; the stamp each began with (mm + lag, in ms; null for silence) */
function play(ring: JitterRing, n: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    ring.pull(quantum());
    const s = ring.lastStamp;
    out.push(s ? s.mm + s.lagMs : null);
  }
  return out;
}

describe('StampTrack', () => {
  it('maps a frame index to its packet stamp plus its distance into the packet (whole ms + lag)', () => {
    const t = new StampTrack(RATE);
    t.mark(0, 1000);
    t.mark(480, 1010);
    expect(t.at(0)).toEqual({ mm: 1000, lagMs: 0 });
    expect(t.at(128)).toEqual({ mm: 1002, lagMs: expect.closeTo(0.6667, 3) as number });
    expect(t.at(479)!.mm).toBe(1009);
    expect(t.at(480)).toEqual({ mm: 1010, lagMs: 0 });
    // past the last mark: still that packet's stamp plus the distance (the ring never asks beyond what it holds)
    expect(t.at(960)).toEqual({ mm: 1020, lagMs: 0 });
  });

  it('unstamped frames and forgotten frames have no stamp; forgetting keeps the track small', () => {
    const t = new StampTrack(RATE);
    expect(t.at(0)).toBeNull();
    t.mark(0, null);
    t.mark(100, 500);
    expect(t.at(50)).toBeNull();
    expect(t.at(100)).toEqual({ mm: 500, lagMs: 0 });
    for (let i = 1; i <= 1000; i++) t.mark(100 + 480 * i, 500 + 10 * i);
    t.forget(100 + 480 * 1000);
    expect(t.size).toBe(1);
    expect(t.at(100)).toBeNull(); // before what is kept: unknown, not a guess
    expect(t.at(100 + 480 * 1000 + 48)).toEqual({ mm: 10_501, lagMs: 0 });
  });
});

describe('JitterRing played position', () => {
  it('advances with the frames played, across packet boundaries', () => {
    const ring = new JitterRing(1, RATE, 960, RATE);
    for (let i = 0; i < 4; i++) ring.push(packet(), 5000 + 10 * i);
    const got = play(ring, 10);
    // 128 frames = 8/3 ms per quantum, straight through the 10 ms packets
    got.forEach((mm, i) => expect(mm).toBeCloseTo(5000 + (i * 128 * 1000) / RATE, 6));
    expect(ring.nextStamp()!.mm).toBe(5026); // frame 1280: 26.67 ms in
  });

  it('starts only when the sound starts: the cushion\'s silence carries no stamp', () => {
    const ring = new JitterRing(1, RATE, 960, RATE);
    ring.push(packet(), 7000);
    expect(play(ring, 3)).toEqual([null, null, null]); // filling: 480 < 960 frames
    ring.push(packet(), 7010);
    expect(play(ring, 1)).toEqual([7000]);
  });

  it('an underrun does not advance the media clock: after the silence the next sample carries its own stamp', () => {
    const ring = new JitterRing(1, RATE, 480, RATE);
    ring.push(packet(), 9000);
    const first = play(ring, 4); // 512 frames wanted, 480 there: the 4th quantum runs dry
    expect(first[3]).toBeCloseTo(9000 + (384 * 1000) / RATE, 6);
    expect(ring.stats().underruns).toBe(1);
    expect(play(ring, 20).every((x) => x === null)).toBe(true); // silence, however long
    // the sound goes on where it stopped (the next packet, stamped 10 ms after the first)
    ring.push(packet(), 9010);
    expect(play(ring, 1)).toEqual([9010]);
  });

  it('a gap or jump in the stamps is followed at once (each packet\'s own stamp counts)', () => {
    const ring = new JitterRing(1, RATE, 0, RATE);
    ring.push(packet(256), 1000);
    ring.push(packet(256), 4000); // the server skipped 3 s of sound
    ring.push(packet(256), 100); // and then its clock went back
    const got = play(ring, 6);
    expect(got[0]).toBe(1000);
    expect(got[1]).toBeCloseTo(1000 + (128 * 1000) / RATE, 6);
    expect(got[2]).toBe(4000);
    expect(got[4]).toBe(100);
  });

  it('frames the ring drops to bound latency are skipped in time too', () => {
    // target 480, high 1440: a burst of 4 packets is trimmed back to the newest 480 frames
    const ring = new JitterRing(1, RATE, 480, RATE);
    for (let i = 0; i < 4; i++) ring.push(packet(), 2000 + 10 * i);
    expect(ring.stats().dropped).toBe(1440);
    expect(play(ring, 1)).toEqual([2030]);
  });

  it('the stream-start burst (the ~0.76 s "Opus trim"): Xspice sends its FIFO backlog at once, the ring keeps the newest cushion', () => {
    // Measured against Xspice (e2e/audio.spec.ts, instrumented): the first 101 packets arrived
    // within 58 ms carrying 928 ms of stamps (the backlog its FIFO reader had), raw and Opus alike
    // (in Opus mode the decoder's start adds a second, smaller burst). Playing that backlog would
    // leave the sound ~1 s behind live for good, and lip-sync would hold the picture back as far;
    // the ring drops the oldest down to the cushion instead, and the clock follows the stamps of
    // what is kept, so nothing is out of step after the trim.
    const target = 4800; // 100 ms
    const ring = new JitterRing(1, 2 * RATE, target, RATE);
    for (let i = 0; i < 101; i++) ring.push(packet(), 22_675_201 + 10 * i);
    const st = ring.stats();
    expect(st.buffered).toBeLessThanOrEqual(2 * target);
    expect(st.dropped).toBeGreaterThanOrEqual(101 * 480 - 2 * target); // ≥ 0.81 s of the 1.01 s
    // what plays first is recent: at most the cushion (×2, the trim threshold) behind the newest stamp
    const first = play(ring, 1)[0]!;
    expect(22_675_201 + 1010 - first).toBeLessThanOrEqual(200);
  });

  it('a packet larger than the whole ring keeps its newest frames, stamped where they fall', () => {
    const ring = new JitterRing(1, 960, 0, RATE);
    ring.push(packet(1440), 3000); // the first 480 frames (10 ms) do not fit
    expect(play(ring, 1)).toEqual([3010]);
  });

  it('the u32 counter wraps: mm_time runs on through 2^32 − 1 → 0', () => {
    const ring = new JitterRing(1, RATE, 0, RATE);
    ring.push(packet(), 0xffff_fffb); // 5 ms before the wrap
    ring.push(packet(), 5);
    const got = play(ring, 8).map((x) => (x === null ? null : Math.floor(x)));
    // 0, 2.67 ms in; 5.33 ms in: 0xfffffffb + 5 wraps to 0; 8 ms in: to 3
    expect(got.slice(0, 4)).toEqual([0xffff_fffb, 0xffff_fffd, 0, 3]);
    expect(got[4]).toBe(5); // 10.67 ms: the second packet, stamped 5, 0.67 ms in
  });

  it('STOP (clear) forgets the stamps: the next stream starts from its own', () => {
    const ring = new JitterRing(1, RATE, 0, RATE);
    ring.push(packet(), 100);
    play(ring, 1);
    ring.clear();
    expect(ring.lastStamp).toBeNull();
    ring.push(packet(), 50_000);
    expect(play(ring, 1)).toEqual([50_000]);
  });

  it('unstamped sound plays but gives no clock', () => {
    const ring = new JitterRing(1, RATE, 0, RATE);
    ring.push(packet());
    expect(play(ring, 2)).toEqual([null, null]);
    expect(ring.stats().played).toBe(256);
  });
});
