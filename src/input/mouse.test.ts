import { describe, expect, it } from 'vitest';
import { ButtonState, DeltaMode, MotionThrottle, WheelAccumulator, buttonBit, maskFromDomButtons, spiceButton, wheelEvents } from './mouse';

// SPICE: buttons 1 LEFT 2 MIDDLE 3 RIGHT 4 UP 5 DOWN 6 SIDE 7 EXTRA; mask bit (button-1)
describe('buttons', () => {
  it('maps DOM MouseEvent.button to SPICE buttons', () => {
    expect([0, 1, 2, 3, 4].map(spiceButton)).toEqual([1, 2, 3, 6, 7]);
    expect(spiceButton(5)).toBe(0);
    expect(spiceButton(-1)).toBe(0);
  });

  it('gives mask bits', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(buttonBit)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(buttonBit(0)).toBe(0);
  });

  it('converts MouseEvent.buttons (right/middle swapped)', () => {
    expect(maskFromDomButtons(1)).toBe(1); // left
    expect(maskFromDomButtons(2)).toBe(4); // right
    expect(maskFromDomButtons(4)).toBe(2); // middle
    expect(maskFromDomButtons(8)).toBe(32); // back → SIDE
    expect(maskFromDomButtons(16)).toBe(64); // forward → EXTRA
    expect(maskFromDomButtons(31)).toBe(1 | 2 | 4 | 32 | 64);
  });

  it('reports the mask after each press and release', () => {
    const b = new ButtonState();
    expect(b.press(0)).toEqual({ button: 1, mask: 1 });
    expect(b.press(2)).toEqual({ button: 3, mask: 5 });
    expect(b.press(3)).toEqual({ button: 6, mask: 37 });
    expect(b.release(0)).toEqual({ button: 1, mask: 36 });
    expect(b.release(0)).toBeNull(); // not held
    expect(b.press(7)).toBeNull(); // no SPICE button
    expect(b.releaseAll()).toEqual([
      { button: 3, mask: 32 },
      { button: 6, mask: 0 },
    ]);
    expect(b.mask).toBe(0);
  });
});

describe('wheel', () => {
  it('turns 100 px into one notch, down positive', () => {
    const w = new WheelAccumulator();
    expect(w.add(100, DeltaMode.PIXEL)).toBe(1);
    expect(w.add(-100, DeltaMode.PIXEL)).toBe(-1);
    expect(w.add(300, DeltaMode.PIXEL)).toBe(3);
  });

  it('accumulates small touchpad deltas', () => {
    const w = new WheelAccumulator();
    const got = [30, 30, 30, 30, 30, 30, 30].map((d) => w.add(d, DeltaMode.PIXEL));
    expect(got).toEqual([0, 0, 0, 1, 0, 0, 1]);
  });

  it('drops the remainder when the direction reverses', () => {
    const w = new WheelAccumulator();
    expect(w.add(90, DeltaMode.PIXEL)).toBe(0);
    expect(w.add(-20, DeltaMode.PIXEL)).toBe(0);
    expect(w.add(-80, DeltaMode.PIXEL)).toBe(-1);
  });

  it('counts 3 lines as a notch', () => {
    const w = new WheelAccumulator();
    expect(w.add(3, DeltaMode.LINE)).toBe(1);
    expect(w.add(1, DeltaMode.LINE)).toBe(0);
    expect(w.add(1, DeltaMode.LINE)).toBe(0);
    expect(w.add(1, DeltaMode.LINE)).toBe(1);
    expect(w.add(-6, DeltaMode.LINE)).toBe(-2);
  });

  it('makes any page delta at least one notch', () => {
    const w = new WheelAccumulator();
    expect(w.add(0.2, DeltaMode.PAGE)).toBe(1);
    expect(w.add(-1, DeltaMode.PAGE)).toBe(-1);
    expect(w.add(2, DeltaMode.PAGE)).toBe(2);
  });

  it('caps a huge delta and ignores junk', () => {
    const w = new WheelAccumulator();
    expect(w.add(100000, DeltaMode.PIXEL)).toBe(10);
    expect(w.add(NaN, DeltaMode.PIXEL)).toBe(0);
    expect(w.add(Infinity, DeltaMode.PIXEL)).toBe(0);
    expect(w.add(0, DeltaMode.LINE)).toBe(0);
  });

  it('makes PRESS+RELEASE of UP/DOWN per notch with the held mask', () => {
    // left held (mask 1); UP is button 4 (bit 8), DOWN button 5 (bit 16)
    expect(wheelEvents(-2, 1)).toEqual([
      { press: true, button: 4, mask: 9 },
      { press: false, button: 4, mask: 1 },
      { press: true, button: 4, mask: 9 },
      { press: false, button: 4, mask: 1 },
    ]);
    expect(wheelEvents(1, 0)).toEqual([
      { press: true, button: 5, mask: 16 },
      { press: false, button: 5, mask: 0 },
    ]);
    expect(wheelEvents(0, 0)).toEqual([]);
  });
});

