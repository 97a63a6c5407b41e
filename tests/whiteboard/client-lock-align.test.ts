/**
 * Locks and align/distribute on the board (board-structure.ts, align.ts): a
 * locked shape cannot be clicked, marqueed, dragged or erased until it is
 * unlocked; align and distribute move whole units (groups as one), each one
 * edit and one undo step.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { alignOps, distributeOps } from "../../client/whiteboard/canvas/align.ts";
import { Board, rect } from "./input-board.ts";

const at = (b: Board, id: string) => [b.records.get(id)!.x, b.records.get(id)!.y];

describe("lock and unlock", () => {
  const board = () => new Board([rect("a", 0, 0), rect("b", 200, 0)]);

  it("a locked shape is deselected, and a click, a drag, a marquee and the eraser pass it by", () => {
    const b = board();
    b.selection = ["a"];
    b.structure.lock();
    expect(b.records.get("a")!.locked).toBe(true);
    expect(b.selection).toEqual([]);
    expect(b.mutations).toHaveLength(1);

    b.gesture([[50, 50]]);
    expect(b.selection).toEqual([]);
    b.gesture([[50, 50], [80, 80], [120, 140]]); // a drag from inside it draws a marquee
    expect(at(b, "a")).toEqual([0, 0]);
    b.gesture([[-10, -10], [400, 200]]); // a marquee over both
    expect(b.selection).toEqual(["b"]);
    b.structure.select(["a", "b"]); // select-all's ids, as the board filters them
    expect(b.selection).toEqual(["b"]);
    b.tool = "eraser";
    b.gesture([[50, 50], [250, 50]]);
    expect(b.records.has("a")).toBe(true);
    expect(b.records.has("b")).toBe(false);
  });

  it("unlock (its context menu) frees it and selects it; undoing the lock frees it too", () => {
    const b = board();
    b.selection = ["a"];
    b.structure.lock();
    b.structure.unlock(["a"]);
    expect(b.records.get("a")!.locked).toBe(false);
    expect(b.selection).toEqual(["a"]);
    b.editor.undo(); // the unlock
    expect(b.records.get("a")!.locked).toBe(true);
    b.editor.undo(); // the lock
    expect(b.records.get("a")!.locked).toBe(false);
    b.gesture([[50, 50]]);
    expect(b.selection).toEqual(["a"]);
  });

  it("locking a group locks every member; unlocking one unlocks its group", () => {
    const b = new Board([rect("a", 0, 0), rect("b", 200, 0), rect("c", 400, 0)]);
    b.selection = ["a", "b"];
    b.structure.group();
    b.gesture([[50, 50]]);
    b.structure.lock();
    expect([b.records.get("a")!.locked, b.records.get("b")!.locked, b.records.get("c")!.locked]).toEqual([true, true, undefined]);
    b.structure.unlock(["b"]);
    expect([b.records.get("a")!.locked, b.records.get("b")!.locked]).toEqual([false, false]);
    expect([...b.selection].sort()).toEqual(["a", "b"]);
    b.selection = ["c"];
    b.structure.lock();
    b.structure.unlockAll();
    expect(b.records.get("c")!.locked).toBe(false);
  });
});

describe("align and distribute", () => {
  const three = (): Shape[] => [rect("a", 0, 0, 100, 50), rect("b", 300, 40, 50, 100), rect("c", 120, 200, 80, 80)];

  it.each([
    ["left", { a: [0, 0], b: [0, 40], c: [0, 200] }],
    ["right", { a: [250, 0], b: [300, 40], c: [270, 200] }],
    ["centre", { a: [125, 0], b: [150, 40], c: [135, 200] }],
    ["top", { a: [0, 0], b: [300, 0], c: [120, 0] }],
    ["bottom", { a: [0, 230], b: [300, 180], c: [120, 200] }],
    ["middle", { a: [0, 115], b: [300, 90], c: [120, 100] }],
  ] as const)("align %s lines the boxes up on the selection's box", (how, want) => {
    const b = new Board(three());
    b.selection = ["a", "b", "c"];
    b.structure.align(how);
    expect({ a: at(b, "a"), b: at(b, "b"), c: at(b, "c") }).toEqual(want);
    expect(b.mutations).toHaveLength(1);
    b.editor.undo();
    expect({ a: at(b, "a"), b: at(b, "b"), c: at(b, "c") }).toEqual({ a: [0, 0], b: [300, 40], c: [120, 200] });
  });

  it("a group aligns as one unit, keeping its own layout", () => {
    const b = new Board(three());
    b.selection = ["a", "b"];
    b.structure.group(); // box (0,0)–(350,140)
    b.selection = [];
    b.gesture([[50, 25]]);
    b.structure.select(["a", "c"]);
    b.structure.align("bottom"); // the group's bottom (140) and c's (280): all to 280
    expect(at(b, "a")).toEqual([0, 140]);
    expect(at(b, "b")).toEqual([300, 180]);
    expect(at(b, "c")).toEqual([120, 200]);
  });

  it("distribute spaces the boxes evenly between the outer two, in the order of their centres", () => {
    const shapes = [rect("a", 0, 0, 100, 10), rect("m", 130, 0, 40, 10), rect("z", 400, 0, 100, 10)];
    // Gaps: (500 − 0 − 240) / 2 = 130 → m from 230 to 270.
    const ops = distributeOps(shapes, "horizontal");
    expect(ops).toEqual([{ op: "patch", id: "m", set: { x: 230, y: 0 } }]);
    expect(distributeOps(shapes.slice(0, 2), "horizontal")).toEqual([]);
    const column = [rect("a", 0, 0, 10, 100), rect("m", 0, 300, 10, 20), rect("z", 0, 120, 10, 30)];
    // Order by centre: a (50), z (135), m (310); gaps (320 − 150) / 2 = 85 → z at 185.
    expect(distributeOps(column, "vertical")).toEqual([{ op: "patch", id: "z", set: { x: 0, y: 185 } }]);
  });

  it("one unit: nothing to align", () => {
    expect(alignOps([rect("a", 0, 0)], "left")).toEqual([]);
    expect(alignOps([{ ...rect("a", 0, 0), groups: ["g"] }, { ...rect("b", 50, 50), groups: ["g"] }], "left")).toEqual([]);
  });
});
