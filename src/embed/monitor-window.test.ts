import { describe, expect, it } from 'vitest';
import { pickOtherScreen } from './monitor-window';

const scr = (left: number, top: number, w = 1920, h = 1080) => ({ left, top, availLeft: left, availTop: top + 25, availWidth: w, availHeight: h - 25 });

describe('pickOtherScreen', () => {
  it('takes the first screen that is not the page’s', () => {
    const a = scr(0, 0), b = scr(1920, 0), c = scr(-1280, 0, 1280, 1024);
    expect(pickOtherScreen([a, b, c], a)).toBe(b);
    expect(pickOtherScreen([a, b, c], b)).toBe(a);
  });

  it('compares by position, not identity (a copy of the current screen is not another screen)', () => {
    const a = scr(0, 0);
    expect(pickOtherScreen([{ ...a }], a)).toBeNull();
    expect(pickOtherScreen([{ ...a }, scr(0, 1080)], a)).toEqual(scr(0, 1080));
  });

  it('one screen: none', () => {
    const a = scr(0, 0);
    expect(pickOtherScreen([a], a)).toBeNull();
    expect(pickOtherScreen([], a)).toBeNull();
  });
});
