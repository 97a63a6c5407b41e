/**
 * Snapping while moving and resizing: the dragged box's left, centre and
 * right (top, middle and bottom) line up with the same lines of the other
 * shapes on screen — frames included — when they come within
 * SNAP_THRESHOLD_PX on screen, whatever the zoom; guide lines show each line
 * the box sits on. A moved box also snaps to equal spacing (spacing.ts): the
 * middle between its neighbours on a row or column, or one more step of a row
 * whose gaps are equal, with the equal gaps drawn. Alt held while dragging
 * turns it all off.
 *
 * The targets are gathered once, when the drag starts, from the scene's query
 * of what is on screen (SceneIndex.visible), into two sorted arrays: each
 * pointer move then costs a few binary searches, however many shapes the
 * board holds (and one pass over the boxes on screen for the spacing). Pure,
 * except the painting of guides.
 */
import type { Shape } from "../../../party/whiteboard/records.ts";
import type { Rect } from "./camera.ts";
import { shapeBox } from "./geometry.ts";
import { rotatedBounds, rotationOf } from "./rotate.ts";
import { type Guide, spacingGuides, spacingShift } from "./spacing.ts";

/** How close (screen px) an edge or centre must come to another's to snap. */
export const SNAP_THRESHOLD_PX = 6;
/** The guides' colour: apart from the selection's blue and every ink of the palette's first row. */
export const GUIDE_COLOR = "#f03e83";
/** Half the length of the ticks at a gap guide's ends (screen px). */
const GAP_TICK_PX = 4;
/** Two lines closer than this (world units) are one (rounding of stored positions). */
const SAME = 0.01;

/** A target line: at `v` on its axis, spanning lo..hi along the other (the target's box). */
interface Line {
  v: number;
  lo: number;
  hi: number;
}

/** The lines a drag can snap to: vertical ones (x) and horizontal ones (y), each sorted by `v`. */
export interface SnapTargets {
  readonly xs: readonly Line[];
  readonly ys: readonly Line[];
  /** The target boxes themselves (equal spacing looks for neighbours among them). */
  readonly boxes: readonly Rect[];
}

export type { Guide } from "./spacing.ts";

const NO_TARGETS: SnapTargets = { xs: [], ys: [], boxes: [] };

/** The box a shape is snapped by: its box as drawn, turned. */
export function snapBoxOf(s: Shape): Rect {
  return rotatedBounds(shapeBox(s), rotationOf(s));
}

/** The lines of `boxes`: each box's two edges and its centre, on each axis. */
export function snapTargets(from: Iterable<Rect>): SnapTargets {
  const xs: Line[] = [];
  const ys: Line[] = [];
  const boxes = [...from];
  for (const b of boxes) {
    for (const v of [b.minX, (b.minX + b.maxX) / 2, b.maxX]) xs.push({ v, lo: b.minY, hi: b.maxY });
    for (const v of [b.minY, (b.minY + b.maxY) / 2, b.maxY]) ys.push({ v, lo: b.minX, hi: b.maxX });
  }
  xs.sort((p, q) => p.v - q.v);
  ys.sort((p, q) => p.v - q.v);
  return xs.length ? { xs, ys, boxes } : NO_TARGETS;
}

/** The targets of a drag: the shapes on screen that are not being dragged. */
export function targetsAmong(onScreen: readonly Shape[], dragged: readonly Shape[]): SnapTargets {
  const skip = new Set(dragged.map((s) => s.id));
  return snapTargets(onScreen.filter((s) => !skip.has(s.id)).map(snapBoxOf));
}

