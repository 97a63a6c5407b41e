/**
 * Copy, paste, duplicate and z-order, without a browser: the clipboard JSON
 * format (docs/CLIPBOARD.md), where pasted shapes land, the copies' new ids and
 * stacking, the key presses, and that a paste larger than one mutation is
 * split but undone in one step.
 */
import { describe, expect, it } from "vitest";
import { whiteboard } from "../../party/whiteboard/schema.ts";
import { applyAccepted, planOps } from "../../party/shared/apply.ts";
import { MAX_OPS_PER_MUTATION } from "../../party/shared/limits.ts";
import type { Op } from "../../party/whiteboard/schema.ts";
import type { Shape } from "../../party/whiteboard/records.ts";
import { Editor, type EditTarget, MAX_MUTATION_OPS_BYTES } from "../../client/whiteboard/editor.ts";
import { BoardClipboard, type ClipboardHost } from "../../client/whiteboard/canvas/board-clipboard.ts";
import { CLIPBOARD_KIND, CLIPBOARD_MIME, CLIPBOARD_VERSION, decodeClipboard, encodeClipboard, plainTextOf } from "../../client/whiteboard/canvas/clipboard.ts";
import { keyCommand, type KeyPress } from "../../client/whiteboard/canvas/keyboard.ts";
import { PASTE_OFFSET, pastedRecords, pasteShift } from "../../client/whiteboard/canvas/paste.ts";
import { paintOrder } from "../../client/whiteboard/canvas/scene.ts";
import { toBackOps, toFrontOps } from "../../client/whiteboard/canvas/z-order.ts";
import { FakeClock } from "../support/fake-clock.ts";

const rect = (id: string, x = 0, y = 0, z = 1): Shape => ({ id, type: "rect", x, y, z, color: "#1e1e1e", stroke: 2, w: 10, h: 10, fill: null });
const note = (id: string, text: string): Shape => ({ id, type: "sticky", x: 0, y: 0, z: 2, color: "#1e1e1e", stroke: 2, w: 200, h: 200, text, fill: "#ffec99" });
const view = { minX: 0, minY: 0, maxX: 1000, maxY: 800 };

describe("clipboard format", () => {
  it("round-trips the records under its marker and version", () => {
    const shapes = [rect("a", 5, 5), note("b", "hello")];
    const json = encodeClipboard(shapes);
    expect(JSON.parse(json)).toMatchObject({ kind: CLIPBOARD_KIND, version: CLIPBOARD_VERSION, party: "whiteboard" });
    expect(decodeClipboard(json, "")).toEqual({ kind: "shapes", records: shapes });
  });

  it.each<{ name: string; json: string; text: string; want: unknown }>([
    { name: "our JSON pasted as plain text (from an editor)", json: "", text: encodeClipboard([rect("a")]), want: { kind: "shapes", records: [rect("a")] } },
    { name: "someone else's text becomes a text", json: "", text: "  buy milk \n", want: { kind: "text", text: "buy milk" } },
    { name: "JSON that is not ours is text", json: "", text: '{"kind":"other","records":[]}', want: { kind: "text", text: '{"kind":"other","records":[]}' } },
    { name: "a newer version is not guessed at", json: JSON.stringify({ kind: CLIPBOARD_KIND, version: CLIPBOARD_VERSION + 1, records: [rect("a")] }), text: "", want: { kind: "nothing" } },
    { name: "an empty clipboard", json: "", text: "   ", want: { kind: "nothing" } },
    {
      name: "invalid records are dropped one by one",
      json: JSON.stringify({ kind: CLIPBOARD_KIND, version: 1, records: [rect("a"), { ...rect("b"), type: "star" }, { ...rect("c"), x: "far" }] }),
      text: "",
      want: { kind: "shapes", records: [rect("a")] },
    },
    { name: "only invalid records: nothing", json: JSON.stringify({ kind: CLIPBOARD_KIND, version: 1, records: [{ id: "x" }] }), text: "", want: { kind: "nothing" } },
  ])("$name", ({ json, text, want }) => {
    expect(decodeClipboard(json, text)).toEqual(want);
  });

  it("plain text for other apps is the words on texts and notes", () => {
    expect(plainTextOf([rect("a"), note("b", "first"), note("c", "  "), note("d", "second")])).toBe("first\n\nsecond");
    expect(plainTextOf([rect("a")])).toBe("");
  });
});

