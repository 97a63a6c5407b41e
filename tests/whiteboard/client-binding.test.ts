/**
 * Arrows bound to shapes (client/whiteboard/canvas/binding.ts): where a bound
 * end is drawn from its target's current geometry, what the pointer gestures
 * record, what moving and pasting do with bindings, and that old records stay
 * valid. World = screen in the gesture rows (camera at home).
 */
import { describe, expect, it } from "vitest";
import { Shape } from "../../party/whiteboard/records.ts";
import { anchorPoint, BIND_GAP, bindingTo, clipToOutline, type LineShape, moveOps, resolveLine } from "../../client/whiteboard/canvas/binding.ts";
import { pastedRecords } from "../../client/whiteboard/canvas/paste.ts";
import { Board, rect } from "./input-board.ts";

const arrow = (id: string, from: [number, number], to: [number, number], extra: Partial<LineShape> = {}): LineShape => ({
  id, type: "line", x: from[0], y: from[1], z: 5, color: "#1e1e1e", stroke: 2, pts: [[0, 0], [to[0] - from[0], to[1] - from[1]]], arrow: true, ...extra,
});
const ends = (l: LineShape): [[number, number], [number, number]] => [[l.x + l.pts[0][0], l.y + l.pts[0][1]], [l.x + l.pts[1][0], l.y + l.pts[1][1]]];
const lookupOf = (...shapes: Shape[]) => {
  const m = new Map(shapes.map((s) => [s.id, s]));
  return (id: string) => m.get(id);
};
const gap = BIND_GAP + 1; // + half the arrow's stroke of 2

describe("where a bound end is drawn", () => {
  const box = rect("box", 200, 0, 100, 100); // centre (250, 50)

  it("an end bound to a rectangle's centre stops at its outline, on the line from the other end", () => {
    const a = arrow("a", [0, 50], [250, 50], { end: { id: "box", x: 0.5, y: 0.5 } });
    expect(ends(resolveLine(a, lookupOf(box)))).toEqual([[0, 50], [200 - gap, 50]]);
  });

  it("the end follows the target when it moves (no op on the arrow)", () => {
    const a = arrow("a", [0, 50], [250, 50], { end: { id: "box", x: 0.5, y: 0.5 } });
    const moved = { ...box, x: 200, y: 300 }; // centre (250, 350): straight below-right
    const [, end] = ends(resolveLine(a, lookupOf(moved)));
    // On the segment from (0, 50) to the new centre, at the box's left or top edge (less the gap).
    expect(end[0]).toBeLessThan(250);
    expect(end[1]).toBeGreaterThan(250);
    const onLeft = Math.abs(end[0] - (200 - gap)) < 0.02;
    const onTop = Math.abs(end[1] - (300 - gap)) < 0.02;
    expect(onLeft || onTop).toBe(true);
    expect(Math.abs((end[1] - 50) / end[0] - 300 / 250)).toBeLessThan(0.01);
  });

  it("an end bound to an ellipse stops at the ellipse, not its box", () => {
    const e: Shape = { id: "e", type: "ellipse", x: 200, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 100, h: 100, fill: null };
    const a = arrow("a", [0, -200], [250, 50], { end: { id: "e", x: 0.5, y: 0.5 } });
    const [, [x, y]] = ends(resolveLine(a, lookupOf(e)));
    expect(Math.hypot(x - 250, y - 50)).toBeCloseTo(50 + gap, 1);
  });

  it("both ends bound: each stops at its own shape, and both follow", () => {
    const left = rect("l", 0, 0, 100, 100);
    const a = arrow("a", [50, 50], [250, 50], { start: { id: "l", x: 0.5, y: 0.5 }, end: { id: "box", x: 0.5, y: 0.5 } });
    expect(ends(resolveLine(a, lookupOf(left, box)))).toEqual([[100 + gap, 50], [200 - gap, 50]]);
    expect(ends(resolveLine(a, lookupOf({ ...left, y: 100 }, { ...box, y: 100 })))).toEqual([[100 + gap, 150], [200 - gap, 150]]);
  });

  it("a binding to a shape that is gone falls back to the stored point", () => {
    const a = arrow("a", [0, 50], [240, 40], { end: { id: "box", x: 0.5, y: 0.5 } });
    expect(resolveLine(a, lookupOf())).toBe(a);
    expect(ends(resolveLine(a, lookupOf()))).toEqual([[0, 50], [240, 40]]);
  });

  it("is cached per record: the same arrow and targets give the same object; a moved target a new one", () => {
    const a = arrow("a", [0, 50], [250, 50], { end: { id: "box", x: 0.5, y: 0.5 } });
    const first = resolveLine(a, lookupOf(box));
    expect(resolveLine(a, lookupOf(box))).toBe(first);
    expect(resolveLine(a, lookupOf({ ...box }))).not.toBe(first);
  });

  it("an end whose other end is inside the target points at the anchor itself", () => {
    expect(clipToOutline(box, [260, 60], [250, 50], 6)).toEqual([250, 50]);
  });

  it("a binding is where on the target's box, as fractions, and names that point back", () => {
    const bind = bindingTo(box, 225, 75);
    expect(bind).toEqual({ id: "box", x: 0.25, y: 0.75 });
    expect(anchorPoint(rect("box", 200, 0, 200, 100), bind)).toEqual([250, 75]); // a resized target keeps the spot, in proportion
  });
});

