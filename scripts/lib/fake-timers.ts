// Timers on a FakeClock for scheduler tests: they fire only when advance() moves past them.
import type { FakeClock } from '../../src/common/clock';
import type { Timers } from '../../src/display/video/scheduler';

/** timers that fire only when the fake clock is advanced past them */
export class FakeTimers implements Timers {
  private list: Array<{ at: number; fn: () => void; id: number }> = [];
  private id = 0;
  constructor(private readonly clock: FakeClock) {}
  set(fn: () => void, ms: number): unknown {
    const t = { at: this.clock.now() + ms, fn, id: ++this.id };
    this.list.push(t);
    return t.id;
  }
  clear(h: unknown): void {
    this.list = this.list.filter((t) => t.id !== h);
  }
  get armed(): number {
    return this.list.length;
  }
  /** move time forward `ms`, firing due timers in order */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = this.list.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.list = this.list.filter((t) => t !== due);
      this.clock.advance(Math.max(0, due.at - this.clock.now()));
      due.fn();
    }
    this.clock.advance(end - this.clock.now());
  }
}

