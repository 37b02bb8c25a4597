/**
 * Where the guest's monitors go when the client picks their sizes (resizeSession): side by side,
 * left to right in monitor id order, tops aligned, so no two overlap. Without this, growing
 * monitor 0 to the element's width left monitor 1 at its old x, inside monitor 0 — X (and the
 * vdagent) then either refuse the layout or mirror part of the screen. Disabled monitors (0×0,
 * a sparse config) keep their slot but take no room.
 */
import type { AgentMonitor } from '../protocol/agent';

export function layoutSideBySide(monitors: readonly AgentMonitor[]): AgentMonitor[] {
  let x = 0;
  return monitors.map((m) => {
    if (m.width <= 0 || m.height <= 0) return { ...m, width: 0, height: 0, x: 0, y: 0 };
    const placed = { ...m, x, y: 0 };
    x += m.width;
    return placed;
  });
}

/** true when two enabled monitors share a pixel (for tests and a guard) */
export function monitorsOverlap(monitors: readonly AgentMonitor[]): boolean {
  const on = monitors.filter((m) => m.width > 0 && m.height > 0);
  for (let i = 0; i < on.length; i++) {
    for (let j = i + 1; j < on.length; j++) {
      const a = on[i]!, b = on[j]!;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) return true;
    }
  }
  return false;
}
