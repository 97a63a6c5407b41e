/**
 * Equal spacing while moving (snapping.ts runs it beside the edge snap): a
 * box dragged between two shapes on a row snaps to the middle, so both gaps
 * are equal; dragged beside two shapes of a row, it snaps one more gap along,
 * the row's own. The same on columns. Neighbours are the target boxes that
 * overlap the moved box across the axis (a row: they share some height); on
 * each side only the nearest counts, and the one beyond it for a row's step.
 * The gaps it makes equal are drawn as guides with end ticks. Pure: one pass
 * over the boxes on screen per axis and move.
 */
import type { Rect } from "./camera.ts";

/** A guide to draw: the vertical line x = v (axis "x") or horizontal y = v,
 * from lo to hi; `gap`: one of a run of equal gaps, drawn with end ticks. */
export interface Guide {
  axis: "x" | "y";
  v: number;
  lo: number;
  hi: number;
  gap?: true;
}

type Axis = "x" | "y";
/** Two gaps within this (world units) of each other are equal (rounding of stored positions). */
const SAME = 0.01;

/** A box seen along `axis`: its extent on it (lo..hi) and across it (clo..chi). */
interface Span {
  lo: number;
  hi: number;
  clo: number;
  chi: number;
}

const span = (b: Rect, axis: Axis): Span =>
  axis === "x" ? { lo: b.minX, hi: b.maxX, clo: b.minY, chi: b.maxY } : { lo: b.minY, hi: b.maxY, clo: b.minX, chi: b.maxX };

const across = (a: Span, b: Span) => a.clo < b.chi && b.clo < a.chi;

/** The nearest box ending at or before `limit` on the axis that overlaps `by` across it. */
function before(boxes: readonly Span[], by: Span, limit: number): Span | null {
  let best: Span | null = null;
  for (const b of boxes) if (b.hi <= limit + SAME && across(b, by) && (!best || b.hi > best.hi)) best = b;
  return best;
}

/** The nearest box wholly after `limit` on the axis that overlaps `by` across it. */
function after(boxes: readonly Span[], by: Span, limit: number): Span | null {
  let best: Span | null = null;
  for (const b of boxes) if (b.lo >= limit - SAME && across(b, by) && (!best || b.lo < best.lo)) best = b;
  return best;
}

/** The nearest neighbours of `s` on the axis, one on each side. */
function neighbours(boxes: readonly Span[], s: Span): { l: Span | null; r: Span | null } {
  return { l: before(boxes, s, s.lo), r: after(boxes, s, s.hi) };
}

/** Where the box's start (lo) would give equal gaps: between its two
 * neighbours, or a row's step past the left pair or before the right pair. */
function candidates(boxes: readonly Span[], s: Span): number[] {
  const size = s.hi - s.lo;
  const { l, r } = neighbours(boxes, s);
  const out: number[] = [];
  if (l && r && r.lo - l.hi >= size) out.push((l.hi + r.lo - size) / 2);
  const l2 = l && before(boxes, l, l.lo);
  if (l && l2) out.push(l.hi + (l.lo - l2.hi));
  const r2 = r && after(boxes, r, r.hi);
  if (r && r2) out.push(r.lo - (r2.lo - r.hi) - size);
  return out;
}

/** How far along `axis` (within ±reach) to shift `box` so its gaps to its
 * neighbours are equal, or 0. */
export function spacingShift(box: Rect, boxes: readonly Rect[], axis: Axis, reach: number): number {
  if (!boxes.length) return 0;
  const s = span(box, axis);
  let best = 0;
  for (const at of candidates(boxes.map((b) => span(b, axis)), s)) {
    const d = at - s.lo;
    if (Math.abs(d) <= reach && (best === 0 || Math.abs(d) < Math.abs(best))) best = d;
  }
  return best;
}

/** The gap guides of a run of boxes (in order along `axis`), drawn on one
 * line midway across what all of them share, else each midway across its pair's overlap. */
function runGuides(run: readonly Span[], axis: Axis): Guide[] {
  const mid = (spans: readonly Span[]) => (Math.max(...spans.map((s) => s.clo)) + Math.min(...spans.map((s) => s.chi))) / 2;
  const shared = Math.max(...run.map((s) => s.clo)) < Math.min(...run.map((s) => s.chi));
  return run.slice(1).map((b, i) => ({ axis: axis === "x" ? "y" : "x", v: shared ? mid(run) : mid([run[i]!, b]), lo: run[i]!.hi, hi: b.lo, gap: true }));
}

/** The equal gaps `box` stands in, where it is: to both neighbours, or one
 * more of a row's gaps on either side. */
export function spacingGuides(box: Rect, boxes: readonly Rect[]): Guide[] {
  const guides: Guide[] = [];
  for (const axis of ["x", "y"] as const) {
    const spans = boxes.map((b) => span(b, axis));
    const s = span(box, axis);
    const { l, r } = neighbours(spans, s);
    const gl = l ? s.lo - l.hi : NaN;
    const gr = r ? r.lo - s.hi : NaN;
    if (l && r && gl > SAME && Math.abs(gl - gr) <= SAME) guides.push(...runGuides([l, s, r], axis));
    const l2 = l && before(spans, l, l.lo);
    if (l && l2 && gl > SAME && Math.abs(l.lo - l2.hi - gl) <= SAME) guides.push(...runGuides([l2, l, s], axis));
    const r2 = r && after(spans, r, r.hi);
    if (r && r2 && gr > SAME && Math.abs(r2.lo - r.hi - gr) <= SAME) guides.push(...runGuides([s, r, r2], axis));
  }
  // One guide per gap, however many runs it belongs to.
  return guides.filter((g, i) => guides.findIndex((o) => o.axis === g.axis && o.v === g.v && o.lo === g.lo && o.hi === g.hi) === i);
}
