/**
 * Snapping (client/whiteboard/canvas/snapping.ts): the snap math on boxes,
 * and a move and a resize through the board's pointer machine — within the
 * screen threshold at any zoom, not beyond it, never with Alt, with guides
 * while the drag lasts and none after.
 */
import { describe, expect, it } from "vitest";
import type { Rect } from "../../client/whiteboard/canvas/camera.ts";
import { guidesFor, SNAP_THRESHOLD_PX, snapMove, snapPoint, snapTargets } from "../../client/whiteboard/canvas/snapping.ts";
import { spacingGuides } from "../../client/whiteboard/canvas/spacing.ts";
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

describe("equal spacing", () => {
  it("between two shapes of a row, a box lands in the middle; the two equal gaps are drawn", () => {
    const row = [box(0, 0), box(400, 0)];
    // Gaps 97 and 103: 3 to the middle (200), within reach; no edge or centre line near.
    expect(snapMove(box(197, 20), snapTargets(row), 6)).toEqual({ dx: 3, dy: 0 });
    expect(snapMove(box(190, 20), snapTargets(row), 6)).toEqual({ dx: 0, dy: 0 });
    // Drawn on one line midway across what the three share (y 20..100), with the gaps' ends.
    expect(spacingGuides(box(200, 20), row)).toEqual([
      { axis: "y", v: 60, lo: 100, hi: 200, gap: true },
      { axis: "y", v: 60, lo: 300, hi: 400, gap: true },
    ]);
    // A shape on another row (no overlap across the axis) is no neighbour.
    expect(snapMove(box(197, 500), snapTargets(row), 6).dx).toBe(0);
  });

  it("beside two shapes of a row, a box lands one gap further, either side; columns too", () => {
    const row = [box(0, 0), box(200, 0)]; // a gap of 100
    expect(snapMove(box(396, 20), snapTargets(row), 6).dx).toBe(4);
    expect(snapMove(box(-196, 20), snapTargets(row), 6).dx).toBe(-4);
    expect(spacingGuides(box(400, 20), row)).toEqual([
      { axis: "y", v: 60, lo: 100, hi: 200, gap: true },
      { axis: "y", v: 60, lo: 300, hi: 400, gap: true },
    ]);
    const column = [box(0, 0), box(0, 400)];
    expect(snapMove(box(20, 203), snapTargets(column), 6)).toEqual({ dx: 0, dy: -3 });
    expect(spacingGuides(box(20, 200), column)).toEqual([
      { axis: "x", v: 60, lo: 100, hi: 200, gap: true },
      { axis: "x", v: 60, lo: 300, hi: 400, gap: true },
    ]);
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

  it("a shape dragged near the middle between two others lands there, with the equal gaps drawn while dragging", () => {
    const b = new Board([rect("a", 0, 0), rect("c", 400, 0), rect("m", 150, 300)]);
    b.view = EVERYWHERE;
    // m (150..250) dragged up and right to 197..297, 20 below the row's top: the middle is 200.
    b.gesture([[200, 350], [220, 200], [247, 70]], { release: false });
    expect(b.input.guides.filter((g) => g.gap)).toEqual([
      { axis: "y", v: 60, lo: 100, hi: 200, gap: true },
      { axis: "y", v: 60, lo: 300, hi: 400, gap: true },
    ]);
    b.input.up();
    expect(b.records.get("m")).toMatchObject({ x: 200, y: 20 });
    expect(b.input.guides).toEqual([]);
  });

  it("a resized corner snaps to the other shape's edge", () => {
    const b = board();
    b.selection = ["b"];
    // b's bottom-right corner (400, 400) dragged to (497, 102): the corner's y lands on a's bottom (100); its x has no line near.
    b.gesture([[400, 400], [450, 150], [497, 102]]);
    expect(b.records.get("b")).toMatchObject({ x: 300, y: 100, w: 197 });
  });
});
