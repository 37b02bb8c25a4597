import { describe, expect, it } from 'vitest';
import { layoutSideBySide, monitorsOverlap } from './monitor-layout';

describe('monitor layout for resizeSession', () => {
  it('puts monitors side by side: each x is the sum of the widths before it', () => {
    const out = layoutSideBySide([
      { width: 1280, height: 700, x: 0, y: 0 },
      { width: 800, height: 600, x: 1024, y: 0 }, // the old x, inside the grown monitor 0
      { width: 640, height: 480, x: 5, y: 9 },
    ]);
    expect(out).toEqual([
      { width: 1280, height: 700, x: 0, y: 0 },
      { width: 800, height: 600, x: 1280, y: 0 },
      { width: 640, height: 480, x: 2080, y: 0 },
    ]);
    expect(monitorsOverlap(out)).toBe(false);
  });

  it('a disabled monitor keeps its slot (sparse config) and takes no room', () => {
    const out = layoutSideBySide([
      { width: 1000, height: 700, x: 0, y: 0 },
      { width: 0, height: 0, x: 1024, y: 0 },
      { width: 800, height: 600, x: 3000, y: 0, depth: 32 },
    ]);
    expect(out).toEqual([
      { width: 1000, height: 700, x: 0, y: 0 },
      { width: 0, height: 0, x: 0, y: 0 },
      { width: 800, height: 600, x: 1000, y: 0, depth: 32 },
    ]);
  });

  it('monitorsOverlap finds shared pixels and ignores touching edges and disabled monitors', () => {
    expect(monitorsOverlap([{ width: 1280, height: 700, x: 0, y: 0 }, { width: 800, height: 600, x: 1024, y: 0 }])).toBe(true);
    expect(monitorsOverlap([{ width: 1024, height: 700, x: 0, y: 0 }, { width: 800, height: 600, x: 1024, y: 0 }])).toBe(false);
    expect(monitorsOverlap([{ width: 1024, height: 768, x: 0, y: 0 }, { width: 0, height: 0, x: 0, y: 0 }])).toBe(false);
    expect(monitorsOverlap([{ width: 100, height: 100, x: 0, y: 0 }, { width: 100, height: 100, x: 50, y: 99 }])).toBe(true);
  });
});
