/**
 * Monitors of one display channel (spice-protocol.md §5, MONITORS_CONFIG): a display channel has
 * one primary surface, and the server says which rectangles of it are monitors ("heads"). A
 * client shows each head on its own canvas; a monitor is therefore the pair (channel, head).
 * Before (or without) a MONITORS_CONFIG, the whole primary surface is head 0, as spice-gtk does.
 */
import type { Surface } from './surface';
import type { MonitorsConfig } from './core';

export interface HeadRect {
  /** the server's monitor id within this channel */
  head: number;
  /** position and size inside the primary surface */
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The heads to show: the config's heads on the primary surface, clipped to it, empty or
 * duplicate ones left out; the whole surface as head 0 when nothing valid remains.
 */
export function headsOf(primary: Pick<Surface, 'id' | 'width' | 'height'> | null, config: MonitorsConfig | null): HeadRect[] {
  if (!primary || primary.width <= 0 || primary.height <= 0) return [];
  const out: HeadRect[] = [];
  const seen = new Set<number>();
  for (const h of config?.heads ?? []) {
    if (h.surfaceId !== primary.id || seen.has(h.monitorId)) continue;
    const x = Math.min(h.x, primary.width), y = Math.min(h.y, primary.height);
    const width = Math.min(h.width, primary.width - x), height = Math.min(h.height, primary.height - y);
    if (width <= 0 || height <= 0) continue;
    seen.add(h.monitorId);
    out.push({ head: h.monitorId, x, y, width, height });
  }
  if (!out.length) out.push({ head: 0, x: 0, y: 0, width: primary.width, height: primary.height });
  return out.sort((a, b) => a.head - b.head);
}

export function sameHeads(a: readonly HeadRect[], b: readonly HeadRect[]): boolean {
  return a.length === b.length && a.every((h, i) => {
    const o = b[i]!;
    return h.head === o.head && h.x === o.x && h.y === o.y && h.width === o.width && h.height === o.height;
  });
}
