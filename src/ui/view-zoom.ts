/**
 * Pinch zoom of the view (not of the guest): a scale and a translation applied with CSS
 * transforms to every monitor canvas, in the screen element's own coordinates, so that a point
 * p of the unzoomed layout shows at scale·p + t. Kept between 1× and `maxScale`, and panned only
 * as far as the zoomed picture still covers the element. Pure arithmetic; the view applies it.
 */
export class ViewZoom {
  scale = 1;
  tx = 0;
  ty = 0;

  constructor(readonly maxScale = 5) {}

  get zoomed(): boolean {
    return this.scale > 1;
  }

  /**
   * Scale by `factor` around (x, y) (element coordinates, as shown now), then pan by (dx, dy);
   * `width` × `height` is the element's size.
   */
  apply(factor: number, x: number, y: number, dx: number, dy: number, width: number, height: number): void {
    if (!Number.isFinite(factor) || factor <= 0) return;
    const s = Math.min(this.maxScale, Math.max(1, this.scale * factor));
    const f = s / this.scale; // the factor actually applied after clamping
    this.tx = f * (this.tx - x) + x + (Number.isFinite(dx) ? dx : 0);
    this.ty = f * (this.ty - y) + y + (Number.isFinite(dy) ? dy : 0);
    this.scale = s;
    this.clamp(width, height);
  }

  reset(): void {
    this.scale = 1;
    this.tx = this.ty = 0;
  }

  /** the CSS transform for a canvas whose layout box starts at (left, top) in the element */
  cssFor(left: number, top: number): { transform: string; transformOrigin: string } {
    if (!this.zoomed) return { transform: '', transformOrigin: '' };
    return { transform: `matrix(${this.scale}, 0, 0, ${this.scale}, ${this.tx}, ${this.ty})`, transformOrigin: `${-left}px ${-top}px` };
  }

  private clamp(width: number, height: number): void {
    if (this.scale === 1) {
      this.tx = this.ty = 0;
      return;
    }
    // the element's box scaled by s and moved by t must still cover the box: (1−s)·size ≤ t ≤ 0
    this.tx = Math.min(0, Math.max((1 - this.scale) * width, this.tx));
    this.ty = Math.min(0, Math.max((1 - this.scale) * height, this.ty));
  }
}
