/**
 * Rotation (rotate.ts and what respects it): the rotate handle turns a shape
 * about its centre (Shift snaps to 15°); hit tests, bounds, the selection's
 * handles, resizing, bindings and SVG export all see the shape turned.
 */
import { describe, expect, it } from "vitest";
import { Shape } from "../../party/whiteboard/records.ts";
import { anchorPoint } from "../../client/whiteboard/canvas/binding.ts";
import { exportSvg } from "../../client/whiteboard/canvas/export-svg.ts";
import { hitTest, shapeBounds } from "../../client/whiteboard/canvas/geometry.ts";
import { rotateHandleOf, selectionHandles } from "../../client/whiteboard/canvas/hit-test.ts";
import { normalizeAngle, ROTATE_HANDLE_OFFSET_PX } from "../../client/whiteboard/canvas/rotate.ts";
import { Board, rect } from "./input-board.ts";

type Rect = Extract<Shape, { type: "rect" }>;
const turned = (r: Shape, rotation: number): Shape => ({ ...r, rotation });

describe("the rotate handle", () => {
  it("sits above the top edge's middle; dragging it round a quarter turns the shape a quarter", () => {
    const b = new Board([rect("a", 0, 0, 100, 100)]); // centre (50, 50)
    b.selection = ["a"];
    expect(rotateHandleOf([b.records.get("a")!], 1)).toEqual([50, -ROTATE_HANDLE_OFFSET_PX]);
    b.gesture([[50, -ROTATE_HANDLE_OFFSET_PX], [120, -10], [200, 50]]);
    expect((b.records.get("a") as Rect).rotation).toBeCloseTo(Math.PI / 2, 3);
    expect(b.records.get("a")).toMatchObject({ x: 0, y: 0, w: 100, h: 100 }); // turned in place
    b.editor.undo();
    expect((b.records.get("a") as Rect).rotation).toBe(0);
  });

  it("with Shift, the angle snaps to 15° steps; lines have no rotate handle", () => {
    const b = new Board([rect("a", 0, 0, 100, 100)]);
    b.selection = ["a"];
    // About 20° clockwise from straight up: snaps to 15°.
    const at = [50 + 100 * Math.sin(0.35), 50 - 100 * Math.cos(0.35)] as [number, number];
    b.gesture([[50, -ROTATE_HANDLE_OFFSET_PX], [60, -20], at], { shift: true });
    expect((b.records.get("a") as Rect).rotation).toBeCloseTo(Math.PI / 12, 3);
    const line: Shape = { id: "l", type: "line", x: 0, y: 0, z: 1, color: "#1e1e1e", stroke: 2, pts: [[0, 0], [10, 0]], arrow: false };
    expect(rotateHandleOf([line], 1)).toBeNull();
  });

  it("angles are kept in (−π, π]", () => {
    expect(normalizeAngle(3 * Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 4);
    expect(normalizeAngle(-Math.PI)).toBeCloseTo(Math.PI, 4);
  });
});

describe("a turned shape is a turned shape everywhere", () => {
  const bar = rect("bar", 0, 45, 100, 10); // a thin horizontal bar, centre (50, 50)
  const upright = turned(bar, Math.PI / 2); // now a thin vertical bar

  it("hit tests follow the turned outline", () => {
    expect(hitTest(bar, 5, 50, 0)).toBe(true);
    expect(hitTest(upright, 5, 50, 0)).toBe(false);
    expect(hitTest(upright, 50, 5, 0)).toBe(true);
  });

  it("bounds (culling, fit, export) cover the turned box", () => {
    const b = shapeBounds(upright);
    expect(b.minY).toBeLessThan(1);
    expect(b.maxY).toBeGreaterThan(99);
    expect(b.maxX - b.minX).toBeLessThan(20);
  });

  it("a single turned shape's corner handles are its turned corners", () => {
    const [tl] = selectionHandles([upright]);
    expect(tl![0]).toBeCloseTo(55);
    expect(tl![1]).toBeCloseTo(0);
  });

  it("resizing a turned shape keeps the opposite corner where it is on screen", () => {
    const b = new Board([turned(rect("a", 0, 0, 100, 100), Math.PI / 2)]);
    b.selection = ["a"];
    // Turned a quarter: the box's bottom-right corner (handle 2) is drawn at (0, 100), its top-left (fixed) at (100, 0).
    const [fixedBefore, , dragged] = selectionHandles([b.records.get("a")!]);
    b.gesture([dragged!, [-20, 120], [-50, 150]]);
    const [fixedAfter] = selectionHandles([b.records.get("a")!]);
    expect(fixedAfter![0]).toBeCloseTo(fixedBefore![0], 1);
    expect(fixedAfter![1]).toBeCloseTo(fixedBefore![1], 1);
    expect(b.records.get("a")).toMatchObject({ w: 150, h: 150 });
  });

  it("an arrow bound to a turned shape points at the spot as turned", () => {
    const [x, y] = anchorPoint(upright, { id: "bar", x: 1, y: 0.5 }); // the bar's right end, before turning
    expect(x).toBeCloseTo(50);
    expect(y).toBeCloseTo(100);
  });

  it("SVG export turns it; old records without rotation stay valid, an absurd angle does not", () => {
    expect(exportSvg([upright])).toContain(`transform="rotate(90 50 50)"`);
    expect(Shape.safeParse(bar).success).toBe(true);
    expect(Shape.safeParse(turned(bar, 100)).success).toBe(false);
  });
});
