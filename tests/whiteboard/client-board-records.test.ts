/**
 * The board's pure parts: the records a gesture makes (record-factory), what
 * closing the text box does (text-editing), the resize handles and hover
 * cursors (hit-test), the style panel's patches (tools) and the shortcuts
 * (keyboard). Table-driven: each row is something a person does.
 */
import { describe, expect, it } from "vitest";
import type { Shape } from "../../party/whiteboard/records.ts";
import { handleAt, hoverCursor, selectionHandles, toolCursor } from "../../client/whiteboard/canvas/hit-test.ts";
import { type KeyPress, keyCommand } from "../../client/whiteboard/canvas/keyboard.ts";
import { DEFAULT_BOX, DEFAULT_LINE, draggedRecord, penRecord, type RecordBase, type ShapeDrag, stickyRecord } from "../../client/whiteboard/canvas/record-factory.ts";
import { commitTextOps, editingFor, newTextEditing } from "../../client/whiteboard/canvas/text-editing.ts";
import { colorOps, STICKY_SIZE, strokeOps } from "../../client/whiteboard/canvas/tools.ts";

const base: RecordBase = { id: "n1", z: 7, color: "#e03131", stroke: 4 };
const rect = (id: string, x = 0, y = 0, w = 100, h = 50): Shape => ({ id, type: "rect", x, y, z: 1, color: "#1e1e1e", stroke: 2, w, h, fill: null });
const line = (id: string): Shape => ({ id, type: "line", x: 10, y: 20, z: 1, color: "#1e1e1e", stroke: 2, pts: [[0, 0], [30, 40]], arrow: false });
const text = (id: string, t: string): Shape => ({ id, type: "text", x: 5, y: 5, z: 1, color: "#1e1e1e", stroke: 2, text: t, size: 28 });
const sticky = (id: string, t: string): Shape => ({ id, type: "sticky", x: 0, y: 0, z: 1, color: "#1e1e1e", stroke: 2, w: 200, h: 200, text: t, fill: "#ffec99" });
const drag = (tool: ShapeDrag["tool"], from: [number, number], to: [number, number], screenTravel: number): ShapeDrag => ({
  tool, x0: from[0], y0: from[1], x1: to[0], y1: to[1], sx0: 0, sy0: 0, sx1: screenTravel, sy1: 0,
});

describe("records made by gestures", () => {
  it.each<{ name: string; d: ShapeDrag; want: Record<string, unknown> }>([
    { name: "a rectangle dragged down-right", d: drag("rect", [10, 20], [110, 70], 100), want: { type: "rect", x: 10, y: 20, w: 100, h: 50, fill: null } },
    { name: "a rectangle dragged up-left is normalised", d: drag("rect", [110, 70], [10, 20], 100), want: { type: "rect", x: 10, y: 20, w: 100, h: 50 } },
    { name: "a click makes a default-sized rectangle", d: drag("ellipse", [5, 5], [6, 6], 1), want: { type: "ellipse", x: 5, y: 5, w: DEFAULT_BOX.w, h: DEFAULT_BOX.h } },
    { name: "coordinates keep two decimals", d: drag("rect", [0.123, 0.456], [10.789, 10], 50), want: { x: 0.12, y: 0.46, w: 10.67, h: 9.54 } },
    { name: "a dragged line starts where the press was", d: drag("line", [10, 10], [40, 50], 50), want: { type: "line", x: 10, y: 10, pts: [[0, 0], [30, 40]], arrow: false } },
    { name: "a clicked arrow gets a default length", d: drag("arrow", [10, 10], [10, 10], 0), want: { type: "line", pts: [[0, 0], [DEFAULT_LINE, 0]], arrow: true } },
  ])("$name", ({ d, want }) => {
    const rec = draggedRecord(d, base);
    expect(rec).toMatchObject({ id: "n1", z: 7, color: "#e03131", stroke: 4, ...want });
  });

  it("a pen stroke is stored relative to its top-left, with pressure only where given", () => {
    const rec = penRecord([[10, 20, 0.333], [15.555, 18, 0.5], [12, 30, 1]], base);
    expect(rec).toMatchObject({ type: "pen", x: 10, y: 18, pts: [[0, 2, 0.33], [5.56, 0, 0.5], [2, 12, 1]] });
    expect(penRecord([[1, 1], [3, 4]], base)).toMatchObject({ x: 1, y: 1, pts: [[0, 0], [2, 3]] });
  });

  it("a sticky note is centred on the click, on the pale paper of the ink", () => {
    expect(stickyRecord(300, 300, base)).toMatchObject({ type: "sticky", x: 300 - STICKY_SIZE / 2, y: 300 - STICKY_SIZE / 2, w: STICKY_SIZE, fill: "#ffc9c9", color: "#1e1e1e", text: "" });
  });
});

