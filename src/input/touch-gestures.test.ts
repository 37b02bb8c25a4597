import { describe, expect, it } from 'vitest';
import { TouchGestures, type GestureAction, type GestureOptions } from './touch-gestures';

/** a recognizer with a fake clock: `t` is advanced by hand and `tick` called at the deadline */
function setup(opts: GestureOptions = {}) {
  const acts: GestureAction[] = [];
  const g = new TouchGestures((a) => acts.push(a), opts);
  let t = 0;
  const clock = {
    advance(ms: number) {
      t += ms;
      if (g.deadline !== null && t >= g.deadline) g.tick(t);
    },
    get now() {
      return t;
    },
  };
  const take = () => acts.splice(0).map((a) => (a.type === 'press' || a.type === 'release' ? `${a.type} ${a.button} ${a.x},${a.y}` : a.type === 'move' ? `move ${a.x},${a.y}` : a.type === 'wheel' ? `wheel ${a.notches} ${a.x},${a.y}` : a.type === 'zoom' ? `zoom ${a.factor.toFixed(2)} ${a.x},${a.y} ${a.dx},${a.dy}` : ''));
  return { g, clock, take };
}

describe('TouchGestures', () => {
  it('a tap is a left click where the finger touched, even if it wandered within the slop', () => {
    const { g, clock, take } = setup();
    g.down(1, 100, 50, clock.now);
    clock.advance(80);
    g.move(1, 104, 53, clock.now);
    g.up(1, 104, 53, clock.now);
    expect(take()).toEqual(['move 100,50', 'press left 100,50', 'release left 100,50']);
    expect(g.kind).toBe('idle');
  });

  it('a long press is the right button, pressed at the deadline and released when the finger lifts', () => {
    const { g, clock, take } = setup({ longPressMs: 500 });
    g.down(1, 30, 40, clock.now);
    clock.advance(499);
    expect(take()).toEqual([]);
    expect(g.deadline).toBe(500);
    clock.advance(1);
    expect(take()).toEqual(['move 30,40', 'press right 30,40']);
    g.move(1, 60, 40, clock.now);
    g.up(1, 60, 40, clock.now);
    expect(take()).toEqual(['move 60,40', 'release right 60,40']);
  });

  it('one finger moved past the slop drags with the left button from where it started', () => {
    const { g, clock, take } = setup({ slopPx: 10 });
    g.down(1, 0, 0, clock.now);
    g.move(1, 20, 0, clock.now);
    g.move(1, 40, 10, clock.now);
    clock.advance(2000); // no long press once dragging
    g.up(1, 40, 10, clock.now);
    expect(take()).toEqual(['move 0,0', 'press left 0,0', 'move 20,0', 'move 40,10', 'release left 40,10']);
  });

  it('two fingers moving up scroll down, one notch per step, with the pointer at their centre', () => {
    const { g, clock, take } = setup({ scrollStepPx: 40 });
    g.down(1, 100, 300, clock.now);
    g.down(2, 200, 300, clock.now);
    for (let y = 290; y >= 180; y -= 10) {
      g.move(1, 100, y, clock.now);
      g.move(2, 200, y, clock.now);
    }
    g.up(1, 100, 180, clock.now);
    g.up(2, 200, 180, clock.now);
    const a = take();
    expect(a[0]).toBe('move 150,300');
    const notches = a.filter((s) => s.startsWith('wheel')).map((s) => Number(s.split(' ')[1]));
    expect(notches.reduce((x, y) => x + y, 0)).toBe(3); // 120 px of centre travel, 40 px a notch
    expect(notches.every((n) => n > 0)).toBe(true);
    expect(a.some((s) => s.startsWith('press'))).toBe(false);
  });

  it('two fingers moving down scroll up', () => {
    const { g, clock, take } = setup({ scrollStepPx: 40 });
    g.down(1, 100, 100, clock.now);
    g.down(2, 200, 100, clock.now);
    for (let y = 110; y <= 200; y += 10) {
      g.move(1, 100, y, clock.now);
      g.move(2, 200, y, clock.now);
    }
    const wheel = take().filter((s) => s.startsWith('wheel'));
    expect(wheel.map((s) => Number(s.split(' ')[1])).reduce((x, y) => x + y, 0)).toBe(-2);
  });

  it('spreading two fingers zooms around their centre by the ratio of their distances', () => {
    const { g, clock, take } = setup({ pinchStartPx: 24 });
    g.down(1, 100, 100, clock.now);
    g.down(2, 200, 100, clock.now);
    g.move(2, 300, 100, clock.now); // distance 100 → 200
    const a = take();
    expect(a).toEqual(['zoom 2.00 150,100 50,0']);
    g.move(1, 0, 100, clock.now); // 200 → 300, centre 200 → 150
    expect(take()).toEqual(['zoom 1.50 200,100 -50,0']);
    g.up(1, 0, 100, clock.now);
    g.up(2, 300, 100, clock.now);
    expect(take()).toEqual([]); // a pinch clicks nothing
  });

  it('a quick two-finger tap is a right click at the centre; a third finger cancels the gesture', () => {
    const { g, clock, take } = setup();
    g.down(1, 10, 10, clock.now);
    g.down(2, 30, 10, clock.now);
    clock.advance(100);
    g.up(2, 30, 10, clock.now);
    g.up(1, 10, 10, clock.now);
    expect(take()).toEqual(['move 20,10', 'press right 20,10', 'release right 20,10']);
    g.down(1, 10, 10, clock.now);
    g.down(2, 30, 10, clock.now);
    g.down(3, 50, 10, clock.now);
    g.up(1, 10, 10, clock.now);
    g.up(2, 30, 10, clock.now);
    g.up(3, 50, 10, clock.now);
    expect(take()).toEqual([]);
  });

  it('a cancelled touch releases a held button and clicks nothing', () => {
    const { g, clock, take } = setup({ longPressMs: 500 });
    g.down(1, 5, 5, clock.now);
    g.cancel(1);
    clock.advance(1000);
    expect(take()).toEqual([]);
    g.down(1, 5, 5, clock.now);
    clock.advance(600);
    g.cancel(1);
    expect(take()).toEqual(['move 5,5', 'press right 5,5', 'release right 5,5']);
    expect(g.kind).toBe('idle');
  });

  it('ignores events of fingers it never saw down', () => {
    const { g, clock, take } = setup();
    g.move(9, 1, 1, clock.now);
    g.up(9, 1, 1, clock.now);
    g.cancel(9);
    expect(take()).toEqual([]);
  });
});
