/**
 * The screen: one <canvas> per monitor — a (display channel, head) pair — inside a host element,
 * the cursor (CSS in client mouse mode; an overlay sprite in server mode, over the monitor the
 * guest's pointer is on) and the input wiring. It owns no pixels: each canvas is handed to its
 * display worker (transferControlToOffscreen) and drawn there. Styles are inline, so the view
 * works inside <spice-client>'s shadow root and in any page that uses the SpiceClient library.
 */
import type { CursorShapeEvent } from '../input/cursor-channel';
import type { InputsChannel } from '../input/inputs-channel';
import { MouseMode } from '../protocol/enums';
import { cssCursor, drawOverlay } from './cursor-css';
import { InputController } from './input-controller';
import { ViewZoom } from './view-zoom';

export interface MonitorRect {
  channelId: number;
  head: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ScreenHost {
  inputs(): InputsChannel | null;
  mouseMode(): number;
  viewOnly(): boolean;
}

interface Monitor {
  channelId: number;
  head: number;
  canvas: HTMLCanvasElement;
  rect: MonitorRect | null;
  detach: () => void;
}

/** fit mode enlarges only by at least this factor */
const MIN_ENLARGE = 1.05;

const key = (channelId: number, head: number) => `${channelId}:${head}`;

export class ScreenView {
  private readonly monitors = new Map<string, Monitor>();
  private readonly overlay: HTMLCanvasElement;
  private readonly input: InputController;
  private cursor: (CursorShapeEvent & { channelId: number }) | null = null;
  private fit = true;
  private readonly zoomState = new ViewZoom();
  private devPx = false;
  private readonly sizer: ResizeObserver | null;

  constructor(
    readonly root: HTMLElement,
    private readonly host: ScreenHost,
  ) {
    if (!root.hasAttribute('tabindex')) root.tabIndex = 0;
    Object.assign(root.style, { position: 'relative', display: 'flex', alignItems: 'center', justifyContent: 'center', gap: '4px', overflow: 'hidden', outline: 'none', minHeight: '0' });
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'cursor-overlay';
    this.overlay.hidden = true;
    Object.assign(this.overlay.style, { position: 'absolute', pointerEvents: 'none', left: '0', top: '0', transformOrigin: '0 0' });
    root.appendChild(this.overlay);
    this.input = new InputController(root, {
      inputs: () => this.host.inputs(),
      mouseMode: () => this.host.mouseMode(),
      monitorRect: (ch, head) => this.monitors.get(key(ch, head))?.rect ?? null,
      viewOnly: () => this.host.viewOnly(),
      zoom: (f, x, y, dx, dy) => this.zoomBy(f, x, y, dx, dy),
    });
    this.sizer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.sizeCanvases()) : null;
    this.sizer?.observe(root);
  }

  /**
   * HiDPI: one guest pixel = one device pixel (CSS size = guest size / devicePixelRatio); in
   * fit mode the picture then only shrinks, never grows past that.
   */
  set devicePixels(on: boolean) {
    this.devPx = on;
    this.sizeCanvases();
  }

  get devicePixels(): boolean {
    return this.devPx;
  }

  /** the view's pinch zoom (1 = none); the guest's screen is not affected */
  get zoom(): { scale: number; x: number; y: number } {
    return { scale: this.zoomState.scale, x: this.zoomState.tx, y: this.zoomState.ty };
  }

  /** scale the view by `factor` around client point (x, y), then pan by (dx, dy) */
  zoomBy(factor: number, x: number, y: number, dx = 0, dy = 0): void {
    const r = this.root.getBoundingClientRect();
    this.zoomState.apply(factor, x - r.left + this.root.scrollLeft, y - r.top + this.root.scrollTop, dx, dy, this.root.clientWidth, this.root.clientHeight);
    this.applyZoom();
  }

  resetZoom(): void {
    this.zoomState.reset();
    this.applyZoom();
  }

  /** typeText(): the string as US-layout key presses; resolves with the characters that have no key */
  typeText(text: string): Promise<string[]> {
    return this.input.typeText(text);
  }

  private applyZoom(): void {
    this.root.dataset.zoom = this.zoomState.scale.toFixed(3);
    for (const m of this.monitors.values()) Object.assign(m.canvas.style, this.zoomState.cssFor(m.canvas.offsetLeft, m.canvas.offsetTop));
    this.placeOverlay();
  }

