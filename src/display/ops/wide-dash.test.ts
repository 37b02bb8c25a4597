/**
 * wide-dash.ts against hand-worked cases of X's wide dashed line at width 1 (a dash covering
 * [a, b) along a horizontal or vertical line is the pixels a..b-1 of that row or column); the
 * general case (slopes, joins, span merging) is checked pixel for pixel against spice-server's own
 * rendering in e2e/test-server.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { isCarefulRop, wideDashPolyline } from './wide-dash';
import { Rop } from './rop';

function pixels(points: Array<{ x: number; y: number }>, dash: number[], offset = 0, careful = false): string[] {
  const out: string[] = [];
  wideDashPolyline(points, dash, offset, careful, (y, x0, x1) => { for (let x = x0; x < x1; x++) out.push(`${x},${y}`); });
  return out;
}

describe('wideDashPolyline', () => {
  it('horizontal: on dashes cover [start, end) of the row, the end point is not drawn', () => {
    // 10 long, dashes 3 on 2 off: [0,3) [5,8) on, then [8,10) off
    expect(pixels([{ x: 0, y: 4 }, { x: 10, y: 4 }], [3, 2])).toEqual(['0,4', '1,4', '2,4', '5,4', '6,4', '7,4']);
    // right to left: the dashes are [7,10] and [2,5] in x and cover the pixels whose centres lie
    // inside, 7..9 and 2..4: the start point 10 is not drawn
    expect(pixels([{ x: 10, y: 4 }, { x: 0, y: 4 }], [3, 2]).sort()).toEqual(['2,4', '3,4', '4,4', '7,4', '8,4', '9,4']);
  });

  it('vertical, and a dash offset starting in the gap (START_WITH_GAP rotates the list to [on, gap])', () => {
    expect(pixels([{ x: 2, y: 0 }, { x: 2, y: 7 }], [2, 1])).toEqual(['2,0', '2,1', '2,3', '2,4', '2,6']);
    // offset 2 into [2, 3]: starts with the 3-pixel gap
    expect(pixels([{ x: 0, y: 0 }, { x: 12, y: 0 }], [2, 3], 2)).toEqual(['3,0', '4,0', '8,0', '9,0']);
  });

  it('the dash state runs on across a vertex', () => {
    // 4 right then 4 down with dashes [3, 3]: on [0,3) of the first leg, off to 2 into the second,
    // then on 2..4 of the second leg (its end point excluded)
    const px = pixels([{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 4 }], [3, 3]);
    expect(px.filter((p) => p.endsWith(',0'))).toEqual(['0,0', '1,0', '2,0']);
    expect(px.filter((p) => p.startsWith('4,') && p !== '4,0').sort()).toEqual(['4,2', '4,3']);
  });

  it('careful rops get every pixel once even where dash polygons and joins overlap', () => {
    expect(isCarefulRop(Rop.XOR)).toBe(true);
    expect(isCarefulRop(Rop.COPY)).toBe(false);
    const tri = [{ x: 0, y: 0 }, { x: 30, y: 2 }, { x: 12, y: 25 }, { x: 0, y: 0 }];
    const merged = pixels(tri, [40, 1], 0, true);
    expect(new Set(merged).size).toBe(merged.length);
    // the same pixels as the unmerged spans, minus the duplicates
    expect([...new Set(pixels(tri, [40, 1]))].sort()).toEqual([...merged].sort());
  });
});