describe("where a paste lands", () => {
  it.each<{ name: string; records: Shape[]; repeat: number; originalsHere: boolean; want: { dx: number; dy: number } }>([
    { name: "first paste beside the originals", records: [rect("a", 100, 100)], repeat: 0, originalsHere: true, want: { dx: PASTE_OFFSET, dy: PASTE_OFFSET } },
    { name: "third paste two steps further", records: [rect("a", 100, 100)], repeat: 2, originalsHere: true, want: { dx: 3 * PASTE_OFFSET, dy: 3 * PASTE_OFFSET } },
    { name: "from another board, on screen: same place", records: [rect("a", 100, 100)], repeat: 0, originalsHere: false, want: { dx: 0, dy: 0 } },
    // Bounds pad by stroke/2 + 1 = 2: the box 5000..5010 paints 4998..5012, centre 5005.
    { name: "off screen: to the middle of the view", records: [rect("a", 5000, 5000)], repeat: 0, originalsHere: true, want: { dx: 500 - 5005, dy: 400 - 5005 } },
  ])("$name", ({ records, repeat, originalsHere, want }) => {
    expect(pasteShift(records, { repeat, originalsHere, view })).toEqual(want);
  });

  it("copies get new ids, the shift, and stack above in their old order", () => {
    let n = 0;
    const copies = pastedRecords([rect("top", 0, 0, 9), rect("low", 10, 0, 3)], { dx: 5, dy: 7 }, 50, () => `new${n++}`);
    expect(copies).toEqual([
      { ...rect("low", 15, 7, 50), id: "new0" },
      { ...rect("top", 5, 7, 51), id: "new1" },
    ]);
  });
});

describe("z-order", () => {
  const board = [rect("a", 0, 0, 1), rect("b", 0, 0, 2), rect("c", 0, 0, 3), rect("d", 0, 0, 4)].sort(paintOrder);
  it.each<{ name: string; fn: typeof toFrontOps; ids: string[]; want: Op[] }>([
    { name: "to front keeps the picked order", fn: toFrontOps, ids: ["b", "a"], want: [{ op: "patch", id: "a", set: { z: 5 } }, { op: "patch", id: "b", set: { z: 6 } }] },
    { name: "already in front: nothing", fn: toFrontOps, ids: ["d", "c"], want: [] },
    { name: "to back", fn: toBackOps, ids: ["c"], want: [{ op: "patch", id: "c", set: { z: 0 } }] },
    { name: "to back, two", fn: toBackOps, ids: ["d", "b"], want: [{ op: "patch", id: "b", set: { z: -1 } }, { op: "patch", id: "d", set: { z: 0 } }] },
    { name: "already at the back: nothing", fn: toBackOps, ids: ["a"], want: [] },
    { name: "nothing selected", fn: toBackOps, ids: [], want: [] },
  ])("$name", ({ fn, ids, want }) => {
    expect(fn(board, new Set(ids))).toEqual(want);
  });
});

describe("keys", () => {
  const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it.each<{ e: KeyPress; want: unknown }>([
    { e: press("d", { ctrlKey: true }), want: { command: { kind: "duplicate" }, preventDefault: true } }, // never the bookmark dialog
    { e: press("D", { metaKey: true, shiftKey: true }), want: { command: { kind: "duplicate" }, preventDefault: true } },
    { e: press("}", { ctrlKey: true, shiftKey: true }), want: { command: { kind: "to-front" }, preventDefault: true } },
    { e: press("]", { ctrlKey: true, shiftKey: true }), want: { command: { kind: "to-front" }, preventDefault: true } },
    { e: press("{", { ctrlKey: true, shiftKey: true }), want: { command: { kind: "to-back" }, preventDefault: true } },
    { e: press("F10", { shiftKey: true }), want: { command: { kind: "menu" }, preventDefault: true } },
    { e: press("ContextMenu"), want: { command: { kind: "menu" }, preventDefault: true } },
    // Copy, cut and paste are the browser's clipboard events, not key commands.
    { e: press("c", { ctrlKey: true }), want: null },
    { e: press("x", { ctrlKey: true }), want: null },
    { e: press("v", { ctrlKey: true }), want: null },
  ])("$e.key ctrl=$e.ctrlKey shift=$e.shiftKey", ({ e, want }) => {
    expect(keyCommand(e, { selectionSize: 1 })).toEqual(want);
  });
});