describe("gestures that bind", () => {
  it("an arrow dragged from empty board onto a rectangle binds its end (not its start)", () => {
    const b = new Board([rect("box", 200, 0)]);
    b.tool = "arrow";
    b.gesture([[0, 50], [100, 50], [230, 40]]);
    const made = [...b.records.values()].find((s) => s.type === "line") as LineShape;
    expect(made.start ?? null).toBeNull();
    expect(made.end).toEqual({ id: "box", x: 0.3, y: 0.4 });
  });

  it("an arrow between two shapes binds both ends; a plain line binds nothing", () => {
    const b = new Board([rect("l", 0, 0), rect("r", 300, 0)]);
    b.tool = "arrow";
    b.gesture([[50, 50], [200, 50], [350, 50]]);
    const made = [...b.records.values()].find((s) => s.type === "line") as LineShape;
    expect([made.start?.id, made.end?.id]).toEqual(["l", "r"]);
    b.tool = "line";
    b.gesture([[50, 60], [200, 60], [350, 60]]);
    const line = [...b.records.values()].find((s) => s.type === "line" && !s.arrow) as LineShape;
    expect([line.start, line.end]).toEqual([undefined, undefined]);
  });

  it("dragging a selected arrow's end onto a shape binds it; dragging it off lets go", () => {
    const b = new Board([rect("box", 200, 0), arrow("a", [0, 50], [100, 50])]);
    b.selection = ["a"];
    b.gesture([[100, 50], [150, 50], [250, 50]]);
    expect((b.records.get("a") as LineShape).end).toEqual({ id: "box", x: 0.5, y: 0.5 });
    // The end is drawn at the box's outline now: grab it there and pull it away.
    const drawn = b.scene.resolved(b.records.get("a")!) as LineShape;
    const [, end] = ends(drawn);
    b.gesture([end, [end[0] - 20, 300], [120, 300]]);
    const after = b.records.get("a") as LineShape;
    expect(after.end).toBeNull();
    expect(ends(after)[1]).toEqual([120, 300]);
  });

  it("moving the target moves the arrow's end as drawn; the arrow record is untouched", () => {
    const b = new Board([rect("box", 200, 0), arrow("a", [0, 50], [250, 50], { end: { id: "box", x: 0.5, y: 0.5 } })]);
    const before = b.records.get("a");
    b.gesture([[250, 50], [250, 60], [250, 250]]); // press on the box, drag it down 200
    expect(b.records.get("box")).toMatchObject({ x: 200, y: 200 });
    expect(b.records.get("a")).toBe(before);
    const [, end] = ends(b.scene.resolved(b.records.get("a")!) as LineShape);
    expect(end[1]).toBeGreaterThan(150);
  });

  it("moving an arrow without its target frees the end where it was drawn; with its target, it stays bound", () => {
    const box = rect("box", 200, 0);
    const a = arrow("a", [0, 50], [250, 50], { end: { id: "box", x: 0.5, y: 0.5 } });
    const drawn = resolveLine(a, lookupOf(box));
    const [alone] = moveOps([drawn], 10, 20);
    expect(alone).toEqual({ op: "patch", id: "a", set: { x: 10, y: 70, end: null, pts: drawn.pts } });
    const [together] = moveOps([drawn, box], 10, 20);
    expect(together).toEqual({ op: "patch", id: "a", set: { x: 10, y: 70 } });
  });
});

describe("bindings in records and pastes", () => {
  it("a line without bindings (written before they existed) is valid; a binding off the box is not", () => {
    expect(Shape.safeParse(arrow("a", [0, 0], [10, 10])).success).toBe(true);
    expect(Shape.safeParse(arrow("a", [0, 0], [10, 10], { end: { id: "b", x: 0.5, y: 0.5 }, start: null })).success).toBe(true);
    expect(Shape.safeParse(arrow("a", [0, 0], [10, 10], { end: { id: "b", x: 1.5, y: 0.5 } })).success).toBe(false);
  });

  it("a pasted arrow binds to the pasted copy of its target, and is free of a target left behind", () => {
    let n = 0;
    const box = rect("box", 200, 0);
    const a = arrow("a", [0, 50], [200, 50], { end: { id: "box", x: 0.5, y: 0.5 }, start: { id: "other", x: 0, y: 0 } });
    const [copyBox, copyArrow] = pastedRecords([box, a], { dx: 0, dy: 0 }, 10, () => `new${n++}`) as [Shape, LineShape];
    expect(copyArrow.end?.id).toBe(copyBox.id);
    expect("start" in copyArrow).toBe(false);
  });
});