  /** fit every monitor into the view (true) or show them 1:1 with scrolling */
  set scaleToFit(fit: boolean) {
    this.fit = fit;
    Object.assign(this.root.style, fit
      ? { overflow: 'hidden', alignItems: 'center', justifyContent: 'center' }
      : { overflow: 'auto', alignItems: 'flex-start', justifyContent: 'flex-start' });
    for (const m of this.monitors.values()) this.styleCanvas(m.canvas);
    this.sizeCanvases();
    this.resetZoom();
  }

  get scaleToFit(): boolean {
    return this.fit;
  }

  /**
   * A fresh canvas for monitor (channel, head); a canvas handed to a worker cannot be taken back.
   * `parent`: put it there instead of the view (a monitor in its own window, embed/monitor-window.ts).
   */
  addMonitor(channelId: number, head: number, parent?: HTMLElement): HTMLCanvasElement {
    this.dropMonitor(channelId, head);
    const canvas = (parent?.ownerDocument ?? document).createElement('canvas');
    canvas.className = 'monitor';
    canvas.dataset.channel = String(channelId);
    canvas.dataset.head = String(head);
    this.styleCanvas(canvas);
    const m: Monitor = { channelId, head, canvas, rect: null, detach: () => {} };
    this.monitors.set(key(channelId, head), m);
    const after = [...this.monitors.values()]
      .filter((o) => o !== m && o.canvas.parentNode === this.root && (o.channelId > channelId || (o.channelId === channelId && o.head > head)))
      .sort((a, b) => a.channelId - b.channelId || a.head - b.head)[0];
    if (parent) parent.appendChild(canvas);
    else this.root.insertBefore(canvas, after?.canvas ?? this.overlay);
    m.detach = this.input.attachCanvas(canvas, channelId, head);
    if (this.zoomState.zoomed) this.applyZoom();
    this.applyCursor();
    return canvas;
  }

  dropMonitor(channelId: number, head: number): void {
    const m = this.monitors.get(key(channelId, head));
    if (!m) return;
    m.detach();
    m.canvas.remove();
    this.monitors.delete(key(channelId, head));
  }

  /** where each monitor sits in its channel's surface (for input and the overlay) */
  setLayout(rects: readonly MonitorRect[]): void {
    for (const m of this.monitors.values()) m.rect = null;
    for (const r of rects) {
      const m = this.monitors.get(key(r.channelId, r.head));
      if (m) m.rect = { ...r };
    }
    this.sizeCanvases();
  }

  /**
   * Show the monitors as stale (the session is gone, a reconnect may follow): the last frame
   * stays, dimmed, instead of a blank screen.
   */
  setStale(stale: boolean): void {
    this.root.dataset.stale = stale ? 'true' : 'false';
    for (const m of this.monitors.values()) m.canvas.style.filter = stale ? 'brightness(0.55) grayscale(0.5)' : '';
  }

  canvasOf(channelId: number, head: number): HTMLCanvasElement | null {
    return this.monitors.get(key(channelId, head))?.canvas ?? null;
  }

  cursorShape(c: CursorShapeEvent & { channelId: number }): void {
    this.cursor = c;
    this.applyCursor();
  }

  cursorMove(channelId: number, x: number, y: number): void {
    if (this.cursor && this.cursor.channelId === channelId) this.cursor = { ...this.cursor, x, y };
    this.placeOverlay();
  }

  cursorHide(channelId: number): void {
    if (this.cursor && this.cursor.channelId !== channelId) return;
    this.cursor = this.cursor ? { ...this.cursor, visible: false } : null;
    this.applyCursor();
  }

  /** the mouse mode changed: CSS cursor (client) or overlay (server) */
  applyCursor(): void {
    const client = this.host.mouseMode() !== MouseMode.SERVER;
    const c = this.cursor;
    const value = client ? (c ? cssCursor(c.shape, c.visible) : 'default') : 'none';
    for (const m of this.monitors.values()) m.canvas.style.cursor = value;
    this.overlay.hidden = client || !c?.visible;
    if (!client) drawOverlay(this.overlay, c?.shape ?? null);
    this.placeOverlay();
  }

  /** keys typed in another window (a monitor's own window) go to the guest too */
  attachKeys(target: EventTarget): () => void {
    return this.input.attachKeys(target);
  }

  sendCtrlAltDel(): void {
    this.input.sendCtrlAltDel();
  }

  sendCodes(codes: readonly string[]): void {
    this.input.sendCodes(codes);
  }

  focus(): void {
    this.root.focus({ preventScroll: true });
  }