/** A room stand-in: applies mutations optimistically like RoomClient does. */
class FakeRoom implements EditTarget {
  state = new Map<string, Shape>();
  mutations: Op[][] = [];
  edits: string[] = [];
  records() {
    return this.state;
  }
  mutate(ops: Op[], edit: string): string {
    const plan = planOps(whiteboard, this.state, ops);
    if (!plan.ok) throw new Error(`${plan.code}: ${plan.message}`);
    applyAccepted(this.state, plan.ops);
    this.mutations.push(ops);
    this.edits.push(edit);
    return `m${this.mutations.length}`;
  }
}

/** A DataTransfer stand-in for the copy and paste events. */
class FakeData {
  readonly items = new Map<string, string>();
  setData(type: string, value: string) {
    this.items.set(type, value);
  }
  getData(type: string) {
    return this.items.get(type) ?? "";
  }
}

function board(initial: Shape[]) {
  const room = new FakeRoom();
  for (const s of initial) room.state.set(s.id, s);
  const editor = new Editor(room, () => {}, new FakeClock());
  let selection: string[] = initial.map((s) => s.id);
  const host: ClipboardHost = {
    records: () => room.state,
    selected: () => selection.map((id) => room.state.get(id)!).filter(Boolean),
    editor,
    nextZ: () => Math.max(0, ...[...room.state.values()].map((s) => s.z)) + 1,
    view: () => view,
    select: (ids) => (selection = ids),
    recordBase: (id) => ({ id, z: 99, color: "#1e1e1e", stroke: 4 }),
    textSize: () => 28,
  };
  return { room, editor, clip: new BoardClipboard(host), selection: () => selection, select: (ids: string[]) => (selection = ids) };
}

