/**
 * Dashed (STYLED) polylines as spice-common's canvas draws them. Its zero-width dash routine is a
 * stand-in that sets the line width to 1 and runs the X sample server's wide dashed line code
 * (lines.c: miZeroDashLine → miWideDash), with the canvas's fixed GC: LineOnOffDash, CapNotLast,
 * JoinMiter. So every "on" dash is a one-pixel-wide quadrilateral around the segment, filled by
 * scan conversion with X's edge rules, and consecutive "on" dashes across a vertex get a miter
 * (or bevel) join polygon. The arithmetic below keeps X's order and mix of integer and double
 * operations (C's truncating division and casts included): the pixels must come out the same.
 *
 * Exported:
 *   wideDashPolyline(points, dash, dashOffset, careful, span, rows?)
 *     points      integer polyline (a closed path repeats its first point at the end)
 *     dash        X dash list (even index = on, odd = off; values 0..255), at least one non-zero
 *     dashOffset  X dash offset into the list
 *     careful     the rop is not idempotent (X's miSpansCarefulRop: it reads the destination in a
 *                 way that painting twice changes the result), so pixels covered by several
 *                 polygons are painted once; otherwise each polygon's spans go out at once
 *     span(y, x0, x1)  paint pixels x0..x1-1 of row y (not clipped here)
 *     rows        [top, bottom): rows outside are never painted, so merging skips them
 *   isCarefulRop(rop): boolean
 * Cap styles other than CapNotLast, joins other than miter/bevel and LineDoubleDash are not
 * needed: the canvas never uses them.
 */

interface Vertex { x: number; y: number }
interface Slope { dx: number; dy: number; k: number }
interface Edge { height: number; x: number; stepx: number; signdx: number; e: number; dy: number; dx: number }
interface Face { xa: number; ya: number; dx: number; dy: number; x: number; y: number; k: number }

type Span = (y: number, x0: number, x1: number) => void;

/** miter limit: 1 / sin²(11°/2), X's fixed value */
const SQSECANT = 108.856472512142;

/** C's (int) cast of a double, then ceil for positive non-integers (X's ICEIL) */
function iceil(x: number): number {
  const t = Math.trunc(x);
  return x === t || x < 0 ? t : t + 1;
}

/** X's careful rops (the ones its span groups protect against double painting) */
export function isCarefulRop(rop: number): boolean {
  return (rop & 0xc) === 0x8 || (rop & 0x3) === 0x2;
}

/** one polygon edge starting at vertex (x0, y0) with slope (dx, dy, k); returns its first row */
function buildEdge(y0: number, k: number, dx: number, dy: number, xi: number, yi: number, left: boolean, edge: Edge): number {
  if (dy < 0) { dy = -dy; dx = -dx; k = -k; }
  const y = iceil(y0);
  const xady = iceil(k) + y * dx;
  let x = xady <= 0 ? -Math.trunc(-xady / dy) - 1 : Math.trunc((xady - 1) / dy);
  let e = xady - x * dy;
  if (dx >= 0) {
    edge.signdx = 1;
    edge.stepx = Math.trunc(dx / dy);
    edge.dx = dx % dy;
  } else {
    edge.signdx = -1;
    edge.stepx = -Math.trunc(-dx / dy);
    edge.dx = -dx % dy;
    e = dy - e + 1;
  }
  edge.dy = dy;
  edge.x = x + (left ? 1 : 0) + xi;
  edge.e = e - dy;
  return y + yi;
}

const around = (v: number, incr: number, max: number) => (v + incr < 0 ? max - 1 : v + incr === max ? 0 : v + incr);
const newEdge = (): Edge => ({ height: 0, x: 0, stepx: 0, signdx: 0, e: 0, dy: 0, dx: 0 });

