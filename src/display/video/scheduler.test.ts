import { describe, expect, it } from 'vitest';
import { FakeClock, MmTime } from '../../common/clock';
import { FakeTimers } from '../../../scripts/lib/fake-timers';
import { FrameScheduler, LATE_MS, MAX_EARLY_MS, RESYNC_AFTER_MS } from './scheduler';

function setup(synced = true, audio = true) {
  const clock = new FakeClock();
  const mm = new MmTime(clock);
  if (synced) mm.sync(10_000);
  const timers = new FakeTimers(clock);
  const shown: Array<{ id: number; f: string; mm: number | null }> = [];
  const dropped: Array<{ f: string; why: string }> = [];
  const s = new FrameScheduler<string>({
    mm,
    timers,
    present: (id, f) => shown.push({ id, f, mm: mm.now() }),
    drop: (_id, f, why) => dropped.push({ f, why }),
    audio: () => audio,
  });
  return { clock, mm, timers, s, shown, dropped, names: () => shown.map((x) => x.f) };
}

describe('FrameScheduler', () => {
  it('on time: a frame due now is shown at once, with offset 0', () => {
    const { s, shown } = setup();
    s.push(1, 10_000, 'a');
    expect(shown).toEqual([{ id: 1, f: 'a', mm: 10_000 }]);
    expect(s.offsetPercentiles()).toEqual({ p50: 0, p95: 0, n: 1 });
  });

  it('early: held until the clock reaches its mm_time, then shown (no sooner)', () => {
    const { s, timers, names, shown } = setup();
    s.push(1, 10_100, 'a');
    s.push(1, 10_133, 'b');
    expect(names()).toEqual([]);
    expect(s.stats).toMatchObject({ held: 2, pending: 2 });
    timers.advance(99);
    expect(names()).toEqual([]);
    timers.advance(1);
    expect(shown).toEqual([{ id: 1, f: 'a', mm: 10_100 }]);
    timers.advance(33);
    expect(shown[1]).toEqual({ id: 1, f: 'b', mm: 10_133 });
    expect(s.stats).toMatchObject({ presented: 2, pending: 0, late: 0 });
    expect(timers.armed).toBe(0);
  });

  it('late: within the bound it is shown, beyond it dropped and counted', () => {
    const { s, names, dropped } = setup();
    s.push(1, 10_000 - LATE_MS, 'ok');
    s.push(1, 10_000 - LATE_MS - 1, 'late');
    expect(names()).toEqual(['ok']);
    expect(dropped).toEqual([{ f: 'late', why: 'late' }]);
    expect(s.stats).toMatchObject({ late: 1, presented: 1 });
  });

  it('no sound: a late frame is shown at once (nothing to keep in step with), early ones still wait', () => {
    const { s, names, dropped, timers } = setup(true, false);
    s.push(1, 10_000 - 200, 'late');
    expect(names()).toEqual(['late']);
    expect(dropped).toEqual([]);
    expect(s.stats).toMatchObject({ late: 0, lateShown: 1 });
    s.push(1, 10_050, 'early');
    timers.advance(49);
    expect(names()).toEqual(['late']);
    timers.advance(1);
    expect(names()).toEqual(['late', 'early']);
  });

  it('a busy worker: when several frames of a stream are due at once, the newest is shown, the rest skipped', () => {
    const { s, timers, clock, names, dropped } = setup();
    s.push(1, 10_010, 'a');
    s.push(1, 10_020, 'b');
    s.push(1, 10_030, 'c');
    s.push(2, 10_015, 'x');
    // the worker was busy: its timer could not run until 25 ms later
    clock.advance(25);
    timers.advance(0);
    expect(names()).toEqual(['b', 'x']);
    expect(dropped).toEqual([{ f: 'a', why: 'skipped' }]);
    timers.advance(5);
    expect(names()).toEqual(['b', 'x', 'c']);
  });

  it('a frame stamped before frames still held (stream reset) replaces them', () => {
    const { s, names, dropped, timers } = setup();
    s.push(1, 10_200, 'a');
    s.push(1, 10_233, 'b');
    s.push(1, 10_050, 'reset');
    expect(dropped.map((d) => d.f)).toEqual(['b', 'a']);
    timers.advance(50);
    expect(names()).toEqual(['reset']);
  });

  it('no audio, no sync yet: frames are shown at once; after a sync they are paced on the mm time alone', () => {
    const { s, mm, names, timers } = setup(false);
    s.push(1, 5, 'a');
    expect(names()).toEqual(['a']);
    expect(s.stats.unclocked).toBe(1);
    // the server's mm time minus its latency (400 ms): frames produced now are due in 400 ms
    mm.sync(20_000 - 400);
    s.push(1, 20_000, 'b');
    timers.advance(399);
    expect(names()).toEqual(['a']);
    timers.advance(1);
    expect(names()).toEqual(['a', 'b']);
  });

  it('clock jumps forward (a sync far ahead): held frames become due; the newest is shown at once, nothing freezes', () => {
    const { s, mm, clock, names, timers } = setup();
    s.push(1, 10_300, 'a');
    s.push(1, 10_333, 'b');
    mm.sync(60_000, clock.now());
    s.reschedule();
    expect(names()).toEqual(['b']);
    expect(s.stats.skipped).toBe(1);
    // frames on the new basis play normally
    s.push(1, 60_100, 'c');
    timers.advance(100);
    expect(names()).toEqual(['b', 'c']);
  });

  it('clock jumps back (a sync far behind): held frames and the next ones resync instead of waiting seconds', () => {
    const { s, mm, clock, names, timers } = setup();
    s.push(1, 10_100, 'a');
    mm.sync(1_000, clock.now()); // 'a' is now 9.1 s ahead
    s.reschedule();
    expect(names()).toEqual(['a']);
    expect(s.stats.resyncs).toBe(1);
    // the stream keeps its own spacing under the offset
    s.push(1, 10_133, 'b');
    timers.advance(32);
    expect(names()).toEqual(['a']);
    timers.advance(1);
    expect(names()).toEqual(['a', 'b']);
  });

  it('stream stamps jump away from the clock (another server): far-ahead frames resync at once, then follow the clock again', () => {
    const { s, names, timers } = setup();
    s.push(1, 10_000 + MAX_EARLY_MS + 5_000, 'far');
    expect(names()).toEqual(['far']);
    expect(s.stats.resyncs).toBe(1);
    // the next frame, 40 ms later on the stream's basis, is held 40 ms
    s.push(1, 10_000 + MAX_EARLY_MS + 5_040, 'next');
    timers.advance(40);
    expect(names()).toEqual(['far', 'next']);
    // a frame that fits the real clock again: the offset is gone
    s.push(1, 10_000 + 40 + 100, 'real');
    timers.advance(100);
    expect(names()).toEqual(['far', 'next', 'real']);
  });

  it('stamps far behind the clock: dropped as late for a while (a stall), then resynced (a jump), not frozen', () => {
    const { s, names, timers } = setup();
    let mmt = 10_000 - 5_000;
    const step = () => {
      s.push(1, mmt, `f${mmt}`);
      mmt += 33;
      timers.advance(33);
    };
    for (let i = 0; i < Math.floor(RESYNC_AFTER_MS / 33); i++) step();
    expect(names()).toEqual([]);
    expect(s.stats.late).toBe(Math.floor(RESYNC_AFTER_MS / 33));
    step();
    step();
    expect(s.stats.resyncs).toBe(1);
    expect(names().length).toBeGreaterThanOrEqual(1);
    const before = names().length;
    for (let i = 0; i < 10; i++) step();
    expect(names().length).toBe(before + 10);
  });

  it('a network stall: the late burst is dropped and the frames back on time play without any offset', () => {
    const { s, names, timers } = setup();
    for (let i = 0; i < 5; i++) s.push(1, 10_000 - 600 + i * 33, `late${i}`);
    expect(names()).toEqual([]);
    s.push(1, 10_050, 'ontime');
    timers.advance(50);
    expect(names()).toEqual(['ontime']);
    expect(s.stats.resyncs).toBe(0);
  });

  it('a stream destroyed while frames are held: they are discarded and never drawn', () => {
    const { s, names, dropped, timers } = setup();
    s.push(1, 10_100, 'a');
    s.push(1, 10_133, 'b');
    s.push(2, 10_100, 'other');
    s.removeStream(1);
    expect(dropped).toEqual([{ f: 'a', why: 'discarded' }, { f: 'b', why: 'discarded' }]);
    timers.advance(500);
    expect(names()).toEqual(['other']);
    expect(s.stats).toMatchObject({ discarded: 2, pending: 0 });
    expect(timers.armed).toBe(0);
  });

  it('clear() discards everything and leaves no timer', () => {
    const { s, timers, names } = setup();
    s.push(1, 10_100, 'a');
    s.push(3, 10_200, 'b');
    s.clear();
    timers.advance(1000);
    expect(names()).toEqual([]);
    expect(timers.armed).toBe(0);
  });

  it('presentation offsets: percentiles of how late frames were shown', () => {
    const { s, mm, clock, timers } = setup();
    for (let i = 0; i < 20; i++) {
      s.push(1, mm.now()! + 5, `f${i}`);
      // every 10th frame the worker is busy: its timer runs 20 ms late
      if (i % 10 === 9) {
        clock.advance(25);
        timers.advance(0);
      } else timers.advance(5);
    }
    const p = s.offsetPercentiles()!;
    expect(p).toEqual({ p50: 0, p95: 20, n: 20 });
  });

  describe('audio-to-video offset (what is played against what is shown)', () => {
    it('compares each shown frame with the played position nearest in time, also one that came after it', () => {
      const { s, mm, clock } = setup();
      s.reschedule(); // the audio clock's sync at 10_000 (setup) is a played position
      s.push(1, 10_000, 'a'); // shown on time, on time against the sound
      clock.advance(20);
      s.push(1, 10_020, 'b'); // on time on the clock extrapolated from 10_000…
      clock.advance(10);
      mm.sync(10_045); // …but the output then says 10_045 is heard now: 15 ms ahead of the extrapolation
      s.reschedule();
      expect(s.offsetPercentiles()).toEqual({ p50: 0, p95: 0, n: 2 });
      // 'b' against the later position: heard at its time 10_045 − 10 = 10_035, the frame was 10_020
      expect(s.avOffsetPercentiles()).toEqual({ p50: 15, p95: 15, abs95: 15, n: 2 });
    });

    it('a picture ahead of its sound is negative; |p95| takes the magnitude', () => {
      const { s, mm, timers } = setup();
      s.reschedule();
      s.push(1, 10_040, 'early'); // held for 40 ms
      timers.advance(40);
      mm.sync(10_010); // the output: only 10_010 heard by now (the sound lags the estimate)
      s.reschedule();
      expect(s.avOffsetPercentiles()).toEqual({ p50: -30, p95: -30, abs95: 30, n: 1 });
    });

    it('without sound nothing is compared; a frame far from any played position (silence) is left out', () => {
      const quiet = setup(true, false);
      quiet.s.reschedule();
      quiet.s.push(1, 10_000, 'a');
      expect(quiet.s.avOffsetPercentiles()).toBeNull();
      const { s, mm, clock } = setup();
      s.reschedule();
      clock.advance(250); // the output went silent (an underrun refilling): no position for 300 ms
      s.push(1, 10_250, 'b');
      clock.advance(50);
      mm.sync(10_100); // the sound resumes where it stopped: the clock is behind by the silence
      s.reschedule();
      expect(s.stats.presented).toBe(1);
      expect(s.avOffsetPercentiles()).toBeNull();
      // a frame after the last position is compared once the next one brackets it
      clock.advance(10);
      s.push(1, 10_110, 'c');
      clock.advance(40);
      expect(s.avOffsetPercentiles()).toBeNull();
      mm.sync(10_150);
      s.reschedule();
      expect(s.avOffsetPercentiles()).toEqual({ p50: 0, p95: 0, abs95: 0, n: 1 });
    });

    it('across the u32 wrap of mm_time', () => {
      const { s, mm, clock } = setup();
      mm.sync(0xffff_fff0);
      s.reschedule();
      clock.advance(20);
      s.push(1, 4, 'a'); // 0xfffffff0 + 20 = 4 after the wrap
      clock.advance(10);
      mm.sync(16); // heard at the frame's time: 16 − 10 = 6
      s.reschedule();
      expect(s.avOffsetPercentiles()).toEqual({ p50: 2, p95: 2, abs95: 2, n: 1 });
    });
  });
});