describe("BoardClipboard", () => {
  it("copy writes JSON and plain text; paste makes offset copies with new ids, selected", () => {
    const { room, clip, selection } = board([rect("a", 10, 10), note("b", "hi")]);
    const data = new FakeData();
    expect(clip.copy(data as unknown as DataTransfer)).toBe(true);
    expect(data.getData("text/plain")).toBe("hi");
    clip.pasteData(data.getData(CLIPBOARD_MIME), data.getData("text/plain"));
    clip.pasteData(data.getData(CLIPBOARD_MIME), data.getData("text/plain"));
    expect(room.state.size).toBe(6);
    const copies = selection().map((id) => room.state.get(id)!);
    expect(copies.map((s) => s.id)).not.toContain("a");
    expect(copies.find((s) => s.type === "rect")).toMatchObject({ x: 10 + 2 * PASTE_OFFSET, y: 10 + 2 * PASTE_OFFSET });
  });

  it("a paste into another board keeps the layout in place", () => {
    const source = board([rect("a", 10, 10)]);
    const data = new FakeData();
    source.clip.copy(data as unknown as DataTransfer);
    const other = board([]);
    other.clip.pasteData(data.getData(CLIPBOARD_MIME), data.getData("text/plain"));
    expect([...other.room.state.values()]).toEqual([expect.objectContaining({ type: "rect", x: 10, y: 10 })]);
    expect(other.room.state.has("a")).toBe(false);
  });

  it("a paste larger than one mutation is split, one edit and one undo step", () => {
    const count = 2 * MAX_OPS_PER_MUTATION + 50;
    const many = Array.from({ length: count }, (_, i) => rect(`r${i}`, i, i));
    const source = board(many);
    const data = new FakeData();
    source.clip.copy(data as unknown as DataTransfer);
    const other = board([]);
    other.clip.pasteData(data.getData(CLIPBOARD_MIME), "");
    expect(other.room.mutations.map((m) => m.length)).toEqual([MAX_OPS_PER_MUTATION, MAX_OPS_PER_MUTATION, 50]);
    expect(new Set(other.room.edits).size).toBe(1); // the person made one edit
    expect(other.room.state.size).toBe(count);
    expect(other.editor.undo()).toBe(true);
    expect(other.room.state.size).toBe(0);
    expect(other.editor.history.canUndo).toBe(false);
  });

  it("a paste of long strokes is split by size too, so no mutation outgrows a message", () => {
    const pts = Array.from({ length: 1_000 }, (_, i) => [i * 1.37, i * 2.11] as [number, number]);
    const strokes: Shape[] = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, type: "pen", x: i, y: i, z: i, color: "#1e1e1e", stroke: 4, pts }));
    const source = board(strokes);
    const data = new FakeData();
    source.clip.copy(data as unknown as DataTransfer);
    const other = board([]);
    other.clip.pasteData(data.getData(CLIPBOARD_MIME), "");
    expect(other.room.mutations.length).toBeGreaterThan(1);
    for (const m of other.room.mutations) expect(JSON.stringify(m).length).toBeLessThan(MAX_MUTATION_OPS_BYTES);
    expect(other.room.state.size).toBe(60);
    expect(new Set(other.room.edits).size).toBe(1);
  });

  it("cut removes the selection in one undo step; duplicate leaves the clipboard alone", () => {
    const { room, editor, clip, select } = board([rect("a"), rect("b", 50)]);
    const data = new FakeData();
    clip.cut(data as unknown as DataTransfer);
    expect(room.state.size).toBe(0);
    editor.undo();
    expect(room.state.size).toBe(2);
    select(["b"]);
    clip.duplicate();
    expect(room.state.size).toBe(3);
    clip.pasteData(data.getData(CLIPBOARD_MIME), ""); // still the cut pair
    expect(room.state.size).toBe(5);
  });

  it("pasting someone else's text makes a text shape; an empty clipboard falls back to the last copy", () => {
    const { room, clip } = board([rect("a")]);
    clip.pasteData("", "from another app");
    expect([...room.state.values()].find((s) => s.type === "text")).toMatchObject({ text: "from another app" });
    clip.copy(null);
    const before = room.state.size;
    clip.pasteData("", "");
    expect(room.state.size).toBe(before + 1);
  });
});

describe("a frame on the clipboard", () => {
  const frame: Shape = { id: "f", type: "frame", x: 0, y: 0, z: 0, color: "#1e1e1e", stroke: 2, w: 300, h: 200, name: "Plan" };
  const shapes = () => [frame, rect("in", 50, 50), rect("in2", 100, 120), rect("out", 400, 50)];
  const only = (b: ReturnType<typeof board>, ids: string[]) => {
    b.select(ids);
    return b;
  };

  it("copy and paste carry what the frame holds: fresh ids, still inside the frame's copy", () => {
    const b = only(board(shapes()), ["f"]);
    const data = new FakeData();
    b.clip.copy(data as unknown as DataTransfer);
    b.clip.pasteData(data.getData(CLIPBOARD_MIME), "");
    const copies = b.selection().map((id) => b.room.state.get(id)!);
    expect(copies.map((s) => s.type).sort()).toEqual(["frame", "rect", "rect"]);
    expect(copies.some((s) => ["f", "in", "in2", "out"].includes(s.id))).toBe(false);
    const f = copies.find((s) => s.type === "frame")!;
    expect(f).toMatchObject({ x: PASTE_OFFSET, y: PASTE_OFFSET, name: "Plan" });
    expect(copies.filter((s) => s.type === "rect").map((s) => [s.x - f.x, s.y - f.y]).sort()).toEqual([[100, 120], [50, 50]]);
    expect(b.room.state.size).toBe(7);
  });

  it("duplicate does the same; cut takes the frame and its contents away, one undo step brings all back", () => {
    const d = only(board(shapes()), ["f"]);
    d.clip.duplicate();
    expect(d.selection()).toHaveLength(3);
    expect(d.room.state.size).toBe(7);

    const c = only(board(shapes()), ["f"]);
    c.clip.cut(new FakeData() as unknown as DataTransfer);
    expect([...c.room.state.keys()]).toEqual(["out"]);
    expect(c.editor.undo()).toBe(true);
    expect(c.room.state.size).toBe(4);
  });
});
