/**
 * What Shift and rotation do to a drag: squares, circles and 45° lines while
 * drawing; a resize that keeps its proportions; a turned shape's resize that
 * keeps its fixed corner in place. Pure.
 */
import type { Rect } from "./camera.ts";
import { normalizeRect } from "./geometry.ts";
import type { ShapeDrag } from "./record-factory.ts";
import { centreOf, rotatePoint } from "./rotate.ts";

/** Shift while drawing: squares, circles, and lines at 45° steps. */
export function constrainDrag(m: ShapeDrag): void {
  const dx = m.x1 - m.x0;
  const dy = m.y1 - m.y0;
  if (m.tool === "line" || m.tool === "arrow") {
    const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
    const len = Math.hypot(dx, dy);
    m.x1 = m.x0 + len * Math.cos(angle);
    m.y1 = m.y0 + len * Math.sin(angle);
  } else {
    const side = Math.max(Math.abs(dx), Math.abs(dy));
    m.x1 = m.x0 + Math.sign(dx || 1) * side;
    m.y1 = m.y0 + Math.sign(dy || 1) * side;
  }
}

/** A turned shape's new box `to` (in the frame of its old box `from`), moved
 * so the fixed corner stays where it is on screen: the box turns about its own
 * new centre, which the shift puts where the old frame had it. */
export function keepCornerTurned(from: Rect, to: Rect, angle: number): Rect {
  const [ocx, ocy] = centreOf(from);
  const [lcx, lcy] = centreOf(to);
  const [wcx, wcy] = rotatePoint(lcx, lcy, ocx, ocy, angle);
  const dx = wcx - lcx;
  const dy = wcy - lcy;
  return { minX: to.minX + dx, minY: to.minY + dy, maxX: to.maxX + dx, maxY: to.maxY + dy };
}

/** Keep the aspect ratio of `from` while resizing about the fixed corner. */
export function keepAspect(from: Rect, to: Rect, fixed: readonly [number, number]): Rect {
  const fw = from.maxX - from.minX || 1;
  const fh = from.maxY - from.minY || 1;
  const k = Math.max((to.maxX - to.minX) / fw, (to.maxY - to.minY) / fh);
  const w = fw * k;
  const h = fh * k;
  const left = to.minX < fixed[0];
  const up = to.minY < fixed[1];
  return normalizeRect(fixed[0], fixed[1], left ? fixed[0] - w : fixed[0] + w, up ? fixed[1] - h : fixed[1] + h);
}
