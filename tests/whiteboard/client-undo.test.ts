/**
 * Undo/redo of one's own changes (inverse ops computed locally) and the editor's
 * bounded drag commits, against a fake room target and a fake clock.
 */
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { describe, expect, it } from "vitest";
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import type { Op } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { DRAG_COMMIT_MS, Editor, type EditTarget } from "../../client/whiteboard/editor.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { applicableOps, chunkOps, inverseOps } from "../../client/whiteboard/undo.ts";

const rect = (id: string, x = 0, y = 0, color = "#000000"): Shape => ({ id, type: "rect", x, y, z: 1, color, stroke: 2, w: 10, h: 10, fill: null });

function applied(records: Map<string, Shape>, ops: Op[]): Map<string, Shape> {
  const next = new Map(records);
  applyAccepted(next, ops);
  return next;
}

describe("inverseOps", () => {
  const base = new Map([
    ["a", rect("a", 1, 1)],
    ["b", rect("b", 2, 2)],
  ]);
  it.each<{ name: string; ops: Op[] }>([
    { name: "create", ops: [{ op: "put", rec: rect("n", 5, 5) }] },
    { name: "replace", ops: [{ op: "put", rec: rect("a", 9, 9, "#ff0000") }] },
    { name: "patch", ops: [{ op: "patch", id: "a", set: { x: 40, color: "#00ff00" } }] },
    { name: "delete", ops: [{ op: "del", id: "b" }] },
    {
      name: "several ops on one record",
      ops: [
        { op: "patch", id: "a", set: { x: 40 } },
        { op: "patch", id: "a", set: { x: 80, y: 3 } },
        { op: "del", id: "a" },
        { op: "put", rec: rect("a", 7, 7) },
      ],
    },
  ])("$name: applying the inverse restores the state before", ({ ops }) => {
    const inverse = inverseOps(base, ops);
    const after = applied(base, ops);
    expect(planOps(whiteboard, after, inverse).ok).toBe(true);
    expect(applied(after, inverse)).toEqual(base);
  });

  it("undoes a patch with the same fields only, keeping someone else's later change", () => {
    const inverse = inverseOps(base, [{ op: "patch", id: "a", set: { x: 40 } }]);
    expect(inverse).toEqual([{ op: "patch", id: "a", set: { x: 1 } }]);
    const theirs = applied(applied(base, [{ op: "patch", id: "a", set: { x: 40 } }]), [{ op: "patch", id: "a", set: { color: "#0000ff" } }]);
    expect(applied(theirs, inverse).get("a")).toMatchObject({ x: 1, color: "#0000ff" });
  });
});

describe("applicableOps", () => {
  it("drops patches and deletes of records that are gone, keeps puts", () => {
    const records = new Map([["a", rect("a")]]);
    const ops: Op[] = [
      { op: "patch", id: "gone", set: { x: 1 } },
      { op: "patch", id: "a", set: { x: 1 } },
      { op: "del", id: "gone" },
      { op: "put", rec: rect("gone") },
      { op: "patch", id: "gone", set: { x: 2 } },
    ];
    expect(applicableOps(records, ops)).toEqual([ops[1], ops[3], ops[4]]);
  });
});

describe("chunkOps", () => {
  it("splits into mutations of at most n ops, in order", () => {
    const ops: Op[] = Array.from({ length: 250 }, (_, i) => ({ op: "del", id: `r${i}` }));
    const chunks = chunkOps(ops, 100);
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat()).toEqual(ops);
  });
});

/** A room stand-in: applies mutations optimistically like RoomClient does. */
class FakeRoom implements EditTarget {
  state = new Map<string, Shape>();
  mutations: Op[][] = [];
  records() {
    return this.state;
  }
  mutate(ops: Op[]): string {
    const plan = planOps(whiteboard, this.state, ops);
    if (!plan.ok) throw new Error(`${plan.code}: ${plan.message}`);
    applyAccepted(this.state, plan.ops);
    this.mutations.push(ops);
    return `m${this.mutations.length}`;
  }
}


function setup() {
  const room = new FakeRoom();
  const clock = new FakeClock();
  const refusals: string[] = [];
  const editor = new Editor(room, (m) => refusals.push(m), clock);
  return { room, clock, editor, refusals };
}

