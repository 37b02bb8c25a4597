import { describe, expect, it } from 'vitest';
import { FakeClock, MmTime, mmDiff, realClock } from './clock';

describe('MmTime', () => {
  it('is unsynced until the server speaks, then follows the local clock', () => {
    const c = new FakeClock();
    const mm = new MmTime(c);
    expect(mm.now()).toBeNull();
    expect(mm.until(5)).toBeNull();
    mm.sync(10_000);
    expect(mm.now()).toBe(10_000);
    c.advance(250);
    expect(mm.now()).toBe(10_250);
    expect(mm.until(10_300)).toBe(50);
    expect(mm.until(10_200)).toBe(-50);
  });

  it('takes a sync point made on another thread (mmTime at a local time)', () => {
    const c = new FakeClock(5_000);
    const mm = new MmTime(c);
    mm.sync(700, 4_900); // the UI thread saw 700 100 ms ago
    expect(mm.now()).toBe(800);
    expect(mm.lastSync).toEqual({ mmTime: 700, at: 4_900 });
  });

  it('survives the u32 wrap of mm_time', () => {
    const c = new FakeClock();
    const mm = new MmTime(c);
    mm.sync(0xffff_fff0);
    c.advance(32);
    expect(mm.now()).toBe(16);
    expect(mm.until(20)).toBe(4);
    expect(mmDiff(5, 0xffff_fffb)).toBe(10);
  });

  it('the real clock reads epoch milliseconds that move forward', () => {
    const a = realClock.now();
    expect(Math.abs(a - Date.now())).toBeLessThan(5_000);
    expect(realClock.now()).toBeGreaterThanOrEqual(a);
  });
});