describe('MotionThrottle', () => {
  function setup() {
    const sent: string[] = [];
    const t = new MotionThrottle({
      motion: (dx, dy, b) => sent.push(`m ${dx},${dy} b${b}`),
      position: (x, y, b, d) => sent.push(`p ${x},${y} b${b} d${d}`),
    });
    return { t, sent };
  }

  it('sends up to 8 unacknowledged, then accumulates relative motion', () => {
    const { t, sent } = setup();
    for (let i = 0; i < 8; i++) t.motion(1, 2, 0);
    expect(sent.length).toBe(8);
    expect(t.inFlight).toBe(8);
    t.motion(3, 4, 0);
    t.motion(5, 6, 1);
    expect(sent.length).toBe(8);
    expect(t.pending).toBe(true);
    t.ack(); // 8 - 4 = 4 → flush one accumulated message
    expect(sent.slice(8)).toEqual(['m 8,10 b1']);
    expect(t.inFlight).toBe(5);
    expect(t.pending).toBe(false);
  });

  it('keeps only the latest absolute position', () => {
    const { t, sent } = setup();
    for (let i = 0; i < 8; i++) t.position(i, i, 0, 0);
    t.position(100, 100, 0, 0);
    t.position(200, 150, 0, 1);
    expect(sent.length).toBe(8);
    t.ack();
    expect(sent.slice(8)).toEqual(['p 200,150 b0 d1']);
  });

  it('sends nothing on ACK when nothing is pending, and never goes below zero', () => {
    const { t, sent } = setup();
    t.motion(1, 1, 0);
    t.ack();
    t.ack();
    expect(t.inFlight).toBe(0);
    expect(sent).toEqual(['m 1,1 b0']);
  });

  it('flushes pending motion on demand (before a click)', () => {
    const { t, sent } = setup();
    for (let i = 0; i < 8; i++) t.position(i, 0, 0, 0);
    t.position(50, 60, 0, 0);
    t.flush();
    expect(sent.at(-1)).toBe('p 50,60 b0 d0');
    expect(t.inFlight).toBe(9);
    t.flush();
    expect(sent.length).toBe(9);
  });

  it('skips a repeated identical position and zero motion', () => {
    const { t, sent } = setup();
    t.position(10, 10, 0, 0);
    t.position(10, 10, 0, 0);
    t.position(10, 10, 1, 0);
    t.motion(0, 0, 0);
    expect(sent).toEqual(['p 10,10 b0 d0', 'p 10,10 b1 d0']);
  });

  it('reset forgets the window and pending data', () => {
    const { t, sent } = setup();
    for (let i = 0; i < 9; i++) t.motion(1, 0, 0);
    t.reset();
    expect(t.inFlight).toBe(0);
    expect(t.pending).toBe(false);
    t.motion(1, 0, 0);
    expect(sent.length).toBe(9);
  });

  it('sustains a long stream with regular ACKs: at most 8 in flight, no motion lost', () => {
    const { t, sent } = setup();
    let total = 0;
    let acked = 0;
    for (let i = 0; i < 1000; i++) {
      t.motion(1, 0, 0);
      total++;
      expect(t.inFlight).toBeLessThanOrEqual(8);
      // the server acks each bunch of 4 it received, a little later
      if (i % 3 === 0 && sent.length - acked >= 4) {
        acked += 4;
        t.ack();
      }
    }
    while (t.pending || sent.length - acked >= 4) {
      acked += 4;
      t.ack();
    }
    const sum = sent.reduce((s, m) => s + Number(m.split(' ')[1]!.split(',')[0]), 0);
    expect(sum).toBe(total);
  });
});
