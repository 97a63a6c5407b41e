/**
 * The board's pointer state machine without a browser: pointer samples in, the
 * document (through a real Editor over an in-memory room), the selection and
 * the camera out. Each row is a gesture a person makes with a tool.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { HOME_CAMERA } from "../../client/whiteboard/canvas/camera.ts";
import { DRAG_THRESHOLD_PX, MAX_STROKE_POINTS } from "../../client/whiteboard/canvas/pointer-input.ts";
import { wheelCamera } from "../../client/whiteboard/canvas/camera-gestures.ts";
import type { Tool } from "../../client/whiteboard/canvas/tools.ts";
import { selectionBox } from "../../client/whiteboard/canvas/hit-test.ts";
import { Board, rect } from "./input-board.ts";

describe("pointer gestures", () => {
  it.each<{ tool: Tool; type: string; points: [number, number][]; want: Record<string, unknown> }>([
    { tool: "rect", type: "rect", points: [[10, 10], [60, 40], [110, 60]], want: { x: 10, y: 10, w: 100, h: 50 } },
    { tool: "ellipse", type: "ellipse", points: [[200, 200]], want: { x: 200, y: 200, w: 160, h: 100 } },
    { tool: "arrow", type: "line", points: [[0, 0], [50, 50]], want: { arrow: true, pts: [[0, 0], [50, 50]] } },
    { tool: "pen", type: "pen", points: [[0, 0], [5, 5], [5.2, 5.2], [10, 0]], want: { pts: [[0, 0], [5, 5], [10, 0]] } },
  ])("the $tool tool makes one $type and selects what it drew", ({ tool, type, points, want }) => {
    const b = new Board();
    b.tool = tool;
    b.gesture(points);
    const made = [...b.records.values()];
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ type, ...want });
    expect(b.mutations).toHaveLength(1);
    if (tool !== "pen") expect([b.selection, b.tool]).toEqual([[made[0]!.id], "select"]);
    expect(b.input.mode.kind).toBe("idle");
  });

  it("shift while dragging out a rectangle makes a square", () => {
    const b = new Board();
    b.tool = "rect";
    b.gesture([[0, 0], [100, 40]], { shift: true });
    expect([...b.records.values()][0]).toMatchObject({ w: 100, h: 100 });
  });

  it("a very long pen stroke is saved in pieces, each under the record limit", () => {
    const b = new Board();
    b.tool = "pen";
    const points = Array.from({ length: MAX_STROKE_POINTS + 10 }, (_, i): [number, number] => [i * 2, 0]);
    b.gesture(points);
    const strokes = [...b.records.values()];
    expect(strokes).toHaveLength(2);
    for (const s of strokes) if (s.type === "pen") expect(s.pts.length).toBeLessThanOrEqual(MAX_STROKE_POINTS);
  });

  it.each<{ name: string; start: string[]; points: [number, number][]; shift?: boolean; want: string[] }>([
    { name: "a click on a shape selects it", start: [], points: [[50, 50]], want: ["a"] },
    { name: "a click on the board clears the selection", start: ["a"], points: [[500, 500]], want: [] },
    { name: "shift-click adds to the selection", start: ["a"], points: [[250, 50]], shift: true, want: ["a", "b"] },
    { name: "shift-click on a selected shape removes it", start: ["a", "b"], points: [[250, 50]], shift: true, want: ["a"] },
    { name: "a click on one of several selected selects just it", start: ["a", "b"], points: [[50, 50]], want: ["a"] },
    { name: "a marquee over both selects both", start: [], points: [[-10, -10], [400, 200]], want: ["a", "b"] },
    { name: "a shift-marquee adds to the selection", start: ["b"], points: [[-10, -10], [120, 120]], shift: true, want: ["b", "a"] },
  ])("select tool: $name", ({ start, points, shift, want }) => {
    const b = new Board([rect("a", 0, 0), rect("b", 200, 0)]);
    b.selection = start;
    b.gesture(points, { shift });
    expect(b.selection).toEqual(want);
    expect(b.mutations).toHaveLength(0);
  });

  it("a press moves nothing until the pointer travels past the drag threshold", () => {
    const b = new Board([rect("a", 0, 0)]);
    b.gesture([[50, 50], [50 + DRAG_THRESHOLD_PX - 1, 50]], { release: false });
    expect(b.input.mode.kind).toBe("press");
    b.input.move({ sx: 80, sy: 60, wx: 80, wy: 60, button: 0, shiftKey: false, pointerType: "mouse", pressure: 0.5 });
    expect(b.input.mode.kind).toBe("move");
    b.input.up();
    expect(b.records.get("a")).toMatchObject({ x: 30, y: 10 });
  });

  it("dragging a selected shape's corner handle resizes it about the opposite corner", () => {
    const b = new Board([rect("a", 0, 0)]);
    b.selection = ["a"];
    b.gesture([[100, 100], [150, 130]]);
    expect(b.records.get("a")).toMatchObject({ x: 0, y: 0, w: 150, h: 130 });
  });

  it("dragging a corner of a multi-selection scales every shape about the opposite corner, as one undo step", () => {
    const text: Shape = { id: "t", type: "text", x: 100, y: 0, z: 1, color: "#1e1e1e", stroke: 2, text: "Hi", size: 20 };
    const b = new Board([rect("a", 0, 0, 100, 100), rect("b", 200, 100, 100, 100)]);
    b.selection = ["a", "b"];
    // The group's box is (0, 0)-(300, 200); pull its bottom-right corner to (600, 400).
    b.gesture([[300, 200], [450, 300], [600, 400]]);
    expect(b.records.get("a")).toMatchObject({ x: 0, y: 0, w: 200, h: 200 });
    expect(b.records.get("b")).toMatchObject({ x: 400, y: 200, w: 200, h: 200 });
    b.editor.undo();
    expect(b.records.get("b")).toMatchObject({ x: 200, y: 100, w: 100, h: 100 });
    // With a text in it, the group keeps its proportions (a font cannot stretch one way).
    const c = new Board([rect("a", 0, 0, 100, 100), text]);
    c.selection = ["a", "t"];
    const box = selectionBox([c.records.get("a")!, text])!;
    c.gesture([[box.maxX, box.maxY], [150, 300], [200, 400]]);
    const a = c.records.get("a") as Extract<Shape, { type: "rect" }>;
    expect(a.w).toBeCloseTo(a.h, 5);
    expect((c.records.get("t") as Extract<Shape, { type: "text" }>).size).toBeGreaterThan(20);
  });

  it("cancelling a drag puts the shape back where it was", () => {
    const b = new Board([rect("a", 0, 0)]);
    b.gesture([[50, 50], [150, 50]], { release: false });
    b.clock.advance(200); // the drag was committed meanwhile
    expect(b.records.get("a")?.x).toBe(100);
    b.input.cancel();
    expect(b.records.get("a")?.x).toBe(0);
    expect(b.input.mode.kind).toBe("idle");
  });

  it("the text tool opens a text box where the click was, and makes no record by itself", () => {
    const b = new Board();
    b.tool = "text";
    b.gesture([[40, 60]]);
    expect(b.texts).toEqual([[40, 60]]);
    expect(b.records.size).toBe(0);
  });

  it.each<{ name: string; setup: (b: Board) => void; button: number }>([
    { name: "the hand tool", setup: (b) => (b.tool = "hand"), button: 0 },
    { name: "space held with any tool", setup: (b) => ((b.tool = "rect"), (b.space = true)), button: 0 },
    { name: "the middle button", setup: () => {}, button: 1 },
  ])("$name pans the board and draws nothing", ({ setup, button }) => {
    const b = new Board([rect("a", 0, 0)]);
    setup(b);
    b.gesture([[100, 100], [130, 80]], { button });
    expect(b.camera).toMatchObject({ x: -30, y: 20, zoom: 1 });
    expect(b.mutations).toHaveLength(0);
  });

  it("every move reports the cursor to the room (two decimals)", () => {
    const b = new Board();
    b.input.move({ sx: 1.234, sy: 5.678, wx: 1.234, wy: 5.678, button: 0, shiftKey: false, pointerType: "mouse", pressure: 0 });
    expect(b.cursor).toEqual([1.23, 5.68]);
  });
});

describe("wheel", () => {
  const wheel = (over: Partial<Parameters<typeof wheelCamera>[1]>) => ({ sx: 100, sy: 100, deltaX: 0, deltaY: 0, deltaMode: 0, ctrlKey: false, metaKey: false, shiftKey: false, ...over });
  it.each([
    { name: "scrolls the board", e: wheel({ deltaY: 30 }), want: { x: 0, y: 30, zoom: 1 } },
    { name: "line deltas are 16 px a line", e: wheel({ deltaY: 2, deltaMode: 1 }), want: { x: 0, y: 32, zoom: 1 } },
    { name: "shift scrolls sideways", e: wheel({ deltaY: 30, shiftKey: true }), want: { x: 30, y: 0, zoom: 1 } },
  ])("$name", ({ e, want }) => {
    expect(wheelCamera(HOME_CAMERA, e, 800)).toMatchObject(want);
  });
  it("ctrl+wheel zooms about the pointer; one big notch is clamped to a small step (about 10%)", () => {
    const zoomed = wheelCamera(HOME_CAMERA, wheel({ deltaY: -500, ctrlKey: true }), 800);
    expect(zoomed.zoom).toBeCloseTo(Math.exp(0.1));
    expect(zoomed.zoom).toBeLessThan(1.12);
    // The world point under the pointer stays under it.
    expect(100 / zoomed.zoom + zoomed.x).toBeCloseTo(100);
  });
});

describe("eraser", () => {
  it.each<{ name: string; path: [number, number][]; gone: string[] }>([
    { name: "a swipe across two shapes deletes both", path: [[50, 0], [50, 40], [350, 40]], gone: ["a", "b"] },
    { name: "a fast swipe (two samples far apart) still catches what lies between", path: [[0, 250], [600, 250]], gone: ["a", "b", "c"] },
    { name: "a swipe over empty board deletes nothing", path: [[0, 900], [600, 900]], gone: [] },
    { name: "a tap on a shape deletes it", path: [[250, 1]], gone: ["b"] },
  ])("$name", ({ path, gone }) => {
    // Unfilled rectangles: the outline is what the eraser touches.
    const board = new Board([rect("a", 0, 0, 100, 300), rect("b", 200, 0, 100, 300), rect("c", 400, 0, 100, 300)]);
    board.tool = "eraser";
    board.gesture(path);
    expect(["a", "b", "c"].filter((id) => !board.records.has(id))).toEqual(gone);
    expect(board.mutations.length).toBe(gone.length ? 1 : 0); // all in one mutation
  });

  it("one undo step brings back everything one stroke erased; the eraser shows what it will take", () => {
    const board = new Board([rect("a", 0, 0), rect("b", 200, 0)]);
    board.tool = "eraser";
    board.gesture([[0, 50], [250, 0]], { release: false });
    expect([...(board.input.erasing() ?? [])].sort()).toEqual(["a", "b"]);
    expect(board.records.size).toBe(2); // nothing deleted before the release
    board.input.up();
    expect(board.records.size).toBe(0);
    board.editor.undo();
    expect([...board.records.keys()].sort()).toEqual(["a", "b"]);
  });
});
