/**
 * Arrows bound to shapes. An arrow's end dropped on a rectangle, ellipse,
 * sticky note or text records a binding (the shape's id and where on its box,
 * as fractions), and every client works out where the end is when it draws,
 * from the target's current geometry: a concurrent move of the target and of
 * the arrow converge without any extra op, and a target that is gone leaves
 * the end at the line's stored point. The end stops just short of the target's
 * outline, on the line towards the other end, as people draw arrows by hand.
 *
 * Resolving is O(1) per arrow (a map lookup of each target) and cached per
 * record object: records are immutable, so the cache is keyed on the arrow and
 * checked against the very target objects it was computed from.
 */
import type { Op } from "../../../party/whiteboard/schema.ts";
import type { Binding, Shape } from "../../../party/whiteboard/records.ts";
import { linePointsFrom, moveOp, round2, shapeBox } from "./geometry.ts";
import { centreOf, rotatePoint, rotationOf } from "./rotate.ts";

export type LineShape = Extract<Shape, { type: "line" }>;
/** How a board finds a shape by id (the preview of a drag first, then the document). */
export type ShapeLookup = (id: string) => Shape | undefined;

/** Space left between a bound end and the target's outline (world units): the
 * arrow head reads as pointing at the shape, not buried in its stroke. */
export const BIND_GAP = 6;

/** Shapes an arrow can attach to: those with an outline to point at. */
export function canBindTo(s: Shape): boolean {
  return s.type === "rect" || s.type === "ellipse" || s.type === "sticky" || s.type === "text";
}

/** Whether `s` is a line with at least one bound end. */
export function isBound(s: Shape): s is LineShape {
  return s.type === "line" && (!!s.start || !!s.end);
}

/** The binding for an end at (wx, wy) over `target`: where on its box, as fractions. */
export function bindingTo(target: Shape, wx: number, wy: number): Binding {
  const [lx, ly] = toLocal(target, wx, wy);
  const b = shapeBox(target);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  const frac = (v: number, min: number, size: number) => (size > 0 ? Math.round(clamp01((v - min) / size) * 1000) / 1000 : 0.5);
  return { id: target.id, x: frac(lx, b.minX, w), y: frac(ly, b.minY, h) };
}

/** The world point a binding names on its target. */
export function anchorPoint(target: Shape, bind: Binding): [number, number] {
  const b = shapeBox(target);
  return toWorld(target, b.minX + bind.x * (b.maxX - b.minX), b.minY + bind.y * (b.maxY - b.minY));
}

interface Resolved {
  start: Shape | undefined;
  end: Shape | undefined;
  out: LineShape;
}
const resolvedCache = new WeakMap<LineShape, Resolved>();

/** The line as drawn: each bound end placed from its target's current
 * geometry (a missing target: the stored point). The same object when nothing is bound. */
export function resolveLine(s: LineShape, lookup: ShapeLookup): LineShape {
  const start = s.start ? lookup(s.start.id) : undefined;
  const end = s.end ? lookup(s.end.id) : undefined;
  if (!start && !end) return s;
  const cached = resolvedCache.get(s);
  if (cached && cached.start === start && cached.end === end) return cached.out;
  const stored0: [number, number] = [s.x + s.pts[0][0], s.y + s.pts[0][1]];
  const stored1: [number, number] = [s.x + s.pts[1][0], s.y + s.pts[1][1]];
  const a = start ? anchorPoint(start, s.start!) : stored0;
  const b = end ? anchorPoint(end, s.end!) : stored1;
  // An arrow from a shape to itself points at its anchors, unclipped: clipping
  // both ends against one outline would fold it onto itself.
  const same = start !== undefined && start === end;
  const p0 = start && !same ? clipToOutline(start, b, a, BIND_GAP + s.stroke / 2) : a;
  const p1 = end && !same ? clipToOutline(end, a, b, BIND_GAP + s.stroke / 2) : b;
  const out: LineShape = { ...s, ...linePointsFrom(p0, p1) };
  resolvedCache.set(s, { start, end, out });
  return out;
}

/** Resolve `s` if it is a bound line; any other shape as it is. */
export function resolveShape(s: Shape, lookup: ShapeLookup): Shape {
  return isBound(s) ? resolveLine(s, lookup) : s;
}

