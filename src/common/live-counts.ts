/**
 * What this page holds open right now: sockets, display workers and timers of ours. A test hook
 * (and a diagnostic for embedders): after any fault, reconnect or disconnect the counts must come
 * back to what a settled session holds, so nothing leaks over a long day in a kiosk. Only this
 * realm's objects are counted; a display worker's own socket dies with its worker, which is
 * counted.
 */
export interface LiveCounts {
  sockets: number;
  workers: number;
  timers: number;
}

const counts = { sockets: 0, workers: 0 };
/** timers of ours that have neither fired nor been cleared */
const timers = new Set<unknown>();

export function liveCounts(): LiveCounts {
  return { ...counts, timers: timers.size };
}

export function countLive(kind: 'sockets' | 'workers', delta: 1 | -1): void {
  counts[kind] += delta;
}

/** setTimeout that is counted until it fires or is cleared */
export function liveTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const h: ReturnType<typeof setTimeout> = setTimeout(() => {
    timers.delete(h);
    fn();
  }, ms);
  timers.add(h);
  return h;
}

export function clearLiveTimeout(h: ReturnType<typeof setTimeout> | null | undefined): void {
  if (h === null || h === undefined) return;
  clearTimeout(h);
  timers.delete(h);
}

/** setInterval that is counted until cleared */
export function liveInterval(fn: () => void, ms: number): ReturnType<typeof setInterval> {
  const h = setInterval(fn, ms);
  timers.add(h);
  return h;
}

export function clearLiveInterval(h: ReturnType<typeof setInterval> | null | undefined): void {
  if (h === null || h === undefined) return;
  clearInterval(h);
  timers.delete(h);
}