describe("closing the text box", () => {
  const make = () => ({ id: "t9", z: 3, color: "#1e1e1e", stroke: 4 });
  it.each<{ name: string; editing: ReturnType<typeof newTextEditing>; current?: Shape; typed: string; want: unknown }>([
    { name: "a new text is created where it was begun", editing: newTextEditing(100, 100, 28, "#2f9e44"), typed: "hi", want: { ops: [{ op: "put", rec: { id: "t9", type: "text", text: "hi", size: 28, color: "#2f9e44", x: 100 } }], select: ["t9"] } },
    { name: "a new text left blank makes nothing", editing: newTextEditing(100, 100, 28, "#1e1e1e"), typed: "  ", want: { ops: [] } },
    { name: "an edited text is patched", editing: editingFor(text("a", "old"))!, current: text("a", "old"), typed: "new", want: { ops: [{ op: "patch", id: "a", set: { text: "new" } }] } },
    { name: "an unchanged text sends nothing", editing: editingFor(text("a", "same"))!, current: text("a", "same"), typed: "same", want: { ops: [] } },
    { name: "an emptied text is deleted", editing: editingFor(text("a", "old"))!, current: text("a", "old"), typed: "", want: { ops: [{ op: "del", id: "a" }], select: [] } },
    { name: "an emptied sticky note keeps its paper", editing: editingFor(sticky("s", "note"))!, current: sticky("s", "note"), typed: "", want: { ops: [{ op: "patch", id: "s", set: { text: "" } }] } },
    { name: "a text deleted by someone else meanwhile: nothing to do", editing: editingFor(text("a", "old"))!, typed: "new", want: { ops: [] } },
  ])("$name", ({ editing, current, typed, want }) => {
    expect(commitTextOps(editing, current, typed, make)).toMatchObject(want as object);
  });

  it("texts, sticky notes and shape labels open the text box; lines do not", () => {
    expect(editingFor(line("l"))).toBeNull();
    expect(editingFor(rect("r"))).toMatchObject({ kind: "label", text: "" });
    expect(editingFor(sticky("s", "x"))).toMatchObject({ kind: "sticky", fill: "#ffec99", size: 20, w: 200, h: 200 });
  });
});

describe("handles and hover", () => {
  it("one shape has four corner handles, a line its two ends, several shapes the corners of their box", () => {
    expect(selectionHandles([rect("a", 10, 10, 100, 50)])).toEqual([[10, 10], [110, 10], [110, 60], [10, 60]]);
    expect(selectionHandles([line("l")])).toEqual([[10, 20], [40, 60]]);
    expect(selectionHandles([rect("a", 0, 0, 100, 50), rect("b", 200, 100, 100, 50), line("l")])).toEqual([[0, 0], [300, 0], [300, 150], [0, 150]]);
    expect(selectionHandles([])).toEqual([]);
  });

  it.each([
    { name: "on a corner", at: [111, 11], zoom: 1, want: 1 },
    { name: "just beyond the reach at 100%", at: [120, 10], zoom: 1, want: -1 },
    { name: "the same distance is a miss zoomed in (reach is in screen px)", at: [104, 10], zoom: 4, want: -1 },
    { name: "a near miss zoomed out still takes it", at: [130, 10], zoom: 0.25, want: 1 },
  ])("handleAt $name", ({ at, zoom, want }) => {
    expect(handleAt(selectionHandles([rect("a", 10, 10, 100, 50)]), at[0]!, at[1]!, zoom)).toBe(want);
  });

  it.each([
    { selected: [rect("a")], handle: 0, over: false, want: "nwse-resize" },
    { selected: [rect("a")], handle: 1, over: true, want: "nesw-resize" },
    { selected: [line("l")], handle: 1, over: false, want: "crosshair" },
    { selected: [], handle: -1, over: true, want: "move" },
    { selected: [], handle: -1, over: false, want: "default" },
  ])("hover cursor $want", ({ selected, handle, over, want }) => {
    expect(hoverCursor(selected, handle, over)).toBe(want);
  });

  it.each([
    { tool: "rect", space: false, panning: false, want: "crosshair" },
    { tool: "pen", space: true, panning: false, want: "grab" },
    { tool: "hand", space: false, panning: false, want: "grab" },
    { tool: "hand", space: false, panning: true, want: "grabbing" },
    { tool: "select", space: false, panning: false, want: "default" },
    { tool: "text", space: false, panning: false, want: "text" },
  ] as const)("tool cursor: $tool (space $space, panning $panning) → $want", ({ tool, space, panning, want }) => {
    expect(toolCursor(tool, space, panning)).toBe(want);
  });
});

