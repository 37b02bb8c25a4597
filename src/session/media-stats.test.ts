import { describe, expect, it } from 'vitest';
import type { VideoTotals } from '../display/worker-messages';
import { StatsTracker } from './media-stats';

const totals = (p: Partial<VideoTotals>): VideoTotals => ({
  at: 0, codec: 'VP8', received: 0, bytes: 0, presented: 0, dropped: 0, decodeMs: 0, decoded: 0,
  held: 0, late: 0, resyncs: 0, pending: 0, offset: null, audioDelayMs: null, ...p,
});

describe('StatsTracker', () => {
  it('turns totals into rates over the interval between two calls', () => {
    const s = new StatsTracker();
    const first = s.video(0, [0], totals({ at: 1000, received: 10, presented: 9, bytes: 50_000, decoded: 10, decodeMs: 40 }));
    // nothing to compare with yet: no rates, but the decode mean since the channel opened
    expect(first).toMatchObject({ fpsReceived: 0, fpsShown: 0, kbps: 0, decodeMs: 4, codec: 'VP8', monitors: [0] });
    const r = s.video(0, [0], totals({
      at: 3000, received: 70, presented: 65, dropped: 4, bytes: 550_000, decoded: 70, decodeMs: 340,
      offset: { p50: 3, p95: 21, n: 60 }, avOffset: { p50: -4, p95: 12, abs95: 15, n: 55 }, pending: 2, resyncs: 1,
    }));
    expect(r).toEqual({
      channelId: 0, monitors: [0], codec: 'VP8',
      fpsReceived: 30, fpsShown: 28, fpsDropped: 2,
      kbps: 2000, // 500 000 bytes in 2 s
      decodeMs: 5, // 300 ms over 60 frames
      offsetP50: 3, offsetP95: 21, avP50: -4, avP95: 12, pending: 2, resyncs: 1,
    });
    // without sound there is no audio-to-video figure, only the frames' timing
    expect(s.video(0, [0], totals({ at: 4000, received: 100, presented: 95, offset: { p50: 1, p95: 5, n: 90 } }))).toMatchObject({ offsetP50: 1, avP50: null, avP95: null });
  });

  it('keeps channels apart and starts again when a channel was relinked (totals went down)', () => {
    const s = new StatsTracker();
    s.video(0, [0], totals({ at: 0, received: 100, presented: 100 }));
    s.video(1, [1, 2], totals({ at: 0, received: 5, presented: 5 }));
    expect(s.video(1, [1, 2], totals({ at: 1000, received: 35, presented: 30 })).fpsShown).toBe(25);
    const relinked = s.video(0, [0], totals({ at: 1000, received: 3, presented: 3 }));
    expect(relinked.fpsShown).toBe(0);
    expect(s.video(0, [0], totals({ at: 2000, received: 33, presented: 33 })).fpsShown).toBe(30);
  });

  it('a channel that went away is forgotten', () => {
    const s = new StatsTracker();
    s.video(0, [0], totals({ at: 0, received: 10, presented: 10 }));
    s.keep([]);
    // no old base: no rate from stale totals
    expect(s.video(0, [0], totals({ at: 1000, received: 40, presented: 40 })).fpsShown).toBe(0);
  });

  it('no frames decoded in the interval: decode time unknown, not 0', () => {
    const s = new StatsTracker();
    s.video(0, [0], totals({ at: 0, decoded: 10, decodeMs: 50 }));
    expect(s.video(0, [0], totals({ at: 1000, decoded: 10, decodeMs: 50 })).decodeMs).toBeNull();
  });
});
