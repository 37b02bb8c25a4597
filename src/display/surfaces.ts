/**
 * The surfaces of one display channel (spice-protocol.md §5.3): SURFACE_CREATE / DESTROY, the
 * legacy MODE primary, RESET. Every format (32_xRGB, 32_ARGB, 16_555, 16_565, 8_A, 1_A) is kept
 * as our 32-bit RGBA buffer (src/display/surface.ts), so ops never convert:
 *   - formats without alpha start opaque black (A = 255, the ops keep A = 255 on them);
 *   - 32_ARGB, 8_A and 1_A start fully transparent (0).
 * 16-bit surfaces are drawn at 8 bits per channel (spice's 16-bit canvas would quantize); no
 * real server uses them with a 32-bit-capable client.
 *
 * Memory bound: all surfaces together hold at most `maxPixels` pixels (default 64 Mi pixels,
 * 256 MiB, above the QXL device's default 64 MiB of surface memory); a create beyond that is
 * refused with SpiceProtocolError('unsupported'). Surface ids are bounded by MAX_SURFACES.
 */
import type { SurfaceCreate } from '../protocol/display';
import { SurfaceFlags, SurfaceFmt } from '../protocol/enums';
import { SpiceProtocolError } from '../protocol/errors';
import type { DrawSink } from './sink';
import { createSurface, type Surface } from './surface';

export const DEFAULT_MAX_SURFACE_PIXELS = 64 * 1024 * 1024;
/** spice-server's QXL surface count limit is 10000 (red-qxl); far below u32 */
export const MAX_SURFACES = 1 << 16;

const FORMATS = new Set<number>([SurfaceFmt._1_A, SurfaceFmt._8_A, SurfaceFmt._16_555, SurfaceFmt._16_565, SurfaceFmt._32_xRGB, SurfaceFmt._32_ARGB]);

export function hasAlphaFormat(format: number): boolean {
  return format === SurfaceFmt._32_ARGB || format === SurfaceFmt._8_A || format === SurfaceFmt._1_A;
}

export class SurfaceStore {
  private readonly map = new Map<number, Surface>();
  private pixels = 0;
  /** id of the primary surface, or null */
  primaryId: number | null = null;

  constructor(
    private readonly sink: DrawSink,
    readonly maxPixels = DEFAULT_MAX_SURFACE_PIXELS,
  ) {}

  get(id: number): Surface | undefined {
    return this.map.get(id);
  }

  /** the surface a draw op names, or a typed error */
  target(id: number): Surface {
    const s = this.map.get(id);
    if (!s) throw new SpiceProtocolError('malformed', `draw on unknown surface ${id}`);
    return s;
  }

  get primary(): Surface | null {
    return this.primaryId === null ? null : (this.map.get(this.primaryId) ?? null);
  }

  get pixelCount(): number {
    return this.pixels;
  }

  get count(): number {
    return this.map.size;
  }

  create(c: SurfaceCreate): Surface {
    if (!FORMATS.has(c.format)) throw new SpiceProtocolError('malformed', `surface ${c.surfaceId} format ${c.format}`);
    if (c.surfaceId >= MAX_SURFACES) throw new SpiceProtocolError('unsupported', `surface id ${c.surfaceId}`);
    const primary = (c.flags & SurfaceFlags.PRIMARY) !== 0;
    // spice-gtk keeps an existing primary of the same size (and its pixels) instead of
    // re-creating it; the server redraws it anyway, and the screen does not flash black
    const old = primary ? this.primary : null;
    if (old && old.id === c.surfaceId && old.width === c.width && old.height === c.height && old.format === c.format) return old;
    // a create over an existing id replaces it (spice-gtk destroys the old one first)
    if (this.map.has(c.surfaceId)) this.destroy(c.surfaceId);
    if (primary && this.primaryId !== null) this.destroy(this.primaryId);
    const n = c.width * c.height;
    if (this.pixels + n > this.maxPixels) {
      throw new SpiceProtocolError('unsupported', `surface ${c.surfaceId} of ${c.width}x${c.height} exceeds the ${this.maxPixels}-pixel surface budget`);
    }
    const s = createSurface(c.surfaceId, c.width, c.height, c.format);
    if (!hasAlphaFormat(c.format)) s.pixels.fill(0xff000000);
    this.map.set(s.id, s);
    this.pixels += n;
    if (primary) this.primaryId = s.id;
    this.sink.surfaceCreated(s, primary);
    return s;
  }

  destroy(id: number): void {
    const s = this.map.get(id);
    if (!s) return; // spice-gtk ignores unknown ids here
    this.map.delete(id);
    this.pixels -= s.width * s.height;
    if (this.primaryId === id) this.primaryId = null;
    this.sink.surfaceDestroyed(id);
  }

  /** RESET: the primary is cleared (canvas clear), nothing is destroyed */
  clearPrimary(): Surface | null {
    const p = this.primary;
    if (p) p.pixels.fill(hasAlphaFormat(p.format) ? 0 : 0xff000000);
    return p;
  }

  destroyAll(): void {
    for (const id of [...this.map.keys()]) this.destroy(id);
  }
}