describe("style panel", () => {
  it("a colour recolours shapes and re-papers sticky notes", () => {
    expect(colorOps([rect("a"), sticky("s", "")], "#1971c2")).toEqual([
      { op: "patch", id: "a", set: { color: "#1971c2" } },
      { op: "patch", id: "s", set: { fill: "#a5d8ff" } },
    ]);
  });
  it("a stroke width thickens lines, resizes texts, leaves sticky notes alone", () => {
    expect(strokeOps([line("l"), text("t", "x"), sticky("s", "")], 8)).toEqual([
      { op: "patch", id: "l", set: { stroke: 8 } },
      { op: "patch", id: "t", set: { size: 44 } },
    ]);
  });
});

describe("shortcuts", () => {
  const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it.each<{ name: string; e: KeyPress; selection?: number; want: unknown }>([
    { name: "Ctrl+Z undoes", e: press("z", { ctrlKey: true }), want: { command: { kind: "undo" }, preventDefault: true } },
    { name: "Ctrl+Shift+Z redoes", e: press("Z", { ctrlKey: true, shiftKey: true }), want: { command: { kind: "redo" } } },
    { name: "⌘Y redoes", e: press("y", { metaKey: true }), want: { command: { kind: "redo" } } },
    { name: "Ctrl+A selects all", e: press("a", { ctrlKey: true }), want: { command: { kind: "select-all" } } },
    { name: "Ctrl+= zooms in instead of the page", e: press("=", { ctrlKey: true }), want: { command: { kind: "zoom", factor: 1.25 }, preventDefault: true } },
    { name: "Ctrl+0 resets the zoom", e: press("0", { ctrlKey: true }), want: { command: { kind: "reset-zoom" } } },
    { name: "Ctrl+C is not ours", e: press("c", { ctrlKey: true }), want: null },
    { name: "Alt+R is not ours", e: press("r", { altKey: true }), want: null },
    { name: "r picks the rectangle", e: press("r"), want: { command: { kind: "tool", tool: "rect" }, preventDefault: false } },
    { name: "d picks the pen", e: press("d"), want: { command: { kind: "tool", tool: "pen" } } },
    { name: "Delete deletes", e: press("Delete"), want: { command: { kind: "delete" } } },
    { name: "Enter edits the one selected text", e: press("Enter"), selection: 1, want: { command: { kind: "edit-text" } } },
    { name: "Enter with two selected does nothing", e: press("Enter"), selection: 2, want: null },
    { name: "Shift+ArrowLeft nudges by 10", e: press("ArrowLeft", { shiftKey: true }), selection: 1, want: { command: { kind: "nudge", dx: -10, dy: 0 } } },
    { name: "ArrowDown nudges by 1", e: press("ArrowDown"), selection: 3, want: { command: { kind: "nudge", dx: 0, dy: 1 } } },
    { name: "arrows with nothing selected are left to the page", e: press("ArrowDown"), selection: 0, want: null },
    { name: "Shift+1 fits the board", e: press("1", { shiftKey: true }), want: { command: { kind: "zoom-to-fit" } } },
    { name: "Space starts a pan", e: press(" "), want: { command: { kind: "space-down" }, preventDefault: true } },
    { name: "Ctrl+G groups (not the browser's find-next)", e: press("g", { ctrlKey: true }), selection: 2, want: { command: { kind: "group" }, preventDefault: true } },
    { name: "Ctrl+Shift+G ungroups", e: press("G", { ctrlKey: true, shiftKey: true }), selection: 2, want: { command: { kind: "ungroup" } } },
    { name: "⌘Shift+L locks", e: press("L", { metaKey: true, shiftKey: true }), selection: 1, want: { command: { kind: "lock" } } },
    { name: "Ctrl+Shift+ArrowUp aligns the tops", e: press("ArrowUp", { ctrlKey: true, shiftKey: true }), selection: 2, want: { command: { kind: "align", how: "top" } } },
    { name: "Ctrl+Shift+arrow with one selected is left to the page", e: press("ArrowLeft", { ctrlKey: true, shiftKey: true }), selection: 1, want: null },
  ])("$name", ({ e, selection, want }) => {
    const got = keyCommand(e, { selectionSize: selection ?? 0 });
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatchObject(want as object);
  });
});