  dispose(): void {
    this.input.dispose();
    this.sizer?.disconnect();
    for (const m of [...this.monitors.values()]) this.dropMonitor(m.channelId, m.head);
    this.overlay.remove();
  }

  private styleCanvas(c: HTMLCanvasElement): void {
    Object.assign(c.style, { maxWidth: 'none', maxHeight: 'none', flex: 'none', minWidth: '0', background: '#000', touchAction: 'none' });
  }

  /**
   * The CSS size of every monitor's canvas from one scale for all: fit = the largest that fits
   * the view (it enlarges too), 1:1 = one guest pixel per CSS pixel, or per device pixel with
   * devicePixels. A scale that is a whole number of device pixels renders without smoothing
   * (image-rendering: pixelated) so text stays sharp; other scales are smoothed.
   */
  sizeCanvases(): void {
    // monitors in their own windows (monitor-window.ts) are sized there, not here
    const mons = [...this.monitors.values()].filter((m) => m.rect && m.rect.width > 0 && m.rect.height > 0 && m.canvas.parentNode === this.root);
    const dpr = globalThis.devicePixelRatio || 1;
    if (mons.length) {
      const gaps = 4 * (mons.length - 1);
      const w = mons.reduce((a, m) => a + m.rect!.width, 0);
      const h = Math.max(...mons.map((m) => m.rect!.height));
      const one = this.devPx ? 1 / dpr : 1;
      const fit = Math.min((this.root.clientWidth - gaps) / w, this.root.clientHeight / h);
      // fit enlarges too, but not by a sliver: 1-5% more size would resample (blur) every pixel
      // for almost nothing (a kiosk window one pixel larger than the guest, say)
      const fitted = fit > 1 && fit < MIN_ENLARGE ? 1 : fit;
      const scale = this.fit && fit > 0 ? (this.devPx ? Math.min(one, fitted) : fitted) : one;
      const dev = scale * dpr;
      const crisp = Math.abs(dev - Math.round(dev)) < 1e-6;
      for (const m of mons) {
        Object.assign(m.canvas.style, { width: `${m.rect!.width * scale}px`, height: `${m.rect!.height * scale}px`, imageRendering: crisp ? 'pixelated' : 'auto' });
        m.canvas.dataset.scale = String(scale);
      }
      // centring can leave a canvas between pixels, which resamples it: nudge it onto the grid
      for (const m of mons) Object.assign(m.canvas.style, { position: 'relative', left: '0px', top: '0px' });
      for (const m of mons) {
        const r = m.canvas.getBoundingClientRect();
        // whole CSS pixels where the ratio is whole (Chromium composites a canvas layer at CSS-pixel offsets)
        const g = Number.isInteger(dpr) ? 1 : dpr;
        const snap = (v: number) => (Math.round(v * g) - v * g) / g;
        // a relative offset, not a transform: a transformed canvas layer is resampled
        Object.assign(m.canvas.style, { left: `${snap(r.left)}px`, top: `${snap(r.top)}px` });
      }
    }
    // a pinch zoom's transform is relative to the canvases' boxes, which may have moved
    if (this.zoomState.zoomed) this.applyZoom();
    else this.placeOverlay();
  }

  /**
   * Server mouse mode: the guest moves the cursor, in the coordinates of its display channel's
   * surface; put the sprite over the monitor of that channel whose head contains the point.
   */
  private placeOverlay(): void {
    const c = this.cursor;
    const shape = c?.shape;
    if (this.overlay.hidden || !c || !shape) return;
    const mons = [...this.monitors.values()].filter((m) => m.channelId === c.channelId && m.rect);
    const m = mons.find((o) => c.x >= o.rect!.x && c.y >= o.rect!.y && c.x < o.rect!.x + o.rect!.width && c.y < o.rect!.y + o.rect!.height) ?? mons[0];
    if (!m) return;
    const rr = m.rect!;
    const r = m.canvas.getBoundingClientRect();
    const host = this.root.getBoundingClientRect();
    const sx = r.width / rr.width;
    const sy = r.height / rr.height;
    const x = r.left - host.left + this.root.scrollLeft + (c.x - rr.x - shape.hotX) * sx;
    const y = r.top - host.top + this.root.scrollTop + (c.y - rr.y - shape.hotY) * sy;
    this.overlay.style.transform = `translate(${x}px, ${y}px) scale(${sx}, ${sy})`;
    this.overlay.dataset.monitor = key(m.channelId, m.head);
  }
}