/**
 * Where the segment from `from` (outside) to `to` (the anchor, on or inside the
 * target) first meets the target's outline grown by `gap`; `to` itself when
 * `from` is already inside (the arrow is shorter than the gap).
 */
export function clipToOutline(target: Shape, from: readonly [number, number], to: readonly [number, number], gap: number): [number, number] {
  const [fx, fy] = toLocal(target, from[0], from[1]);
  const [tx, ty] = toLocal(target, to[0], to[1]);
  const b = shapeBox(target);
  let t: number | null;
  if (target.type === "ellipse") {
    const cx = (b.minX + b.maxX) / 2;
    const cy = (b.minY + b.maxY) / 2;
    t = ellipseEntry(fx - cx, fy - cy, tx - fx, ty - fy, (b.maxX - b.minX) / 2 + gap, (b.maxY - b.minY) / 2 + gap);
  } else {
    t = boxEntry(fx, fy, tx - fx, ty - fy, b.minX - gap, b.minY - gap, b.maxX + gap, b.maxY + gap);
  }
  if (t === null) return [to[0], to[1]];
  return toWorld(target, fx + (tx - fx) * t, fy + (ty - fy) * t);
}

/** Smallest t in [0, 1] where (px, py) + t·(dx, dy) enters the box; null if it starts inside or never enters. */
function boxEntry(px: number, py: number, dx: number, dy: number, minX: number, minY: number, maxX: number, maxY: number): number | null {
  if (px >= minX && px <= maxX && py >= minY && py <= maxY) return null;
  let t0 = 0;
  let t1 = 1;
  for (const [p, d, lo, hi] of [[px, dx, minX, maxX], [py, dy, minY, maxY]] as const) {
    if (d === 0) {
      if (p < lo || p > hi) return null;
      continue;
    }
    let a = (lo - p) / d;
    let c = (hi - p) / d;
    if (a > c) [a, c] = [c, a];
    t0 = Math.max(t0, a);
    t1 = Math.min(t1, c);
    if (t0 > t1) return null;
  }
  return t0;
}

/** Smallest t in [0, 1] where (px, py) + t·(dx, dy), relative to the centre, enters the ellipse of radii (rx, ry). */
function ellipseEntry(px: number, py: number, dx: number, dy: number, rx: number, ry: number): number | null {
  if (rx <= 0 || ry <= 0) return null;
  const ux = px / rx;
  const uy = py / ry;
  const vx = dx / rx;
  const vy = dy / ry;
  const c = ux * ux + uy * uy - 1;
  if (c <= 0) return null; // starts inside
  const a = vx * vx + vy * vy;
  const bh = ux * vx + uy * vy;
  const disc = bh * bh - a * c;
  if (a === 0 || disc < 0) return null;
  const t = (-bh - Math.sqrt(disc)) / a;
  return t >= 0 && t <= 1 ? t : null;
}

/** The patches that move `shapes` (as drawn) by (dx, dy). A bound arrow moved
 * without its target lets go of it (its end goes where it is drawn now), so it
 * moves with the pointer instead of staying pinned to a shape left behind. */
export function moveOps(shapes: readonly Shape[], dx: number, dy: number): Op[] {
  const moving = new Set(shapes.map((s) => s.id));
  return shapes.map((s) => {
    const op = moveOp(s, dx, dy);
    if (s.type !== "line" || op.op !== "patch") return op;
    const set: Record<string, unknown> = { ...op.set };
    let freed = false;
    if (s.start && !moving.has(s.start.id)) {
      set.start = null;
      freed = true;
    }
    if (s.end && !moving.has(s.end.id)) {
      set.end = null;
      freed = true;
    }
    // The drawn points become the stored ones: they are what the person sees.
    if (freed) set.pts = s.pts.map((p) => [round2(p[0]), round2(p[1])]);
    return { ...op, set };
  });
}

/** A world point in the shape's own (unrotated) frame. */
function toLocal(s: Shape, x: number, y: number): [number, number] {
  const [cx, cy] = centreOf(shapeBox(s));
  return rotatePoint(x, y, cx, cy, -rotationOf(s));
}

/** A point of the shape's own frame in world coordinates. */
function toWorld(s: Shape, x: number, y: number): [number, number] {
  const [cx, cy] = centreOf(shapeBox(s));
  return rotatePoint(x, y, cx, cy, rotationOf(s));
}

function clamp01(n: number): number {
  return n < 0 ? 0 : n > 1 ? 1 : n;
}
