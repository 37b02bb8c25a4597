// The old browser client, Debian's spice-html5, as a peer for the benchmarks: found (or installed
// on demand, like scripts/ensure-packages.mjs does for the tests) under /usr/share/spice-html5,
// served as it ships by our own proxy, and measured from inside its page without changing a byte
// of it. Nothing of spice-html5 is copied into this repository; it is read from /usr/share at
// run time.
//
// How the page is measured (an init script that runs before spice-html5's modules):
// - every WebSocket is created through a subclass that, once open, finds the SpiceConn that owns
//   it (spice-html5 sets `ws.parent = this` in its constructor); for the display channel
//   (type 2) it wraps that instance's process_channel_message, so each STREAM_DATA /
//   STREAM_DATA_SIZED message is counted (received), with its size and the main-thread time
//   spent handling it (spice-html5 percent-encodes the JPEG into a data URL right there);
// - CanvasRenderingContext2D.drawImage is wrapped: an <img> carrying spice-html5's stream tag
//   ("mjpeg.<id>") being drawn is a presented frame (frames it drops for lateness never get there);
// - VP8 (which spice-html5 offers when Media Source takes WebM VP8, as Chromium's does) plays in a
//   <video> element per stream: its presented frames are that element's getVideoPlaybackQuality()
//   total minus dropped.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { debianVersion, ensurePackages } from '../ensure-packages.mjs';

export const HTML5_DIR = '/usr/share/spice-html5';
/** Bench-only Debian packages (never needed by `npm test`), in ensure-packages' [probe, package] form. */
export const BENCH_PACKAGES = Object.freeze([[path.join(HTML5_DIR, 'spice_auto.html'), 'spice-html5']]);

/**
 * spice-html5 present, installed now, or why not. Installs only when SPICE_WEB_SKIP_ENSURE is not
 * set; an install that fails (no root, no sudo, no network) is a skip with the command to run.
 * @param {{ log?: (m: string) => void }} [opts]
 * @returns {{ ok: true, dir: string, version: string | null } | { ok: false, why: string }}
 */
export function ensureSpiceHtml5(opts = {}) {
  const log = opts.log ?? ((m) => console.log(`[bench] ${m}`));
  const present = () => BENCH_PACKAGES.every(([probe]) => existsSync(probe));
  if (!present()) {
    const how = 'run `sudo apt-get install spice-html5` (Debian) or `node scripts/bench-video.mjs` as root';
    if (process.env.SPICE_WEB_SKIP_ENSURE === '1') return { ok: false, why: `spice-html5 not installed (SPICE_WEB_SKIP_ENSURE=1), ${how}` };
    try {
      ensurePackages({ required: BENCH_PACKAGES, log });
    } catch (e) {
      return { ok: false, why: `spice-html5 not installed (${e instanceof Error ? e.message : e}), ${how}` };
    }
    if (!present()) return { ok: false, why: `spice-html5 not installed, ${how}` };
  }
  return { ok: true, dir: HTML5_DIR, version: debianVersion('spice-html5') };
}

/** The page spice-html5 ships that connects by itself (host/port from the page's URL, path "websockify"). */
export const HTML5_PAGE = 'spice_auto.html';
/** The WebSocket path spice_auto.html uses by default; our proxy is started with it. */
export const HTML5_WS_PATH = '/websockify';

/**
 * Runs in the page before any of its scripts (page.addInitScript). Counters live in
 * window.__html5Bench; the display channel's SpiceConn in window.__html5Display.
 */
export function html5InitScript() {
  const SPICE_CHANNEL_DISPLAY = 2;
  const STREAM_CREATE = 122;
  const STREAM_DATA = 123;
  const STREAM_DATA_SIZED = 316;
  const s = { received: 0, presented: 0, bytes: 0, handlerMs: 0, drawMs: 0, codecType: null, displayLinked: false };
  window.__html5Bench = s;
  const videos = [];
  /** Frames the VP8 <video> elements painted (decoded by the browser's media pipeline), so far. */
  s.videoFrames = () => videos.reduce((n, v) => {
    const q = v.getVideoPlaybackQuality();
    return n + q.totalVideoFrames - q.droppedVideoFrames;
  }, 0);
  const Native = window.WebSocket;
  class CountingWebSocket extends Native {
    constructor(...args) {
      super(...args);
      // added before spice-html5's own 'open' listener, after its constructor set ws.parent
      this.addEventListener('open', () => {
        const conn = this.parent;
        if (!conn || conn.type !== SPICE_CHANNEL_DISPLAY || conn.__benchHooked) return;
        conn.__benchHooked = true;
        s.displayLinked = true;
        window.__html5Display = conn;
        const handle = conn.process_channel_message;
        conn.process_channel_message = function (msg) {
          if (msg.type === STREAM_CREATE) {
            const r = handle.call(this, msg);
            const live = (this.streams ?? []).filter(Boolean);
            if (live.length) s.codecType = live[live.length - 1].codec_type;
            // VP8 plays in a <video> over the canvas (Media Source): its frames are counted there
            for (const st of live) if (st.video && !videos.includes(st.video)) videos.push(st.video);
            return r;
          }
          if (msg.type !== STREAM_DATA && msg.type !== STREAM_DATA_SIZED) return handle.call(this, msg);
          const t = performance.now();
          try {
            return handle.call(this, msg);
          } finally {
            s.handlerMs += performance.now() - t;
            s.received++;
            s.bytes += msg.data?.byteLength ?? 0;
          }
        };
      });
    }
  }
  window.WebSocket = CountingWebSocket;
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (img, ...rest) {
    if (!(img instanceof HTMLImageElement) || !img.o || !String(img.o.tag).startsWith('mjpeg.')) return drawImage.call(this, img, ...rest);
    const t = performance.now();
    try {
      return drawImage.call(this, img, ...rest);
    } finally {
      s.drawMs += performance.now() - t;
      s.presented++;
    }
  };
}