/** First index of `lines` with v ≥ `v` (binary search). */
function lowerBound(lines: readonly Line[], v: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.v < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The shift (within ±reach) that puts the nearest of `values` on a line, or 0. */
function nearestShift(lines: readonly Line[], values: readonly number[], reach: number): number {
  let best = Infinity;
  for (const v of values) {
    for (let i = lowerBound(lines, v - reach); i < lines.length && lines[i]!.v <= v + reach; i++) {
      const d = lines[i]!.v - v;
      if (Math.abs(d) < Math.abs(best)) best = d;
    }
  }
  return best === Infinity ? 0 : best;
}

const xValues = (b: Rect) => [b.minX, (b.minX + b.maxX) / 2, b.maxX];
const yValues = (b: Rect) => [b.minY, (b.minY + b.maxY) / 2, b.maxY];

/** The smaller of two shifts (0: none). */
const nearer = (a: number, b: number) => (a === 0 ? b : b === 0 ? a : Math.abs(b) < Math.abs(a) ? b : a);

/** How far to shift a box being moved so an edge or centre of it lands on a
 * target line, or its gaps to its neighbours become equal, per axis (0 where
 * nothing is within `reach` world units): the nearest of them wins. */
export function snapMove(box: Rect, t: SnapTargets, reach: number): { dx: number; dy: number } {
  return {
    dx: nearer(nearestShift(t.xs, xValues(box), reach), spacingShift(box, t.boxes, "x", reach)),
    dy: nearer(nearestShift(t.ys, yValues(box), reach), spacingShift(box, t.boxes, "y", reach)),
  };
}

/** A move by (dx, dy) of the dragged `box`, snapped (no targets: Alt held),
 * and the guides to show where it lands: the lines it sits on and its equal gaps. */
export function snappedMove(box: Rect, dx: number, dy: number, t: SnapTargets | null, reach: number): { dx: number; dy: number; guides: Guide[] } {
  if (!t) return { dx, dy, guides: [] };
  const s = snapMove(shifted(box, dx, dy), t, reach);
  const to = shifted(box, dx + s.dx, dy + s.dy);
  return { dx: dx + s.dx, dy: dy + s.dy, guides: [...guidesFor(to, t), ...spacingGuides(to, t.boxes)] };
}

const shifted = (b: Rect, dx: number, dy: number): Rect => ({ minX: b.minX + dx, minY: b.minY + dy, maxX: b.maxX + dx, maxY: b.maxY + dy });

/** A dragged corner at (x, y): each coordinate moved onto the nearest target line within `reach`. */
export function snapPoint(x: number, y: number, t: SnapTargets, reach: number): [number, number] {
  return [x + nearestShift(t.xs, [x], reach), y + nearestShift(t.ys, [y], reach)];
}

/** The guides for a box where it now is: every target line one of its edges
 * or centres sits on, drawn from the farthest target to the box itself. */
export function guidesFor(box: Rect, t: SnapTargets): Guide[] {
  const guides: Guide[] = [];
  const along = (axis: "x" | "y", lines: readonly Line[], values: number[], lo: number, hi: number) => {
    for (const v of values) {
      let g: Guide | null = null;
      for (let i = lowerBound(lines, v - SAME); i < lines.length && lines[i]!.v <= v + SAME; i++) {
        g ??= { axis, v: lines[i]!.v, lo, hi };
        g.lo = Math.min(g.lo, lines[i]!.lo);
        g.hi = Math.max(g.hi, lines[i]!.hi);
      }
      if (g && !guides.some((o) => o.axis === axis && Math.abs(o.v - g.v) < SAME)) guides.push(g);
    }
  };
  along("x", t.xs, xValues(box), box.minY, box.maxY);
  along("y", t.ys, yValues(box), box.minX, box.maxX);
  return guides;
}

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Paint guides in world coordinates (one screen pixel wide at any zoom). */
export function drawGuides(ctx: Ctx, guides: readonly Guide[], zoom: number): void {
  if (!guides.length) return;
  ctx.save();
  ctx.strokeStyle = GUIDE_COLOR;
  ctx.lineWidth = 1 / zoom;
  ctx.setLineDash([]);
  ctx.beginPath();
  const tick = GAP_TICK_PX / zoom;
  for (const g of guides) {
    if (g.axis === "x") {
      ctx.moveTo(g.v, g.lo);
      ctx.lineTo(g.v, g.hi);
    } else {
      ctx.moveTo(g.lo, g.v);
      ctx.lineTo(g.hi, g.v);
    }
    if (!g.gap) continue;
    // A gap's two ends, across it: |—| .
    for (const end of [g.lo, g.hi]) {
      if (g.axis === "x") {
        ctx.moveTo(g.v - tick, end);
        ctx.lineTo(g.v + tick, end);
      } else {
        ctx.moveTo(end, g.v - tick);
        ctx.lineTo(end, g.v + tick);
      }
    }
  }
  ctx.stroke();
  ctx.restore();
}
