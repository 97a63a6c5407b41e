/**
 * Rotation of shapes: a shape's optional `rotation` (radians, clockwise on
 * screen) turns it about the centre of its own box. Everything else keeps
 * working in the shape's own, unrotated frame — its box, its resize handles,
 * its hit test — and these helpers carry points between that frame and the
 * world. Pure maths over boxes (geometry.ts supplies the boxes).
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Rect } from "./camera.ts";

/** Rotation with Shift snaps to steps of 15°, as in other editors. */
export const ROTATE_SNAP = Math.PI / 12;
/** The rotate handle sits this far (screen px) above the top edge's middle. */
export const ROTATE_HANDLE_OFFSET_PX = 24;

/** A shape's rotation (0 when it has none; lines are turned by their points). */
export function rotationOf(s: Shape): number {
  return s.type === "line" ? 0 : (s.rotation ?? 0);
}

export function centreOf(b: Rect): [number, number] {
  return [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2];
}

/** (x, y) turned by `angle` about (cx, cy). */
export function rotatePoint(x: number, y: number, cx: number, cy: number, angle: number): [number, number] {
  if (!angle) return [x, y];
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return [cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos];
}

/** The four corners of `box` turned by `angle` about its centre, clockwise from top-left. */
export function rotatedCorners(box: Rect, angle: number): [number, number][] {
  const [cx, cy] = centreOf(box);
  return ([[box.minX, box.minY], [box.maxX, box.minY], [box.maxX, box.maxY], [box.minX, box.maxY]] as const).map(([x, y]) => rotatePoint(x, y, cx, cy, angle));
}

/** The axis-aligned box around `box` turned by `angle` about its centre. */
export function rotatedBounds(box: Rect, angle: number): Rect {
  if (!angle) return box;
  const pts = rotatedCorners(box, angle);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
}

/** An angle in (−π, π], four decimals (plenty, and small on the wire). */
export function normalizeAngle(a: number): number {
  let r = a % (2 * Math.PI);
  if (r <= -Math.PI) r += 2 * Math.PI;
  if (r > Math.PI) r -= 2 * Math.PI;
  return Math.round(r * 10_000) / 10_000;
}

/** The patch that turns `s` (whose rotation was `from`) by the pointer's sweep
 * about the box centre (cx, cy): from the press at `start` to `now`. */
export function rotateOp(s: Shape, from: number, cx: number, cy: number, start: readonly [number, number], now: readonly [number, number], snap: boolean): Op {
  const sweep = Math.atan2(now[1] - cy, now[0] - cx) - Math.atan2(start[1] - cy, start[0] - cx);
  let angle = from + sweep;
  if (snap) angle = Math.round(angle / ROTATE_SNAP) * ROTATE_SNAP;
  return { op: "patch", id: s.id, set: { rotation: normalizeAngle(angle) } };
}

/** Where the rotate handle of a shape with `box` and `angle` is (world), at `zoom`. */
export function rotateHandle(box: Rect, angle: number, zoom: number): [number, number] {
  const [cx, cy] = centreOf(box);
  return rotatePoint(cx, box.minY - ROTATE_HANDLE_OFFSET_PX / zoom, cx, cy, angle);
}
