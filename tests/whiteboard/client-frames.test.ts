/**
 * Frames (records.ts `frame`, canvas/frames.ts): drawn beneath every shape,
 * picked by their border or name (a press inside selects what is there),
 * dragged with what they hold, renamed in the text box, exported with their
 * contents.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { MAX_FRAME_NAME_CHARS } from "../../party/whiteboard/limits.ts";
import { shapeSvg } from "../../client/whiteboard/canvas/export-svg.ts";
import { frameContents, withFrameContents } from "../../client/whiteboard/canvas/frames.ts";
import { alignOps } from "../../client/whiteboard/canvas/align.ts";
import { draggedRecord } from "../../client/whiteboard/canvas/record-factory.ts";
import { paintOrder } from "../../client/whiteboard/canvas/scene.ts";
import { commitTextOps, editingFor } from "../../client/whiteboard/canvas/text-editing.ts";
import { Board, rect } from "./input-board.ts";

type Frame = Extract<Shape, { type: "frame" }>;
const frame = (id: string, x: number, y: number, w: number, h: number, name = "Plan"): Frame => ({ id, type: "frame", x, y, z: 9, color: "#1e1e1e", stroke: 2, w, h, name });

describe("frames", () => {
  it("the frame tool drags one out (a click places a default one), named Frame", () => {
    const base = { id: "f", z: 3, color: "#1e1e1e", stroke: 2, dash: "dashed" as const, fill: null };
    const drag = { tool: "frame" as const, x0: 10, y0: 20, x1: 310, y1: 220, sx0: 10, sy0: 20, sx1: 310, sy1: 220 };
    expect(draggedRecord(drag, base)).toEqual({ id: "f", z: 3, color: "#1e1e1e", stroke: 2, type: "frame", x: 10, y: 20, w: 300, h: 200, name: "Frame" });
    expect(draggedRecord({ ...drag, x1: 10, y1: 20, sx1: 11, sy1: 20 }, base)).toMatchObject({ w: 480, h: 320 });
  });

  it("holds the shapes whose boxes lie inside it; is painted beneath them whatever its z", () => {
    const f = frame("f", 0, 0, 500, 300);
    const inside = rect("in", 100, 100);
    const across = rect("across", 450, 100);
    expect(frameContents(f, [f, inside, across]).map((s) => s.id)).toEqual(["in"]);
    expect(withFrameContents([f], [f, inside, across, { ...rect("locked", 10, 10), locked: true }]).map((s) => s.id)).toEqual(["f", "in"]);
    expect([inside, f].sort(paintOrder)[0]).toBe(f);
  });

  it("a drag on its border moves it with what it holds (one undo step); a press inside starts a marquee that selects the shapes, not the frame", () => {
    const b = new Board([frame("f", 0, 0, 500, 300), rect("in", 100, 100), rect("out", 600, 100)]);
    b.gesture([[250, 150], [260, 160], [280, 170]]); // inside, away from its border: a marquee
    expect(b.selection).toEqual([]);
    b.gesture([[90, 90], [400, 250]]);
    expect(b.selection).toEqual(["in"]);
    b.gesture([[0, 150], [20, 150], [50, 160]]); // its left border
    expect([b.records.get("f")!.x, b.records.get("f")!.y]).toEqual([50, 10]);
    expect([b.records.get("in")!.x, b.records.get("in")!.y]).toEqual([150, 110]);
    expect(b.records.get("out")!.x).toBe(600);
    b.editor.undo();
    expect([b.records.get("f")!.x, b.records.get("in")!.x]).toEqual([0, 100]);
  });

  it("the eraser takes a frame with what it holds (not its locked shapes, nothing outside), shown while erasing; one undo brings all back", () => {
    const locked = { ...rect("pinned", 300, 100), locked: true } as Shape;
    const b = new Board([frame("f", 0, 0, 500, 300), frame("inner", 20, 20, 200, 200, "Inner"), rect("in", 100, 100), locked, rect("out", 600, 100)]);
    b.tool = "eraser";
    b.gesture([[-30, 280], [10, 280]], { release: false }); // across the outer frame's left border only
    expect([...(b.input.erasing() ?? [])].sort()).toEqual(["f", "in", "inner"]);
    b.input.up();
    expect([...b.records.keys()].sort()).toEqual(["out", "pinned"]);
    expect(b.mutations).toHaveLength(1);
    b.editor.undo();
    expect([...b.records.keys()].sort()).toEqual(["f", "in", "inner", "out", "pinned"]);
  });

  it("its name is picked and renamed through the text box, one line, bounded", () => {
    const f = frame("f", 0, 0, 500, 300);
    const b = new Board([f]);
    b.gesture([[10, -10]]); // on the name above its corner
    expect(b.selection).toEqual(["f"]);
    const editing = editingFor(f)!;
    expect(editing).toMatchObject({ kind: "frame", text: "Plan", x: 0 });
    expect(editing.y).toBeLessThan(0);
    const base = () => ({ id: "n", z: 1, color: "#000000", stroke: 2 });
    expect(commitTextOps(editing, f, "Sprint\n 12", base).ops).toEqual([{ op: "patch", id: "f", set: { name: "Sprint 12" } }]);
    expect(commitTextOps(editing, f, "Plan", base).ops).toEqual([]);
    expect(commitTextOps(editing, f, "x".repeat(MAX_FRAME_NAME_CHARS + 9), base).ops[0]).toMatchObject({ set: { name: "x".repeat(MAX_FRAME_NAME_CHARS) } });
  });

  it("aligned, it takes what it holds along", () => {
    const f = frame("f", 0, 100, 300, 200);
    const ops = alignOps([f, rect("r", 400, 0)], "top", null, [f, rect("in", 50, 150), rect("r", 400, 0)]);
    expect(ops).toEqual([
      { op: "patch", id: "f", set: { x: 0, y: 0 } },
      { op: "patch", id: "in", set: { x: 50, y: 50 } },
    ]);
  });

  it("exports as SVG with its name", () => {
    const svg = shapeSvg(frame("f", 0, 0, 100, 80, "Q3 <plan>"));
    expect(svg).toContain('width="100" height="80"');
    expect(svg).toContain("Q3 &lt;plan&gt;");
  });
});