/** scan-convert a convex polygon (vertices relative to (xi, yi)) into spans */
function fillPoly(vertices: Vertex[], slopes: Slope[], xi: number, yi: number, out: Span): void {
  const count = vertices.length;
  let top = 0, bottom = 0, miny = vertices[0]!.y, maxy = vertices[0]!.y;
  for (let i = 1; i < count; i++) {
    if (vertices[i]!.y < miny) { top = i; miny = vertices[i]!.y; }
    if (vertices[i]!.y >= maxy) { bottom = i; maxy = vertices[i]!.y; }
  }
  let clockwise = 1, slopeoff = 0;
  const j = around(top, -1, count);
  if (slopes[j]!.dy * slopes[top]!.dx > slopes[top]!.dy * slopes[j]!.dx) { clockwise = -1; slopeoff = -1; }
  const bottomy = iceil(maxy) + yi;
  const chain = (dir: number, off: number, left: boolean): { edges: Edge[]; topy: number } => {
    const edges: Edge[] = [];
    let lasty = 0, topy = 0;
    for (let i = top, s = around(top, off, count); i !== bottom; i = around(i, dir, count), s = around(s, dir, count)) {
      const sl = slopes[s]!;
      if (sl.dy === 0) continue;
      const e = newEdge();
      const y = buildEdge(vertices[i]!.y, sl.k, sl.dx, sl.dy, xi, yi, left, e);
      if (edges.length) edges[edges.length - 1]!.height = y - lasty;
      else topy = y;
      edges.push(e);
      lasty = y;
    }
    if (edges.length) edges[edges.length - 1]!.height = bottomy - lasty;
    return { edges, topy };
  };
  const r = chain(clockwise, slopeoff, false);
  const l = chain(-clockwise, slopeoff === 0 ? -1 : 0, true);
  const topy = r.topy;
  let y = topy;
  // walk both chains row by row (X's miFillPolyHelper)
  const L = l.edges, R = r.edges;
  let li = 0, ri = 0;
  let lh = 0, rh = 0;
  let lx = 0, le = 0, lstep = 0, lsign = 0, ldy = 0, ldx = 0;
  let rx = 0, re = 0, rstep = 0, rsign = 0, rdy = 0, rdx = 0;
  while ((li < L.length || lh) && (ri < R.length || rh)) {
    if (!lh && li < L.length) { const e = L[li++]!; lh = e.height; lx = e.x; lstep = e.stepx; lsign = e.signdx; le = e.e; ldy = e.dy; ldx = e.dx; }
    if (!rh && ri < R.length) { const e = R[ri++]!; rh = e.height; rx = e.x; rstep = e.stepx; rsign = e.signdx; re = e.e; rdy = e.dy; rdx = e.dx; }
    let height = Math.min(lh, rh);
    lh -= height;
    rh -= height;
    while (--height >= 0) {
      if (rx >= lx) out(y, lx, rx + 1);
      y++;
      lx += lstep; le += ldx; if (le > 0) { lx += lsign; le -= ldy; }
      rx += rstep; re += rdx; if (re > 0) { rx += rsign; re -= rdy; }
    }
  }
}

const TOP = 0, RIGHT = 1, BOTTOM = 2, LEFT = 3;

