/**
 * Snapping (client/whiteboard/canvas/snapping.ts): the snap math on boxes,
 * and a move and a resize through the board's pointer machine — within the
 * screen threshold at any zoom, not beyond it, never with Alt, with guides
 * while the drag lasts and none after.
 */
import { describe, expect, it } from "vitest";
import type { Rect } from "../../client/whiteboard/canvas/camera.ts";
import { guidesFor, SNAP_THRESHOLD_PX, snapMove, snapPoint, snapTargets } from "../../client/whiteboard/canvas/snapping.ts";
import { Board, rect } from "./input-board.ts";

const box = (x: number, y: number, w = 100, h = 100): Rect => ({ minX: x, minY: y, maxX: x + w, maxY: y + h });
const EVERYWHERE: Rect = { minX: -1e6, minY: -1e6, maxX: 1e6, maxY: 1e6 };

describe("snap math", () => {
  const targets = snapTargets([box(0, 0), box(500, 300, 200, 50)]);

  it("an edge within reach lands on the nearest target line; both axes snap independently", () => {
    // Left edge 4 from the first box's right edge (100); top 3 below its top (0).
    expect(snapMove(box(104, 3, 50, 50), targets, 6)).toEqual({ dx: -4, dy: -3 });
    // Centres snap to centres: a 40-wide box centred at 598 goes to the second box's centre 600.
    expect(snapMove(box(578, 1000, 40, 10), targets, 6)).toEqual({ dx: 2, dy: 0 });
  });

  it("beyond reach nothing moves; the nearest line wins among several in reach", () => {
    expect(snapMove(box(107, 1000, 50, 10), targets, 6)).toEqual({ dx: 0, dy: 0 });
    // Right edge 498 (2 from 500) and left 448: the right edge is the nearer of the two.
    expect(snapMove(box(448, 1000, 50, 10), targets, 6).dx).toBe(2);
  });

  it("a corner snaps each coordinate on its own", () => {
    expect(snapPoint(497, 52, targets, 6)).toEqual([500, 50]);
    expect(snapPoint(480, 52, targets, 6)).toEqual([480, 50]);
  });

  it("guides span from the farthest target on the line to the box, one per line", () => {
    const g = guidesFor(box(300, 0, 100, 40), targets);
    // Its top (0) lies on the first box's top: a horizontal guide from x 0 to the box's right, 400.
    expect(g).toContainEqual({ axis: "y", v: 0, lo: 0, hi: 400 });
    // Its left (300) lies on nothing.
    expect(g.filter((x) => x.axis === "x")).toEqual([]);
    expect(guidesFor(box(1000, 1000), targets)).toEqual([]);
  });

  it("many shapes: a move still finds its line (sorted targets, binary search)", () => {
    const many = snapTargets(Array.from({ length: 10_000 }, (_, i) => box((i % 100) * 150, Math.floor(i / 100) * 150)));
    expect(snapMove(box(153, 4000.5 + 300, 100, 100), many, 6).dx).toBe(-3);
  });
});

describe("snapping on the board", () => {
  const board = () => {
    const b = new Board([rect("a", 0, 0), rect("b", 300, 300)]);
    b.view = EVERYWHERE;
    return b;
  };

  it("a moved shape whose top comes within the threshold lands on the other's top; guides show while dragging, none after", () => {
    const b = board();
    b.gesture([[350, 350], [350, 100], [352, 55]], { release: false });
    expect(b.input.guides).toContainEqual({ axis: "y", v: 0, lo: 0, hi: 402 });
    b.input.up();
    expect(b.records.get("b")).toMatchObject({ x: 302, y: 0 });
    expect(b.input.guides).toEqual([]);
  });

  it("the threshold is in screen pixels: at zoom 4 the same world distance is too far to snap", () => {
    const zoomed = () => {
      const b = board();
      b.camera = { x: 0, y: 0, zoom: 4 };
      return b;
    };
    const near = zoomed();
    near.gesture([[350, 350], [350, 100], [352, 50 + SNAP_THRESHOLD_PX / 4 - 0.5]]);
    expect(near.records.get("b")).toMatchObject({ x: 302, y: 0 });
    const far = zoomed();
    far.gesture([[350, 350], [350, 100], [352, 55]]);
    expect(far.records.get("b")).toMatchObject({ x: 302, y: 5 });
  });

  it("Alt held: the move goes exactly where the pointer does", () => {
    const b = board();
    b.gesture([[350, 350], [350, 100], [352, 55]], { alt: true });
    expect(b.records.get("b")).toMatchObject({ x: 302, y: 5 });
  });

  it("a resized corner snaps to the other shape's edge", () => {
    const b = board();
    b.selection = ["b"];
    // b's bottom-right corner (400, 400) dragged to (497, 102): the corner's y lands on a's bottom (100); its x has no line near.
    b.gesture([[400, 400], [450, 150], [497, 102]]);
    expect(b.records.get("b")).toMatchObject({ x: 300, y: 100, w: 197 });
  });
});
