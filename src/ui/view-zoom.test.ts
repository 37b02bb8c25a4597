import { describe, expect, it } from 'vitest';
import { ViewZoom } from './view-zoom';

describe('ViewZoom', () => {
  it('zooms around the fingers: the point under them stays put', () => {
    const z = new ViewZoom();
    z.apply(2, 300, 200, 0, 0, 800, 600);
    expect(z.scale).toBe(2);
    // layout point (300, 200) shows at 2·p + t = (300, 200)
    expect([2 * 300 + z.tx, 2 * 200 + z.ty]).toEqual([300, 200]);
    expect(z.cssFor(10, 20)).toEqual({ transform: 'matrix(2, 0, 0, 2, -300, -200)', transformOrigin: '-10px -20px' });
  });

  it('never goes below 1× or above the maximum, and 1× has no transform', () => {
    const z = new ViewZoom(4);
    z.apply(10, 0, 0, 0, 0, 800, 600);
    expect(z.scale).toBe(4);
    z.apply(0.01, 400, 300, 0, 0, 800, 600);
    expect(z.scale).toBe(1);
    expect([z.tx, z.ty]).toEqual([0, 0]);
    expect(z.cssFor(0, 0)).toEqual({ transform: '', transformOrigin: '' });
  });

  it('pans with the fingers but keeps the element covered', () => {
    const z = new ViewZoom();
    z.apply(2, 0, 0, 0, 0, 800, 600);
    z.apply(1, 0, 0, 5000, 5000, 800, 600);
    expect([z.tx, z.ty]).toEqual([0, 0]);
    z.apply(1, 0, 0, -5000, -5000, 800, 600);
    expect([z.tx, z.ty]).toEqual([-800, -600]);
  });

  it('ignores nonsense factors', () => {
    const z = new ViewZoom();
    z.apply(NaN, 0, 0, 0, 0, 800, 600);
    z.apply(-2, 0, 0, 0, 0, 800, 600);
    expect(z.scale).toBe(1);
    z.reset();
    expect(z.zoomed).toBe(false);
  });
});