/** the dashes of one segment (X's miWideDashSegment at width 1, CapNotLast); returns its faces */
function dashSegment(st: { index: number; offset: number }, dash: readonly number[], x1: number, y1: number, x2: number, y2: number, out: Span): { left: Face; right: Face } {
  const dx = x2 - x1, dy = y2 - y1, n = dash.length;
  let index = st.index;
  let remain = dash[index]! - st.offset;
  const l = 0.5;
  let L: number, rdx: number, rdy: number;
  if (dx === 0) {
    L = dy; rdx = 0; rdy = l;
    if (dy < 0) { L = -dy; rdy = -l; }
  } else if (dy === 0) {
    L = dx; rdx = l; rdy = 0;
    if (dx < 0) { L = -dx; rdx = -l; }
  } else {
    L = Math.hypot(dx, dy);
    const r = l / L;
    rdx = r * dx;
    rdy = r * dy;
  }
  const k = l * L;
  let Lremain = L;
  const slopes: Slope[] = [{ dx, dy, k }, { dx: -dy, dy: dx, k: 0 }, { dx: -dx, dy: -dy, k }, { dx: dy, dy: -dx, k: 0 }];
  const v: Vertex[] = [{ x: rdy, y: -rdx }, { x: rdy, y: -rdx }, { x: -rdy, y: rdx }, { x: -rdy, y: rdx }];
  while (Lremain > remain) {
    const ddx = (remain * dx) / L, ddy = (remain * dy) / L;
    v[RIGHT]!.x += ddx; v[RIGHT]!.y += ddy;
    v[BOTTOM]!.x += ddx; v[BOTTOM]!.y += ddy;
    slopes[RIGHT]!.k = v[RIGHT]!.x * dx + v[RIGHT]!.y * dy;
    if (!(index & 1)) fillPoly(v, slopes, x1, y1, out);
    Lremain -= remain;
    if (++index === n) index = 0;
    remain = dash[index]!;
    v[TOP] = { ...v[RIGHT]! };
    v[LEFT] = { ...v[BOTTOM]! };
    slopes[LEFT]!.k = -slopes[RIGHT]!.k;
  }
  if (!(index & 1)) {
    v[TOP]!.x -= dx; v[TOP]!.y -= dy;
    v[LEFT]!.x -= dx; v[LEFT]!.y -= dy;
    v[RIGHT] = { x: rdy, y: -rdx };
    v[BOTTOM] = { x: -rdy, y: rdx };
    slopes[RIGHT]!.k = 0;
    slopes[LEFT]!.k += dx * dx + dy * dy;
    fillPoly(v, slopes, x2, y2, out);
  }
  remain = Math.trunc(remain - Lremain);
  if (remain === 0) {
    if (++index === n) index = 0;
    remain = dash[index]!;
  }
  st.index = index;
  st.offset = dash[index]! - remain;
  return {
    left: { x: x1, y: y1, dx, dy, xa: rdy, ya: -rdx, k },
    right: { x: x2, y: y2, dx: -dx, dy: -dy, xa: -rdy, ya: rdx, k },
  };
}

/** the join polygon between two faces meeting at a vertex (X's miLineJoin, width 1, JoinMiter) */
function join(pLeft: Face, pRight: Face, spansMerged: boolean, out: Span): void {
  const lw = 1;
  let joinMiter = true;
  let denom: number;
  if (!spansMerged) {
    // one of the two lines already draws the joining pixel
    if (pLeft.dx > 0 || (pLeft.dx === 0 && pLeft.dy > 0)) return;
    if (pRight.dx > 0 || (pRight.dx === 0 && pRight.dy > 0)) return;
  }
  denom = -pLeft.dx * pRight.dy + pRight.dx * pLeft.dy;
  if (denom === 0) return;
  let swapslopes = false;
  if (denom > 0) {
    pLeft.xa = -pLeft.xa; pLeft.ya = -pLeft.ya; pLeft.dx = -pLeft.dx; pLeft.dy = -pLeft.dy;
  } else {
    swapslopes = true;
    pRight.xa = -pRight.xa; pRight.ya = -pRight.ya; pRight.dx = -pRight.dx; pRight.dy = -pRight.dy;
  }
  const vertices: Vertex[] = [{ x: pRight.xa, y: pRight.ya }, { x: 0, y: 0 }, { x: pLeft.xa, y: pLeft.ya }];
  const slopes: Slope[] = [{ dx: -pRight.dy, dy: pRight.dx, k: 0 }, { dx: pLeft.dy, dy: -pLeft.dx, k: 0 }];
  const my = (pLeft.dy * (pRight.xa * pRight.dy - pRight.ya * pRight.dx) - pRight.dy * (pLeft.xa * pLeft.dy - pLeft.ya * pLeft.dx)) / denom;
  const mx = pLeft.dy !== 0 ? pLeft.xa + ((my - pLeft.ya) * pLeft.dx) / pLeft.dy : pRight.xa + ((my - pRight.ya) * pRight.dx) / pRight.dy;
  if ((mx * mx + my * my) * 4 > SQSECANT * lw * lw) joinMiter = false;
  if (joinMiter) {
    const sg = swapslopes ? -1 : 1;
    slopes.push({ dx: sg * pLeft.dx, dy: sg * pLeft.dy, k: sg * pLeft.k });
    vertices.push({ x: mx, y: my });
    slopes.push({ dx: sg * pRight.dx, dy: sg * pRight.dy, k: sg * pRight.k });
  } else {
    const ddx = pRight.xa - pLeft.xa, ddy = pRight.ya - pLeft.ya;
    const scale = Math.max(Math.abs(ddx), Math.abs(ddy));
    if (scale === 0) return; // both faces end in the same point: nothing to bevel
    const sdx = Math.trunc((ddx * 65536) / scale), sdy = Math.trunc((ddy * 65536) / scale);
    slopes.push({ dx: sdx, dy: sdy, k: ((pLeft.xa + pRight.xa) * sdy - (pLeft.ya + pRight.ya) * sdx) / 2.0 });
  }
  fillPoly(vertices, slopes, pLeft.x, pLeft.y, out);
}