describe("Editor", () => {
  it("undoes and redoes one's own edits as new mutations", () => {
    const { room, editor } = setup();
    editor.apply([{ op: "put", rec: rect("a") }]);
    editor.apply([{ op: "patch", id: "a", set: { x: 30 } }]);
    expect(editor.undo()).toBe(true);
    expect(room.state.get("a")?.x).toBe(0);
    expect(editor.undo()).toBe(true);
    expect(room.state.has("a")).toBe(false);
    expect(editor.undo()).toBe(false);
    expect(editor.redo()).toBe(true);
    expect(editor.redo()).toBe(true);
    expect(room.state.get("a")?.x).toBe(30);
    expect(room.mutations).toHaveLength(6); // 2 edits + 2 undos + 2 redos, all ordinary mutations
  });

  it("a new edit clears the redo stack", () => {
    const { editor } = setup();
    editor.apply([{ op: "put", rec: rect("a") }]);
    editor.undo();
    editor.apply([{ op: "put", rec: rect("b") }]);
    expect(editor.history.canRedo).toBe(false);
  });

  it("tells whoever shows the Undo and Redo buttons after every change of the stacks, a drag's end and a skipped step included", () => {
    const { room, clock, editor } = setup();
    const shown: string[] = [];
    editor.history.onChange(() => shown.push(`${editor.history.canUndo ? "U" : "-"}${editor.history.canRedo ? "R" : "-"}`));
    editor.apply([{ op: "put", rec: rect("a") }]);
    editor.beginGesture(["a"]);
    editor.updateGesture([{ op: "patch", id: "a", set: { x: 5 } }]);
    clock.advance(DRAG_COMMIT_MS);
    editor.endGesture(); // the drag becomes an undo step when it ends, not when it is committed
    expect(shown.at(-1)).toBe("U-");
    editor.undo();
    editor.undo();
    expect(shown.at(-1)).toBe("-R");
    editor.redo();
    expect(shown.at(-1)).toBe("UR");
    room.state.delete("a"); // someone deleted it: the redo step left cannot apply and is dropped
    editor.redo();
    expect(shown.at(-1)).toBe("U-");
    expect(editor.history.canRedo).toBe(false);
  });

  it("undo skips what someone else deleted meanwhile instead of failing", () => {
    const { room, editor } = setup();
    editor.apply([{ op: "put", rec: rect("a") }]);
    editor.apply([{ op: "patch", id: "a", set: { x: 30 } }]);
    room.state.delete("a"); // a remote delete
    expect(editor.undo()).toBe(false); // both steps only touched "a": nothing left to undo
    expect(room.mutations).toHaveLength(2);
  });

  it("splits edits over 100 ops into several mutations", () => {
    const { room, editor } = setup();
    editor.apply(Array.from({ length: 230 }, (_, i) => ({ op: "put" as const, rec: rect(`r${i}`) })));
    expect(room.mutations.map((m) => m.length)).toEqual([100, 100, 30]);
    editor.undo();
    expect(room.state.size).toBe(0);
  });

  it(`commits a drag at most every ${DRAG_COMMIT_MS} ms, draws it at pointer rate, and ends on the final position`, () => {
    const { room, clock, editor } = setup();
    editor.apply([{ op: "put", rec: rect("a") }]);
    room.mutations = [];
    editor.beginGesture(["a"]);
    // 1 second of 120 Hz pointer moves
    for (let i = 1; i <= 120; i++) {
      editor.updateGesture([{ op: "patch", id: "a", set: { x: i, y: 0 } }]);
      expect(editor.preview()?.get("a")?.x).toBe(i);
      clock.advance(1000 / 120);
    }
    editor.endGesture();
    expect(room.mutations.length).toBeLessThanOrEqual(Math.ceil(1000 / DRAG_COMMIT_MS) + 1);
    expect(room.mutations.length).toBeGreaterThan(5); // others see it move, not just jump
    expect(room.state.get("a")?.x).toBe(120);
    expect(editor.preview()).toBeNull();
    // The whole drag is one undo step.
    editor.undo();
    expect(room.state.get("a")?.x).toBe(0);
  });

  it("stops a drag whose shape someone deleted, and says so", () => {
    const { room, clock, editor, refusals } = setup();
    editor.apply([{ op: "put", rec: rect("a") }]);
    editor.beginGesture(["a"]);
    editor.updateGesture([{ op: "patch", id: "a", set: { x: 5 } }]);
    room.state.delete("a");
    clock.advance(DRAG_COMMIT_MS);
    editor.updateGesture([{ op: "patch", id: "a", set: { x: 6 } }]);
    clock.advance(DRAG_COMMIT_MS);
    expect(editor.inGesture).toBe(false);
    expect(refusals).toEqual(["That shape was deleted by someone else."]);
  });

  it("cancel puts a dragged shape back and records nothing", () => {
    const { room, clock, editor } = setup();
    editor.apply([{ op: "put", rec: rect("a") }]);
    editor.beginGesture(["a"]);
    editor.updateGesture([{ op: "patch", id: "a", set: { x: 50 } }]);
    clock.advance(DRAG_COMMIT_MS);
    editor.cancelGesture();
    expect(room.state.get("a")?.x).toBe(0);
    editor.undo(); // undoes the create, not a phantom move
    expect(room.state.has("a")).toBe(false);
  });
});