/** X's miStepDash: advance (index, offset) by `dist` along the dash list */
function stepDash(dist: number, st: { index: number; offset: number }, dash: readonly number[]): void {
  const n = dash.length;
  let index = st.index;
  if (dist < dash[index]! - st.offset) { st.offset += dist; return; }
  dist -= dash[index]! - st.offset;
  if (++index === n) index = 0;
  const total = dash.reduce((a, b) => a + b, 0);
  if (total > 0 && total <= dist) dist %= total;
  while (dist >= dash[index]!) {
    dist -= dash[index]!;
    if (++index === n) index = 0;
  }
  st.index = index;
  st.offset = dist;
}

export function wideDashPolyline(points: ReadonlyArray<{ x: number; y: number }>, dash: readonly number[], dashOffset: number, careful: boolean, span: Span,
  rows: readonly [number, number] = [-Infinity, Infinity]): void {
  const npt = points.length;
  if (npt === 0) return;
  // X merges spans (each pixel once) only for careful rops on polylines of 3 points or more
  const merged = careful && npt >= 3;
  const byRow = new Map<number, Array<[number, number]>>();
  const out: Span = merged
    ? (y, x0, x1) => { if (y < rows[0] || y >= rows[1]) return; let r = byRow.get(y); if (!r) byRow.set(y, (r = [])); r.push([x0, x1]); }
    : span;
  const selfJoin = points[0]!.x === points[npt - 1]!.x && points[0]!.y === points[npt - 1]!.y;
  const st = { index: 0, offset: 0 };
  stepDash(dashOffset, st, dash);
  let first = true, somethingDrawn = false;
  let endIsFg = false, firstIsFg = false, prevIsFg = false;
  let firstFace: Face | null = null, prevRight: Face | null = null, lastRight: Face | null = null;
  for (let i = 1; i < npt; i++) {
    const a = points[i - 1]!, b = points[i]!;
    if (a.x !== b.x || a.y !== b.y) {
      somethingDrawn = true;
      const prevIndex = st.index;
      const f = dashSegment(st, dash, a.x, a.y, b.x, b.y, out);
      const startIsFg = !(prevIndex & 1);
      endIsFg = ((st.index & 1) ^ (st.offset !== 0 ? 1 : 0)) !== 0;
      if (startIsFg) {
        if (first || !prevIsFg) {
          if (first && selfJoin) { firstFace = { ...f.left }; firstIsFg = startIsFg; }
        } else {
          join({ ...f.left }, { ...prevRight! }, merged, out);
        }
      }
      prevRight = f.right;
      lastRight = f.right;
      prevIsFg = endIsFg;
      first = false;
    }
    if (i === npt - 1 && somethingDrawn && endIsFg && selfJoin && firstIsFg && firstFace && lastRight) {
      join({ ...firstFace }, { ...lastRight }, merged, out);
    }
  }
  if (!merged) return;
  // paint the union of all spans, each pixel once
  for (const [y, list] of byRow) {
    list.sort((p, q) => p[0] - q[0]);
    let [s, e] = list[0]!;
    for (let k = 1; k < list.length; k++) {
      const [s2, e2] = list[k]!;
      if (s2 <= e) { if (e2 > e) e = e2; } else { span(y, s, e); s = s2; e = e2; }
    }
    span(y, s, e);
  }
}
